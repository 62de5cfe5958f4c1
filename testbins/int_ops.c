/* Integer instructions on edge-case inputs: each line prints an instruction's
 * result and the NZCV flags after it, so emu can be compared with
 * qemu-aarch64-static instruction by instruction. On a non-arm64 host (the
 * native build) it only says so. */
#include <stdint.h>
#include <stdio.h>

#if defined(__aarch64__)
static const uint64_t in[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
    0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x5555555555555555ULL, 0xdeadbeefcafef00dULL,
};
#define N (sizeof in / sizeof in[0])

/* Binary op on X registers, with flags. */
#define OP2(name, insn)                                                                     \
    static void name(void) {                                                                \
        uint64_t h = 0;                                                                     \
        for (unsigned i = 0; i < N; i++)                                                    \
            for (unsigned j = 0; j < N; j++) {                                              \
                uint64_t r, f;                                                              \
                __asm__ volatile("msr nzcv, xzr\n" insn "\nmrs %1, nzcv"                    \
                                 : "=&r"(r), "=r"(f) : "r"(in[i]), "r"(in[j]) : "cc");      \
                h = (h ^ r ^ (f >> 28)) * 0x100000001b3ULL;                                 \
                if (i % 5 == 0 && j % 3 == 0)                                               \
                    printf(#name " %llx %llx -> %llx %llx\n", (unsigned long long)in[i],    \
                           (unsigned long long)in[j], (unsigned long long)r,                \
                           (unsigned long long)(f >> 28));                                  \
            }                                                                               \
        printf(#name " hash %016llx\n", (unsigned long long)h);                             \
    }

/* Carry in set, so ADC/SBC see it. */
#define OP2C(name, insn)                                                                    \
    static void name(void) {                                                                \
        uint64_t h = 0;                                                                     \
        for (unsigned i = 0; i < N; i++)                                                    \
            for (unsigned j = 0; j < N; j++) {                                              \
                uint64_t r, f, c = 0x20000000;                                              \
                __asm__ volatile("msr nzcv, %4\n" insn "\nmrs %1, nzcv"                     \
                                 : "=&r"(r), "=r"(f) : "r"(in[i]), "r"(in[j]), "r"(c) : "cc"); \
                h = (h ^ r ^ (f >> 28)) * 0x100000001b3ULL;                                 \
            }                                                                               \
        printf(#name " hash %016llx\n", (unsigned long long)h);                             \
    }

OP2(adds_x, "adds %0, %2, %3")
OP2(subs_x, "subs %0, %2, %3")
OP2(adds_w, "adds %w0, %w2, %w3")
OP2(subs_w, "subs %w0, %w2, %w3")
OP2(ands_x, "ands %0, %2, %3, ror #7")
OP2(bics_w, "bics %w0, %w2, %w3, asr #3")
OP2C(adcs_x, "adcs %0, %2, %3")
OP2C(sbcs_w, "sbcs %w0, %w2, %w3")
OP2(ccmp_x, "cmp %2, #5\nccmp %2, %3, #0xa, ne\ncset %0, lt")
OP2(ccmn_w, "cmp %w2, %w3\nccmn %w2, #3, #5, hi\ncsinc %w0, %w2, %w3, vs")
OP2(csneg_x, "cmp %2, %3\ncsneg %0, %2, %3, ge")
OP2(csinv_w, "tst %w2, %w3\ncsinv %w0, %w2, %w3, eq")
OP2(add_ext, "add %0, %2, %w3, sxtb #2")
OP2(sub_ext, "subs %0, %2, %w3, uxth #4")
OP2(add_sxtw, "add %0, %2, %w3, sxtw")
OP2(lslv_x, "lsl %0, %2, %3")
OP2(asrv_w, "asr %w0, %w2, %w3")
OP2(rorv_x, "ror %0, %2, %3")
OP2(udiv_x, "udiv %0, %2, %3")
OP2(sdiv_x, "sdiv %0, %2, %3")
OP2(sdiv_w, "sdiv %w0, %w2, %w3")
OP2(madd_x, "madd %0, %2, %3, %2")
OP2(msub_w, "msub %w0, %w2, %w3, %w2")
OP2(smulh, "smulh %0, %2, %3")
OP2(umulh, "umulh %0, %2, %3")
OP2(smull, "smull %0, %w2, %w3")
OP2(umsubl, "umsubl %0, %w2, %w3, %2")
OP2(extr_x, "extr %0, %2, %3, #13")
OP2(extr_w, "extr %w0, %w2, %w3, #31")
OP2(crc32b, ".arch_extension crc\ncrc32b %w0, %w2, %w3")
OP2(crc32cx, ".arch_extension crc\ncrc32cx %w0, %w2, %3")
OP2(crc32h, ".arch_extension crc\ncrc32h %w0, %w2, %w3")

/* Unary ops and bitfield moves: r from in[i] (the second operand is ignored). */
OP2(clz_x, "clz %0, %2")
OP2(cls_w, "cls %w0, %w2")
OP2(rbit_x, "rbit %0, %2")
OP2(rev_x, "rev %0, %2")
OP2(rev16_w, "rev16 %w0, %w2")
OP2(rev32_x, "rev32 %0, %2")
OP2(sbfx_x, "sbfx %0, %2, #7, #19")
OP2(ubfx_w, "ubfx %w0, %w2, #3, #29")
OP2(sbfiz_w, "sbfiz %w0, %w2, #5, #9")
OP2(ubfiz_x, "ubfiz %0, %2, #40, #24")
OP2(bfi_x, "mov %0, %3\nbfi %0, %2, #17, #23")
OP2(bfxil_w, "mov %0, %3\nbfxil %w0, %w2, #9, #11")
OP2(asr_imm, "asr %0, %2, #63")
OP2(sxth_w, "sxth %w0, %w2")
OP2(movk, "mov %0, %2\nmovk %0, #0xbeef, lsl #32")
OP2(logic_imm, "eor %0, %2, #0x00ff00ff00ff00ff\nands %0, %0, #0xfffffffffffffff0")
OP2(orn_w, "orn %w0, %w2, %w3, lsl #5")
OP2(eon_x, "eon %0, %2, %3, lsr #60")

/* LSE atomics and exclusives on a memory word initialised to in[i]. */
#define ATOMIC(name, insn)                                                                  \
    static void name(void) {                                                                \
        uint64_t h = 0;                                                                     \
        for (unsigned i = 0; i < N; i++)                                                    \
            for (unsigned j = 0; j < N; j++) {                                              \
                uint64_t mem = in[i], old;                                                  \
                __asm__ volatile(".arch_extension lse\n" insn                               \
                                 : "=&r"(old) : "r"(&mem), "r"(in[j]) : "memory");          \
                h = (h ^ old ^ (mem << 1)) * 0x100000001b3ULL;                              \
            }                                                                               \
        printf(#name " hash %016llx\n", (unsigned long long)h);                             \
    }

ATOMIC(ldadd, "ldadd %2, %0, [%1]")
ATOMIC(ldclral, "ldclral %2, %0, [%1]")
ATOMIC(ldeora_w, "ldeora %w2, %w0, [%1]")
ATOMIC(ldset_h, "ldseth %w2, %w0, [%1]")
ATOMIC(ldsmax, "ldsmax %2, %0, [%1]")
ATOMIC(ldsmin_b, "ldsminb %w2, %w0, [%1]")
ATOMIC(ldumax_w, "ldumax %w2, %w0, [%1]")
ATOMIC(ldumin, "ldumin %2, %0, [%1]")
ATOMIC(swp_b, "swpb %w2, %w0, [%1]")
ATOMIC(cas_x, "mov %0, %2\ncas %0, %2, [%1]")
ATOMIC(casal_w, "ldr %w0, [%1]\ncasal %w0, %w2, [%1]")
ATOMIC(ldxr_stxr, "1: ldxr %0, [%1]\nadd x9, %0, %2\nstxr w10, x9, [%1]\ncbnz w10, 1b")

int main(void) {
    adds_x(); subs_x(); adds_w(); subs_w(); ands_x(); bics_w(); adcs_x(); sbcs_w();
    ccmp_x(); ccmn_w(); csneg_x(); csinv_w(); add_ext(); sub_ext(); add_sxtw();
    lslv_x(); asrv_w(); rorv_x(); udiv_x(); sdiv_x(); sdiv_w(); madd_x(); msub_w();
    smulh(); umulh(); smull(); umsubl(); extr_x(); extr_w(); crc32b(); crc32cx(); crc32h();
    clz_x(); cls_w(); rbit_x(); rev_x(); rev16_w(); rev32_x(); sbfx_x(); ubfx_w();
    sbfiz_w(); ubfiz_x(); bfi_x(); bfxil_w(); asr_imm(); sxth_w(); movk(); logic_imm();
    orn_w(); eon_x();
    ldadd(); ldclral(); ldeora_w(); ldset_h(); ldsmax(); ldsmin_b(); ldumax_w(); ldumin();
    swp_b(); cas_x(); casal_w(); ldxr_stxr();
    return 0;
}
#else
int main(void) {
    puts("int_ops runs only on arm64");
    return 0;
}
#endif
