// The smallest possible guest: no libc, just write and exit_group via svc.
// Only PC-relative addressing is used, so it also links as a static PIE.

    .section .rodata
msg:
    .ascii "Hello from raw syscalls\n"
    .set msg_len, . - msg

    .text
    .globl _start
    .type _start, %function
_start:
    mov     x0, #1              // stdout
    adrp    x1, msg
    add     x1, x1, :lo12:msg
    mov     x2, #msg_len
    mov     x8, #64             // write
    svc     #0
    mov     x0, #7              // exit status
    mov     x8, #94             // exit_group
    svc     #0
