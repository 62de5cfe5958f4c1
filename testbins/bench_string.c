/* String workload: records formatted with snprintf, then scanned with
 * strlen, strchr, strrchr, memchr, strstr, strcmp and memcmp, and a long text
 * searched for several needles; a checksum of every result is printed. The
 * optional argument is the number of passes (tests use a small one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDS 4096
#define WIDTH 96

static char records[RECORDS][WIDTH];
static char text[RECORDS * WIDTH];

static const char *const words[16] = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
};

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ULL;
}

/* The C library only promises the sign of a comparison. */
static uint64_t sign(int r)
{
    return (uint64_t)((r > 0) - (r < 0) + 1);
}

static uint64_t offset(const char *s, const char *p)
{
    return p ? (uint64_t)(p - s) + 1 : 0;
}

int main(int argc, char **argv)
{
    int passes = argc > 1 ? atoi(argv[1]) : 120;
    uint64_t h = 0xcbf29ce484222325ULL;
    static const char *const needles[] = {"lima-mike", "=oscar/", "papa:0", "zulu", "echo-echo:1"};

    for (int p = 0; p < passes; p++) {
        for (int i = 0; i < RECORDS; i++) {
            uint64_t r = next();
            snprintf(records[i], WIDTH, "%s-%s:%05u=%s/%x;%s", words[r & 15], words[(r >> 4) & 15],
                     (unsigned)((r >> 8) % 100000), words[(r >> 28) & 15], (unsigned)(r >> 32) & 0xfff,
                     p & 1 ? "odd" : "even");
        }

        size_t used = 0;
        for (int i = 0; i < RECORDS; i++) {
            const char *s = records[i];
            const char *other = records[(i * 7 + 1) % RECORDS];
            size_t len = strlen(s);
            h = mix(h, len);
            h = mix(h, offset(s, strchr(s, '=')));
            h = mix(h, offset(s, strrchr(s, ';')));
            h = mix(h, offset(s, memchr(s, ':', len)));
            h = mix(h, offset(s, strstr(s, "lima")));
            h = mix(h, sign(strcmp(s, other)));
            h = mix(h, sign(memcmp(s, other, 6)));
            memcpy(text + used, s, len);
            used += len;
            text[used++] = '\n';
        }
        text[used - 1] = '\0';

        for (size_t n = 0; n < sizeof needles / sizeof *needles; n++) {
            size_t hits = 0;
            for (const char *at = strstr(text, needles[n]); at; at = strstr(at + 1, needles[n])) {
                hits++;
                h = mix(h, (uint64_t)(at - text));
            }
            h = mix(h, hits);
        }
    }
    printf("passes=%d checksum=%016llx\n", passes, (unsigned long long)h);
    return 0;
}
