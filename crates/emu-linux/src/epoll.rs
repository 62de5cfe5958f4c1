//! epoll: `struct epoll_event` is 16 bytes on aarch64 (u32 events, padding, u64
//! data) and 12 bytes, packed, on x86_64; everything else passes through.

use crate::{host_ret, Outcome, SyscallCtx};
use emu_memory::{read_bytes, write_bytes};

const GUEST_EVENT: usize = 16;
const HOST_EVENT: usize = 12;
/// The kernel's own limit on maxevents.
const EP_MAX_EVENTS: usize = i32::MAX as usize / HOST_EVENT;

fn err(e: i32) -> Outcome {
    Outcome::Return(-(e as i64))
}

pub fn epoll_ctl(ctx: &mut SyscallCtx) -> Outcome {
    let (epfd, op, fd, ev) = (ctx.arg(0) as i32, ctx.arg(1) as i32, ctx.arg(2) as i32, ctx.arg(3));
    let mut host = [0u8; HOST_EVENT];
    let host_ptr = if ev == 0 || op == libc::EPOLL_CTL_DEL {
        std::ptr::null()
    } else {
        let mut g = [0u8; GUEST_EVENT];
        if read_bytes(ev, &mut g).is_err() {
            return err(libc::EFAULT);
        }
        host[..4].copy_from_slice(&g[..4]);
        host[4..].copy_from_slice(&g[8..]);
        host.as_ptr()
    };
    // SAFETY: host syscall with a host-layout event in a local buffer.
    Outcome::Return(host_ret(unsafe { libc::syscall(libc::SYS_epoll_ctl, epfd, op, fd, host_ptr) }))
}

/// epoll_pwait and epoll_pwait2 (which takes a timespec instead of milliseconds).
fn wait(ctx: &mut SyscallCtx, host_nr: libc::c_long) -> Outcome {
    let (epfd, events, max) = (ctx.arg(0) as i32, ctx.arg(1), ctx.arg(2) as i32);
    if max <= 0 || max as usize > EP_MAX_EVENTS {
        return err(libc::EINVAL);
    }
    let mut buf = vec![0u8; max as usize * HOST_EVENT];
    // SAFETY: host syscall into a buffer of `max` host-layout events; the timeout
    // and sigmask arguments have the same layout on both ABIs.
    let n =
        host_ret(unsafe { libc::syscall(host_nr, epfd, buf.as_mut_ptr(), max, ctx.arg(3), ctx.arg(4), ctx.arg(5)) });
    if n <= 0 {
        return Outcome::Return(n);
    }
    let mut out = vec![0u8; n as usize * GUEST_EVENT];
    for (h, g) in buf.chunks_exact(HOST_EVENT).zip(out.chunks_exact_mut(GUEST_EVENT)) {
        g[..4].copy_from_slice(&h[..4]);
        g[8..].copy_from_slice(&h[4..]);
    }
    match write_bytes(events, &out) {
        Ok(()) => Outcome::Return(n),
        Err(_) => err(libc::EFAULT),
    }
}

pub fn epoll_pwait(ctx: &mut SyscallCtx) -> Outcome {
    wait(ctx, libc::SYS_epoll_pwait)
}

pub fn epoll_pwait2(ctx: &mut SyscallCtx) -> Outcome {
    wait(ctx, libc::SYS_epoll_pwait2)
}
