/* Signal delivery: handlers with siginfo and ucontext, register changes in the
 * handler taking effect after sigreturn, SIGSEGV recovery with siglongjmp,
 * SIGILL and SIGTRAP at the right PC, sigaltstack, masks, SA_RESETHAND,
 * SA_RESTART around a blocking read, EINTR without it. The native build only
 * says that it needs arm64. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__aarch64__)
static volatile sig_atomic_t got;
static sigjmp_buf jb;
static volatile uintptr_t fault_addr;
static volatile int on_alt;
static volatile int pc_ok;
extern char fault_insn[];
static char altstack[65536];

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got = sig * 1000 + (si->si_code == SI_TKILL || si->si_code == SI_USER);
}

static void on_segv(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    fault_addr = (uintptr_t)si->si_addr;
    got = sig + 100 * (uc->uc_mcontext.fault_address == (uintptr_t)si->si_addr);
    pc_ok = uc->uc_mcontext.pc == (uintptr_t)fault_insn;
    on_alt = (uintptr_t)&sig >= (uintptr_t)altstack && (uintptr_t)&sig < (uintptr_t)altstack + sizeof altstack;
    siglongjmp(jb, 1);
}

static void skip_insn(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    got = sig + 100 * (uc->uc_mcontext.pc == (uintptr_t)si->si_addr);
    uc->uc_mcontext.pc += 4;        /* resume after the faulting instruction */
    uc->uc_mcontext.regs[0] = 1234; /* and the handler's change to x0 sticks */
}

static void on_alarm(int sig) { got = sig; }

static volatile int rt_count, rt_sum;
static void on_rt(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    rt_count++;
    rt_sum = rt_sum * 10 + si->si_value.sival_int;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    setvbuf(stdout, NULL, _IONBF, 0);

    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("usr1: %d\n", (int)got);

    /* Blocked, then delivered on unblock. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0;
    kill(getpid(), SIGUSR1);
    printf("blocked: %d\n", (int)got);
    sigset_t pend;
    sigpending(&pend);
    printf("pending: %d\n", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: %d\n", (int)got);

    /* Real-time signals queue: three sent while blocked arrive three times, in
     * order, with their values. */
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 2, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, &old);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = i});
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("rt queued: count=%d order=%d\n", rt_count, rt_sum);

    /* SIGSEGV on an alternate stack, recovered with siglongjmp. */
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    got = 0;
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile char *)(p + 123) = 1;
        puts("no fault?");
    }
    printf("segv: %d addr_ok=%d alt=%d\n", (int)got, fault_addr == (uintptr_t)(p + 123), (int)on_alt);
    got = 0;
    if (sigsetjmp(jb, 1) == 0) {
        volatile int *volatile bad = (volatile int *)16;
        (void)*bad;
    }
    printf("segv null: %d addr=%lx\n", (int)got, (unsigned long)fault_addr);
    /* The reported PC is the faulting store itself, in the middle of a block. */
    if (sigsetjmp(jb, 1) == 0) {
        __asm__ volatile("mov x9, #1\n.globl fault_insn\nfault_insn: str x9, [%0]\nadd x9, x9, #1" : : "r"(p + 8) : "x9", "memory");
    }
    printf("segv pc_ok=%d\n", (int)pc_ok);

    /* SIGILL and SIGTRAP: the handler skips the instruction and sets x0. */
    sa.sa_sigaction = skip_insn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    long r;
    got = 0;
    __asm__ volatile("mov x0, #0\n.inst 0x00000000\nmov %0, x0" : "=r"(r) : : "x0");
    printf("sigill: %d x0=%ld\n", (int)got, r);
    got = 0;
    __asm__ volatile("mov x0, #0\nbrk #7\nmov %0, x0" : "=r"(r) : : "x0");
    printf("sigtrap: %d x0=%ld\n", (int)got, r);

    /* SA_RESETHAND: the second raise takes the default action (ignored here). */
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGWINCH, &sa, NULL);
    got = 0;
    raise(SIGWINCH);
    printf("resethand first: %d\n", (int)got);
    got = 0;
    raise(SIGWINCH);
    printf("resethand second: %d\n", (int)got);

    /* A blocking read interrupted by SIGALRM: EINTR without SA_RESTART. */
    int fds[2];
    if (pipe(fds) != 0) return 1;
    sa.sa_handler = on_alarm;
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {.tv_usec = 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char c;
    got = 0;
    ssize_t n = read(fds[0], &c, 1);
    printf("read: n=%zd errno=%s got=%d\n", n, n < 0 && errno == EINTR ? "EINTR" : "other", (int)got);

    /* With SA_RESTART the read goes on and returns the byte a child writes later. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    pid_t child = fork();
    if (child == 0) {
        usleep(300000);
        if (write(fds[1], "x", 1) != 1) _exit(1);
        _exit(0);
    }
    setitimer(ITIMER_REAL, &it, NULL);
    got = 0;
    n = read(fds[0], &c, 1);
    printf("restarted read: n=%zd c=%c got=%d\n", n, n == 1 ? c : '?', (int)got);
    waitpid(child, NULL, 0);

    /* ppoll with a temporary mask: SIGUSR2 is blocked except while waiting; the
     * handler runs during the wait (EINTR), and the old mask is back after. */
    sa.sa_handler = on_alarm;
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    int q[2];
    if (pipe(q) != 0) return 1;
    struct pollfd pfd = {.fd = q[0], .events = POLLIN};
    struct timespec ts = {.tv_sec = 5};
    sigset_t none;
    sigemptyset(&none);
    got = 0;
    int pr = ppoll(&pfd, 1, &ts, &none);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("ppoll: r=%d errno=%s got=%d still_blocked=%d\n", pr, pr < 0 && errno == EINTR ? "EINTR" : "other", (int)got,
           sigismember(&now, SIGUSR2));
    waitpid(child, NULL, 0);
    return 0;
}
#else
int main(void) {
    puts("signals inspects the aarch64 ucontext: it runs only on arm64");
    return 0;
}
#endif
