//! The host side of guest signals: host handlers that record a signal for the
//! thread it arrived on and ask its run loop to stop at the next block boundary,
//! where the guest handler is then set up. Also the host signal mask, which
//! mirrors the guest's so that blocked signals stay pending in the host kernel.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Signals recorded by the host handler and not yet delivered to the guest.
pub struct Pending {
    bits: AtomicU64,
    /// Per signal, the queued siginfos: one for a standard signal (they
    /// coalesce), up to QUEUE for a real-time one (they queue, as on Linux).
    info: UnsafeCell<[[[u8; 128]; QUEUE]; 64]>,
    count: UnsafeCell<[u8; 64]>,
}

/// Real-time signal instances kept per signal while the thread runs guest code
/// (blocked ones stay queued in the host kernel, which mirrors the guest mask).
const QUEUE: usize = 8;
const SIGRTMIN: i32 = 32;

thread_local! {
    static PENDING: Pending = const {
        Pending { bits: AtomicU64::new(0), info: UnsafeCell::new([[[0; 128]; QUEUE]; 64]), count: UnsafeCell::new([0; 64]) }
    };
    /// Set by a host handler: the run loop should stop and deliver.
    pub static INTERRUPT: AtomicBool = const { AtomicBool::new(false) };
}

/// A pointer to this thread's interrupt flag, for the CPU's dispatch loop.
pub fn interrupt_flag() -> &'static AtomicBool {
    // SAFETY: the flag is a thread-local that lives as long as the thread, and the
    // run loop that receives this reference runs on (and ends with) the same thread.
    INTERRUPT.with(|f| unsafe { &*(f as *const AtomicBool) })
}

/// Signals emu keeps for itself on the host: faults in guest code arrive as these.
pub const FAULT_SIGNALS: [i32; 2] = [libc::SIGSEGV, libc::SIGBUS];

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Records `sig` with its siginfo for the current thread (async-signal-safe).
pub fn record(sig: i32, info: &[u8; 128]) {
    if !(1..=64).contains(&sig) {
        return;
    }
    PENDING.with(|p| {
        let i = (sig - 1) as usize;
        // SAFETY: only this thread touches its own slots: a nested handler for the
        // same signal is blocked while this one runs (no SA_NODEFER on the host),
        // and `take` blocks signals while it reads.
        unsafe {
            let count = &mut (*p.count.get())[i];
            if sig < SIGRTMIN {
                (*p.info.get())[i][0] = *info;
                *count = 1;
            } else if (*count as usize) < QUEUE {
                (*p.info.get())[i][*count as usize] = *info;
                *count += 1;
            }
        }
        p.bits.fetch_or(bit(sig), Ordering::SeqCst);
    });
    INTERRUPT.with(|f| f.store(true, Ordering::SeqCst));
}

/// Takes the lowest pending signal not in `mask` (the guest's blocked set); a
/// real-time signal queued several times comes out once per instance.
pub fn take(mask: u64) -> Option<(i32, [u8; 128])> {
    if !any(mask) {
        return None;
    }
    // The host handler must not run while the queue is being changed.
    let all: u64 = !0;
    let mut old: u64 = 0;
    // SAFETY: raw rt_sigprocmask on locals; restored below.
    unsafe {
        libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_BLOCK, &all as *const u64, &mut old as *mut u64, 8usize)
    };
    let taken = PENDING.with(|p| {
        let ready = p.bits.load(Ordering::SeqCst) & !mask;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as i32 + 1;
        let i = (sig - 1) as usize;
        // SAFETY: our own slots, with our signals blocked.
        unsafe {
            let q = &mut (*p.info.get())[i];
            let count = &mut (*p.count.get())[i];
            let info = q[0];
            q.copy_within(1..QUEUE, 0);
            *count = count.saturating_sub(1);
            if *count == 0 {
                p.bits.fetch_and(!bit(sig), Ordering::SeqCst);
            }
            Some((sig, info))
        }
    });
    // SAFETY: restoring the mask saved above.
    unsafe { libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, &old as *const u64, 0usize, 8usize) };
    taken
}

/// Whether `sig` is recorded and not blocked by `mask`.
pub fn is_pending(sig: i32, mask: u64) -> bool {
    PENDING.with(|p| p.bits.load(Ordering::SeqCst) & !mask & bit(sig) != 0)
}

/// Whether any recorded signal is not blocked by `mask`.
pub fn any(mask: u64) -> bool {
    PENDING.with(|p| p.bits.load(Ordering::SeqCst) & !mask != 0)
}

extern "C" fn on_signal(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let mut buf = [0u8; 128];
    // SAFETY: the kernel passes a valid 128-byte siginfo.
    unsafe { std::ptr::copy_nonoverlapping(info as *const u8, buf.as_mut_ptr(), 128) };
    record(sig, &buf);
    rewind_safe_syscall(uc);
}

/// The kernel's x86_64 struct sigaction (not glibc's).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

const SA_RESTORER: u64 = 0x0400_0000;

/// Return path from a host handler installed with the raw syscall.
#[unsafe(naked)]
extern "C" fn restore_rt() {
    core::arch::naked_asm!("mov rax, 15", "syscall", "ud2");
}

/// Installs a host disposition with the raw syscall: glibc refuses the signals it
/// reserves for itself (32, 33), which guest programs use too.
fn host_sigaction(sig: i32, handler: usize, flags: u64) -> i32 {
    let act =
        KernelSigaction { handler, flags: flags | SA_RESTORER, restorer: restore_rt as *const () as usize, mask: 0 };
    // SAFETY: a valid kernel sigaction; the restorer performs rt_sigreturn.
    let r = unsafe { libc::syscall(libc::SYS_rt_sigaction, sig, &act as *const KernelSigaction, 0usize, 8usize) };
    r as i32
}

/// Whether the host ignores `sig` now: an exec keeps a signal ignored (nohup, a
/// shell's background jobs), and the new program must see that it is.
pub fn is_ignored(sig: i32) -> bool {
    let mut old = KernelSigaction { handler: 0, flags: 0, restorer: 0, mask: 0 };
    // SAFETY: only reads the current disposition into our own struct.
    let r = unsafe { libc::syscall(libc::SYS_rt_sigaction, sig, 0usize, &mut old as *mut KernelSigaction, 8usize) };
    r == 0 && old.handler == libc::SIG_IGN
}

/// The guest installed a handler: catch the signal on the host.
pub fn catch(sig: i32) {
    let flags = (libc::SA_SIGINFO | libc::SA_ONSTACK) as u64;
    host_sigaction(sig, on_signal as *const () as usize, flags);
}

/// The guest set SIG_DFL or SIG_IGN: the host kernel then acts exactly as it would
/// for the guest (terminate, stop, ignore).
pub fn set_default(sig: i32, ignore: bool) {
    let h = if ignore { libc::SIG_IGN } else { libc::SIG_DFL };
    host_sigaction(sig, h, 0);
}

/// Signals the host must never block for emu to work (or that cannot be blocked).
const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1))
    | (1 << (libc::SIGSTOP - 1))
    | (1 << (libc::SIGSEGV - 1))
    | (1 << (libc::SIGBUS - 1))
    | (1 << (libc::SIGILL - 1))
    | (1 << (libc::SIGFPE - 1))
    | (1 << (libc::SIGTRAP - 1));

/// Makes the host thread's mask the guest's.
pub fn set_host_mask(guest_mask: u64) {
    let m = guest_mask & !UNBLOCKABLE;
    // SAFETY: raw rt_sigprocmask with an 8-byte set (glibc would drop 32 and 33).
    unsafe { libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, &m as *const u64, 0usize, 8usize) };
}

/// The host thread's current mask (a new emu inherits the guest's across execve).
pub fn host_mask() -> u64 {
    let mut m: u64 = 0;
    // SAFETY: raw rt_sigprocmask reading into a local.
    unsafe { libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, 0usize, &mut m as *mut u64, 8usize) };
    m
}

/// What [`blocking_syscall`] returns when a signal was already pending: the host
/// syscall did not run, and the guest's SVC must run again after the handler (as
/// on Linux, where the signal would have been delivered before the SVC).
pub const NOT_STARTED: i64 = -512;

// A host syscall that a guest signal cannot slip past: the stop flag is checked
// right before the `syscall` instruction, and if a signal arrives between that
// check and the instruction, the host handler moves the thread to the
// `interrupted` exit (see `on_signal`), so the call never blocks with a signal
// waiting. Arguments: flag, nr, a0..a5 (System V order; a4, a5 on the stack).
core::arch::global_asm!(
    ".pushsection .text.emu_safe_syscall, \"ax\", @progbits",
    ".globl emu_safe_syscall",
    ".type emu_safe_syscall, @function",
    "emu_safe_syscall:",
    "mov rax, rsi",
    "mov r11, rdi",
    "mov rdi, rdx",
    "mov rsi, rcx",
    "mov rdx, r8",
    "mov r10, r9",
    "mov r8, [rsp + 8]",
    "mov r9, [rsp + 16]",
    ".globl emu_safe_syscall_start",
    "emu_safe_syscall_start:",
    "cmp byte ptr [r11], 0",
    "jne emu_safe_syscall_interrupted",
    "syscall",
    ".globl emu_safe_syscall_end",
    "emu_safe_syscall_end:",
    "ret",
    ".globl emu_safe_syscall_interrupted",
    "emu_safe_syscall_interrupted:",
    "mov rax, -512",
    "ret",
    ".size emu_safe_syscall, . - emu_safe_syscall",
    ".popsection",
);

extern "C" {
    fn emu_safe_syscall(flag: *const AtomicBool, nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64;
    static emu_safe_syscall_start: u8;
    static emu_safe_syscall_end: u8;
    static emu_safe_syscall_interrupted: u8;
}

/// A host syscall that may block: the raw result (-errno on failure), or
/// [`NOT_STARTED`] when a signal for the guest is waiting.
pub fn blocking_syscall(nr: libc::c_long, a: [u64; 6]) -> i64 {
    let flag = interrupt_flag() as *const AtomicBool;
    // SAFETY: a host syscall through the routine above; pointer arguments are
    // guest addresses, which the kernel checks.
    unsafe { emu_safe_syscall(flag, nr, a[0], a[1], a[2], a[3], a[4], a[5]) }
}

/// If the thread was stopped between the flag check and the `syscall`
/// instruction, resume it at the `interrupted` exit instead.
fn rewind_safe_syscall(uc: *mut libc::c_void) {
    const REG_RIP: usize = 16;
    // SAFETY: the ucontext the kernel passed to this handler; the symbols are
    // labels of the routine above.
    unsafe {
        let uc = &mut *(uc as *mut libc::ucontext_t);
        let rip = uc.uc_mcontext.gregs[REG_RIP] as usize;
        let start = &emu_safe_syscall_start as *const u8 as usize;
        let end = &emu_safe_syscall_end as *const u8 as usize;
        if (start..end).contains(&rip) {
            uc.uc_mcontext.gregs[REG_RIP] = &emu_safe_syscall_interrupted as *const u8 as i64;
        }
    }
}
