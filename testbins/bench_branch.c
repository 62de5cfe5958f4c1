/* Branch-heavy workload: a switch-dispatched bytecode interpreter running
 * a Collatz program, then a sieve of Eratosthenes. The optional argument
 * scales both (tests use a small one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV2, ODD, JZ, JNZ, JMP, LT, HALT };

struct insn {
    int op, arg;
};

/* Sums the Collatz chain lengths of 1..limit. Variables: 0=i 1=n 2=total 3=limit. */
static const struct insn program[] = {
    /* 0 */ {PUSH, 1},  {STORE, 0},
    /* 2: outer loop */ {LOAD, 0}, {STORE, 1},
    /* 4: inner loop */ {LOAD, 1}, {PUSH, 1}, {SUB, 0}, {JZ, 27},
    /* 8 */ {LOAD, 2}, {PUSH, 1}, {ADD, 0}, {STORE, 2},
    /* 12 */ {LOAD, 1}, {ODD, 0}, {JNZ, 19},
    /* 15: even */ {LOAD, 1}, {DIV2, 0}, {STORE, 1}, {JMP, 4},
    /* 19: odd */ {LOAD, 1}, {PUSH, 3}, {MUL, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 1}, {JMP, 4}, {HALT, 0},
    /* 27: next i */ {LOAD, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 0},
    /* 31 */ {LOAD, 0}, {LOAD, 3}, {LT, 0}, {JNZ, 2},
    /* 35 */ {HALT, 0},
};

static int64_t run(int64_t limit)
{
    int64_t stack[64], vars[4] = {0, 0, 0, limit + 1};
    int sp = 0, pc = 0;
    for (;;) {
        const struct insn *in = &program[pc++];
        switch (in->op) {
        case PUSH: stack[sp++] = in->arg; break;
        case LOAD: stack[sp++] = vars[in->arg]; break;
        case STORE: vars[in->arg] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case DIV2: stack[sp - 1] /= 2; break;
        case ODD: stack[sp - 1] &= 1; break;
        case JZ: if (stack[--sp] == 0) pc = in->arg; break;
        case JNZ: if (stack[--sp] != 0) pc = in->arg; break;
        case JMP: pc = in->arg; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case HALT: return vars[2];
        default: return -1;
        }
    }
}

static long sieve(size_t n)
{
    char *composite = calloc(n + 1, 1);
    if (!composite)
        return -1;
    long count = 0;
    for (size_t i = 2; i <= n; i++) {
        if (composite[i])
            continue;
        count++;
        for (size_t j = i * i; j <= n; j += i)
            composite[j] = 1;
    }
    free(composite);
    return count;
}

int main(int argc, char **argv)
{
    long scale = argc > 1 ? atol(argv[1]) : 60;
    int64_t steps = run(scale * 1000);
    long primes = sieve((size_t)scale * 100000);
    printf("collatz steps up to %ld: %lld\n", scale * 1000, (long long)steps);
    printf("primes up to %ld: %ld\n", scale * 100000, primes);
    return 0;
}
