//! The aarch64 Linux kernel interface, on an x86_64 Linux host.
//!
//! Owns: the syscall table (one row per aarch64 syscall: number, name, handler),
//! the guest ABI structs that differ from the host's (with compile-time layout
//! checks), the conversions between them (one module per syscall group), and the
//! process-wide state the kernel would keep (signal dispositions, the exe path).
//! Must not: decode or execute instructions, or load ELF files. Guest pointers are
//! host pointers, so most arguments pass straight through to the host kernel.

pub mod abi;
mod epoll;
mod exec;
mod fs;
pub mod hostsig;
mod mem;
pub mod path;
mod process;
mod procfs;
pub mod sigframe;
pub mod signal;
mod strace;
pub mod table;
mod thread;

use emu_cpu::Cpu;
use emu_memory::AddressSpace;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

pub use signal::{deliver, Delivery, GuestSigaction};
pub use thread::{gettid, thread_exiting, thread_started, CloneRequest, GuestThread};

/// Kernel-side state shared by all threads of one guest process.
pub struct Process {
    pub space: Mutex<AddressSpace>,
    /// Absolute path of the guest executable as given (symbolic links not
    /// resolved), and what /proc/self/exe names, resolved on first use: most
    /// programs never ask, and resolving costs a system call per component.
    exe_given: PathBuf,
    exe: OnceLock<PathBuf>,
    /// The auxv the guest started with (for /proc/self/auxv).
    pub auxv: Vec<(u64, u64)>,
    pub(crate) sigactions: Mutex<signal::SigTable>,
    /// Log unimplemented syscalls to stderr.
    pub log: bool,
    /// Trace every syscall (--strace, EMU_STRACE=1), on stderr or appended to
    /// a file (--strace-file, EMU_STRACE_FILE).
    pub strace: bool,
    strace_file: Option<Mutex<std::fs::File>>,
    /// emu's own executable, to run again when the guest execs an arm64
    /// program; found on first use.
    emu_path: OnceLock<PathBuf>,
    /// Options to give that new emu (logging, sysroot...).
    pub exec_options: Vec<Vec<u8>>,
    /// Guest address of the rt_sigreturn trampoline that handlers return to when
    /// the guest gives no SA_RESTORER (glibc does not: it relies on the vDSO).
    pub sigreturn_trampoline: u64,
    /// Code invalidations that every thread's block cache must see.
    pub code: emu_cpu::cache::SharedInvalidations,
    /// Guest threads alive: the last one to exit ends the process.
    pub threads: std::sync::atomic::AtomicUsize,
}

impl Process {
    pub fn new(space: AddressSpace, exe: PathBuf, auxv: Vec<(u64, u64)>, log: bool) -> Process {
        let strace = std::env::var_os("EMU_STRACE").is_some_and(|v| !v.is_empty() && v != "0");
        let mut exec_options = Vec::new();
        if log {
            exec_options.push(b"-d".to_vec());
        }
        let strace_path = std::env::var_os("EMU_STRACE_FILE").filter(|p| !p.is_empty());
        if let Some(path) = &strace_path {
            use std::os::unix::ffi::OsStrExt;
            exec_options.push(b"--strace-file".to_vec());
            exec_options.push(path.as_bytes().to_vec());
        } else if strace {
            exec_options.push(b"-strace".to_vec());
        }
        // Appending: the processes the guest forks and execs share one trace.
        let strace_file = strace_path
            .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok())
            .map(Mutex::new);
        Process {
            space: Mutex::new(space),
            exe_given: exe,
            exe: OnceLock::new(),
            auxv,
            sigactions: Mutex::new(Default::default()),
            log,
            strace: strace || strace_file.is_some(),
            strace_file,
            emu_path: OnceLock::new(),
            exec_options,
            sigreturn_trampoline: 0,
            code: Default::default(),
            threads: std::sync::atomic::AtomicUsize::new(1),
        }
    }

    /// The guest executable's absolute path, symbolic links resolved.
    pub fn exe(&self) -> &Path {
        self.exe.get_or_init(|| std::fs::canonicalize(&self.exe_given).unwrap_or_else(|_| self.exe_given.clone()))
    }

    /// emu's own executable.
    pub fn emu_path(&self) -> &Path {
        self.emu_path.get_or_init(|| std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe")))
    }

    pub fn space(&self) -> std::sync::MutexGuard<'_, AddressSpace> {
        // A poisoned lock means another thread panicked; the map itself is intact.
        self.space.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every lock of emu's that another thread may hold, held until the value is
    /// dropped: taken just before a fork, so that the child, which has only the
    /// forking thread, does not inherit one held by a thread it does not have
    /// (and wait on it forever). The C library's own locks are its fork's.
    /// In the order other code nests them: the address space first.
    pub fn hold_for_fork(&self) -> impl Sized + '_ {
        let space = self.space();
        let code = self.code.hold();
        let sigactions = self.sigactions.lock().unwrap_or_else(|e| e.into_inner());
        let trace = self.strace_file.as_ref().map(|f| f.lock().unwrap_or_else(|e| e.into_inner()));
        let stderr = std::io::stderr().lock();
        (space, code, sigactions, trace, stderr)
    }

    /// In a forked child: the forking thread is the only one.
    pub fn forked(&self) {
        self.threads.store(1, std::sync::atomic::Ordering::SeqCst);
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
    /// clone of a thread sharing this process: the run loop starts it and returns
    /// its tid (or an error) to the caller.
    SpawnThread(CloneRequest),
    /// rt_sigreturn restored every register: resume without touching x0.
    Resume,
    /// The process dies of this signal (e.g. a signal frame that cannot be read).
    Fatal(i32),
}

/// The calling thread's context for a syscall.
pub struct SyscallCtx<'a> {
    pub proc: &'a Process,
    pub thread: &'a mut GuestThread,
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
pub fn syscall(proc: &Process, thread: &mut GuestThread, cpu: &mut Cpu) -> Outcome {
    let nr = cpu.x[8];
    if proc.strace {
        return traced(proc, thread, cpu, nr);
    }
    let mut ctx = SyscallCtx { proc, thread, cpu };
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

fn traced(proc: &Process, thread: &mut GuestThread, cpu: &mut Cpu, nr: u64) -> Outcome {
    let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
    let row = table::lookup(nr);
    let line = strace::enter(row, nr, &args);
    // Calls that do not return to the caller are shown before they happen.
    if matches!(row.map(|r| r.name), Some("execve" | "execveat" | "exit" | "exit_group" | "rt_sigreturn")) {
        proc.trace(&format!("{line} = ?"));
    }
    let mut ctx = SyscallCtx { proc, thread, cpu };
    let out = table::dispatch(&mut ctx, nr);
    match out {
        Outcome::Return(v) | Outcome::ReturnInvalidate(v, ..) => proc.trace(&format!("{line}{}", strace::exit(v))),
        Outcome::SpawnThread(_) => proc.trace(&format!("{line} = (new thread)")),
        _ => {}
    }
    out
}

impl Process {
    /// One strace line, to the trace file or stderr.
    fn trace(&self, line: &str) {
        match &self.strace_file {
            Some(f) => {
                use std::io::Write;
                let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
                let _ = writeln!(f, "{line}");
            }
            None => eprintln!("{line}"),
        }
    }
}
