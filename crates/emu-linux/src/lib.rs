//! The aarch64 Linux kernel interface, on an x86_64 Linux host.
//!
//! Owns: the syscall table (one row per aarch64 syscall: number, name, handler),
//! the guest ABI structs that differ from the host's (with compile-time layout
//! checks), the conversions between them (one module per syscall group), and the
//! process-wide state the kernel would keep (signal dispositions, the exe path).
//! Must not: decode or execute instructions, or load ELF files. Guest pointers are
//! host pointers, so most arguments pass straight through to the host kernel.

pub mod abi;
mod fs;
mod mem;
mod process;
mod signal;
pub mod table;

use emu_cpu::Cpu;
use emu_memory::AddressSpace;
use std::path::PathBuf;
use std::sync::Mutex;

pub use signal::GuestSigaction;

/// Kernel-side state shared by all threads of one guest process.
pub struct Process {
    pub space: Mutex<AddressSpace>,
    /// Absolute path of the guest executable: what /proc/self/exe names.
    pub exe: PathBuf,
    /// The auxv the guest started with (for /proc/self/auxv).
    pub auxv: Vec<(u64, u64)>,
    pub sigactions: Mutex<Vec<GuestSigaction>>,
    /// Log unimplemented syscalls to stderr.
    pub log: bool,
}

impl Process {
    pub fn new(space: AddressSpace, exe: PathBuf, auxv: Vec<(u64, u64)>, log: bool) -> Process {
        Process {
            space: Mutex::new(space),
            exe,
            auxv,
            sigactions: Mutex::new(vec![GuestSigaction::default(); signal::NSIG + 1]),
            log,
        }
    }

    pub fn space(&self) -> std::sync::MutexGuard<'_, AddressSpace> {
        // A poisoned lock means another thread panicked; the map itself is intact.
        self.space.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a syscall asks the run loop to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Write this value (a result or a negated errno) to x0 and resume.
    Return(i64),
    /// Guest code in [start, end) may have changed: drop decoded blocks, then
    /// return the value.
    ReturnInvalidate(i64, u64, u64),
    /// exit_group: the process ends with this status.
    ExitGroup(i32),
    /// exit: this thread ends with this status.
    ExitThread(i32),
}

/// The calling thread's context for a syscall.
pub struct SyscallCtx<'a> {
    pub proc: &'a Process,
    pub cpu: &'a mut Cpu,
}

impl SyscallCtx<'_> {
    /// Syscall argument `i` (x0..x5).
    #[inline]
    pub fn arg(&self, i: usize) -> u64 {
        self.cpu.x[i]
    }
}

/// Runs the syscall in x8 with arguments x0..x5 and says what to do next.
pub fn syscall(proc: &Process, cpu: &mut Cpu) -> Outcome {
    let nr = cpu.x[8];
    let mut ctx = SyscallCtx { proc, cpu };
    table::dispatch(&mut ctx, nr)
}

/// The negated errno of the last failed host call.
pub(crate) fn neg_errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64)
}

/// A host syscall's return value as the guest sees it (-errno on failure).
pub(crate) fn host_ret(r: i64) -> i64 {
    if r == -1 {
        neg_errno()
    } else {
        r
    }
}
