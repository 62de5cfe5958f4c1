//! The aarch64 (asm-generic) syscall table: one row per syscall.
//!
//! Numbers from 424 on are the same on every architecture, so those rows name
//! the host syscall by the same number where libc has no constant for it.
//! `Pass(n)` rows go to host syscall `n` unchanged, which is right only where the
//! aarch64 and x86_64 ABIs agree on arguments and struct layouts; `Emul` rows have
//! a handler in the group module; `NoSys` rows answer -ENOSYS, as a kernel without
//! that feature would.

use crate::{epoll, exec, fs, mem, process, signal, thread, Outcome, SyscallCtx};
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
    0 io_setup Pass(SYS_io_setup);
    1 io_destroy Pass(SYS_io_destroy);
    2 io_submit Pass(SYS_io_submit);
    3 io_cancel Pass(SYS_io_cancel);
    4 io_getevents Pass(SYS_io_getevents);
    5 setxattr Pass(SYS_setxattr);
    6 lsetxattr Pass(SYS_lsetxattr);
    7 fsetxattr Pass(SYS_fsetxattr);
    8 getxattr Pass(SYS_getxattr);
    9 lgetxattr Pass(SYS_lgetxattr);
    10 fgetxattr Pass(SYS_fgetxattr);
    11 listxattr Pass(SYS_listxattr);
    12 llistxattr Pass(SYS_llistxattr);
    13 flistxattr Pass(SYS_flistxattr);
    14 removexattr Pass(SYS_removexattr);
    15 lremovexattr Pass(SYS_lremovexattr);
    16 fremovexattr Pass(SYS_fremovexattr);
    17 getcwd Pass(SYS_getcwd);
    18 lookup_dcookie NoSys; // removed from Linux
    19 eventfd2 Pass(SYS_eventfd2);
    20 epoll_create1 Pass(SYS_epoll_create1);
    21 epoll_ctl Emul(epoll::epoll_ctl);
    22 epoll_pwait Emul(epoll::epoll_pwait);
    23 dup Pass(SYS_dup);
    24 dup3 Pass(SYS_dup3);
    25 fcntl Emul(fs::fcntl);
    26 inotify_init1 Pass(SYS_inotify_init1);
    27 inotify_add_watch Pass(SYS_inotify_add_watch);
    28 inotify_rm_watch Pass(SYS_inotify_rm_watch);
    29 ioctl Pass(SYS_ioctl);
    30 ioprio_set Pass(SYS_ioprio_set);
    31 ioprio_get Pass(SYS_ioprio_get);
    32 flock Pass(SYS_flock);
    33 mknodat Pass(SYS_mknodat);
    34 mkdirat Pass(SYS_mkdirat);
    35 unlinkat Pass(SYS_unlinkat);
    36 symlinkat Pass(SYS_symlinkat);
    37 linkat Pass(SYS_linkat);
    38 renameat Pass(SYS_renameat);
    39 umount2 Pass(SYS_umount2);
    40 mount Pass(SYS_mount);
    41 pivot_root Pass(SYS_pivot_root);
    42 nfsservctl NoSys; // removed from Linux
    43 statfs Pass(SYS_statfs);
    44 fstatfs Pass(SYS_fstatfs);
    45 truncate Pass(SYS_truncate);
    46 ftruncate Pass(SYS_ftruncate);
    47 fallocate Pass(SYS_fallocate);
    48 faccessat Emul(fs::faccessat);
    49 chdir Pass(SYS_chdir);
    50 fchdir Pass(SYS_fchdir);
    51 chroot Pass(SYS_chroot);
    52 fchmod Pass(SYS_fchmod);
    53 fchmodat Pass(SYS_fchmodat);
    54 fchownat Pass(SYS_fchownat);
    55 fchown Pass(SYS_fchown);
    56 openat Emul(fs::openat);
    57 close Pass(SYS_close);
    58 vhangup Pass(SYS_vhangup);
    59 pipe2 Emul(fs::pipe2);
    60 quotactl Pass(SYS_quotactl);
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
    72 pselect6 Emul(signal::pselect6);
    73 ppoll Emul(signal::ppoll);
    74 signalfd4 Pass(SYS_signalfd4);
    75 vmsplice Pass(SYS_vmsplice);
    76 splice Pass(SYS_splice);
    77 tee Pass(SYS_tee);
    78 readlinkat Emul(fs::readlinkat);
    79 newfstatat Emul(fs::newfstatat);
    80 fstat Emul(fs::fstat);
    81 sync Pass(SYS_sync);
    82 fsync Pass(SYS_fsync);
    83 fdatasync Pass(SYS_fdatasync);
    84 sync_file_range Pass(SYS_sync_file_range);
    85 timerfd_create Pass(SYS_timerfd_create);
    86 timerfd_settime Pass(SYS_timerfd_settime);
    87 timerfd_gettime Pass(SYS_timerfd_gettime);
    88 utimensat Pass(SYS_utimensat);
    89 acct Pass(SYS_acct);
    90 capget Pass(SYS_capget);
    91 capset Pass(SYS_capset);
    92 personality Emul(process::personality);
    93 exit Emul(process::exit);
    94 exit_group Emul(process::exit_group);
    95 waitid Pass(SYS_waitid);
    96 set_tid_address Emul(thread::set_tid_address);
    97 unshare Pass(SYS_unshare);
    98 futex Pass(SYS_futex);
    99 set_robust_list Pass(SYS_set_robust_list);
    100 get_robust_list Pass(SYS_get_robust_list);
    101 nanosleep Pass(SYS_nanosleep);
    102 getitimer Pass(SYS_getitimer);
    103 setitimer Pass(SYS_setitimer);
    104 kexec_load Pass(SYS_kexec_load);
    105 init_module Pass(SYS_init_module);
    106 delete_module Pass(SYS_delete_module);
    107 timer_create Pass(SYS_timer_create);
    108 timer_gettime Pass(SYS_timer_gettime);
    109 timer_getoverrun Pass(SYS_timer_getoverrun);
    110 timer_settime Pass(SYS_timer_settime);
    111 timer_delete Pass(SYS_timer_delete);
    112 clock_settime Pass(SYS_clock_settime);
    113 clock_gettime Pass(SYS_clock_gettime);
    114 clock_getres Pass(SYS_clock_getres);
    115 clock_nanosleep Pass(SYS_clock_nanosleep);
    116 syslog Pass(SYS_syslog);
    117 ptrace NoSys; // no tracing of emulated processes yet
    118 sched_setparam Pass(SYS_sched_setparam);
    119 sched_setscheduler Pass(SYS_sched_setscheduler);
    120 sched_getscheduler Pass(SYS_sched_getscheduler);
    121 sched_getparam Pass(SYS_sched_getparam);
    122 sched_setaffinity Pass(SYS_sched_setaffinity);
    123 sched_getaffinity Pass(SYS_sched_getaffinity);
    124 sched_yield Pass(SYS_sched_yield);
    125 sched_get_priority_max Pass(SYS_sched_get_priority_max);
    126 sched_get_priority_min Pass(SYS_sched_get_priority_min);
    127 sched_rr_get_interval Pass(SYS_sched_rr_get_interval);
    128 restart_syscall NoSys; // emu never leaves a call to be restarted this way
    129 kill Pass(SYS_kill);
    130 tkill Pass(SYS_tkill);
    131 tgkill Pass(SYS_tgkill);
    132 sigaltstack Emul(signal::sigaltstack);
    133 rt_sigsuspend Emul(signal::rt_sigsuspend);
    134 rt_sigaction Emul(signal::rt_sigaction);
    135 rt_sigprocmask Emul(signal::rt_sigprocmask);
    136 rt_sigpending Emul(signal::rt_sigpending);
    137 rt_sigtimedwait Pass(SYS_rt_sigtimedwait);
    138 rt_sigqueueinfo Pass(SYS_rt_sigqueueinfo);
    139 rt_sigreturn Emul(signal::rt_sigreturn);
    140 setpriority Pass(SYS_setpriority);
    141 getpriority Pass(SYS_getpriority);
    142 reboot Pass(SYS_reboot);
    143 setregid Pass(SYS_setregid);
    144 setgid Pass(SYS_setgid);
    145 setreuid Pass(SYS_setreuid);
    146 setuid Pass(SYS_setuid);
    147 setresuid Pass(SYS_setresuid);
    148 getresuid Pass(SYS_getresuid);
    149 setresgid Pass(SYS_setresgid);
    150 getresgid Pass(SYS_getresgid);
    151 setfsuid Pass(SYS_setfsuid);
    152 setfsgid Pass(SYS_setfsgid);
    153 times Pass(SYS_times);
    154 setpgid Pass(SYS_setpgid);
    155 getpgid Pass(SYS_getpgid);
    156 getsid Pass(SYS_getsid);
    157 setsid Pass(SYS_setsid);
    158 getgroups Pass(SYS_getgroups);
    159 setgroups Pass(SYS_setgroups);
    160 uname Emul(process::uname);
    161 sethostname Pass(SYS_sethostname);
    162 setdomainname Pass(SYS_setdomainname);
    163 getrlimit Pass(SYS_getrlimit);
    164 setrlimit Pass(SYS_setrlimit);
    165 getrusage Pass(SYS_getrusage);
    166 umask Pass(SYS_umask);
    167 prctl Emul(process::prctl);
    168 getcpu Pass(SYS_getcpu);
    169 gettimeofday Pass(SYS_gettimeofday);
    170 settimeofday Pass(SYS_settimeofday);
    171 adjtimex Pass(SYS_adjtimex);
    172 getpid Pass(SYS_getpid);
    173 getppid Pass(SYS_getppid);
    174 getuid Pass(SYS_getuid);
    175 geteuid Pass(SYS_geteuid);
    176 getgid Pass(SYS_getgid);
    177 getegid Pass(SYS_getegid);
    178 gettid Pass(SYS_gettid);
    179 sysinfo Pass(SYS_sysinfo);
    180 mq_open Pass(SYS_mq_open);
    181 mq_unlink Pass(SYS_mq_unlink);
    182 mq_timedsend Pass(SYS_mq_timedsend);
    183 mq_timedreceive Pass(SYS_mq_timedreceive);
    184 mq_notify Pass(SYS_mq_notify);
    185 mq_getsetattr Pass(SYS_mq_getsetattr);
    186 msgget Pass(SYS_msgget);
    187 msgctl Pass(SYS_msgctl);
    188 msgrcv Pass(SYS_msgrcv);
    189 msgsnd Pass(SYS_msgsnd);
    190 semget Pass(SYS_semget);
    191 semctl Pass(SYS_semctl);
    192 semtimedop Pass(SYS_semtimedop);
    193 semop Pass(SYS_semop);
    194 shmget Pass(SYS_shmget);
    195 shmctl Pass(SYS_shmctl);
    196 shmat Pass(SYS_shmat);
    197 shmdt Pass(SYS_shmdt);
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
    213 readahead Pass(SYS_readahead);
    214 brk Emul(mem::brk);
    215 munmap Emul(mem::munmap);
    216 mremap Emul(mem::mremap);
    217 add_key Pass(SYS_add_key);
    218 request_key Pass(SYS_request_key);
    219 keyctl Pass(SYS_keyctl);
    220 clone Emul(thread::clone);
    221 execve Emul(exec::execve);
    222 mmap Emul(mem::mmap);
    223 fadvise64 Pass(SYS_fadvise64);
    224 swapon Pass(SYS_swapon);
    225 swapoff Pass(SYS_swapoff);
    226 mprotect Emul(mem::mprotect);
    227 msync Pass(SYS_msync);
    228 mlock Pass(SYS_mlock);
    229 munlock Pass(SYS_munlock);
    230 mlockall Pass(SYS_mlockall);
    231 munlockall Pass(SYS_munlockall);
    232 mincore Pass(SYS_mincore);
    233 madvise Emul(mem::madvise);
    234 remap_file_pages Pass(SYS_remap_file_pages);
    235 mbind Pass(SYS_mbind);
    236 get_mempolicy Pass(SYS_get_mempolicy);
    237 set_mempolicy Pass(SYS_set_mempolicy);
    238 migrate_pages Pass(SYS_migrate_pages);
    239 move_pages Pass(SYS_move_pages);
    240 rt_tgsigqueueinfo Pass(SYS_rt_tgsigqueueinfo);
    241 perf_event_open Pass(SYS_perf_event_open);
    242 accept4 Pass(SYS_accept4);
    243 recvmmsg Pass(SYS_recvmmsg);
    260 wait4 Pass(SYS_wait4);
    261 prlimit64 Pass(SYS_prlimit64);
    262 fanotify_init Pass(SYS_fanotify_init);
    263 fanotify_mark Pass(SYS_fanotify_mark);
    264 name_to_handle_at Pass(SYS_name_to_handle_at);
    265 open_by_handle_at NoSys; // its open flags would need translating
    266 clock_adjtime Pass(SYS_clock_adjtime);
    267 syncfs Pass(SYS_syncfs);
    268 setns Pass(SYS_setns);
    269 sendmmsg Pass(SYS_sendmmsg);
    270 process_vm_readv Pass(SYS_process_vm_readv);
    271 process_vm_writev Pass(SYS_process_vm_writev);
    272 kcmp Pass(SYS_kcmp);
    273 finit_module Pass(SYS_finit_module);
    274 sched_setattr Pass(SYS_sched_setattr);
    275 sched_getattr Pass(SYS_sched_getattr);
    276 renameat2 Pass(SYS_renameat2);
    277 seccomp NoSys; // a filter would judge emu's own x86_64 syscalls
    278 getrandom Pass(SYS_getrandom);
    279 memfd_create Pass(SYS_memfd_create);
    280 bpf Pass(SYS_bpf);
    281 execveat Emul(exec::execveat);
    282 userfaultfd Pass(SYS_userfaultfd);
    283 membarrier Pass(SYS_membarrier);
    284 mlock2 Pass(SYS_mlock2);
    285 copy_file_range Pass(SYS_copy_file_range);
    286 preadv2 Pass(SYS_preadv2);
    287 pwritev2 Pass(SYS_pwritev2);
    288 pkey_mprotect NoSys; // arm64 has no protection keys
    289 pkey_alloc NoSys; // arm64 has no protection keys
    290 pkey_free NoSys; // arm64 has no protection keys
    291 statx Emul(fs::statx);
    292 io_pgetevents Pass(333 /* x86_64 number; missing from libc */);
    293 rseq NoSys; // glibc runs without it
    294 kexec_file_load NoSys; // not for an emulated process
    424 pidfd_send_signal Pass(SYS_pidfd_send_signal);
    425 io_uring_setup NoSys; // its operations would bypass the ABI translation
    426 io_uring_enter NoSys; // its operations would bypass the ABI translation
    427 io_uring_register NoSys; // its operations would bypass the ABI translation
    428 open_tree Pass(SYS_open_tree);
    429 move_mount Pass(SYS_move_mount);
    430 fsopen Pass(SYS_fsopen);
    431 fsconfig Pass(SYS_fsconfig);
    432 fsmount Pass(SYS_fsmount);
    433 fspick Pass(SYS_fspick);
    434 pidfd_open Pass(SYS_pidfd_open);
    435 clone3 Emul(thread::clone3);
    436 close_range Pass(SYS_close_range);
    437 openat2 NoSys; // struct open_how's flags would need translating; callers fall back to openat
    438 pidfd_getfd Pass(SYS_pidfd_getfd);
    439 faccessat2 Emul(fs::faccessat2);
    440 process_madvise Pass(SYS_process_madvise);
    441 epoll_pwait2 Emul(epoll::epoll_pwait2);
    442 mount_setattr Pass(SYS_mount_setattr);
    443 quotactl_fd Pass(SYS_quotactl_fd);
    444 landlock_create_ruleset Pass(SYS_landlock_create_ruleset);
    445 landlock_add_rule Pass(SYS_landlock_add_rule);
    446 landlock_restrict_self Pass(SYS_landlock_restrict_self);
    447 memfd_secret NoSys; // not enabled on arm64 by default
    448 process_mrelease Pass(SYS_process_mrelease);
    449 futex_waitv Pass(SYS_futex_waitv);
    450 set_mempolicy_home_node Pass(SYS_set_mempolicy_home_node);
    451 cachestat Pass(451 /* unified numbering from 424 on */);
    452 fchmodat2 Pass(452 /* unified numbering from 424 on */);
    453 map_shadow_stack NoSys; // x86-only
    454 futex_wake Pass(454 /* unified numbering from 424 on */);
    455 futex_wait Pass(455 /* unified numbering from 424 on */);
    456 futex_requeue Pass(456 /* unified numbering from 424 on */);
    457 statmount Pass(457 /* unified numbering from 424 on */);
    458 listmount Pass(458 /* unified numbering from 424 on */);
    459 lsm_get_self_attr Pass(459 /* unified numbering from 424 on */);
    460 lsm_set_self_attr Pass(460 /* unified numbering from 424 on */);
    461 lsm_list_modules Pass(461 /* unified numbering from 424 on */);
    462 mseal Pass(462 /* unified numbering from 424 on */);
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
            // This row's aarch64 and x86_64 ABIs agree; pointer arguments are guest
            // addresses, which are host addresses, and the kernel checks them.
            let a = [ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4), ctx.arg(5)];
            Outcome::Return(crate::hostsig::blocking_syscall(host, a))
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
