//! Signal dispositions and masks. Delivery of guest handlers is not implemented
//! yet: handlers are recorded and reported back; SIG_IGN and SIG_DFL are applied to
//! the host too, so ignored signals stay ignored and default actions (termination
//! with the signal) happen to emu as they would to the guest.

use crate::{Outcome, SyscallCtx};
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

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

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

/// Signals emu itself relies on; the guest cannot change their host disposition.
fn host_reserved(sig: usize) -> bool {
    matches!(sig as i32, libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE | libc::SIGTRAP)
}

pub fn rt_sigaction(ctx: &mut SyscallCtx) -> Outcome {
    let (sig, new, old) = (ctx.arg(0) as usize, ctx.arg(1), ctx.arg(2));
    if sig == 0 || sig > NSIG || ctx.arg(3) != 8 {
        return Outcome::Return(-(libc::EINVAL as i64));
    }
    if new != 0 && (sig == libc::SIGKILL as usize || sig == libc::SIGSTOP as usize) {
        return Outcome::Return(-(libc::EINVAL as i64));
    }
    let mut table = ctx.proc.sigactions.lock().unwrap_or_else(|e| e.into_inner());
    let prev = table[sig];
    if new != 0 {
        let Some(a) = read_action(new) else { return Outcome::Return(-(libc::EFAULT as i64)) };
        if (a.handler == SIG_DFL || a.handler == SIG_IGN) && !host_reserved(sig) {
            let h = if a.handler == SIG_IGN { libc::SIG_IGN } else { libc::SIG_DFL };
            // SAFETY: installing SIG_IGN or SIG_DFL on the host runs no code of ours.
            unsafe { libc::signal(sig as i32, h) };
        }
        table[sig] = a;
    }
    if old != 0 && !write_action(old, &prev) {
        return Outcome::Return(-(libc::EFAULT as i64));
    }
    Outcome::Return(0)
}

pub fn rt_sigprocmask(ctx: &mut SyscallCtx) -> Outcome {
    // The mask is kept per thread with delivery; until then report an empty one.
    let old = ctx.arg(2);
    if old != 0 && write_bytes(old, &0u64.to_le_bytes()).is_err() {
        return Outcome::Return(-(libc::EFAULT as i64));
    }
    Outcome::Return(0)
}

pub fn sigaltstack(ctx: &mut SyscallCtx) -> Outcome {
    // No alternate stack is in use: report SS_DISABLE (stack_t: sp, flags, size).
    let old = ctx.arg(1);
    if old != 0 {
        let mut b = [0u8; 24];
        b[8..12].copy_from_slice(&(libc::SS_DISABLE as u32).to_le_bytes());
        if write_bytes(old, &b).is_err() {
            return Outcome::Return(-(libc::EFAULT as i64));
        }
    }
    Outcome::Return(0)
}
