// cflags: -O2 -march=armv8.2-a -mno-outline-atomics
// Threads hammering shared counters with LDXR/STXR and LDAXP/STLXP loops, LSE
// atomics (LDADD, LDEOR, LDSMAX, SWP) and CAS/CASP retry loops: every total must
// be exact, and a SWP spin lock must keep a plain counter exact.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 6
#define ITERS 20000

static uint64_t ll_sc, lse_add, cas_count, locked_plain, eor_acc;
static int64_t smax = INT64_MIN;
static uint32_t lock_word;
static uint32_t cas32;
static unsigned __int128 pair __attribute__((aligned(16)));
static uint64_t casp_pair[2] __attribute__((aligned(16)));

static void ldxr_stxr_add(uint64_t *p, uint64_t v) {
    uint64_t old, status;
    __asm__ volatile("1: ldxr %0, [%2]\n"
                     "   add %0, %0, %3\n"
                     "   stxr %w1, %0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(old), "=&r"(status)
                     : "r"(p), "r"(v)
                     : "memory");
}

/* Both halves of a 128-bit pair incremented together (LDAXP/STLXP). */
static void ldxp_stxp_inc(unsigned __int128 *p) {
    uint64_t lo, hi, status;
    __asm__ volatile("1: ldaxp %0, %1, [%3]\n"
                     "   add %0, %0, #1\n"
                     "   add %1, %1, #2\n"
                     "   stlxp %w2, %0, %1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status)
                     : "r"(p)
                     : "memory");
}

static void lse_ldadd(uint64_t *p, uint64_t v) {
    __asm__ volatile("ldaddal %0, xzr, [%1]" : : "r"(v), "r"(p) : "memory");
}

static void cas_inc(uint64_t *p) {
    uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t seen = old;
        __asm__ volatile("casal %0, %2, [%1]" : "+r"(seen) : "r"(p), "r"(old + 1) : "memory");
        if (seen == old) return;
        old = seen;
    }
}

static void casp_inc(uint64_t *p) {
    for (;;) {
        register uint64_t x0 __asm__("x0") = p[0], x1 __asm__("x1") = p[1];
        uint64_t e0 = x0, e1 = x1;
        register uint64_t x2 __asm__("x2") = e0 + 1, x3 __asm__("x3") = e1 + 3;
        __asm__ volatile("caspal x0, x1, x2, x3, [%2]" : "+r"(x0), "+r"(x1) : "r"(p), "r"(x2), "r"(x3) : "memory");
        if (x0 == e0 && x1 == e1) return;
    }
}

static void spin_lock(uint32_t *l) {
    uint32_t one = 1, old;
    for (;;) {
        __asm__ volatile("swpa %w1, %w0, [%2]" : "=r"(old) : "r"(one), "r"(l) : "memory");
        if (old == 0) return;
        while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
        }
    }
}

static void spin_unlock(uint32_t *l) {
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static void *worker(void *arg) {
    uint64_t id = (uint64_t)(uintptr_t)arg;
    for (int i = 0; i < ITERS; i++) {
        ldxr_stxr_add(&ll_sc, 3);
        lse_ldadd(&lse_add, id + 1);
        cas_inc(&cas_count);
        __atomic_fetch_add(&cas32, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_xor(&eor_acc, (uint64_t)1 << (i % 64), __ATOMIC_RELAXED);
        int64_t v = (int64_t)(id * ITERS + i) - 50000;
        __asm__ volatile("ldsmax %0, xzr, [%1]" : : "r"(v), "r"(&smax) : "memory");
        if (i % 4 == 0) {
            ldxp_stxp_inc(&pair);
            casp_inc(casp_pair);
        }
        spin_lock(&lock_word);
        locked_plain++;
        spin_unlock(&lock_word);
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (uint64_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    uint64_t lse_want = 0;
    for (int i = 0; i < THREADS; i++) lse_want += (uint64_t)(i + 1) * ITERS;
    printf("ldxr/stxr %llu (want %llu)\n", (unsigned long long)ll_sc, 3ull * THREADS * ITERS);
    printf("ldadd %llu (want %llu)\n", (unsigned long long)lse_add, (unsigned long long)lse_want);
    printf("cas %llu (want %llu)\n", (unsigned long long)cas_count, (unsigned long long)THREADS * ITERS);
    printf("ldadd32 %u (want %u)\n", cas32, THREADS * ITERS);
    printf("ldeor %llx (want 0)\n", (unsigned long long)eor_acc);
    printf("ldsmax %lld (want %lld)\n", (long long)smax, (long long)(THREADS - 1) * ITERS + ITERS - 1 - 50000);
    printf("ldaxp/stlxp %llu %llu (want %d %d)\n", (unsigned long long)(uint64_t)pair,
           (unsigned long long)(uint64_t)(pair >> 64), THREADS * ITERS / 4, 2 * THREADS * ITERS / 4);
    printf("casp %llu %llu (want %d %d)\n", (unsigned long long)casp_pair[0], (unsigned long long)casp_pair[1],
           THREADS * ITERS / 4, 3 * THREADS * ITERS / 4);
    printf("swp_lock %llu (want %d)\n", (unsigned long long)locked_plain, THREADS * ITERS);
    return 0;
}
