// cflags: -O3 -march=armv8.2-a+crypto+dotprod
// Auto-vectorised numeric kernels, string work, sorting and hashing, and AES,
// SHA-1, SHA-256, PMULL, SDOT/UDOT and SQRDMLAH through the ACLE intrinsics,
// each checked against a known answer (FIPS 197, FIPS 180) or a scalar
// reference. Prints one line per kernel.
#include <arm_acle.h>
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4099

static int8_t a8[N], b8[N];
static uint8_t u8a[N], u8b[N];
static float fa[N], fb[N];
static int16_t s16[N];

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

// Auto-vectorised: SDOT/UDOT, FMLA, SMLAL, saturating narrowing, min/max.
__attribute__((noinline)) static int32_t dot_s8(const int8_t *a, const int8_t *b, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
__attribute__((noinline)) static uint32_t dot_u8(const uint8_t *a, const uint8_t *b, int n) {
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
__attribute__((noinline)) static void saxpy(float *y, const float *x, float k, int n) {
    for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i];
}
__attribute__((noinline)) static int64_t sum_sq16(const int16_t *x, int n) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += (int32_t)x[i] * x[i];
    return s;
}
__attribute__((noinline)) static void clamp_u8(uint8_t *out, const int16_t *x, int n) {
    for (int i = 0; i < n; i++) out[i] = x[i] < 0 ? 0 : x[i] > 255 ? 255 : x[i];
}
__attribute__((noinline)) static void matmul(float *c, const float *a, const float *b, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float s = 0;
            for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
            c[i * n + j] = s;
        }
}

// String work: vectorised byte loops, and libc's hand-written routines.
__attribute__((noinline)) static void upcase(char *s, int n) {
    for (int i = 0; i < n; i++) s[i] = (s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i];
}
__attribute__((noinline)) static int count_char(const char *s, int n, char c) {
    int k = 0;
    for (int i = 0; i < n; i++) k += s[i] == c;
    return k;
}

static int cmp_int(const void *x, const void *y) {
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

__attribute__((noinline)) static uint64_t fnv1a(const uint8_t *p, int n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

__attribute__((noinline)) static uint32_t crc32c(const uint8_t *p, int n) {
    uint32_t c = ~0u;
    for (int i = 0; i < n; i++) c = __crc32cb(c, p[i]);
    return ~c;
}

static void hex(const char *label, const uint8_t *p, int n) {
    printf("%s ", label);
    for (int i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}

// AES-128 with AESE/AESMC and AESD/AESIMC; the key schedule's SubWord is an
// AESE with a zero key on a register of four equal words (ShiftRows is then
// the identity).
static uint32_t sub_word(uint32_t w) {
    uint8x16_t v = vreinterpretq_u8_u32(vdupq_n_u32(w));
    return vgetq_lane_u32(vreinterpretq_u32_u8(vaeseq_u8(v, vdupq_n_u8(0))), 0);
}

static void aes128_expand(const uint8_t key[16], uint8x16_t rk[11]) {
    uint32_t w[44];
    static const uint8_t rcon[10] = {1, 2, 4, 8, 16, 32, 64, 128, 0x1b, 0x36};
    memcpy(w, key, 16);
    for (int i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) t = sub_word((t >> 8) | (t << 24)) ^ rcon[i / 4 - 1];
        w[i] = w[i - 4] ^ t;
    }
    for (int r = 0; r < 11; r++) rk[r] = vld1q_u8((const uint8_t *)&w[4 * r]);
}

static uint8x16_t aes128_encrypt(uint8x16_t s, const uint8x16_t rk[11]) {
    for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    return veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
}

static uint8x16_t aes128_decrypt(uint8x16_t s, const uint8x16_t rk[11]) {
    s = vaesimcq_u8(vaesdq_u8(s, rk[10]));
    for (int r = 9; r > 1; r--) s = vaesimcq_u8(vaesdq_u8(s, vaesimcq_u8(rk[r])));
    return veorq_u8(vaesdq_u8(s, vaesimcq_u8(rk[1])), rk[0]);
}

static uint32x4_t load_be(const uint8_t *p) {
    return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

// One 64-byte block of SHA-256 (FIPS 180-4) with SHA256H/H2/SU0/SU1.
static void sha256_block(uint32_t st[8], const uint8_t *blk) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32x4_t s0 = vld1q_u32(st), s1 = vld1q_u32(st + 4), a0 = s0, a1 = s1;
    uint32x4_t m[4] = {load_be(blk), load_be(blk + 16), load_be(blk + 32), load_be(blk + 48)};
    for (int i = 0; i < 16; i++) {
        uint32x4_t wk = vaddq_u32(m[i & 3], vld1q_u32(K + 4 * i)), abcd = s0;
        s0 = vsha256hq_u32(s0, s1, wk);
        s1 = vsha256h2q_u32(s1, abcd, wk);
        if (i < 12) m[i & 3] = vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]), m[(i + 2) & 3], m[(i + 3) & 3]);
    }
    vst1q_u32(st, vaddq_u32(s0, a0));
    vst1q_u32(st + 4, vaddq_u32(s1, a1));
}

// One block of SHA-1 with SHA1C/P/M/H/SU0/SU1.
static void sha1_block(uint32_t st[5], const uint8_t *blk) {
    uint32x4_t abcd = vld1q_u32(st), save = abcd;
    uint32_t e = st[4];
    uint32x4_t m[4] = {load_be(blk), load_be(blk + 16), load_be(blk + 32), load_be(blk + 48)};
    for (int i = 0; i < 20; i++) {
        uint32_t k = i < 5 ? 0x5a827999 : i < 10 ? 0x6ed9eba1 : i < 15 ? 0x8f1bbcdc : 0xca62c1d6;
        uint32x4_t wk = vaddq_u32(m[i & 3], vdupq_n_u32(k));
        uint32_t e1 = vsha1h_u32(vgetq_lane_u32(abcd, 0));
        abcd = i < 5 ? vsha1cq_u32(abcd, e, wk) : (i < 10 || i >= 15) ? vsha1pq_u32(abcd, e, wk) : vsha1mq_u32(abcd, e, wk);
        e = e1;
        if (i < 16) m[i & 3] = vsha1su1q_u32(vsha1su0q_u32(m[i & 3], m[(i + 1) & 3], m[(i + 2) & 3]), m[(i + 3) & 3]);
    }
    vst1q_u32(st, vaddq_u32(abcd, save));
    st[4] += e;
}

// The padded single block of a message shorter than 56 bytes.
static void pad_block(uint8_t blk[64], const char *msg) {
    size_t n = strlen(msg);
    memset(blk, 0, 64);
    memcpy(blk, msg, n);
    blk[n] = 0x80;
    blk[63] = (uint8_t)(n * 8);
    blk[62] = (uint8_t)(n * 8 >> 8);
}

static void print_words(const char *label, const uint32_t *w, int n) {
    printf("%s ", label);
    for (int i = 0; i < n; i++) printf("%08x", w[i]);
    printf("\n");
}

static unsigned __int128 clmul_ref(uint64_t a, uint64_t b) {
    unsigned __int128 r = 0;
    for (int i = 0; i < 64; i++)
        if (b >> i & 1) r ^= (unsigned __int128)a << i;
    return r;
}

int main(void) {
    for (int i = 0; i < N; i++) {
        a8[i] = (int8_t)rnd();
        b8[i] = (int8_t)rnd();
        u8a[i] = (uint8_t)rnd();
        u8b[i] = (uint8_t)rnd();
        fa[i] = (float)(int)(rnd() % 2001 - 1000) / 64.0f;
        fb[i] = (float)(int)(rnd() % 2001 - 1000) / 32.0f;
        s16[i] = (int16_t)rnd();
    }
    printf("dot_s8 %d\n", dot_s8(a8, b8, N));
    printf("dot_u8 %u\n", dot_u8(u8a, u8b, N));
    saxpy(fb, fa, 1.5f, N);
    double fs = 0;
    for (int i = 0; i < N; i++) fs += fb[i];
    printf("saxpy %.4f\n", fs);
    printf("sum_sq16 %lld\n", (long long)sum_sq16(s16, N));
    static uint8_t clamped[N];
    clamp_u8(clamped, s16, N);
    printf("clamp_u8 %016llx\n", (unsigned long long)fnv1a(clamped, N));
    static float ma[32 * 32], mb[32 * 32], mc[32 * 32];
    for (int i = 0; i < 32 * 32; i++) ma[i] = fa[i], mb[i] = fb[i + 7];
    matmul(mc, ma, mb, 32);
    double ms = 0;
    for (int i = 0; i < 32 * 32; i++) ms += mc[i] * (i % 7 + 1);
    printf("matmul %.3f\n", ms);

    static char text[N + 1];
    for (int i = 0; i < N; i++) text[i] = "the quick brown fox jumps over the lazy dog, 0123456789\n"[i % 56];
    upcase(text, N);
    printf("upcase %.44s count_O %d strlen %zu\n", text, count_char(text, N, 'O'), strlen(text));
    printf("strchr %td memcmp %d\n", strchr(text, 'Z') - text, memcmp(text, text + 56, N - 56) == 0);

    static int sorted[N];
    for (int i = 0; i < N; i++) sorted[i] = (int)(rnd() % 100000) - 50000;
    qsort(sorted, N, sizeof(int), cmp_int);
    int ok = 1;
    for (int i = 1; i < N; i++) ok &= sorted[i - 1] <= sorted[i];
    printf("qsort ok=%d min %d median %d max %d\n", ok, sorted[0], sorted[N / 2], sorted[N - 1]);
    printf("fnv1a %016llx crc32c %08x\n", (unsigned long long)fnv1a(u8a, N), crc32c(u8a, N));
    printf("crc32c(123456789) %08x\n", crc32c((const uint8_t *)"123456789", 9));

    // FIPS 197 appendix B.
    static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
    static const uint8_t pt[16] = {0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d,
                                   0x31, 0x31, 0x98, 0xa2, 0xe0, 0x37, 0x07, 0x34};
    uint8x16_t rk[11];
    aes128_expand(key, rk);
    uint8_t out[16], back[16];
    uint8x16_t ct = aes128_encrypt(vld1q_u8(pt), rk);
    vst1q_u8(out, ct);
    vst1q_u8(back, aes128_decrypt(ct, rk));
    hex("aes128", out, 16);
    printf("aes128 decrypt ok=%d\n", memcmp(back, pt, 16) == 0);

    uint8_t blk[64];
    uint32_t h256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    pad_block(blk, "abc");
    sha256_block(h256, blk);
    print_words("sha256(abc)", h256, 8);
    uint32_t h1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    sha1_block(h1, blk);
    print_words("sha1(abc)", h1, 5);

    int pm = 1;
    for (int i = 0; i < 64; i++) {
        uint64_t x = (uint64_t)rnd() << 32 | rnd(), y = (uint64_t)rnd() << 32 | rnd();
        unsigned __int128 want = clmul_ref(x, y);
        poly128_t got = vmull_p64(x, y);
        pm &= memcmp(&got, &want, 16) == 0;
    }
    poly8x8_t p8 = vmul_p8(vcreate_p8(0x0102030405060708ull), vcreate_p8(0x8070605040302010ull));
    poly16x8_t p16 = vmull_p8(vcreate_p8(0xff7f3f1f0f070301ull), vcreate_p8(0x0303030303030303ull));
    printf("pmull64 ok=%d pmul %016llx pmull8 %016llx%016llx\n", pm, (unsigned long long)vget_lane_u64(vreinterpret_u64_p8(p8), 0),
           (unsigned long long)vgetq_lane_u64(vreinterpretq_u64_p16(p16), 1),
           (unsigned long long)vgetq_lane_u64(vreinterpretq_u64_p16(p16), 0));

    int32x4_t d = vdotq_s32(vdupq_n_s32(100), vld1q_s8(a8), vld1q_s8(b8));
    uint32x4_t du = vdotq_laneq_u32(vdupq_n_u32(7), vld1q_u8(u8a), vld1q_u8(u8b), 3);
    printf("sdot %d %d %d %d udot_lane %u %u\n", vgetq_lane_s32(d, 0), vgetq_lane_s32(d, 1), vgetq_lane_s32(d, 2),
           vgetq_lane_s32(d, 3), vgetq_lane_u32(du, 0), vgetq_lane_u32(du, 3));
    int16x8_t q = vqrdmlahq_s16(vld1q_s16(s16), vld1q_s16(s16 + 8), vld1q_s16(s16 + 16));
    int16x8_t q2 = vqrdmlshq_laneq_s16(vld1q_s16(s16 + 24), vld1q_s16(s16 + 32), vld1q_s16(s16 + 40), 5);
    int32x4_t ql = vqdmull_s16(vld1_s16(s16 + 48), vdup_n_s16(-32768));
    printf("sqrdmlah %d %d %d sqrdmlsh %d %d sqdmull %d %d\n", vgetq_lane_s16(q, 0), vgetq_lane_s16(q, 3),
           vgetq_lane_s16(q, 7), vgetq_lane_s16(q2, 1), vgetq_lane_s16(q2, 6), vgetq_lane_s32(ql, 0),
           vgetq_lane_s32(ql, 2));
    int8x16_t sh = vqshlq_s8(vld1q_s8(a8), vld1q_s8(b8 + 32));
    uint16x8_t ush = vqrshlq_u16(vld1q_u16((const uint16_t *)s16), vdupq_n_s16(3));
    float32x4_t est = vrecpeq_f32(vld1q_f32(fa + 1));
    float32x4_t rs = vrsqrteq_f32(vabsq_f32(vld1q_f32(fb + 1)));
    printf("sqshl %d %d uqrshl %u recpe %a rsqrte %a\n", vgetq_lane_s8(sh, 0), vgetq_lane_s8(sh, 9), vgetq_lane_u16(ush, 2),
           vgetq_lane_f32(est, 1), vgetq_lane_f32(rs, 2));
    return 0;
}
