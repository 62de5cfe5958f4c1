//! Guest signals: dispositions (rt_sigaction), masks (rt_sigprocmask,
//! rt_sigsuspend), the alternate stack, delivery with a real aarch64 frame, and
//! rt_sigreturn.
//!
//! A guest handler is caught on the host (see hostsig) and delivered by the run
//! loop at an instruction boundary; SIG_DFL and SIG_IGN are installed on the host
//! as they are, so the host kernel terminates, stops or ignores exactly as it
//! would for the guest, and emu's parent sees the same wait status.

use crate::hostsig;
use crate::sigframe::{RtSigframe, StackT, SIGINFO_SIZE};
use crate::{GuestThread, Outcome, Process, SyscallCtx};
use emu_cpu::Cpu;
use emu_memory::{read_bytes, write_bytes};

pub const NSIG: usize = 64;

/// The kernel's aarch64 `struct sigaction`: handler, flags, restorer, mask.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GuestSigaction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

const _: () = assert!(std::mem::size_of::<GuestSigaction>() == 32);

pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
const SA_NOCLDSTOP: u64 = 1;
const SA_SIGINFO: u64 = 4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SA_RESTORER: u64 = 0x0400_0000;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
const MINSIGSTKSZ: u64 = 5120;

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// SIGKILL and SIGSTOP can be neither blocked nor caught.
const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1));

fn read_action(addr: u64) -> Option<GuestSigaction> {
    let mut b = [0u8; 32];
    read_bytes(addr, &mut b).ok()?;
    let w = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    Some(GuestSigaction { handler: w(0), flags: w(1), restorer: w(2), mask: w(3) })
}

fn write_action(addr: u64, a: &GuestSigaction) -> bool {
    let mut b = [0u8; 32];
    for (i, w) in [a.handler, a.flags, a.restorer, a.mask].iter().enumerate() {
        b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    write_bytes(addr, &b).is_ok()
}

fn efault() -> Outcome {
    Outcome::Return(-(libc::EFAULT as i64))
}

fn einval() -> Outcome {
    Outcome::Return(-(libc::EINVAL as i64))
}

/// The guest's dispositions, by signal number.
pub(crate) struct SigTable {
    acts: Vec<GuestSigaction>,
    /// Signals whose entry is known: set by the guest, or read from the host.
    /// A program starts with the dispositions its exec left, ignored or default,
    /// and only the host knows which; each is read on first use, not all at
    /// start (that would be 64 system calls before the first instruction).
    known: u64,
}

impl Default for SigTable {
    fn default() -> Self {
        SigTable { acts: vec![GuestSigaction::default(); NSIG + 1], known: 0 }
    }
}

impl SigTable {
    fn entry(&mut self, sig: i32) -> Option<&mut GuestSigaction> {
        if !(1..=NSIG as i32).contains(&sig) {
            return None;
        }
        let bit = 1u64 << (sig - 1);
        let act = self.acts.get_mut(sig as usize)?;
        if self.known & bit == 0 {
            self.known |= bit;
            if !hostsig::FAULT_SIGNALS.contains(&sig) && hostsig::is_ignored(sig) {
                act.handler = SIG_IGN;
            }
        }
        Some(act)
    }
}

impl Process {
    pub fn sigaction(&self, sig: i32) -> GuestSigaction {
        let mut t = self.sigactions.lock().unwrap_or_else(|e| e.into_inner());
        t.entry(sig).copied().unwrap_or_default()
    }

    fn set_sigaction(&self, sig: i32, a: GuestSigaction) {
        let mut t = self.sigactions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = t.entry(sig) {
            *slot = a;
        }
        apply_host_disposition(sig, &a);
    }
}

/// Mirrors a guest disposition on the host. Faults stay emu's own on the host;
/// their guest disposition is consulted when one happens.
fn apply_host_disposition(sig: i32, a: &GuestSigaction) {
    if hostsig::FAULT_SIGNALS.contains(&sig) {
        return;
    }
    match a.handler {
        SIG_DFL => hostsig::set_default(sig, false),
        SIG_IGN => hostsig::set_default(sig, true),
        _ => hostsig::catch(sig),
    }
}

pub fn rt_sigaction(ctx: &mut SyscallCtx) -> Outcome {
    let (sig, new, old) = (ctx.arg(0) as i32, ctx.arg(1), ctx.arg(2));
    if !(1..=NSIG as i32).contains(&sig) || ctx.arg(3) != 8 {
        return einval();
    }
    if new != 0 && (sig == libc::SIGKILL || sig == libc::SIGSTOP) {
        return einval();
    }
    let prev = ctx.proc.sigaction(sig);
    if new != 0 {
        let Some(mut a) = read_action(new) else { return efault() };
        a.mask &= !UNBLOCKABLE;
        ctx.proc.set_sigaction(sig, a);
    }
    if old != 0 && !write_action(old, &prev) {
        return efault();
    }
    Outcome::Return(0)
}

impl GuestThread {
    /// Sets the guest mask and mirrors it on the host.
    pub fn set_sigmask(&mut self, mask: u64) {
        self.sigmask = mask & !UNBLOCKABLE;
        hostsig::set_host_mask(self.sigmask);
    }
}

pub fn rt_sigprocmask(ctx: &mut SyscallCtx) -> Outcome {
    let (how, set, old) = (ctx.arg(0) as i32, ctx.arg(1), ctx.arg(2));
    if ctx.arg(3) != 8 {
        return einval();
    }
    let cur = ctx.thread.sigmask;
    if set != 0 {
        let mut b = [0u8; 8];
        if read_bytes(set, &mut b).is_err() {
            return efault();
        }
        let s = u64::from_le_bytes(b);
        let new = match how {
            libc::SIG_BLOCK => cur | s,
            libc::SIG_UNBLOCK => cur & !s,
            libc::SIG_SETMASK => s,
            _ => return einval(),
        };
        ctx.thread.set_sigmask(new);
    }
    if old != 0 && write_bytes(old, &cur.to_le_bytes()).is_err() {
        return efault();
    }
    Outcome::Return(0)
}

pub fn rt_sigpending(ctx: &mut SyscallCtx) -> Outcome {
    // Blocked signals stay pending in the host kernel, which knows the set.
    let mut host: u64 = 0;
    // SAFETY: raw rt_sigpending into a local.
    unsafe { libc::syscall(libc::SYS_rt_sigpending, &mut host as *mut u64, 8usize) };
    match write_bytes(ctx.arg(0), &host.to_le_bytes()) {
        Ok(()) => Outcome::Return(0),
        Err(_) => efault(),
    }
}

pub fn rt_sigsuspend(ctx: &mut SyscallCtx) -> Outcome {
    let mut b = [0u8; 8];
    if ctx.arg(1) != 8 {
        return einval();
    }
    if read_bytes(ctx.arg(0), &mut b).is_err() {
        return efault();
    }
    let old = ctx.thread.sigmask;
    // Wait with the temporary mask; the handler that ends the wait runs with it too,
    // and its frame saves the old mask for sigreturn to restore.
    ctx.thread.set_sigmask(u64::from_le_bytes(b));
    ctx.thread.saved_sigmask = Some(old);
    while !hostsig::any(ctx.thread.sigmask) {
        // SAFETY: pause waits for a host signal; the handler records it.
        unsafe { libc::pause() };
    }
    Outcome::Return(-(libc::EINTR as i64))
}

pub fn sigaltstack(ctx: &mut SyscallCtx) -> Outcome {
    let (new, old) = (ctx.arg(0), ctx.arg(1));
    let sp = ctx.cpu.sp();
    let cur = ctx.thread.altstack;
    let on = cur.ss_flags & SS_DISABLE == 0 && sp > cur.ss_sp && sp - cur.ss_sp <= cur.ss_size;
    if old != 0 {
        let mut o = cur;
        if cur.ss_size == 0 {
            o.ss_flags = SS_DISABLE;
        } else if on {
            o.ss_flags = SS_ONSTACK;
        }
        let mut b = [0u8; 24];
        b[..8].copy_from_slice(&o.ss_sp.to_le_bytes());
        b[8..12].copy_from_slice(&o.ss_flags.to_le_bytes());
        b[16..].copy_from_slice(&o.ss_size.to_le_bytes());
        if write_bytes(old, &b).is_err() {
            return efault();
        }
    }
    if new != 0 {
        let mut b = [0u8; 24];
        if read_bytes(new, &mut b).is_err() {
            return efault();
        }
        if on {
            return Outcome::Return(-(libc::EPERM as i64));
        }
        let ss_sp = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
        let flags = i32::from_le_bytes(b[8..12].try_into().unwrap_or_default());
        let size = u64::from_le_bytes(b[16..].try_into().unwrap_or_default());
        if flags & !SS_DISABLE & !(1 << 31) != 0 {
            return einval();
        }
        if flags & SS_DISABLE != 0 {
            ctx.thread.altstack = StackT { ss_sp: 0, ss_flags: SS_DISABLE, _pad: 0, ss_size: 0 };
        } else {
            if size < MINSIGSTKSZ {
                return Outcome::Return(-(libc::ENOMEM as i64));
            }
            ctx.thread.altstack = StackT { ss_sp, ss_flags: 0, _pad: 0, ss_size: size };
        }
    }
    Outcome::Return(0)
}

/// What became of a signal at delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A guest handler is set up: execution goes on in it.
    Handled,
    Ignored,
    /// The default action terminates the process with this signal.
    Fatal(i32),
    /// The default action stops the process.
    Stop,
}

/// Default actions that do not terminate.
fn default_ignored(sig: i32) -> bool {
    matches!(sig, libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT)
}

fn default_stops(sig: i32) -> bool {
    matches!(sig, libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

/// Delivers `sig` to the guest thread: sets up the handler's frame and registers,
/// or says what the default action is. `fault` is (address, ESR) for a
/// synchronous fault, which cannot be ignored or blocked.
pub fn deliver(
    proc: &Process,
    thread: &mut GuestThread,
    cpu: &mut Cpu,
    sig: i32,
    info: &[u8; SIGINFO_SIZE],
    fault: Option<(u64, u64)>,
) -> Delivery {
    let act = proc.sigaction(sig);
    let blocked = thread.sigmask & bit(sig) != 0;
    if act.handler == SIG_DFL || (fault.is_some() && (act.handler == SIG_IGN || blocked)) {
        return if default_ignored(sig) && fault.is_none() {
            Delivery::Ignored
        } else if default_stops(sig) {
            Delivery::Stop
        } else {
            Delivery::Fatal(sig)
        };
    }
    if act.handler == SIG_IGN {
        return Delivery::Ignored;
    }
    let _ = SA_NOCLDSTOP;
    let _ = SA_SIGINFO;
    // The stack: the alternate one if asked for and not already on it.
    let mut sp = cpu.sp();
    let alt = thread.altstack;
    let on_alt = alt.ss_size != 0 && sp > alt.ss_sp && sp - alt.ss_sp <= alt.ss_size;
    if act.flags & SA_ONSTACK != 0 && alt.ss_size != 0 && alt.ss_flags & SS_DISABLE == 0 && !on_alt {
        sp = alt.ss_sp + alt.ss_size;
    }
    let record = (sp - 16) & !15;
    let frame_addr = (record - std::mem::size_of::<RtSigframe>() as u64) & !15;

    let mut frame = RtSigframe::zeroed();
    frame.info.copy_from_slice(info);
    frame.uc.uc_stack = StackT {
        ss_sp: alt.ss_sp,
        ss_flags: if alt.ss_size == 0 {
            SS_DISABLE
        } else if on_alt {
            SS_ONSTACK
        } else {
            0
        },
        _pad: 0,
        ss_size: alt.ss_size,
    };
    frame.uc.uc_sigmask = thread.saved_sigmask.take().unwrap_or(thread.sigmask);
    frame.save(cpu, fault);
    let mut rec = [0u8; 16];
    rec[..8].copy_from_slice(&cpu.x[29].to_le_bytes());
    rec[8..].copy_from_slice(&cpu.x[30].to_le_bytes());
    if write_bytes(record, &rec).is_err() || write_bytes(frame_addr, frame.as_bytes()).is_err() {
        // No room for the frame: the kernel kills the process with SIGSEGV.
        return Delivery::Fatal(libc::SIGSEGV);
    }

    cpu.x[0] = sig as u64;
    cpu.x[1] = frame_addr;
    cpu.x[2] = frame_addr + SIGINFO_SIZE as u64;
    cpu.x[29] = record;
    cpu.x[30] =
        if act.flags & SA_RESTORER != 0 && act.restorer != 0 { act.restorer } else { proc.sigreturn_trampoline };
    cpu.set_sp(frame_addr);
    cpu.pc = act.handler;
    let mut mask = thread.sigmask | act.mask;
    if act.flags & SA_NODEFER == 0 {
        mask |= bit(sig);
    }
    thread.set_sigmask(mask);
    if act.flags & SA_RESETHAND != 0 && sig != libc::SIGILL && sig != libc::SIGTRAP {
        proc.set_sigaction(sig, GuestSigaction::default());
    }
    Delivery::Handled
}

pub fn rt_sigreturn(ctx: &mut SyscallCtx) -> Outcome {
    let addr = ctx.cpu.sp();
    let mut frame = RtSigframe::zeroed();
    if read_bytes(addr, frame.as_bytes_mut()).is_err() {
        return Outcome::Fatal(libc::SIGSEGV);
    }
    frame.restore(ctx.cpu);
    ctx.thread.set_sigmask(frame.uc.uc_sigmask);
    Outcome::Resume
}

/// Whether a syscall interrupted by `sig` is restarted after its handler, as
/// Linux does for ERESTARTSYS with SA_RESTART. Calls that wait with a timeout or
/// for signals (nanosleep, poll, select, epoll_wait, sigsuspend...) return EINTR.
pub fn restarts(proc: &Process, nr: u64, sig: i32) -> bool {
    const RESTARTABLE: &[u64] = &[
        25, 29, 32, 56, 63, 64, 65, 66, 67, 68, 69, 70, 71, 76, 95, 98, 202, 203, 206, 207, 211, 212, 242, 260, 278,
        285,
    ];
    let act = proc.sigaction(sig);
    act.handler > SIG_IGN && act.flags & SA_RESTART != 0 && RESTARTABLE.contains(&nr)
}

/// Runs a host wait with a temporary guest signal mask, as ppoll and pselect6
/// do: the mask is the guest's while waiting and while the handler that ends the
/// wait runs; the old one comes back afterwards (from the frame, or at once if
/// no handler runs).
fn with_temporary_mask(ctx: &mut SyscallCtx, mask_addr: u64, wait: impl FnOnce() -> i64) -> Outcome {
    if mask_addr == 0 {
        return Outcome::Return(wait());
    }
    let mut b = [0u8; 8];
    if read_bytes(mask_addr, &mut b).is_err() {
        return efault();
    }
    let old = ctx.thread.sigmask;
    ctx.thread.set_sigmask(u64::from_le_bytes(b));
    // A signal the temporary mask lets through may already be recorded.
    let r = if hostsig::any(ctx.thread.sigmask) { -(libc::EINTR as i64) } else { wait() };
    if r == -(libc::EINTR as i64) && hostsig::any(ctx.thread.sigmask) {
        ctx.thread.saved_sigmask = Some(old);
    } else {
        ctx.thread.set_sigmask(old);
    }
    Outcome::Return(r)
}

pub fn ppoll(ctx: &mut SyscallCtx) -> Outcome {
    let (fds, n, ts, mask) = (ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(3));
    if mask != 0 && ctx.arg(4) != 8 {
        return einval();
    }
    // The mask is already in place on the host when the call runs.
    with_temporary_mask(ctx, mask, || hostsig::blocking_syscall(libc::SYS_ppoll, [fds, n, ts, 0, 8, 0]))
}

pub fn pselect6(ctx: &mut SyscallCtx) -> Outcome {
    let (n, r, w, e, ts, sig) = (ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4), ctx.arg(5));
    // The sixth argument points at { const sigset_t *ss; size_t ss_len }.
    let mut mask = 0;
    if sig != 0 {
        let mut b = [0u8; 16];
        if read_bytes(sig, &mut b).is_err() {
            return efault();
        }
        mask = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(b[8..].try_into().unwrap_or_default());
        if mask != 0 && len != 8 {
            return einval();
        }
    }
    with_temporary_mask(ctx, mask, || hostsig::blocking_syscall(libc::SYS_pselect6, [n, r, w, e, ts, 0]))
}
