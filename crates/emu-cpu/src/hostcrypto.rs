//! Arm's AES rounds, 64-bit polynomial multiply and CRC32C on the host's AES-NI,
//! PCLMULQDQ and SSE4.2 CRC32 instructions, where the host has them (`None`
//! otherwise: the callers then compute in software). Both architectures keep the AES state in
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
