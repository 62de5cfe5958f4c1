/* Integer-bound workload: xorshift-filled buffer hashed with FNV-1a and a
 * multiply-rotate mix, several passes. The optional argument is the number
 * of passes (tests use a small one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (1 << 20) /* 8 MiB */

static uint64_t buf[WORDS];

int main(int argc, char **argv)
{
    int passes = argc > 1 ? atoi(argv[1]) : 72;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    for (size_t i = 0; i < WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = x;
    }

    uint64_t fnv = 0xcbf29ce484222325ULL, mix = 0;
    for (int p = 0; p < passes; p++) {
        for (size_t i = 0; i < WORDS; i++) {
            uint64_t w = buf[i];
            fnv = (fnv ^ (w & 0xff)) * 0x100000001b3ULL;
            fnv = (fnv ^ (w >> 56)) * 0x100000001b3ULL;
            mix += (w ^ (mix >> 29)) * 0xbf58476d1ce4e5b9ULL;
            mix = (mix << 23) | (mix >> 41);
            /* Feed the result back so passes differ. */
            buf[i] = w + (fnv >> 3);
        }
    }
    printf("passes=%d fnv=%016llx mix=%016llx\n", passes, (unsigned long long)fnv, (unsigned long long)mix);
    return 0;
}
