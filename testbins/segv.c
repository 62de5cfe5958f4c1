/* Must die from SIGSEGV. Output before the fault is flushed so the
 * emulator is also checked for delivering it before dying.
 * With the argument "overflow": overflows the stack instead, catches the
 * SIGSEGV on an alternate stack and reports where it hit; a mapping made
 * first must come through untouched (nothing is placed just below a stack). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf back;
static volatile uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(back, 1);
}

static int recurse(volatile char *prev) {
    volatile char frame[1024];
    frame[0] = prev ? prev[0] + 1 : 0;
    return recurse(frame) + frame[1];
}

static int overflow(void) {
    char here;
    uintptr_t top = (uintptr_t)&here;
    size_t len = 1 << 20;
    unsigned char *first = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (first == MAP_FAILED) return 1;
    memset(first, 0x5a, len);
    stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(back, 1) == 0) {
        recurse(NULL);
        printf("no fault\n");
        return 1;
    }
    int intact = 1;
    for (size_t i = 0; i < len; i++) intact &= first[i] == 0x5a;
    /* The default stack limit is 8 MiB: the fault is below the stack's start,
     * within that and the gap. */
    uintptr_t depth = top - fault_addr;
    printf("stack overflow caught: %s\n", depth > (1 << 20) && depth < (64 << 20) ? "yes" : "no");
    printf("mapping made first intact: %s\n", intact ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "overflow") == 0) return overflow();
    printf("before fault\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
