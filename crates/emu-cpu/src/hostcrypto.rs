//! Arm's AES rounds, SHA-1 and SHA-256 rounds and schedule updates, 64-bit
//! polynomial multiply and CRC32C on the host's AES-NI, SHA, PCLMULQDQ and SSE4.2
//! CRC32 instructions, where the host has them (`None` otherwise: the callers
//! then compute in software). Both architectures keep the AES state in
//! the same order, byte 4c + r being row r of column c, so a vector register's
//! 128 bits go into an XMM register as they are.

use std::arch::x86_64::*;

// Only called from the functions below, whose target features include SSE2.
#[target_feature(enable = "sse2")]
fn to_xmm(v: u128) -> __m128i {
    _mm_set_epi64x((v >> 64) as i64, v as i64)
}

#[target_feature(enable = "sse2")]
fn from_xmm(x: __m128i) -> u128 {
    let lo = _mm_cvtsi128_si64(x) as u64;
    let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x)) as u64;
    (hi as u128) << 64 | lo as u128
}

#[inline(always)]
fn has_aes() -> bool {
    std::arch::is_x86_feature_detected!("aes")
}

#[target_feature(enable = "aes")]
fn sub_shift_aesni<const DECRYPT: bool>(v: u128) -> u128 {
    // The last round of each direction is exactly (Inv)ShiftRows and
    // (Inv)SubBytes, then the round key: zero here.
    let zero = _mm_setzero_si128();
    from_xmm(if DECRYPT { _mm_aesdeclast_si128(to_xmm(v), zero) } else { _mm_aesenclast_si128(to_xmm(v), zero) })
}

#[target_feature(enable = "aes")]
fn mix_aesni<const INVERSE: bool>(v: u128) -> u128 {
    let (x, zero) = (to_xmm(v), _mm_setzero_si128());
    from_xmm(if INVERSE {
        _mm_aesimc_si128(x)
    } else {
        // A full encryption round after a last decryption round: SubBytes and
        // ShiftRows undo InvSubBytes and InvShiftRows (they commute), which
        // leaves MixColumns alone.
        _mm_aesenc_si128(_mm_aesdeclast_si128(x, zero), zero)
    })
}

/// SubBytes after ShiftRows (AESE's second half), or their inverses (AESD's).
#[inline(always)]
pub fn aes_sub_shift<const DECRYPT: bool>(v: u128) -> Option<u128> {
    // SAFETY: runs AES-NI only on a host that has it (checked just before).
    has_aes().then(|| unsafe { sub_shift_aesni::<DECRYPT>(v) })
}

/// MixColumns (AESMC) or InvMixColumns (AESIMC).
#[inline(always)]
pub fn aes_mix<const INVERSE: bool>(v: u128) -> Option<u128> {
    // SAFETY: runs AES-NI only on a host that has it (checked just before).
    has_aes().then(|| unsafe { mix_aesni::<INVERSE>(v) })
}

#[target_feature(enable = "pclmulqdq")]
fn clmul_host(a: u64, b: u64) -> u128 {
    from_xmm(_mm_clmulepi64_si128(to_xmm(a as u128), to_xmm(b as u128), 0x00))
}

/// Carry-less product of two 64-bit polynomials (PMULL.1Q).
#[inline(always)]
pub fn clmul(a: u64, b: u64) -> Option<u128> {
    // SAFETY: runs PCLMULQDQ only on a host that has it (checked just before).
    std::arch::is_x86_feature_detected!("pclmulqdq").then(|| unsafe { clmul_host(a, b) })
}

#[target_feature(enable = "sse4.2")]
fn crc32c_host(crc: u32, data: u64, nbytes: usize) -> u32 {
    match nbytes {
        1 => _mm_crc32_u8(crc, data as u8),
        2 => _mm_crc32_u16(crc, data as u16),
        4 => _mm_crc32_u32(crc, data as u32),
        _ => _mm_crc32_u64(crc as u64, data) as u32,
    }
}

/// CRC32C (Castagnoli) of the low `nbytes` (1, 2, 4 or 8) bytes of `data`: x86's
/// CRC32 instruction is Arm's CRC32C, bit-reflected and with no inversions alike.
#[inline(always)]
pub fn crc32c(crc: u32, data: u64, nbytes: usize) -> Option<u32> {
    // SAFETY: runs SSE4.2 only on a host that has it (checked just before).
    std::arch::is_x86_feature_detected!("sse4.2").then(|| unsafe { crc32c_host(crc, data, nbytes) })
}

#[inline(always)]
fn has_sha() -> bool {
    std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("ssse3")
}

/// Arm keeps a SHA state's first word in a vector's lowest lane, x86 in its
/// highest: the same words, in the other order.
#[target_feature(enable = "sse2")]
fn reversed(x: __m128i) -> __m128i {
    _mm_shuffle_epi32::<0x1b>(x)
}

/// Lanes 0 and 1 from `a` and lanes 2 and 3 from `b`, each picked by two bits
/// of `SEL` (SHUFPS on integer lanes).
#[target_feature(enable = "sse2")]
fn pick<const SEL: i32>(a: __m128i, b: __m128i) -> __m128i {
    _mm_castps_si128(_mm_shuffle_ps::<SEL>(_mm_castsi128_ps(a), _mm_castsi128_ps(b)))
}

#[target_feature(enable = "sha,ssse3")]
fn sha1_hash_host<const F: i32>(abcd: u128, e: u32, w: u128) -> u128 {
    // SHA1RNDS4 adds the round constant of its function itself, where Arm's
    // SHA1C/P/M leave it to the program (it is in `w`): take it out first. The
    // first word also carries e.
    const K: [u32; 4] = [0x5a82_7999, 0x6ed9_eba1, 0x8f1b_bcdc, 0xca62_c1d6];
    let k = _mm_set1_epi32(K[F as usize] as i32);
    let w = _mm_add_epi32(_mm_sub_epi32(reversed(to_xmm(w)), k), to_xmm((e as u128) << 96));
    from_xmm(reversed(_mm_sha1rnds4_epu32::<F>(reversed(to_xmm(abcd)), w)))
}

/// SHA1C (`F` = 0), SHA1P (1) and SHA1M (2): four rounds on hash abcd, e and
/// four schedule words that already include the round constant.
#[inline(always)]
pub fn sha1_hash<const F: i32>(abcd: u128, e: u32, w: u128) -> Option<u128> {
    // SAFETY: runs SHA and SSSE3 instructions only on a host that has them
    // (checked just before).
    has_sha().then(|| unsafe { sha1_hash_host::<F>(abcd, e, w) })
}

#[target_feature(enable = "sha,ssse3")]
fn sha256_hash_host(x: u128, y: u128, w: u128, part1: bool) -> u128 {
    let (x, y, w) = (to_xmm(x), to_xmm(y), to_xmm(w));
    // x86 splits the state (a..h) as ABEF and CDGH, A and C highest.
    let abef = pick::<0x11>(y, x);
    let cdgh = pick::<0xbb>(y, x);
    // Two rounds each, on the low then the high two words of w; the state's
    // CDGH after the last two rounds is its ABEF after the first two.
    let abef2 = _mm_sha256rnds2_epu32(cdgh, abef, w);
    let abef4 = _mm_sha256rnds2_epu32(abef, abef2, _mm_unpackhi_epi64(w, w));
    from_xmm(if part1 { pick::<0xbb>(abef4, abef2) } else { pick::<0x11>(abef4, abef2) })
}

/// SHA256H (`part1`: the new abcd) and SHA256H2 (the new efgh): four rounds on
/// hash abcd (`x`), efgh (`y`) and four schedule words plus round constants.
#[inline(always)]
pub fn sha256_hash(x: u128, y: u128, w: u128, part1: bool) -> Option<u128> {
    // SAFETY: runs SHA and SSSE3 instructions only on a host that has them
    // (checked just before).
    has_sha().then(|| unsafe { sha256_hash_host(x, y, w, part1) })
}

#[target_feature(enable = "sha,ssse3")]
fn sha256su0_host(d: u128, n: u128) -> u128 {
    from_xmm(_mm_sha256msg1_epu32(to_xmm(d), to_xmm(n)))
}

/// SHA256SU0: SHA256MSG1 is the same function of the same operands.
#[inline(always)]
pub fn sha256su0(d: u128, n: u128) -> Option<u128> {
    // SAFETY: runs SHA instructions only on a host that has them (checked just
    // before).
    has_sha().then(|| unsafe { sha256su0_host(d, n) })
}

#[target_feature(enable = "sha,ssse3")]
fn sha256su1_host(d: u128, n: u128, m: u128) -> u128 {
    // Arm adds words 1..4 of n:m in the instruction; SHA256MSG2 expects them
    // added already.
    let (n, m) = (to_xmm(n), to_xmm(m));
    let t = _mm_add_epi32(to_xmm(d), _mm_alignr_epi8::<4>(m, n));
    from_xmm(_mm_sha256msg2_epu32(t, m))
}

/// SHA256SU1 of Vd, Vn and Vm.
#[inline(always)]
pub fn sha256su1(d: u128, n: u128, m: u128) -> Option<u128> {
    // SAFETY: runs SHA and SSSE3 instructions only on a host that has them
    // (checked just before).
    has_sha().then(|| unsafe { sha256su1_host(d, n, m) })
}

#[target_feature(enable = "sha,ssse3")]
fn sha1su1_host(d: u128, n: u128) -> u128 {
    from_xmm(reversed(_mm_sha1msg2_epu32(reversed(to_xmm(d)), reversed(to_xmm(n)))))
}

/// SHA1SU1 of Vd and Vn: SHA1MSG2 on the words in x86's order.
#[inline(always)]
pub fn sha1su1(d: u128, n: u128) -> Option<u128> {
    // SAFETY: runs SHA and SSSE3 instructions only on a host that has them
    // (checked just before).
    has_sha().then(|| unsafe { sha1su1_host(d, n) })
}
