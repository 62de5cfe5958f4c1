//! Process and thread identity and lifetime: exit, uname, set_tid_address,
//! robust lists, personality.

use crate::{Outcome, SyscallCtx};
use emu_memory::write_bytes;

pub fn exit(ctx: &mut SyscallCtx) -> Outcome {
    Outcome::ExitThread(ctx.arg(0) as i32)
}

pub fn exit_group(ctx: &mut SyscallCtx) -> Outcome {
    Outcome::ExitGroup(ctx.arg(0) as i32)
}

pub fn set_tid_address(_ctx: &mut SyscallCtx) -> Outcome {
    // SAFETY: gettid has no arguments and cannot fail.
    Outcome::Return(unsafe { libc::syscall(libc::SYS_gettid) })
}

pub fn set_robust_list(ctx: &mut SyscallCtx) -> Outcome {
    // The kernel checks the size of struct robust_list_head (24 bytes on both).
    if ctx.arg(1) != 24 {
        return Outcome::Return(-(libc::EINVAL as i64));
    }
    Outcome::Return(0)
}

pub fn personality(ctx: &mut SyscallCtx) -> Outcome {
    // Only the query form and PER_LINUX are meaningful for an emulated process.
    let p = ctx.arg(0) as u32;
    if p == 0xffff_ffff || p == 0 {
        return Outcome::Return(0);
    }
    Outcome::Return(-(libc::EINVAL as i64))
}

/// uname: the host's answer with the machine field saying "aarch64".
pub fn uname(ctx: &mut SyscallCtx) -> Outcome {
    // SAFETY: all-zero utsname is valid; uname fills our local struct.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: host syscall into our local struct.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Outcome::Return(crate::neg_errno());
    }
    u.machine = [0; 65];
    for (d, s) in u.machine.iter_mut().zip(b"aarch64") {
        *d = *s as libc::c_char;
    }
    // SAFETY: viewing a plain C struct as bytes; utsname has the same layout on
    // both ABIs (six 65-byte strings).
    let bytes = unsafe {
        std::slice::from_raw_parts(&u as *const libc::utsname as *const u8, std::mem::size_of::<libc::utsname>())
    };
    match write_bytes(ctx.arg(0), bytes) {
        Ok(()) => Outcome::Return(0),
        Err(_) => Outcome::Return(-(libc::EFAULT as i64)),
    }
}
