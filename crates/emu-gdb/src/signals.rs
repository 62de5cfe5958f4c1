//! Signal numbers: Linux's (the same on aarch64 and x86_64) against the GDB
//! remote protocol's own numbering, which differs for most of them.

use gdbstub::common::Signal;

/// GDB's number for each Linux signal 0-31 (SIGSTKFLT has none).
const LINUX_TO_GDB: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 10, // -, HUP, INT, QUIT, ILL, TRAP, ABRT, BUS
    8, 9, 30, 11, 31, 13, 14, 15, // FPE, KILL, USR1, SEGV, USR2, PIPE, ALRM, TERM
    0, 20, 19, 17, 18, 21, 22, 16, // STKFLT, CHLD, CONT, STOP, TSTP, TTIN, TTOU, URG
    24, 25, 26, 27, 28, 23, 32, 12, // XCPU, XFSZ, VTALRM, PROF, WINCH, IO, PWR, SYS
];

/// GDB's real-time signal numbers: 33-63 are 45-75, 32 is 77 and 64 is 78.
pub fn to_gdb(sig: i32) -> Signal {
    Signal(match sig {
        0..=31 => LINUX_TO_GDB[sig as usize],
        32 => 77,
        33..=63 => (sig + 12) as u8,
        64 => 78,
        _ => 0,
    })
}

/// The Linux signal GDB means, if there is one.
pub fn to_linux(sig: Signal) -> Option<i32> {
    (1..=64).find(|&s| s != 16 && to_gdb(s) == sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(to_gdb(libc::SIGSEGV), Signal::SIGSEGV);
        assert_eq!(to_gdb(libc::SIGBUS), Signal::SIGBUS);
        assert_eq!(to_gdb(libc::SIGUSR1), Signal::SIGUSR1);
        assert_eq!(to_gdb(libc::SIGCHLD), Signal::SIGCHLD);
        assert_eq!(to_gdb(libc::SIGSYS), Signal::SIGSYS);
        assert_eq!(to_gdb(34), Signal::SIG34);
        assert_eq!(to_gdb(63), Signal::SIG63);
        assert_eq!((to_gdb(32), to_gdb(64)), (Signal::SIG32, Signal::SIG64));
        for s in (1..=64).filter(|&s| s != 16) {
            assert_eq!(to_linux(to_gdb(s)), Some(s));
        }
        assert_eq!(to_linux(Signal::SIGEMT), None);
    }
}
