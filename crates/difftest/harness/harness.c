// The differential tester's guest side: reads cases (an instruction word and a
// whole register state) from stdin, runs each instruction once in an RWX page,
// and writes the state it leaves to stdout. The same batch runs under
// qemu-aarch64-static and under emu; crates/difftest compares the outputs.
// Layouts must match crates/difftest/src/case.rs.

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define SCRATCH_ADDR 0x10000000UL
#define SCRATCH_WORDS 512
#define MAX_MEM 16
#define FLAG_MEM 1u

struct case_in {
    uint32_t insn, flags, nzcv, fpcr;
    uint64_t x[31], sp;
    __uint128_t v[32];
    uint64_t mem_seed, pad;
};

struct case_out {
    uint32_t status, nzcv, fpsr, fpcr;
    uint64_t x[31], sp;
    __uint128_t v[32];
    uint32_t nmem, pad[3];
    uint64_t mem[MAX_MEM][2];
};

_Static_assert(sizeof(struct case_in) == 800, "case_in layout");
_Static_assert(sizeof(struct case_out) == 1056, "case_out layout");

extern uint32_t test_page[];
extern void run_case(const struct case_in *in, struct case_out *out);
extern char run_case_after[];

static sigjmp_buf recover;

// A fault in the test instruction (qemu: an encoding it rejects, or an alignment
// fault) ends that case only; anything else is a harness bug and stays fatal.
static void on_fault(int sig, siginfo_t *info, void *ctx) {
    (void)info;
    uint64_t pc = ((ucontext_t *)ctx)->uc_mcontext.pc;
    if (pc >= (uint64_t)test_page && pc < (uint64_t)test_page + 4096)
        siglongjmp(recover, sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void fill(uint64_t *mem, uint64_t seed) {
    for (int i = 0; i < SCRATCH_WORDS; i++)
        mem[i] = splitmix(&seed);
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

int main(void) {
    uint64_t *scratch = mmap((void *)SCRATCH_ADDR, SCRATCH_WORDS * 8, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (scratch != (uint64_t *)SCRATCH_ADDR)
        die("difftest_harness: mmap scratch");
    if (mprotect(test_page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
        die("difftest_harness: mprotect");
    // Slot 1 jumps back to run_case_after: B with a 26-bit word offset.
    int64_t off = (run_case_after - (char *)&test_page[1]) / 4;
    test_page[1] = 0x14000000u | ((uint32_t)off & 0x3ffffffu);

    // Unbuffered: if the emulator dies, every finished case has been written, so
    // the tester knows exactly which case killed it.
    setvbuf(stdout, NULL, _IONBF, 0);

    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    if (sigaltstack(&ss, NULL) != 0)
        die("difftest_harness: sigaltstack");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0)
            die("difftest_harness: sigaction");

    static struct case_in in;
    static struct case_out out;
    static uint64_t expect[SCRATCH_WORDS];
    while (fread(&in, sizeof in, 1, stdin) == 1) {
        memset(&out, 0, sizeof out);
        test_page[0] = in.insn;
        __builtin___clear_cache((char *)test_page, (char *)&test_page[2]);
        if (in.flags & FLAG_MEM)
            fill(scratch, in.mem_seed);
        int sig = sigsetjmp(recover, 1);
        if (sig == 0) {
            run_case(&in, &out);
        } else {
            __asm__ volatile("msr fpcr, xzr\n\tmsr fpsr, xzr");
            memset(&out, 0, sizeof out);
            out.status = (uint32_t)sig;
        }
        if ((in.flags & FLAG_MEM) && sig == 0) {
            fill(expect, in.mem_seed);
            for (int i = 0; i < SCRATCH_WORDS; i++) {
                if (scratch[i] != expect[i]) {
                    if (out.nmem < MAX_MEM) {
                        out.mem[out.nmem][0] = (uint64_t)i;
                        out.mem[out.nmem][1] = scratch[i];
                    }
                    out.nmem++;
                }
            }
        }
        if (fwrite(&out, sizeof out, 1, stdout) != 1)
            die("difftest_harness: write");
    }
    if (fflush(stdout) != 0)
        die("difftest_harness: flush");
    return 0;
}
