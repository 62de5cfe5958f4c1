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

/// prctl passes through, except what would change emu itself rather than the
/// guest: a seccomp filter would judge emu's own (x86_64) syscalls.
pub fn prctl(ctx: &mut SyscallCtx) -> Outcome {
    const PR_SET_SECCOMP: u64 = 22;
    const PR_SET_MM: u64 = 35;
    match ctx.arg(0) {
        PR_SET_SECCOMP | PR_SET_MM => Outcome::Return(-(libc::EINVAL as i64)),
        _ => {
            let a = |i| ctx.arg(i);
            // SAFETY: host prctl; the remaining options take the same arguments on
            // both ABIs (the arm64-only ones fail with EINVAL, as on a kernel
            // without those features).
            Outcome::Return(crate::host_ret(unsafe { libc::syscall(libc::SYS_prctl, a(0), a(1), a(2), a(3), a(4)) }))
        }
    }
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
