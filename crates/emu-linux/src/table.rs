//! The aarch64 (asm-generic) syscall table: one row per syscall.
//!
//! `Pass(n)` rows go to host syscall `n` unchanged, which is right only where the
//! aarch64 and x86_64 ABIs agree on arguments and struct layouts; `Emul` rows have
//! a handler in the group module; `NoSys` rows answer -ENOSYS, as a kernel without
//! that feature would.

use crate::{fs, mem, process, signal, Outcome, SyscallCtx};
use libc::*;
use std::sync::OnceLock;

pub type HandlerFn = fn(&mut SyscallCtx) -> Outcome;

#[derive(Clone, Copy)]
pub enum Handler {
    Pass(c_long),
    Emul(HandlerFn),
    NoSys,
}

pub struct Syscall {
    pub nr: u64,
    pub name: &'static str,
    pub handler: Handler,
}

use Handler::{Emul, NoSys, Pass};

macro_rules! table {
    ($($nr:literal $name:ident $h:expr;)*) => {
        pub static SYSCALLS: &[Syscall] = &[$(Syscall { nr: $nr, name: stringify!($name), handler: $h }),*];
    };
}

table! {
    17 getcwd Pass(SYS_getcwd);
    19 eventfd2 Pass(SYS_eventfd2);
    23 dup Pass(SYS_dup);
    24 dup3 Pass(SYS_dup3);
    25 fcntl Emul(fs::fcntl);
    29 ioctl Pass(SYS_ioctl);
    32 flock Pass(SYS_flock);
    33 mknodat Pass(SYS_mknodat);
    34 mkdirat Pass(SYS_mkdirat);
    35 unlinkat Pass(SYS_unlinkat);
    36 symlinkat Pass(SYS_symlinkat);
    37 linkat Pass(SYS_linkat);
    38 renameat Pass(SYS_renameat);
    43 statfs Pass(SYS_statfs);
    44 fstatfs Pass(SYS_fstatfs);
    45 truncate Pass(SYS_truncate);
    46 ftruncate Pass(SYS_ftruncate);
    47 fallocate Pass(SYS_fallocate);
    48 faccessat Pass(SYS_faccessat);
    49 chdir Pass(SYS_chdir);
    50 fchdir Pass(SYS_fchdir);
    51 chroot Pass(SYS_chroot);
    52 fchmod Pass(SYS_fchmod);
    53 fchmodat Pass(SYS_fchmodat);
    54 fchownat Pass(SYS_fchownat);
    55 fchown Pass(SYS_fchown);
    56 openat Emul(fs::openat);
    57 close Pass(SYS_close);
    59 pipe2 Emul(fs::pipe2);
    61 getdents64 Pass(SYS_getdents64);
    62 lseek Pass(SYS_lseek);
    63 read Pass(SYS_read);
    64 write Pass(SYS_write);
    65 readv Pass(SYS_readv);
    66 writev Pass(SYS_writev);
    67 pread64 Pass(SYS_pread64);
    68 pwrite64 Pass(SYS_pwrite64);
    69 preadv Pass(SYS_preadv);
    70 pwritev Pass(SYS_pwritev);
    71 sendfile Pass(SYS_sendfile);
    72 pselect6 Pass(SYS_pselect6);
    73 ppoll Pass(SYS_ppoll);
    76 splice Pass(SYS_splice);
    77 tee Pass(SYS_tee);
    78 readlinkat Emul(fs::readlinkat);
    79 newfstatat Emul(fs::newfstatat);
    80 fstat Emul(fs::fstat);
    81 sync Pass(SYS_sync);
    82 fsync Pass(SYS_fsync);
    83 fdatasync Pass(SYS_fdatasync);
    88 utimensat Pass(SYS_utimensat);
    90 capget Pass(SYS_capget);
    92 personality Emul(process::personality);
    93 exit Emul(process::exit);
    94 exit_group Emul(process::exit_group);
    95 waitid Pass(SYS_waitid);
    96 set_tid_address Emul(process::set_tid_address);
    98 futex Pass(SYS_futex);
    99 set_robust_list Emul(process::set_robust_list);
    101 nanosleep Pass(SYS_nanosleep);
    102 getitimer Pass(SYS_getitimer);
    103 setitimer Pass(SYS_setitimer);
    113 clock_gettime Pass(SYS_clock_gettime);
    114 clock_getres Pass(SYS_clock_getres);
    115 clock_nanosleep Pass(SYS_clock_nanosleep);
    122 sched_setaffinity Pass(SYS_sched_setaffinity);
    123 sched_getaffinity Pass(SYS_sched_getaffinity);
    124 sched_yield Pass(SYS_sched_yield);
    129 kill Pass(SYS_kill);
    130 tkill Pass(SYS_tkill);
    131 tgkill Pass(SYS_tgkill);
    132 sigaltstack Emul(signal::sigaltstack);
    134 rt_sigaction Emul(signal::rt_sigaction);
    135 rt_sigprocmask Emul(signal::rt_sigprocmask);
    136 rt_sigpending Pass(SYS_rt_sigpending);
    140 setpriority Pass(SYS_setpriority);
    141 getpriority Pass(SYS_getpriority);
    143 setregid Pass(SYS_setregid);
    144 setgid Pass(SYS_setgid);
    145 setreuid Pass(SYS_setreuid);
    146 setuid Pass(SYS_setuid);
    147 setresuid Pass(SYS_setresuid);
    148 getresuid Pass(SYS_getresuid);
    149 setresgid Pass(SYS_setresgid);
    150 getresgid Pass(SYS_getresgid);
    153 times Pass(SYS_times);
    154 setpgid Pass(SYS_setpgid);
    155 getpgid Pass(SYS_getpgid);
    156 getsid Pass(SYS_getsid);
    157 setsid Pass(SYS_setsid);
    158 getgroups Pass(SYS_getgroups);
    159 setgroups Pass(SYS_setgroups);
    160 uname Emul(process::uname);
    163 getrlimit Pass(SYS_getrlimit);
    164 setrlimit Pass(SYS_setrlimit);
    165 getrusage Pass(SYS_getrusage);
    166 umask Pass(SYS_umask);
    167 prctl Pass(SYS_prctl);
    168 getcpu Pass(SYS_getcpu);
    169 gettimeofday Pass(SYS_gettimeofday);
    172 getpid Pass(SYS_getpid);
    173 getppid Pass(SYS_getppid);
    174 getuid Pass(SYS_getuid);
    175 geteuid Pass(SYS_geteuid);
    176 getgid Pass(SYS_getgid);
    177 getegid Pass(SYS_getegid);
    178 gettid Pass(SYS_gettid);
    179 sysinfo Pass(SYS_sysinfo);
    198 socket Pass(SYS_socket);
    199 socketpair Pass(SYS_socketpair);
    200 bind Pass(SYS_bind);
    201 listen Pass(SYS_listen);
    202 accept Pass(SYS_accept);
    203 connect Pass(SYS_connect);
    204 getsockname Pass(SYS_getsockname);
    205 getpeername Pass(SYS_getpeername);
    206 sendto Pass(SYS_sendto);
    207 recvfrom Pass(SYS_recvfrom);
    208 setsockopt Pass(SYS_setsockopt);
    209 getsockopt Pass(SYS_getsockopt);
    210 shutdown Pass(SYS_shutdown);
    211 sendmsg Pass(SYS_sendmsg);
    212 recvmsg Pass(SYS_recvmsg);
    214 brk Emul(mem::brk);
    215 munmap Emul(mem::munmap);
    216 mremap Emul(mem::mremap);
    220 clone NoSys;
    221 execve NoSys;
    222 mmap Emul(mem::mmap);
    223 fadvise64 Pass(SYS_fadvise64);
    226 mprotect Emul(mem::mprotect);
    227 msync Pass(SYS_msync);
    228 mlock Pass(SYS_mlock);
    229 munlock Pass(SYS_munlock);
    232 mincore Pass(SYS_mincore);
    233 madvise Emul(mem::madvise);
    242 accept4 Pass(SYS_accept4);
    260 wait4 Pass(SYS_wait4);
    261 prlimit64 Pass(SYS_prlimit64);
    276 renameat2 Pass(SYS_renameat2);
    278 getrandom Pass(SYS_getrandom);
    279 memfd_create Pass(SYS_memfd_create);
    285 copy_file_range Pass(SYS_copy_file_range);
    291 statx Pass(SYS_statx);
    293 rseq NoSys;
    435 clone3 NoSys;
    436 close_range Pass(SYS_close_range);
    439 faccessat2 Pass(SYS_faccessat2);
}

/// Row index by syscall number, built once.
fn index() -> &'static [u16] {
    static INDEX: OnceLock<Vec<u16>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut v = vec![u16::MAX; 512];
        for (i, s) in SYSCALLS.iter().enumerate() {
            v[s.nr as usize] = i as u16;
        }
        v
    })
}

/// The row for an aarch64 syscall number.
pub fn lookup(nr: u64) -> Option<&'static Syscall> {
    let i = *index().get(nr as usize)?;
    SYSCALLS.get(i as usize)
}

pub(crate) fn dispatch(ctx: &mut SyscallCtx, nr: u64) -> Outcome {
    let row = lookup(nr);
    match row.map(|r| r.handler) {
        Some(Pass(host)) => {
            let a = |i| ctx.arg(i) as c_long;
            // SAFETY: this row's aarch64 and x86_64 ABIs agree; pointer arguments are
            // guest addresses, which are host addresses, and the kernel checks them.
            let r = unsafe { syscall(host, a(0), a(1), a(2), a(3), a(4), a(5)) };
            Outcome::Return(crate::host_ret(r))
        }
        Some(Emul(f)) => f(ctx),
        Some(NoSys) | None => {
            if ctx.proc.log {
                eprintln!("emu: unimplemented syscall {} ({})", nr, row.map_or("unknown", |r| r.name));
            }
            Outcome::Return(-(ENOSYS as i64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_unique_and_sorted() {
        for w in SYSCALLS.windows(2) {
            assert!(w[0].nr < w[1].nr, "{} and {} out of order", w[0].name, w[1].name);
        }
        assert_eq!(lookup(64).map(|s| s.name), Some("write"));
        assert_eq!(lookup(56).map(|s| s.name), Some("openat"));
        assert!(lookup(1000).is_none());
    }
}
