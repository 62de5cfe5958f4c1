// run_case(const struct case_in *in, struct case_out *out): loads the case's
// whole register state, runs the one instruction in test_page, stores the state
// it leaves. No register is reserved: the way back is `b after` written after the
// instruction, and x0 is parked in TPIDR_EL0 until the output pointer is found.
// Offsets must match harness.c and the Rust side (crates/difftest/src/case.rs).

#define IN_FLAGS 4
#define IN_NZCV 8
#define IN_FPCR 12
#define IN_X 16
#define IN_SP 264
#define IN_V 272

#define OUT_NZCV 4
#define OUT_FPSR 8
#define OUT_FPCR 12
#define OUT_X 16
#define OUT_SP 264
#define OUT_V 272

    .bss
    .balign 4096
    .global test_page
test_page:
    .skip 4096
    .balign 16
saved:                      // harness sp, out pointer, tpidr_el0
    .skip 32

    .text
    .global run_case
    .global run_case_after
    .type run_case, %function
run_case:
    stp x29, x30, [sp, #-160]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    adrp x2, saved
    add x2, x2, :lo12:saved
    mov x3, sp
    str x3, [x2]
    str x1, [x2, #8]
    mrs x3, tpidr_el0
    str x3, [x2, #16]
    // No exclusive monitor state leaks from one case into the next.
    clrex
    mov x30, x0
    add x1, x30, #IN_V
    ldp q0, q1, [x1], #32
    ldp q2, q3, [x1], #32
    ldp q4, q5, [x1], #32
    ldp q6, q7, [x1], #32
    ldp q8, q9, [x1], #32
    ldp q10, q11, [x1], #32
    ldp q12, q13, [x1], #32
    ldp q14, q15, [x1], #32
    ldp q16, q17, [x1], #32
    ldp q18, q19, [x1], #32
    ldp q20, q21, [x1], #32
    ldp q22, q23, [x1], #32
    ldp q24, q25, [x1], #32
    ldp q26, q27, [x1], #32
    ldp q28, q29, [x1], #32
    ldp q30, q31, [x1], #32
    ldr w1, [x30, #IN_NZCV]
    msr nzcv, x1
    ldr w1, [x30, #IN_FPCR]
    msr fpcr, x1
    // FLAG_IXC (bit 1) starts the case with FPSR.IXC (bit 4) set.
    ldr w1, [x30, #IN_FLAGS]
    and w1, w1, #2
    lsl w1, w1, #3
    msr fpsr, x1
    ldr x1, [x30, #IN_SP]
    mov sp, x1
    ldp x0, x1, [x30, #IN_X]
    ldp x2, x3, [x30, #IN_X + 16]
    ldp x4, x5, [x30, #IN_X + 32]
    ldp x6, x7, [x30, #IN_X + 48]
    ldp x8, x9, [x30, #IN_X + 64]
    ldp x10, x11, [x30, #IN_X + 80]
    ldp x12, x13, [x30, #IN_X + 96]
    ldp x14, x15, [x30, #IN_X + 112]
    ldp x16, x17, [x30, #IN_X + 128]
    ldp x18, x19, [x30, #IN_X + 144]
    ldp x20, x21, [x30, #IN_X + 160]
    ldp x22, x23, [x30, #IN_X + 176]
    ldp x24, x25, [x30, #IN_X + 192]
    ldp x26, x27, [x30, #IN_X + 208]
    ldp x28, x29, [x30, #IN_X + 224]
    ldr x30, [x30, #IN_X + 240]
    b test_page
run_case_after:
    msr tpidr_el0, x0
    adrp x0, saved
    add x0, x0, :lo12:saved
    ldr x0, [x0, #8]
    str x1, [x0, #OUT_X + 8]
    stp x2, x3, [x0, #OUT_X + 16]
    stp x4, x5, [x0, #OUT_X + 32]
    stp x6, x7, [x0, #OUT_X + 48]
    stp x8, x9, [x0, #OUT_X + 64]
    stp x10, x11, [x0, #OUT_X + 80]
    stp x12, x13, [x0, #OUT_X + 96]
    stp x14, x15, [x0, #OUT_X + 112]
    stp x16, x17, [x0, #OUT_X + 128]
    stp x18, x19, [x0, #OUT_X + 144]
    stp x20, x21, [x0, #OUT_X + 160]
    stp x22, x23, [x0, #OUT_X + 176]
    stp x24, x25, [x0, #OUT_X + 192]
    stp x26, x27, [x0, #OUT_X + 208]
    stp x28, x29, [x0, #OUT_X + 224]
    str x30, [x0, #OUT_X + 240]
    mrs x1, tpidr_el0
    str x1, [x0, #OUT_X]
    mov x1, sp
    str x1, [x0, #OUT_SP]
    mrs x1, nzcv
    str w1, [x0, #OUT_NZCV]
    mrs x1, fpsr
    str w1, [x0, #OUT_FPSR]
    mrs x1, fpcr
    str w1, [x0, #OUT_FPCR]
    add x1, x0, #OUT_V
    stp q0, q1, [x1], #32
    stp q2, q3, [x1], #32
    stp q4, q5, [x1], #32
    stp q6, q7, [x1], #32
    stp q8, q9, [x1], #32
    stp q10, q11, [x1], #32
    stp q12, q13, [x1], #32
    stp q14, q15, [x1], #32
    stp q16, q17, [x1], #32
    stp q18, q19, [x1], #32
    stp q20, q21, [x1], #32
    stp q22, q23, [x1], #32
    stp q24, q25, [x1], #32
    stp q26, q27, [x1], #32
    stp q28, q29, [x1], #32
    stp q30, q31, [x1], #32
    // Back to the harness's own state: its stack, TLS pointer and FPCR.
    adrp x2, saved
    add x2, x2, :lo12:saved
    ldr x3, [x2, #16]
    msr tpidr_el0, x3
    ldr x3, [x2]
    mov sp, x3
    msr fpcr, xzr
    msr fpsr, xzr
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    ldp x29, x30, [sp], #160
    ret
    .size run_case, . - run_case
    .section .note.GNU-stack, "", %progbits
