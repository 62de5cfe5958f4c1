//! clone, clone3, fork and vfork; per-thread kernel state; thread exit.
//!
//! A clone that shares the address space and thread group becomes a host thread
//! (the run loop starts it, see [`Outcome::SpawnThread`]); any other clone is a
//! host fork, which copies the whole address space as Linux does. vfork is a fork
//! here: the child has its own copy, which programs that exec or _exit right away
//! cannot tell apart.

use crate::{Outcome, SyscallCtx};
use emu_memory::{read_bytes, write_bytes};

const CSIGNAL: u64 = 0xff;

/// Per-thread state the kernel keeps for a guest thread.
#[derive(Debug, Default)]
pub struct GuestThread {
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken at thread exit.
    pub clear_child_tid: u64,
    /// The main thread must never return from emu's main().
    pub is_main: bool,
    /// The guest's blocked signals (bit n-1 for signal n), mirrored on the host.
    pub sigmask: u64,
    /// The mask to restore after a handler, when a call (rt_sigsuspend) waited
    /// with a temporary one.
    pub saved_sigmask: Option<u64>,
    /// sigaltstack.
    pub altstack: crate::sigframe::StackT,
}

/// A thread to start: the arguments of clone in aarch64's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloneRequest {
    pub flags: u64,
    pub stack: u64,
    pub parent_tid: u64,
    pub tls: u64,
    pub child_tid: u64,
}

pub fn gettid() -> u32 {
    // SAFETY: gettid cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as u32 }
}

fn put_tid(addr: u64, tid: u32) {
    // A bad address is the guest's problem, as with the kernel's put_user.
    let _ = write_bytes(addr, &tid.to_le_bytes());
}

pub fn clone(ctx: &mut SyscallCtx) -> Outcome {
    // aarch64 order: flags, stack, parent_tid, tls, child_tid.
    let req = CloneRequest {
        flags: ctx.arg(0),
        stack: ctx.arg(1),
        parent_tid: ctx.arg(2),
        tls: ctx.arg(3),
        child_tid: ctx.arg(4),
    };
    do_clone(ctx, req)
}

pub fn clone3(ctx: &mut SyscallCtx) -> Outcome {
    // struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack,
    // stack_size, tls, then fields this implementation does not support.
    let size = ctx.arg(1) as usize;
    if size < 64 {
        return Outcome::Return(-(libc::EINVAL as i64));
    }
    let mut b = [0u8; 88];
    let n = size.min(88);
    if read_bytes(ctx.arg(0), &mut b[..n]).is_err() {
        return Outcome::Return(-(libc::EFAULT as i64));
    }
    let w = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    if w(1) != 0 || (n >= 80 && w(8) != 0) {
        // CLONE_PIDFD's pidfd, set_tid: not supported.
        return Outcome::Return(-(libc::EINVAL as i64));
    }
    let (stack, stack_size) = (w(5), w(6));
    let req = CloneRequest {
        flags: (w(0) & !CSIGNAL) | (w(4) & CSIGNAL),
        stack: if stack != 0 { stack + stack_size } else { 0 },
        parent_tid: w(3),
        tls: w(7),
        child_tid: w(2),
    };
    do_clone(ctx, req)
}

fn do_clone(ctx: &mut SyscallCtx, req: CloneRequest) -> Outcome {
    let f = req.flags as i32;
    if f & libc::CLONE_THREAD != 0 {
        if f & libc::CLONE_VM == 0 || f & libc::CLONE_SIGHAND == 0 {
            return Outcome::Return(-(libc::EINVAL as i64));
        }
        return Outcome::SpawnThread(req);
    }
    fork(ctx, req)
}

fn fork(ctx: &mut SyscallCtx, req: CloneRequest) -> Outcome {
    let f = req.flags as i32;
    let exit_signal = (req.flags & CSIGNAL) as i32;
    let held = ctx.proc.hold_for_fork();
    let pid = if exit_signal == libc::SIGCHLD {
        // The C library's fork also takes and resets its own locks (malloc).
        // SAFETY: host fork; the child continues in this same run loop.
        unsafe { libc::fork() }
    } else {
        // SAFETY: a plain fork with another exit signal (or none).
        unsafe { libc::syscall(libc::SYS_clone, exit_signal as u64, 0, 0, 0, 0) as i32 }
    };
    let failed = (pid < 0).then(crate::neg_errno);
    drop(held);
    if let Some(e) = failed {
        return Outcome::Return(e);
    }
    if pid == 0 {
        ctx.proc.forked();
        let tid = gettid();
        if req.stack != 0 {
            ctx.cpu.set_sp(req.stack);
        }
        if f & libc::CLONE_SETTLS != 0 {
            ctx.cpu.tpidr = req.tls;
        }
        if f & libc::CLONE_CHILD_SETTID != 0 {
            put_tid(req.child_tid, tid);
        }
        if f & libc::CLONE_CHILD_CLEARTID != 0 {
            ctx.thread.clear_child_tid = req.child_tid;
        }
        return Outcome::Return(0);
    }
    if f & libc::CLONE_PARENT_SETTID != 0 {
        put_tid(req.parent_tid, pid as u32);
    }
    Outcome::Return(pid as i64)
}

/// What a new thread does before its first guest instruction, in the new thread.
pub fn thread_started(req: &CloneRequest, thread: &mut GuestThread) -> u32 {
    let tid = gettid();
    let f = req.flags as i32;
    // Written by the child before it runs guest code, so the new thread (and the
    // parent, once clone returns) see the tid as soon as the kernel would show it.
    if f & libc::CLONE_PARENT_SETTID != 0 {
        put_tid(req.parent_tid, tid);
    }
    if f & libc::CLONE_CHILD_SETTID != 0 {
        put_tid(req.child_tid, tid);
    }
    if f & libc::CLONE_CHILD_CLEARTID != 0 {
        thread.clear_child_tid = req.child_tid;
    }
    tid
}

/// Thread exit: clears and wakes the tid word that pthread_join waits on.
pub fn thread_exiting(thread: &GuestThread) {
    if thread.clear_child_tid != 0 && write_bytes(thread.clear_child_tid, &0u32.to_le_bytes()).is_ok() {
        // SAFETY: FUTEX_WAKE on a guest address (host address); the kernel checks it.
        unsafe {
            libc::syscall(libc::SYS_futex, thread.clear_child_tid, libc::FUTEX_WAKE, 1, 0, 0, 0);
        }
    }
}

pub fn set_tid_address(ctx: &mut SyscallCtx) -> Outcome {
    ctx.thread.clear_child_tid = ctx.arg(0);
    Outcome::Return(gettid() as i64)
}
