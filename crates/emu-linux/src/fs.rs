//! Files and descriptors: the calls whose flags or structs need translating.

use crate::abi::{self, GuestStat};
use crate::path::with_host_path_of;
use crate::{host_ret, neg_errno, Outcome, SyscallCtx};
use emu_memory::{read_cstr, write_bytes};

const PATH_MAX: usize = 4096;

fn ret(v: i64) -> Outcome {
    Outcome::Return(v)
}

fn efault() -> Outcome {
    ret(-(libc::EFAULT as i64))
}

/// Calls `f` with the host path for the guest path at `addr`: the guest's own
/// program for /proc/self/exe (which on the host is emu), else as the sysroot
/// decides. An unreadable path passes unchanged, for the kernel's EFAULT.
fn with_guest_path(ctx: &SyscallCtx, addr: u64, f: impl FnOnce(u64) -> i64) -> i64 {
    match read_cstr(addr, PATH_MAX) {
        Ok(path) => with_guest_path_of(ctx, addr, &path, f),
        Err(_) => f(addr),
    }
}

/// [`with_guest_path`] for a path already read from `addr`.
fn with_guest_path_of(ctx: &SyscallCtx, addr: u64, path: &[u8], f: impl FnOnce(u64) -> i64) -> i64 {
    if crate::procfs::is_self_exe(path) {
        use std::os::unix::ffi::OsStrExt;
        if let Ok(exe) = std::ffi::CString::new(ctx.proc.exe().as_os_str().as_bytes()) {
            return f(exe.as_ptr() as u64);
        }
    }
    with_host_path_of(addr, path, f)
}

pub fn openat(ctx: &mut SyscallCtx) -> Outcome {
    let addr = ctx.arg(1);
    let flags = abi::open_flags_to_host(ctx.arg(2) as i32);
    let (dirfd, mode) = (ctx.arg(0) as i32, ctx.arg(3) as u32);
    // SAFETY: host syscall; the path is a guest pointer the kernel checks or ours.
    let open = |p: u64| host_ret(unsafe { libc::syscall(libc::SYS_openat, dirfd, p, flags, mode) });
    let Ok(path) = read_cstr(addr, PATH_MAX) else { return ret(open(addr)) };
    if let Some(data) = crate::procfs::content(ctx.proc, &path) {
        return ret(crate::procfs::memfd_with(&data));
    }
    ret(with_guest_path_of(ctx, addr, &path, open))
}

pub fn pipe2(ctx: &mut SyscallCtx) -> Outcome {
    let flags = abi::open_flags_to_host(ctx.arg(1) as i32);
    // SAFETY: host syscall writing two ints at a guest pointer the kernel checks.
    let r = unsafe { libc::syscall(libc::SYS_pipe2, ctx.arg(0), flags) };
    ret(host_ret(r))
}

pub fn fcntl(ctx: &mut SyscallCtx) -> Outcome {
    let (fd, cmd, arg) = (ctx.arg(0) as i32, ctx.arg(1) as i32, ctx.arg(2));
    let arg = if cmd == libc::F_SETFL { abi::open_flags_to_host(arg as i32) as u64 } else { arg };
    // SAFETY: host syscall; F_*LK structs have the same layout on both ABIs.
    let r = host_ret(unsafe { libc::syscall(libc::SYS_fcntl, fd, cmd, arg) });
    if cmd == libc::F_GETFL && r >= 0 {
        return ret(abi::open_flags_to_guest(r as i32) as i64);
    }
    ret(r)
}

fn write_stat(st: &libc::stat, addr: u64) -> Outcome {
    match write_bytes(addr, GuestStat::from(st).as_bytes()) {
        Ok(()) => ret(0),
        Err(_) => efault(),
    }
}

pub fn fstat(ctx: &mut SyscallCtx) -> Outcome {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: host syscall writing into our local struct.
    if unsafe { libc::fstat(ctx.arg(0) as i32, &mut st) } != 0 {
        return ret(neg_errno());
    }
    write_stat(&st, ctx.arg(1))
}

pub fn newfstatat(ctx: &mut SyscallCtx) -> Outcome {
    // SAFETY: as in fstat.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let (dirfd, flags, buf) = (ctx.arg(0) as i32, ctx.arg(3) as i32, &mut st as *mut libc::stat);
    // SAFETY: host syscall; the path is a guest pointer the kernel checks or ours,
    // the buffer is ours. AT_* flags agree between the ABIs.
    let r = with_guest_path(ctx, ctx.arg(1), |p| {
        host_ret(unsafe { libc::syscall(libc::SYS_newfstatat, dirfd, p, buf, flags) })
    });
    if r != 0 {
        return ret(r);
    }
    write_stat(&st, ctx.arg(2))
}

pub fn readlinkat(ctx: &mut SyscallCtx) -> Outcome {
    let Ok(path) = read_cstr(ctx.arg(1), PATH_MAX) else { return efault() };
    if crate::procfs::is_self_exe(&path) {
        // The guest's executable, not emu.
        use std::os::unix::ffi::OsStrExt;
        let exe = ctx.proc.exe().as_os_str().as_bytes();
        let n = exe.len().min(ctx.arg(3) as usize);
        return match write_bytes(ctx.arg(2), &exe[..n]) {
            Ok(()) => ret(n as i64),
            Err(_) => efault(),
        };
    }
    let (dirfd, buf, len) = (ctx.arg(0) as i32, ctx.arg(2), ctx.arg(3));
    // SAFETY: host syscall; guest pointers checked by the kernel, or our path.
    ret(with_host_path_of(ctx.arg(1), &path, |p| {
        host_ret(unsafe { libc::syscall(libc::SYS_readlinkat, dirfd, p, buf, len) })
    }))
}

/// faccessat and faccessat2 (same arguments but flags): only the path changes.
fn access(ctx: &mut SyscallCtx, nr: libc::c_long) -> Outcome {
    let (dirfd, mode, flags) = (ctx.arg(0) as i32, ctx.arg(2) as i32, ctx.arg(3) as i32);
    // SAFETY: host syscall; the path is a guest pointer the kernel checks or ours.
    ret(with_guest_path(ctx, ctx.arg(1), |p| host_ret(unsafe { libc::syscall(nr, dirfd, p, mode, flags) })))
}

pub fn faccessat(ctx: &mut SyscallCtx) -> Outcome {
    access(ctx, libc::SYS_faccessat)
}

pub fn faccessat2(ctx: &mut SyscallCtx) -> Outcome {
    access(ctx, libc::SYS_faccessat2)
}

/// statx: struct statx has one layout on every architecture; only the path changes.
pub fn statx(ctx: &mut SyscallCtx) -> Outcome {
    let (dirfd, flags, mask, buf) = (ctx.arg(0) as i32, ctx.arg(2) as i32, ctx.arg(3) as u32, ctx.arg(4));
    // SAFETY: host syscall; guest pointers checked by the kernel, or our path.
    ret(with_guest_path(ctx, ctx.arg(1), |p| {
        host_ret(unsafe { libc::syscall(libc::SYS_statx, dirfd, p, flags, mask, buf) })
    }))
}
