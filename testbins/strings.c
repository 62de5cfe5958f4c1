/* Runs glibc's string routines (SIMD on AArch64) over every length 0..300
 * at many alignments, compares each result with a plain byte loop, and
 * prints a checksum per routine. Pointers are reported as offsets so the
 * output does not depend on where memory is mapped. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXLEN 300
#define PAD 64
#define BUFSZ (MAXLEN + 2 * PAD + 32)

static unsigned char src[BUFSZ] __attribute__((aligned(64)));
static unsigned char dst[BUFSZ] __attribute__((aligned(64)));
static unsigned char ref[BUFSZ] __attribute__((aligned(64)));

static uint64_t sum;
static unsigned long mismatches;

static void mix(uint64_t v)
{
    sum = (sum ^ v) * 0x100000001b3ULL;
}

static void mix_region(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mix(p[i]);
}

static void check(int ok, const char *what, size_t len, size_t align)
{
    if (!ok) {
        if (mismatches < 10)
            printf("MISMATCH %s len=%zu align=%zu\n", what, len, align);
        mismatches++;
    }
}

/* Fills with nonzero bytes so string functions see no early terminator. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(1 + (seed >> 16) % 255);
    }
}

static long off(const void *p, const void *base)
{
    return p ? (long)((const unsigned char *)p - (const unsigned char *)base) : -1;
}

static void report(const char *name)
{
    printf("%-8s %016llx\n", name, (unsigned long long)sum);
}

static void test_memcpy_memset(void)
{
    sum = 0xcbf29ce484222325ULL;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < 16; a++) {
            size_t sa = (a * 7) % 16;
            fill(src, BUFSZ, (unsigned)(len * 31 + a));
            memset(dst, 0xee, BUFSZ);
            memset(ref, 0xee, BUFSZ);
            void *r = memcpy(dst + PAD + a, src + PAD + sa, len);
            for (size_t i = 0; i < len; i++)
                ref[PAD + a + i] = src[PAD + sa + i];
            check(r == dst + PAD + a && memcmp(dst, ref, BUFSZ) == 0, "memcpy", len, a);
            mix_region(dst + PAD + a - 8, len + 16);
        }
    }
    report("memcpy");

    sum = 0xcbf29ce484222325ULL;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < 16; a++) {
            int c = (int)(len + a) & 0xff;
            memset(dst, 0x11, BUFSZ);
            memset(ref, 0x11, BUFSZ);
            void *r = memset(dst + PAD + a, c, len);
            for (size_t i = 0; i < len; i++)
                ref[PAD + a + i] = (unsigned char)c;
            check(r == dst + PAD + a && memcmp(dst, ref, BUFSZ) == 0, "memset", len, a);
            mix_region(dst + PAD + a - 8, len + 16);
        }
    }
    report("memset");
}

static void test_memmove(void)
{
    sum = 0xcbf29ce484222325ULL;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (int shift = -17; shift <= 17; shift += 3) {
            fill(dst, BUFSZ, (unsigned)(len + (size_t)(shift + 20)));
            memcpy(ref, dst, BUFSZ);
            unsigned char *from = dst + PAD + 8, *to = from + shift;
            memmove(to, from, len);
            /* Reference copy through a temporary handles either overlap. */
            unsigned char tmp[MAXLEN];
            for (size_t i = 0; i < len; i++)
                tmp[i] = ref[PAD + 8 + i];
            for (size_t i = 0; i < len; i++)
                ref[PAD + 8 + shift + i] = tmp[i];
            check(memcmp(dst, ref, BUFSZ) == 0, "memmove", len, (size_t)(shift + 17));
            mix_region(dst + PAD - 16, len + 48);
        }
    }
    report("memmove");
}

static void test_search(void)
{
    uint64_t s_strlen = 0xcbf29ce484222325ULL, s_strchr = s_strlen, s_strrchr = s_strlen, s_memchr = s_strlen;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < 16; a++) {
            unsigned char *s = src + PAD + a;
            fill(src, BUFSZ, (unsigned)(len * 17 + a));
            s[len] = 0;
            /* Plant a needle byte at a position that depends on len. */
            unsigned char needle = 0;
            if (len > 0) {
                needle = s[(len * 5) % len];
            }

            sum = s_strlen;
            size_t n = strlen((char *)s);
            check(n == len, "strlen", len, a);
            mix(n);
            s_strlen = sum;

            sum = s_strchr;
            const char *c = strchr((char *)s, needle);
            const unsigned char *rc = NULL;
            for (size_t i = 0; i <= len; i++)
                if (s[i] == needle) {
                    rc = s + i;
                    break;
                }
            check((const unsigned char *)c == rc, "strchr", len, a);
            mix((uint64_t)off(c, s));
            mix((uint64_t)off(strchr((char *)s, 0), s));
            s_strchr = sum;

            sum = s_strrchr;
            const char *rr = strrchr((char *)s, needle);
            const unsigned char *rrc = NULL;
            for (size_t i = 0; i <= len; i++)
                if (s[i] == needle)
                    rrc = s + i;
            check((const unsigned char *)rr == rrc, "strrchr", len, a);
            mix((uint64_t)off(rr, s));
            s_strrchr = sum;

            sum = s_memchr;
            /* Search for a byte that is absent and for one that is present. */
            const void *m1 = memchr(s, 0, len);
            const void *m2 = len ? memchr(s, s[len - 1], len) : NULL;
            const unsigned char *r2 = NULL;
            for (size_t i = 0; i < len; i++)
                if (s[i] == s[len - 1]) {
                    r2 = s + i;
                    break;
                }
            check(m1 == NULL && m2 == r2, "memchr", len, a);
            mix((uint64_t)off(m1, s));
            mix((uint64_t)off(m2, s));
            s_memchr = sum;
        }
    }
    sum = s_strlen;
    report("strlen");
    sum = s_strchr;
    report("strchr");
    sum = s_strrchr;
    report("strrchr");
    sum = s_memchr;
    report("memchr");
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_compare(void)
{
    uint64_t s_strcmp = 0xcbf29ce484222325ULL, s_memcmp = s_strcmp;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < 16; a++) {
            unsigned char *x = src + PAD + a, *y = dst + PAD + (a * 5) % 16;
            fill(x, len + 1, (unsigned)(len + a));
            memcpy(y, x, len + 1);
            x[len] = y[len] = 0;
            /* Three cases: equal, differ at some position, one is a prefix. */
            for (int k = 0; k < 3; k++) {
                size_t pos = len ? (len * 3 + a) % len : 0;
                if (k == 1 && len) {
                    y[pos] = (unsigned char)(x[pos] == 0xff ? 1 : x[pos] + 1);
                }
                if (k == 2 && len) {
                    y[pos] = x[pos];
                    y[len - 1] = 0;
                }
                int expect = 0;
                for (size_t i = 0;; i++) {
                    if (x[i] != y[i] || x[i] == 0) {
                        expect = sign((int)x[i] - (int)y[i]);
                        break;
                    }
                }
                int got = sign(strcmp((char *)x, (char *)y));
                check(got == expect, "strcmp", len, a);
                sum = s_strcmp;
                mix((uint64_t)(got + 1));
                s_strcmp = sum;

                int mexp = 0;
                for (size_t i = 0; i < len; i++)
                    if (x[i] != y[i]) {
                        mexp = sign((int)x[i] - (int)y[i]);
                        break;
                    }
                int mgot = sign(memcmp(x, y, len));
                check(mgot == mexp, "memcmp", len, a);
                sum = s_memcmp;
                mix((uint64_t)(mgot + 1));
                s_memcmp = sum;
            }
        }
    }
    sum = s_strcmp;
    report("strcmp");
    sum = s_memcmp;
    report("memcmp");
}

static void test_strstr(void)
{
    sum = 0xcbf29ce484222325ULL;
    /* A small alphabet makes partial matches common. */
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t nlen = 1; nlen <= 9; nlen += 2) {
            char *hay = (char *)src + PAD + (len % 16);
            unsigned seed = (unsigned)(len * 13 + nlen);
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                hay[i] = (char)('a' + (seed >> 16) % 3);
            }
            hay[len] = 0;
            char needle[16];
            for (size_t i = 0; i < nlen; i++) {
                seed = seed * 1103515245u + 12345u;
                needle[i] = (char)('a' + (seed >> 16) % 3);
            }
            needle[nlen] = 0;
            const char *got = strstr(hay, needle);
            const char *expect = NULL;
            for (size_t i = 0; i + nlen <= len && !expect; i++)
                if (memcmp(hay + i, needle, nlen) == 0)
                    expect = hay + i;
            check(got == expect, "strstr", len, nlen);
            mix((uint64_t)off(got, hay));
        }
    }
    report("strstr");
}

int main(void)
{
    test_memcpy_memset();
    test_memmove();
    test_search();
    test_compare();
    test_strstr();
    printf("mismatches: %lu\n", mismatches);
    return mismatches ? 1 : 0;
}
