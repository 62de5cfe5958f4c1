//! Copies to and from guest memory that survive a bad address: the copy runs
//! with a recovery point set, and the host fault handler (installed by the
//! runtime) sends a fault inside it back there, so the caller gets an error
//! (EFAULT for the guest) instead of a crash. No syscall is involved, so this
//! works where process_vm_readv is not allowed (containers' seccomp profiles).

use std::cell::{Cell, UnsafeCell};

/// Callee-saved registers, stack pointer and resume address (x86_64 SysV).
#[repr(C)]
pub struct JmpBuf([u64; 8]);

impl JmpBuf {
    pub const fn new() -> JmpBuf {
        JmpBuf([0; 8])
    }
}

impl Default for JmpBuf {
    fn default() -> Self {
        Self::new()
    }
}

/// Saves the caller's context; returns 0, or 1 when resumed by `long_jump`.
///
/// # Safety
/// `buf` must be valid for writes. The caller must not rely on values it changed
/// between this call and a `long_jump` to it (they may be stale after resuming).
#[unsafe(naked)]
pub unsafe extern "C" fn set_jump(buf: *mut JmpBuf) -> u64 {
    core::arch::naked_asm!(
        "mov [rdi], rbx",
        "mov [rdi + 8], rbp",
        "mov [rdi + 16], r12",
        "mov [rdi + 24], r13",
        "mov [rdi + 32], r14",
        "mov [rdi + 40], r15",
        "lea rdx, [rsp + 8]",
        "mov [rdi + 48], rdx",
        "mov rdx, [rsp]",
        "mov [rdi + 56], rdx",
        "xor eax, eax",
        "ret",
    );
}

/// Resumes the context saved by `set_jump`, which then returns 1.
///
/// # Safety
/// `buf` must hold a context saved by `set_jump` whose frame is still live.
#[unsafe(naked)]
pub unsafe extern "C" fn long_jump(buf: *const JmpBuf) -> ! {
    core::arch::naked_asm!(
        "mov rbx, [rdi]",
        "mov rbp, [rdi + 8]",
        "mov r12, [rdi + 16]",
        "mov r13, [rdi + 24]",
        "mov r14, [rdi + 32]",
        "mov r15, [rdi + 40]",
        "mov rsp, [rdi + 48]",
        "mov eax, 1",
        "jmp qword ptr [rdi + 56]",
    );
}

thread_local! {
    static COPY_JMP: UnsafeCell<JmpBuf> = const { UnsafeCell::new(JmpBuf::new()) };
    static IN_COPY: Cell<bool> = const { Cell::new(false) };
}

const REG_RDI: usize = 8;
const REG_RSP: usize = 15;
const REG_RIP: usize = 16;

/// Makes a signal handler's return resume at `long_jump(buf)`.
///
/// # Safety
/// `uc` must be the ucontext the kernel passed to the running handler, and `buf`
/// a live context of the faulting thread.
pub unsafe fn redirect_to(uc: *mut libc::c_void, buf: *const JmpBuf) {
    // SAFETY: per the contract, a valid ucontext of this thread's handler.
    let uc = unsafe { &mut *(uc as *mut libc::ucontext_t) };
    let g = &mut uc.uc_mcontext.gregs;
    g[REG_RDI] = buf as i64;
    g[REG_RSP] = ((g[REG_RSP] as u64 - 256) & !15) as i64 - 8;
    g[REG_RIP] = long_jump as *const () as i64;
}

/// For the host fault handler: if the fault happened inside a guarded copy,
/// arrange for the copy to fail and return true.
///
/// # Safety
/// As for [`redirect_to`].
pub unsafe fn recover_copy_fault(uc: *mut libc::c_void) -> bool {
    if !IN_COPY.with(|c| c.get()) {
        return false;
    }
    IN_COPY.with(|c| c.set(false));
    let buf = COPY_JMP.with(|j| j.get() as *const JmpBuf);
    // SAFETY: the copy's frame is live: it is the one that faulted.
    unsafe { redirect_to(uc, buf) };
    true
}

/// Copies `len` bytes from `src` to `dst`, either of which may be a bad guest
/// address; false if the copy faulted.
#[inline(never)]
pub fn guarded_copy(dst: u64, src: u64, len: usize) -> bool {
    if len == 0 {
        return true;
    }
    let jmp = COPY_JMP.with(|j| j.get());
    IN_COPY.with(|c| c.set(true));
    // SAFETY: see set_jump; after a resume we only read thread-locals and return.
    if unsafe { set_jump(jmp) } != 0 {
        return false;
    }
    // SAFETY: a byte copy between host addresses; a fault in it is recovered above.
    unsafe {
        std::arch::asm!(
            "rep movsb",
            inout("rcx") len => _,
            inout("rsi") src => _,
            inout("rdi") dst => _,
            options(nostack, preserves_flags)
        );
    }
    IN_COPY.with(|c| c.set(false));
    true
}
