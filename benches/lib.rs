//! Criterion micro-benchmarks of emu's internals (see the `[[bench]]`
//! targets). The library holds what they share. Run them with
//! `cargo bench -p emu-benches`.

use emu_cpu::{BlockCache, CodeMemory, Cpu, Exit};
use std::sync::atomic::AtomicBool;

/// Guest code in a host buffer (guest addresses are host addresses): all
/// of it executable.
pub struct HostCode;

impl CodeMemory for HostCode {
    fn is_executable(&self, _: u64) -> bool {
        true
    }
}

/// Runs `code` from its first instruction until it reaches SVC, on a fresh
/// CPU prepared by `setup`; returns the final state.
pub fn run_until_svc(cache: &mut BlockCache, code: &[u32], setup: impl FnOnce(&mut Cpu)) -> Cpu {
    let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
    setup(&mut cpu);
    let exit = cache.run(&mut cpu, &HostCode, &AtomicBool::new(false));
    assert_eq!(exit, Exit::Syscall);
    cpu
}
