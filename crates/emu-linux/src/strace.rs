//! --strace: one line per guest syscall on stderr, in strace's shape:
//! `PID name(arg, ...) = result` with the aarch64 name, arguments decoded by a
//! per-syscall format string, and errors as `-1 ENAME (message)`.

use crate::table::Syscall;
use emu_memory::read_cstr;
use std::fmt::Write;

/// Argument formats by syscall name: one letter an argument.
/// d: signed decimal, u: unsigned, x: hex, o: octal, s: string, p: pointer,
/// f: descriptor or AT_FDCWD.
static FORMATS: &[(&str, &str)] = &[
    ("openat", "fsxo"),
    ("close", "d"),
    ("read", "dpu"),
    ("write", "dpu"),
    ("pread64", "dpud"),
    ("pwrite64", "dpud"),
    ("readv", "dpd"),
    ("writev", "dpd"),
    ("lseek", "ddd"),
    ("newfstatat", "fspx"),
    ("fstat", "dp"),
    ("statx", "fsxxp"),
    ("readlinkat", "fspu"),
    ("faccessat", "fso"),
    ("faccessat2", "fsox"),
    ("unlinkat", "fsx"),
    ("mkdirat", "fso"),
    ("renameat", "fsfs"),
    ("chdir", "s"),
    ("getcwd", "pu"),
    ("getdents64", "dpu"),
    ("ioctl", "dxp"),
    ("fcntl", "ddx"),
    ("dup", "d"),
    ("dup3", "ddx"),
    ("pipe2", "px"),
    ("mmap", "xuxxdx"),
    ("munmap", "xu"),
    ("mprotect", "xux"),
    ("mremap", "xuuxx"),
    ("madvise", "xud"),
    ("brk", "x"),
    ("clone", "xxppp"),
    ("clone3", "pu"),
    ("execve", "spp"),
    ("exit", "d"),
    ("exit_group", "d"),
    ("wait4", "dpxp"),
    ("kill", "dd"),
    ("tgkill", "ddd"),
    ("rt_sigaction", "dppu"),
    ("rt_sigprocmask", "dppu"),
    ("rt_sigreturn", ""),
    ("set_tid_address", "p"),
    ("set_robust_list", "pu"),
    ("futex", "pxdppd"),
    ("nanosleep", "pp"),
    ("clock_gettime", "dp"),
    ("clock_nanosleep", "dxpp"),
    ("getpid", ""),
    ("gettid", ""),
    ("getppid", ""),
    ("getuid", ""),
    ("geteuid", ""),
    ("getgid", ""),
    ("getegid", ""),
    ("uname", "p"),
    ("prlimit64", "ddpp"),
    ("getrandom", "pux"),
    ("socket", "ddd"),
    ("connect", "dpu"),
    ("bind", "dpu"),
    ("sendto", "dpuxpu"),
    ("recvfrom", "dpuxpp"),
    ("ppoll", "pupp"),
    ("pselect6", "dpppp"),
    ("epoll_pwait", "dpddp"),
    ("epoll_ctl", "dddp"),
];

const DEFAULT: &str = "xxx";

fn errno_name(e: i32) -> &'static str {
    match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::ECHILD => "ECHILD",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EEXIST => "EEXIST",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENOTTY => "ENOTTY",
        libc::ESPIPE => "ESPIPE",
        libc::EPIPE => "EPIPE",
        libc::ERANGE => "ERANGE",
        libc::ENOSYS => "ENOSYS",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        _ => "E?",
    }
}

fn arg(out: &mut String, kind: u8, v: u64) {
    let _ = match kind {
        b'd' => write!(out, "{}", v as i64),
        b'u' => write!(out, "{v}"),
        b'o' => write!(out, "0{v:o}"),
        b'f' if v as i32 == libc::AT_FDCWD => write!(out, "AT_FDCWD"),
        b'f' => write!(out, "{}", v as i32),
        b's' => match read_cstr(v, 4096) {
            Ok(s) => write!(out, "{:?}", String::from_utf8_lossy(&s)),
            Err(_) => write!(out, "{v:#x}"),
        },
        b'p' if v == 0 => write!(out, "NULL"),
        _ => write!(out, "{v:#x}"),
    };
}

/// The line's beginning, written before the call (a blocking call shows at once).
pub fn enter(row: Option<&Syscall>, nr: u64, args: &[u64; 6]) -> String {
    let mut s = format!("{} ", std::process::id());
    let (name, fmt) = match row {
        Some(r) => (r.name, FORMATS.iter().find(|(n, _)| *n == r.name).map_or(DEFAULT, |(_, f)| f)),
        None => ("syscall", DEFAULT),
    };
    if row.is_none() {
        let _ = write!(s, "syscall_{nr}(");
    } else {
        let _ = write!(s, "{name}(");
    }
    for (i, k) in fmt.bytes().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        arg(&mut s, k, args[i]);
    }
    s.push(')');
    s
}

/// The result part: `= value` or `= -1 ENAME (message)`.
pub fn exit(ret: i64) -> String {
    if (-4095..0).contains(&ret) {
        let e = (-ret) as i32;
        let msg = std::io::Error::from_raw_os_error(e).to_string();
        let msg = msg.split(" (os error").next().unwrap_or_default().to_string();
        format!(" = -1 {} ({msg})", errno_name(e))
    } else if ret > 0xffff {
        format!(" = {ret:#x}")
    } else {
        format!(" = {ret}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_line() {
        let path = c"/etc/hostname";
        let args = [libc::AT_FDCWD as u64, path.as_ptr() as u64, 0, 0, 0, 0];
        let row = crate::table::lookup(56);
        let line = enter(row, 56, &args) + &exit(-2);
        assert!(
            line.ends_with("openat(AT_FDCWD, \"/etc/hostname\", 0x0, 00) = -1 ENOENT (No such file or directory)"),
            "{line}"
        );
        for (name, _) in FORMATS {
            assert!(crate::table::SYSCALLS.iter().any(|r| r.name == *name), "{name} is not in the table");
        }
    }
}
