//! The emu runtime: starts a guest process and runs it.
//!
//! Owns: process start-up (loader, then initial CPU state), and the run loop, the
//! one place where a CPU [`Exit`] becomes a syscall, a signal or a resume.
//! Must not: decode instructions (the CPU does), translate syscall ABIs (the linux
//! crate does), or parse command lines (the CLI does).

mod signals;

use emu_cpu::{BlockCache, CodeMemory, Cpu, Exit};
use emu_linux::{Outcome, Process};
use emu_loader::{build_stack, load_elf, LoadError, StackParams};
use emu_memory::AddressSpace;
use std::path::{Path, PathBuf};

pub use emu_loader::LoadError as Error;

/// What to run and how.
pub struct Config {
    pub program: PathBuf,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// Diagnostics for unimplemented instructions and syscalls on stderr.
    pub log: bool,
    pub stack_size: u64,
}

/// The guest's view of which memory holds code.
struct GuestCode<'a>(&'a Process);

impl CodeMemory for GuestCode<'_> {
    fn is_executable(&self, addr: u64) -> bool {
        self.0.space().is_executable(addr)
    }
}

/// Loads the program and runs it; returns only on a load error. The process exits
/// with the guest's status, or dies of the guest's fatal signal.
pub fn run(config: Config) -> Result<std::convert::Infallible, LoadError> {
    let mut space = AddressSpace::new();
    let image = load_elf(&config.program, &mut space)?;
    space.init_brk(image.end);
    let mut random = [0u8; 16];
    // SAFETY: getrandom fills our local buffer.
    unsafe { libc::getrandom(random.as_mut_ptr().cast(), random.len(), 0) };
    let execfn = config.argv.first().cloned().unwrap_or_default();
    let params = StackParams {
        argv: &config.argv,
        envp: &config.envp,
        execfn: &execfn,
        hwcap: emu_cpu::sysreg::hwcap(),
        hwcap2: emu_cpu::sysreg::hwcap2(),
        random,
        stack_size: config.stack_size,
        interp_base: 0,
    };
    let (sp, auxv) = build_stack(&mut space, &image, &params).map_err(|err| LoadError::Map {
        path: config.program.display().to_string(),
        addr: 0,
        err,
    })?;
    let exe = absolute(&config.program);
    let proc = Process::new(space, exe, auxv, config.log);

    let mut cpu = Cpu { pc: image.entry, ..Default::default() };
    cpu.set_sp(sp);
    let mut cache = BlockCache::new();
    run_loop(&proc, &mut cpu, &mut cache)
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Runs guest code, turning each CPU exit into a syscall, a signal or a resume.
fn run_loop(proc: &Process, cpu: &mut Cpu, cache: &mut BlockCache) -> ! {
    loop {
        let exit = cache.run(cpu, &GuestCode(proc));
        match exit {
            Exit::Syscall => match emu_linux::syscall(proc, cpu) {
                Outcome::Return(v) => cpu.x[0] = v as u64,
                Outcome::ReturnInvalidate(v, start, end) => {
                    cache.invalidate(start, end);
                    cpu.x[0] = v as u64;
                }
                // One thread per process so far: a thread's exit ends the process.
                Outcome::ExitGroup(code) | Outcome::ExitThread(code) => signals::exit_process(code),
            },
            Exit::CodeModified { .. } => cache.clear(),
            Exit::Undefined { pc, insn } => {
                if proc.log {
                    eprintln!("emu: undefined instruction {insn:08x} at {pc:#x}");
                }
                signals::guest_fatal_signal(libc::SIGILL)
            }
            Exit::Breakpoint { .. } => signals::guest_fatal_signal(libc::SIGTRAP),
            Exit::FetchFault { pc } => {
                if proc.log {
                    eprintln!("emu: instruction fetch from non-executable address {pc:#x}");
                }
                signals::guest_fatal_signal(libc::SIGSEGV)
            }
        }
    }
}
