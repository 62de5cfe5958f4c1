//! The emu runtime: starts a guest process and runs it.
//!
//! Owns: process start-up (loader, then initial CPU state), the run loop, the
//! one place where a CPU [`Exit`] becomes a syscall, a signal or a resume, and
//! under `-g` the debugger's stops of the guest's threads (`debug.rs`).
//! Must not: decode instructions (the CPU does), translate syscall ABIs (the linux
//! crate does), or parse command lines (the CLI does).

mod debug;
mod signals;

use emu_cpu::{BlockCache, CodeMemory, Cpu, Exit};
use emu_gdb::Event;
use emu_linux::{hostsig, thread_started, CloneRequest, Delivery, GuestThread, Outcome, Process};
use emu_loader::{build_stack, load_program, StackParams};
use emu_memory::AddressSpace;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use emu_loader::LoadError;

/// Why a program could not be started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Gdb(#[from] emu_gdb::Error),
}

/// What to run and how.
pub struct Config {
    pub program: PathBuf,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// Diagnostics for unimplemented instructions and syscalls on stderr.
    pub log: bool,
    pub stack_size: u64,
    /// The program as a descriptor opened by the kernel (binfmt_misc's O flag).
    pub exec_fd: Option<std::fs::File>,
    /// Where absolute guest paths resolve first (-L, EMU_LD_PREFIX).
    pub sysroot: Option<PathBuf>,
    /// Wait for GDB at this address (PORT or HOST:PORT) and run under it (-g).
    pub gdb: Option<String>,
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
pub fn run(config: Config) -> Result<std::convert::Infallible, Error> {
    // First: guest memory copies (the loader's too) rely on the fault handler.
    signals::install_fault_handlers();
    let mut space = AddressSpace::new();
    emu_linux::path::set_sysroot(config.sysroot.as_deref());
    let loaded = load_program(&config.program, config.exec_fd, &mut space, &emu_linux::path::host_path_buf)?;
    let image = &loaded.program;
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
        interp_base: loaded.interp_base(),
    };
    let (sp, auxv) = build_stack(&mut space, image, &params).map_err(|err| LoadError::Map {
        path: config.program.display().to_string(),
        addr: 0,
        err,
    })?;
    let exe = absolute(&config.program);
    // The process lives until emu exits; every guest thread refers to it.
    let tramp = map_sigreturn_trampoline(&mut space).map_err(|err| LoadError::Map {
        path: config.program.display().to_string(),
        addr: 0,
        err,
    })?;
    let mut process = Process::new(space, exe, auxv, config.log);
    process.sigreturn_trampoline = tramp;
    let proc: &'static Process = Box::leak(Box::new(process));
    if let Some(spec) = &config.gdb {
        debug::listen(spec, proc)?;
    }

    let mut cpu = Cpu { pc: loaded.entry(), ..Default::default() };
    cpu.set_sp(sp);
    // Across execve the signal mask is inherited: the host's is the guest's.
    let thread = GuestThread { is_main: true, sigmask: hostsig::host_mask(), ..Default::default() };
    run_thread(proc, cpu, thread);
    // The main thread's run loop only returns if exit_thread let it.
    signals::exit_process(0)
}

/// Maps the page that signal handlers return to when the guest gives no
/// SA_RESTORER: `mov x8, #139 (rt_sigreturn); svc #0`, as the vDSO's trampoline.
fn map_sigreturn_trampoline(space: &mut AddressSpace) -> Result<u64, emu_memory::MapError> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    let page = space.mmap(0, emu_memory::PAGE_SIZE, emu_memory::Prot::RW, flags, -1, 0)?;
    let code = [0xd280_1168u32.to_le_bytes(), 0xd400_0001u32.to_le_bytes()].concat();
    emu_memory::write_bytes(page, &code).map_err(|_| emu_memory::MapError::Host(libc::EFAULT))?;
    space.mprotect(page, emu_memory::PAGE_SIZE, emu_memory::Prot(libc::PROT_READ | libc::PROT_EXEC))?;
    Ok(page)
}

/// `p` made absolute against the working directory now (the guest may change
/// it before it asks for its own path).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Host stack for a guest thread's run loop (the guest's own stack is separate).
const THREAD_STACK: usize = 1 << 20;

/// Starts a guest thread on a new host thread; returns its tid or -errno.
fn spawn_thread(proc: &'static Process, parent: &Cpu, req: CloneRequest) -> i64 {
    let mut cpu = parent.clone_state();
    cpu.x[0] = 0;
    if req.stack != 0 {
        cpu.set_sp(req.stack);
    }
    if req.flags & libc::CLONE_SETTLS as u64 != 0 {
        cpu.tpidr = req.tls;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    proc.threads.fetch_add(1, Ordering::SeqCst);
    let spawned = std::thread::Builder::new().stack_size(THREAD_STACK).spawn(move || {
        let mut thread = GuestThread::default();
        let tid = thread_started(&req, &mut thread);
        let _ = tx.send(tid);
        run_thread(proc, cpu, thread)
    });
    match spawned.ok().and_then(|_| rx.recv().ok()) {
        Some(tid) => tid as i64,
        None => {
            proc.threads.fetch_sub(1, Ordering::SeqCst);
            -(libc::EAGAIN as i64)
        }
    }
}

/// Ends the calling guest thread; the last one out ends the process. Returns only
/// on a thread other than the main one, which then ends its host thread.
fn exit_thread(proc: &Process, thread: &GuestThread, code: i32) {
    emu_linux::thread_exiting(thread);
    if proc.threads.fetch_sub(1, Ordering::SeqCst) == 1 {
        signals::exit_process(code);
    }
    if thread.is_main {
        // Returning from main() would end every thread: wait for the others.
        loop {
            // SAFETY: pause only waits for a signal.
            unsafe { libc::pause() };
        }
    }
}

/// Runs guest code on this host thread, turning each CPU exit into a syscall, a
/// signal or a resume, until the thread exits.
fn run_thread(proc: &'static Process, mut cpu: Cpu, mut thread: GuestThread) {
    let mut cache = BlockCache::new();
    let cpu = &mut cpu;
    // The host FP environment is per thread: this one starts with the guest's.
    emu_cpu::hostfp::apply_fpcr(cpu.fpcr);
    let stop = hostsig::interrupt_flag();
    let id = emu_linux::gettid() as u64;
    let mut code_gen = proc.code.register(id, stop);
    let mut debugged = debug::Debugged::join(&mut cache, cpu, stop);
    if thread.is_main {
        // Under GDB, the program's first instruction is the first stop.
        debug_stop(&mut debugged, proc, &mut thread, &mut cache, cpu, None);
    }
    loop {
        let exit = match signals::run_guarded(&mut cache, cpu, &GuestCode(proc), stop) {
            Ok(exit) => exit,
            Err(fault) => {
                // The faulting operation did not complete: report it at its PC.
                cpu.pc = cpu.current_pc().unwrap_or(cpu.pc);
                let fsc = if fault.info_code() == SEGV_ACCERR { 0x0f } else { 0x07 };
                let esr = ESR_DABT_LOWER | (fault.write as u64) << 6 | fsc;
                if debug_passes(&mut debugged, proc, &mut cache, cpu, fault.sig) {
                    synchronous_signal(proc, &mut thread, cpu, fault.sig, fault.info, Some((fault.addr, esr)));
                }
                continue;
            }
        };
        let stepped = debugged.as_ref().is_some_and(|d| d.stepping);
        match exit {
            Exit::Syscall if stop.load(Ordering::Relaxed) && hostsig::any(thread.sigmask) => {
                // A signal arrived while guest code ran: Linux would deliver it
                // before the SVC executes, so the SVC runs after the handler.
                cpu.pc -= 4;
            }
            Exit::Syscall => {
                let (nr, orig_x0) = (cpu.x[8], cpu.x[0]);
                if let Some(d) = debugged.as_mut() {
                    d.enter_syscall(cpu);
                }
                match emu_linux::syscall(proc, &mut thread, cpu) {
                    Outcome::Return(hostsig::NOT_STARTED) => {
                        // A signal came first: run the handler, then this SVC again.
                        cpu.x[0] = orig_x0;
                        cpu.pc -= 4;
                    }
                    Outcome::Return(v) => {
                        cpu.x[0] = v as u64;
                        if v == -(libc::EINTR as i64) {
                            restart_if_asked(proc, &thread, cpu, nr, orig_x0);
                        }
                    }
                    Outcome::ReturnInvalidate(v, start, end) => {
                        cache.invalidate(start, end);
                        proc.code.record(id, start, end);
                        cpu.x[0] = v as u64;
                    }
                    Outcome::Resume => {}
                    Outcome::SpawnThread(req) => cpu.x[0] = spawn_thread(proc, cpu, req) as u64,
                    Outcome::ExitGroup(code) => signals::exit_process(code),
                    Outcome::ExitThread(code) => {
                        proc.code.unregister(id);
                        if let Some(d) = debugged.take() {
                            d.leave();
                        }
                        return exit_thread(proc, &thread, code);
                    }
                    Outcome::Fatal(sig) => signals::guest_fatal_signal(sig),
                }
                if let Some(d) = debugged.as_mut() {
                    let next = d.leave_syscall(&mut cache, cpu, nr);
                    after_stop(&mut debugged, proc, &mut thread, cpu, next);
                }
            }
            Exit::Interrupted => {}
            Exit::DebugBreak => debug_stop(&mut debugged, proc, &mut thread, &mut cache, cpu, Some(Event::Breakpoint)),
            // Reported below, as a step that was a system call is.
            Exit::Stepped => {}
            Exit::CodeModified { addr } => {
                // IC IVAU names one cache line; drop the page's blocks everywhere.
                let page = addr & !(emu_memory::PAGE_SIZE - 1);
                cache.invalidate(page, page + emu_memory::PAGE_SIZE);
                proc.code.record(id, page, page + emu_memory::PAGE_SIZE);
            }
            Exit::Undefined { pc, insn } => {
                if proc.log {
                    eprintln!("emu: undefined instruction {insn:08x} at {pc:#x}");
                }
                let info = siginfo(libc::SIGILL, ILL_ILLOPC, pc);
                if debug_passes(&mut debugged, proc, &mut cache, cpu, libc::SIGILL) {
                    synchronous_signal(proc, &mut thread, cpu, libc::SIGILL, info, None);
                }
            }
            Exit::Breakpoint { pc, .. } => {
                let info = siginfo(libc::SIGTRAP, TRAP_BRKPT, pc);
                if debug_passes(&mut debugged, proc, &mut cache, cpu, libc::SIGTRAP) {
                    synchronous_signal(proc, &mut thread, cpu, libc::SIGTRAP, info, None);
                }
            }
            Exit::FetchFault { pc } => {
                if proc.log {
                    eprintln!("emu: instruction fetch from non-executable address {pc:#x}");
                }
                let info = siginfo(libc::SIGSEGV, SEGV_MAPERR, pc);
                let esr = ESR_IABT_LOWER | 0x07;
                if debug_passes(&mut debugged, proc, &mut cache, cpu, libc::SIGSEGV) {
                    synchronous_signal(proc, &mut thread, cpu, libc::SIGSEGV, info, Some((pc, esr)));
                }
            }
        }
        // A single step ends here, whatever the instruction was (a syscall too).
        if stepped && debugged.as_ref().is_some_and(|d| d.stepping) && !matches!(exit, Exit::DebugBreak) {
            debug_stop(&mut debugged, proc, &mut thread, &mut cache, cpu, Some(Event::Step));
        }
        // Also when nothing interrupted: a syscall (sigreturn, sigprocmask) may
        // have unblocked signals recorded earlier.
        if stop.load(Ordering::Relaxed) || hostsig::any(thread.sigmask) {
            code_gen = proc.code.catch_up(&mut cache, code_gen);
            if stop.load(Ordering::Relaxed) {
                if let Some(d) = debugged.as_mut() {
                    // GDB stopping the process, or its Ctrl-C.
                    let next = d.check_stop(proc, &mut cache, cpu);
                    after_stop(&mut debugged, proc, &mut thread, cpu, next);
                    code_gen = proc.code.catch_up(&mut cache, code_gen);
                }
            }
            deliver_pending(proc, &mut thread, cpu, stop, &mut |cpu, sig| {
                debug_passes(&mut debugged, proc, &mut cache, cpu, sig)
            });
        }
    }
}

/// A stop for GDB, if there is one (`None`: the program's first).
fn debug_stop(
    debugged: &mut Option<debug::Debugged>,
    proc: &Process,
    thread: &mut GuestThread,
    cache: &mut BlockCache,
    cpu: &mut Cpu,
    event: Option<Event>,
) {
    if let Some(d) = debugged.as_mut() {
        let next = d.report(proc, cache, cpu, event);
        after_stop(debugged, proc, thread, cpu, next);
    }
}

/// After a stop: a signal GDB sent is delivered, as if from `kill`; a gone
/// debugger leaves the thread.
fn after_stop(
    debugged: &mut Option<debug::Debugged>,
    proc: &Process,
    thread: &mut GuestThread,
    cpu: &mut Cpu,
    next: debug::Next,
) {
    match next {
        debug::Next::Go(Some(sig)) => {
            let mut info = siginfo(sig, 0, 0);
            // SI_USER's sender: this process.
            info[16..20].copy_from_slice(&(std::process::id() as i32).to_le_bytes());
            act_on(emu_linux::deliver(proc, thread, cpu, sig, &info, None));
        }
        debug::Next::Go(None) => {}
        debug::Next::Detached => *debugged = None,
    }
}

/// Whether a signal for the thread is delivered: under GDB, GDB decides.
fn debug_passes(
    debugged: &mut Option<debug::Debugged>,
    proc: &Process,
    cache: &mut BlockCache,
    cpu: &mut Cpu,
    sig: i32,
) -> bool {
    let Some(d) = debugged.as_mut() else {
        return true;
    };
    match d.report(proc, cache, cpu, Some(Event::Signal(sig))) {
        debug::Next::Go(pass) => pass.is_some(),
        debug::Next::Detached => {
            *debugged = None;
            true
        }
    }
}

const ESR_DABT_LOWER: u64 = 0x24 << 26 | 1 << 25;
const ESR_IABT_LOWER: u64 = 0x20 << 26 | 1 << 25;
const ILL_ILLOPC: i32 = 1;
const SEGV_MAPERR: i32 = 1;
const SEGV_ACCERR: i32 = 2;
const TRAP_BRKPT: i32 = 1;

/// A kernel-made siginfo: signo, errno 0, code, and the faulting address.
fn siginfo(sig: i32, code: i32, addr: u64) -> [u8; 128] {
    let mut b = [0u8; 128];
    b[..4].copy_from_slice(&sig.to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    b[16..24].copy_from_slice(&addr.to_le_bytes());
    b
}

/// A signal caused by the instruction at `cpu.pc`: delivered now, or fatal.
fn synchronous_signal(
    proc: &Process,
    thread: &mut GuestThread,
    cpu: &mut Cpu,
    sig: i32,
    info: [u8; 128],
    fault: Option<(u64, u64)>,
) {
    // A fault (or an undefined instruction) cannot be blocked or ignored.
    let fault = fault.or(Some((0, 0)));
    act_on(emu_linux::deliver(proc, thread, cpu, sig, &info, fault));
}

fn act_on(d: Delivery) {
    match d {
        Delivery::Handled | Delivery::Ignored => {}
        Delivery::Fatal(sig) => signals::guest_fatal_signal(sig),
        Delivery::Stop => {
            // SAFETY: stopping ourselves, as the default action of a stop signal.
            unsafe { libc::raise(libc::SIGSTOP) };
        }
    }
}

/// Delivers the signals the host handler recorded and the guest does not block
/// (those that `pass` lets through: a debugger may drop them).
fn deliver_pending(
    proc: &Process,
    thread: &mut GuestThread,
    cpu: &mut Cpu,
    stop: &AtomicBool,
    pass: &mut dyn FnMut(&mut Cpu, i32) -> bool,
) {
    stop.store(false, Ordering::SeqCst);
    while let Some((sig, info)) = hostsig::take(thread.sigmask) {
        if pass(cpu, sig) {
            act_on(emu_linux::deliver(proc, thread, cpu, sig, &info, None));
        }
    }
    if let Some(old) = thread.saved_sigmask.take() {
        // A temporary mask (rt_sigsuspend) that no handler saved: back to the old one.
        thread.set_sigmask(old);
    }
}

/// After -EINTR: if a pending signal's handler asks for SA_RESTART and the call is
/// restartable, arrange for the SVC to run again once the handler returns.
fn restart_if_asked(proc: &Process, thread: &GuestThread, cpu: &mut Cpu, nr: u64, orig_x0: u64) {
    let mask = thread.sigmask;
    let pending = (1..=64).find(|&s| hostsig::is_pending(s, mask));
    if let Some(sig) = pending {
        if emu_linux::signal::restarts(proc, nr, sig) {
            cpu.x[0] = orig_x0;
            cpu.pc -= 4;
        }
    }
}
