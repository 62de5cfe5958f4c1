/* Heap stress: many malloc/calloc/realloc/free calls of mixed sizes, some
 * above glibc's 128 KiB mmap threshold, with every block's contents
 * verified before it is resized or freed. Exercises brk, mmap, mremap
 * and munmap in the emulator. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define OPS 20000

struct slot {
    unsigned char *p;
    size_t size;
    unsigned char tag;
};

static struct slot slots[SLOTS];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned long failures;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t pick_size(void)
{
    uint64_t r = next() % 1000;
    if (r < 600)
        return 1 + next() % 256;
    if (r < 950)
        return 257 + next() % 16384;
    if (r < 995)
        return 16641 + next() % 100000;
    return (128 << 10) + next() % (512 << 10); /* above the mmap threshold */
}

static void fill(struct slot *s, size_t from)
{
    for (size_t i = from; i < s->size; i++)
        s->p[i] = (unsigned char)(s->tag + i * 7);
}

/* Large blocks are sampled so the test stays quick under emulation. */
static int verify(const struct slot *s, size_t upto)
{
    size_t step = upto > 65536 ? 61 : 1;
    for (size_t i = 0; i < upto; i += step)
        if (s->p[i] != (unsigned char)(s->tag + i * 7))
            return 0;
    if (upto && s->p[upto - 1] != (unsigned char)(s->tag + (upto - 1) * 7))
        return 0;
    return 1;
}

static void check(int ok, const char *what, int op)
{
    if (!ok) {
        if (failures < 10)
            printf("FAILED %s at op %d\n", what, op);
        failures++;
    }
}

int main(void)
{
    uint64_t checksum = 0;
    /* A fixed threshold stops glibc from raising it after the first
     * munmap, so every big block really is mmapped. */
    mallopt(M_MMAP_THRESHOLD, 128 << 10);
    unsigned long n_malloc = 0, n_calloc = 0, n_realloc = 0, n_free = 0, big = 0;

    for (int op = 0; op < OPS; op++) {
        struct slot *s = &slots[next() % SLOTS];
        uint64_t action = next() % 10;
        if (s->p && action < 4) {
            check(verify(s, s->size), "verify before free", op);
            free(s->p);
            s->p = NULL;
            n_free++;
        } else if (s->p && action < 7) {
            size_t old = s->size, size = pick_size();
            unsigned char *p = realloc(s->p, size);
            check(p != NULL, "realloc", op);
            if (!p)
                continue;
            s->p = p;
            s->size = size;
            check(verify(s, old < size ? old : size), "verify after realloc", op);
            fill(s, old < size ? old : size);
            n_realloc++;
        } else if (!s->p) {
            s->size = pick_size();
            s->tag = (unsigned char)next();
            if (action < 2) {
                s->p = calloc(1, s->size);
                check(s->p != NULL, "calloc", op);
                if (!s->p)
                    continue;
                int zero = 1;
                for (size_t i = 0; i < s->size; i += (s->size > 65536 ? 61 : 1))
                    zero &= s->p[i] == 0;
                check(zero, "calloc zeroed", op);
                n_calloc++;
            } else {
                s->p = malloc(s->size);
                check(s->p != NULL, "malloc", op);
                if (!s->p)
                    continue;
                n_malloc++;
            }
            check(((uintptr_t)s->p & 15) == 0, "16-byte alignment", op);
            big += s->size >= (128 << 10);
            fill(s, 0);
        }
        if (s->p)
            checksum = (checksum ^ s->size ^ s->p[s->size / 2]) * 0x100000001b3ULL;
    }

    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            check(verify(&slots[i], slots[i].size), "verify at end", OPS + i);
            free(slots[i].p);
        }
    }
    printf("malloc=%lu calloc=%lu realloc=%lu free=%lu big=%lu\n", n_malloc, n_calloc, n_realloc, n_free, big);
    printf("checksum=%016llx\n", (unsigned long long)checksum);
    printf("failures=%lu\n", failures);
    return failures ? 1 : 0;
}
