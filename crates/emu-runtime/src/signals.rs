//! Host signals in the run loop: faults in guest code, and ending the process as
//! the guest would end (with its status, or killed by its signal, so that emu's
//! parent sees WIFSIGNALED with the same signal).
//!
//! A guest load or store is a host load or store, so a bad guest address faults in
//! the host. The SIGSEGV/SIGBUS handler checks that the thread was running guest
//! code, records the fault, and resumes the thread at a jump back to where the run
//! loop was entered; the operation that faulted is known from the CPU state.

use emu_cpu::{BlockCache, CodeMemory, Cpu, Exit};
use emu_memory::recover::{self, set_jump, JmpBuf};
use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::AtomicBool;

/// Exits the whole process with the guest's status.
pub fn exit_process(code: i32) -> ! {
    crate::debug::exiting(code);
    // SAFETY: _exit ends the process; nothing of ours needs flushing (guest output
    // went straight to its descriptors).
    unsafe { libc::_exit(code & 0xff) }
}

/// Dies of `sig` with its default action, as an arm64 process would.
pub fn guest_fatal_signal(sig: i32) -> ! {
    crate::debug::killed(sig);
    // Raw syscalls: a C library may refuse the real-time signals it reserves.
    emu_linux::hostsig::set_default(sig, false);
    let set: u64 = if (1..=64).contains(&sig) { 1 << (sig - 1) } else { 0 };
    // SAFETY: unblocks `sig` (an 8-byte kernel set on a local) so that its default
    // action takes place, then sends it to this thread.
    unsafe {
        libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_UNBLOCK, &set as *const u64, 0usize, 8usize);
        libc::syscall(libc::SYS_tgkill, libc::getpid(), libc::syscall(libc::SYS_gettid), sig);
    }
    // A signal whose default action does not terminate: exit as a shell would say.
    exit_process(128 + sig)
}

/// A host fault in guest code.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub sig: i32,
    pub info: [u8; 128],
    pub addr: u64,
    pub write: bool,
}

impl Fault {
    /// si_code: SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR...
    pub fn info_code(&self) -> i32 {
        i32::from_le_bytes([self.info[8], self.info[9], self.info[10], self.info[11]])
    }
}

thread_local! {
    static JMP: UnsafeCell<JmpBuf> = const { UnsafeCell::new(JmpBuf::new()) };
    static IN_GUEST: Cell<bool> = const { Cell::new(false) };
    static FAULT: Cell<Option<Fault>> = const { Cell::new(None) };
}

const REG_ERR: usize = 19;

extern "C" fn on_fault(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext to an SA_SIGINFO handler.
    let (info_ref, uc) = unsafe { (&*info, &mut *(uc as *mut libc::ucontext_t)) };
    let mut raw = [0u8; 128];
    // SAFETY: siginfo is 128 bytes.
    unsafe { std::ptr::copy_nonoverlapping(info as *const u8, raw.as_mut_ptr(), 128) };
    if info_ref.si_code <= 0 {
        // Sent by kill/tgkill, not a fault: an ordinary signal for the guest.
        emu_linux::hostsig::record(sig, &raw);
        return;
    }
    // SAFETY: the ucontext of this handler.
    if unsafe { recover::recover_copy_fault(uc as *mut libc::ucontext_t as *mut libc::c_void) } {
        // A syscall-layer copy from a bad guest pointer: it reports EFAULT.
        return;
    }
    if !IN_GUEST.with(|g| g.get()) {
        // A fault in emu itself: die of it as any program would.
        // SAFETY: restoring the default action; returning re-executes the access.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
        return;
    }
    // SAFETY: si_addr of a SIGSEGV/SIGBUS fault.
    let addr = unsafe { info_ref.si_addr() } as u64;
    let write = uc.uc_mcontext.gregs[REG_ERR] & 2 != 0;
    FAULT.with(|f| f.set(Some(Fault { sig, info: raw, addr, write })));
    // Resume at long_jump(JMP): the run loop's frame is intact below this one.
    let jmp = JMP.with(|j| j.get() as *const JmpBuf);
    // SAFETY: this handler's ucontext; JMP was set by run_guarded on this thread.
    unsafe { recover::redirect_to(uc as *mut libc::ucontext_t as *mut libc::c_void, jmp) };
}

/// Installs the fault handlers (once per process).
pub fn install_fault_handlers() {
    for sig in emu_linux::hostsig::FAULT_SIGNALS {
        // SAFETY: a plain SA_SIGINFO handler; it only touches thread-locals and
        // the ucontext it is given.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_fault as *const () as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigaction(sig, &act, std::ptr::null_mut());
        }
    }
}

/// Runs guest code; a host fault in it comes back as `Err`.
#[inline(never)]
pub fn run_guarded(
    cache: &mut BlockCache,
    cpu: &mut Cpu,
    mem: &dyn CodeMemory,
    stop: &AtomicBool,
) -> Result<Exit, Box<Fault>> {
    let jmp = JMP.with(|j| j.get());
    IN_GUEST.with(|g| g.set(true));
    // SAFETY: `set_jump` returns twice; nothing live across it is kept in
    // registers that the second return could see stale: the arguments are
    // re-read through the same pointers, which do not change.
    let jumped = unsafe { set_jump(jmp) };
    let exit = if jumped == 0 { Ok(cache.run(cpu, mem, stop)) } else { Err(()) };
    IN_GUEST.with(|g| g.set(false));
    exit.map_err(|()| {
        Box::new(FAULT.with(|f| f.take()).unwrap_or(Fault {
            sig: libc::SIGSEGV,
            info: [0; 128],
            addr: 0,
            write: false,
        }))
    })
}
