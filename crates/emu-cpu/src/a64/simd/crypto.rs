//! The cryptographic extension: AES, SHA-1, SHA-256 and polynomial multiplies
//! (PMULL/PMULL2 of 8- and 64-bit elements, PMUL), written from the Arm
//! manual's pseudocode. AES rounds, SHA-1 and SHA-256 rounds and schedule
//! updates (all but SHA1SU0, three XORs) and PMULL.1Q run on the host's AES-NI,
//! SHA and PCLMULQDQ where it has them ([`crate::hostcrypto`], the one place
//! that issues host instructions for them); the portable forms here are the
//! fallback and what the tests check the host forms against.

use super::*;
use crate::hostcrypto;
use crate::state::*;

/// x * 2 in GF(2^8) modulo the AES polynomial.
const fn xtime(x: u8) -> u8 {
    (x << 1) ^ if x & 0x80 != 0 { 0x1b } else { 0 }
}

const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0;
    while b != 0 {
        if b & 1 != 0 {
            r ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    r
}

/// The AES S-box (FIPS 197 5.1.1): the multiplicative inverse, then the affine map.
const fn sbox() -> [u8; 256] {
    let mut s = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        // x^254 is the inverse (0 maps to 0).
        let mut inv = 1u8;
        let mut i = 0;
        while i < 254 {
            inv = gmul(inv, x as u8);
            i += 1;
        }
        if x == 0 {
            inv = 0;
        }
        let b = inv;
        s[x] = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        x += 1;
    }
    s
}

const fn inv_sbox(s: &[u8; 256]) -> [u8; 256] {
    let mut r = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        r[s[i] as usize] = i as u8;
        i += 1;
    }
    r
}

static SBOX: [u8; 256] = sbox();
static INV_SBOX: [u8; 256] = inv_sbox(&SBOX);

/// The state's bytes: byte 4c + r is row r of column c (the manual's layout).
fn aes_sub_shift<const DECRYPT: bool>(v: u128) -> u128 {
    let b = v.to_le_bytes();
    let mut o = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            // ShiftRows moves row r left by r columns; the inverse moves it right.
            let src = if DECRYPT { (c + 4 - r) % 4 } else { (c + r) % 4 };
            let x = b[4 * src + r];
            o[4 * c + r] = if DECRYPT { INV_SBOX[x as usize] } else { SBOX[x as usize] };
        }
    }
    u128::from_le_bytes(o)
}

/// xtime on each byte of a word.
#[inline(always)]
fn xtime4(x: u32) -> u32 {
    ((x & 0x7f7f_7f7f) << 1) ^ (((x >> 7) & 0x0101_0101) * 0x1b)
}

/// (Inv)MixColumns on each column, one column a little-endian word (byte r is
/// row r): out[r] = 2a[r] ^ 3a[r+1] ^ a[r+2] ^ a[r+3], with the byte rotations
/// and xtime done on the whole word. The inverse first adds 4(a[r] ^ a[r+2]) to
/// each byte (FIPS 197's InvMixColumns factors as that, then MixColumns).
fn aes_mix<const INVERSE: bool>(v: u128) -> u128 {
    let mut out = 0u128;
    for c in 0..4 {
        let mut a = (v >> (32 * c)) as u32;
        if INVERSE {
            a ^= xtime4(xtime4(a ^ a.rotate_right(16)));
        }
        let r1 = a.rotate_right(8);
        let m = xtime4(a ^ r1) ^ r1 ^ a.rotate_right(16) ^ a.rotate_right(24);
        out |= (m as u128) << (32 * c);
    }
    out
}

/// AESE (D=false) and AESD: AddRoundKey, then (Inv)ShiftRows and (Inv)SubBytes.
/// On the host's AES instructions where it has them.
fn exec_aes<const DECRYPT: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rd) ^ cpu.vreg(op.rn);
    let r = hostcrypto::aes_sub_shift::<DECRYPT>(v).unwrap_or_else(|| aes_sub_shift::<DECRYPT>(v));
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn exec_aesmc<const INVERSE: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rn);
    let r = hostcrypto::aes_mix::<INVERSE>(v).unwrap_or_else(|| aes_mix::<INVERSE>(v));
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

#[inline(always)]
fn w(v: u128, i: u32) -> u32 {
    (v >> (32 * i)) as u32
}

#[inline(always)]
fn words(w: [u32; 4]) -> u128 {
    w.iter().rev().fold(0u128, |acc, &x| acc << 32 | x as u128)
}

fn choose(x: u32, y: u32, z: u32) -> u32 {
    ((y ^ z) & x) ^ z
}

fn majority(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | ((x | y) & z)
}

/// SHA1C (K=0: choose), SHA1P (1: parity), SHA1M (2: majority): four rounds on
/// hash abcd (`x`), e (`y`) and four schedule words (`m`).
fn sha1_hash<const K: u8>(mut x: u128, mut y: u32, m: u128) -> u128 {
    for e in 0..4 {
        let (b, c, d) = (w(x, 1), w(x, 2), w(x, 3));
        let t = match K {
            0 => choose(b, c, d),
            1 => b ^ c ^ d,
            _ => majority(b, c, d),
        };
        y = y.wrapping_add(w(x, 0).rotate_left(5)).wrapping_add(t).wrapping_add(w(m, e));
        x = (x & !(0xffff_ffffu128 << 32)) | (b.rotate_left(30) as u128) << 32;
        // <Y, X> = ROL(Y:X, 32) on the 160-bit value.
        let top = w(x, 3);
        x = x << 32 | y as u128;
        y = top;
    }
    x
}

/// SHA1C/SHA1P/SHA1M of Vd, Sn and Vm; on the host's SHA instructions where it
/// has them.
fn exec_sha1_hash<const K: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (x, y, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn) as u32, cpu.vreg(op.rm));
    let host = match K {
        0 => hostcrypto::sha1_hash::<0>(x, y, m),
        1 => hostcrypto::sha1_hash::<1>(x, y, m),
        _ => hostcrypto::sha1_hash::<2>(x, y, m),
    };
    cpu.set_vreg(op.rd, host.unwrap_or_else(|| sha1_hash::<K>(x, y, m)));
    next(cpu, rest)
}

fn exec_sha1h(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = (cpu.vreg(op.rn) as u32).rotate_left(30);
    cpu.set_vreg(op.rd, r as u128);
    next(cpu, rest)
}

fn exec_sha1su0(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let r = (n << 64 | d >> 64) ^ d ^ m;
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn sha1su1(d: u128, n: u128) -> u128 {
    let t = d ^ (n >> 32);
    words([
        w(t, 0).rotate_left(1),
        w(t, 1).rotate_left(1),
        w(t, 2).rotate_left(1),
        w(t, 3).rotate_left(1) ^ w(t, 0).rotate_left(2),
    ])
}

fn exec_sha1su1(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n) = (cpu.vreg(op.rd), cpu.vreg(op.rn));
    cpu.set_vreg(op.rd, hostcrypto::sha1su1(d, n).unwrap_or_else(|| sha1su1(d, n)));
    next(cpu, rest)
}

/// SHA256hash of the manual: four rounds; part 1 returns the new abcd, part 2 efgh.
fn sha256_hash(mut x: u128, mut y: u128, m: u128, part1: bool) -> u128 {
    for e in 0..4 {
        let chs = choose(w(y, 0), w(y, 1), w(y, 2));
        let maj = majority(w(x, 0), w(x, 1), w(x, 2));
        let (a, f) = (w(x, 0), w(y, 0));
        let sigma1 = f.rotate_right(6) ^ f.rotate_right(11) ^ f.rotate_right(25);
        let sigma0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let t = w(y, 3).wrapping_add(sigma1).wrapping_add(chs).wrapping_add(w(m, e));
        let x3 = t.wrapping_add(w(x, 3));
        let y3 = t.wrapping_add(sigma0).wrapping_add(maj);
        // <Y, X> = ROL(Y:X, 32) on the 256-bit value, with the new top words.
        let (xl, yl) = (x & (u128::MAX >> 32), y & (u128::MAX >> 32));
        x = xl << 32 | y3 as u128;
        y = yl << 32 | x3 as u128;
    }
    if part1 {
        x
    } else {
        y
    }
}

/// SHA256H and SHA256H2; on the host's SHA instructions where it has them.
fn exec_sha256h<const PART2: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let (x, y) = if PART2 { (n, d) } else { (d, n) };
    let r = hostcrypto::sha256_hash(x, y, m, !PART2).unwrap_or_else(|| sha256_hash(x, y, m, !PART2));
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn sha256su0(d: u128, n: u128) -> u128 {
    let t = n << 96 | d >> 32;
    let mut r = [0u32; 4];
    for (e, r) in r.iter_mut().enumerate() {
        let x = w(t, e as u32);
        *r = (x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)).wrapping_add(w(d, e as u32));
    }
    words(r)
}

fn exec_sha256su0(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n) = (cpu.vreg(op.rd), cpu.vreg(op.rn));
    cpu.set_vreg(op.rd, hostcrypto::sha256su0(d, n).unwrap_or_else(|| sha256su0(d, n)));
    next(cpu, rest)
}

fn sha256su1(d: u128, n: u128, m: u128) -> u128 {
    let t0 = m << 96 | n >> 32;
    let sigma1 = |x: u32| x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10);
    let mut r = [0u32; 4];
    for e in 0..4u32 {
        // Words 2 and 3 depend on words 0 and 1 of this result.
        let src = if e < 2 { w(m, e + 2) } else { r[(e - 2) as usize] };
        r[e as usize] = sigma1(src).wrapping_add(w(d, e)).wrapping_add(w(t0, e));
    }
    words(r)
}

fn exec_sha256su1(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    cpu.set_vreg(op.rd, hostcrypto::sha256su1(d, n, m).unwrap_or_else(|| sha256su1(d, n, m)));
    next(cpu, rest)
}

/// Bits at positions equal to k modulo 5, for k = 0..4.
const CLMUL_MASKS: [u128; 5] = {
    let mut m = [0u128; 5];
    let mut i = 0;
    while i < 128 {
        m[i % 5] |= 1 << i;
        i += 1;
    }
    m
};

/// Carry-less multiplication of two 64-bit polynomials, with integer multiplies:
/// each operand is split into five parts that keep every fifth bit. In the
/// product of two parts at most 13 terms meet at any bit position, so their
/// carries stay within the four bits above it, all of other classes, which
/// the mask of the product's own class drops.
pub fn clmul(a: u64, b: u64) -> u128 {
    let part = |v: u64, k: usize| v & CLMUL_MASKS[k] as u64;
    let mut r = 0u128;
    for (k, mask) in CLMUL_MASKS.iter().enumerate() {
        // The products of class k: parts i and j with i + j = k modulo 5.
        let z = (0..5).fold(0u128, |z, i| z ^ (part(a, i) as u128 * part(b, (k + 5 - i) % 5) as u128));
        r |= z & mask;
    }
    r
}

/// PMULL/PMULL2 of E-bit elements (8 or 64) into 2E-bit products.
fn exec_pmull<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let sh = if op.d == 0 { 64 } else { 0 };
    let (n, m) = (cpu.vreg(op.rn) >> sh, cpu.vreg(op.rm) >> sh);
    let r = if E == 64 {
        hostcrypto::clmul(n as u64, m as u64).unwrap_or_else(|| clmul(n as u64, m as u64))
    } else {
        (0..64 / E).fold(0u128, |r, i| r | clmul(lane(n, i, E), lane(m, i, E)) << (2 * E * i))
    };
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn exec_pmul(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = map3::<8>(0, cpu.vreg(op.rn), cpu.vreg(op.rm), |_, a, b| clmul(a, b) as u64);
    wr(cpu, op, r);
    next(cpu, rest)
}

/// AESE/AESD/AESMC/AESIMC: size 00 only.
pub fn decode_aes(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_aes::<false>, insn, pc);
    op.exec = match (bits(insn, 22, 2), bits(insn, 12, 5)) {
        (0, 4) => exec_aes::<false>,
        (0, 5) => exec_aes::<true>,
        (0, 6) => exec_aesmc::<false>,
        (0, 7) => exec_aesmc::<true>,
        _ => return None,
    };
    Some(op)
}

/// SHA1C/SHA1P/SHA1M/SHA1SU0/SHA256H/SHA256H2/SHA256SU1.
pub fn decode_sha3(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_sha1su0, insn, pc);
    op.exec = match (bits(insn, 22, 2), bits(insn, 12, 3)) {
        (0, 0) => exec_sha1_hash::<0>,
        (0, 1) => exec_sha1_hash::<1>,
        (0, 2) => exec_sha1_hash::<2>,
        (0, 3) => exec_sha1su0,
        (0, 4) => exec_sha256h::<false>,
        (0, 5) => exec_sha256h::<true>,
        (0, 6) => exec_sha256su1,
        _ => return None,
    };
    Some(op)
}

/// SHA1H/SHA1SU1/SHA256SU0.
pub fn decode_sha2(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_sha1h, insn, pc);
    op.exec = match (bits(insn, 22, 2), bits(insn, 12, 5)) {
        (0, 0) => exec_sha1h,
        (0, 1) => exec_sha1su1,
        (0, 2) => exec_sha256su0,
        _ => return None,
    };
    Some(op)
}

/// PMULL/PMULL2: 8-bit (size 00) and 64-bit (size 11) elements.
pub fn decode_pmull(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_pmull::<8>, insn, pc);
    op.exec = match bits(insn, 22, 2) {
        0 => exec_pmull::<8>,
        3 => exec_pmull::<64>,
        _ => return None,
    };
    Some(op)
}

/// PMUL: bytes only.
pub fn decode_pmul(insn: u32, pc: u64) -> Option<Op> {
    (bits(insn, 22, 2) == 0).then(|| vop(exec_pmul, insn, pc))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manual's definitions, bit by bit and byte by byte: the references
    /// the fast forms above are checked against.
    fn clmul_bitwise(a: u64, b: u64) -> u128 {
        (0..64).filter(|i| b >> i & 1 != 0).fold(0u128, |r, i| r ^ (a as u128) << i)
    }

    fn aes_mix_bytewise<const INVERSE: bool>(v: u128) -> u128 {
        let b = v.to_le_bytes();
        let k: [u8; 4] = if INVERSE { [14, 11, 13, 9] } else { [2, 3, 1, 1] };
        let mut o = [0u8; 16];
        for c in 0..4 {
            for r in 0..4 {
                o[4 * c + r] = (0..4).fold(0, |x, i| x ^ gmul(b[4 * c + (r + i) % 4], k[i]));
            }
        }
        u128::from_le_bytes(o)
    }

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    #[test]
    fn fast_forms_match_the_definitions() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let edges = [0u64, 1, u64::MAX, 1 << 63, 0x8888_8888_8888_8888, 0x1111_1111_1111_1111];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(clmul(a, b), clmul_bitwise(a, b), "{a:#x} * {b:#x}");
            }
        }
        for _ in 0..20_000 {
            let (a, b) = (xorshift(&mut x), xorshift(&mut x));
            assert_eq!(clmul(a, b), clmul_bitwise(a, b), "{a:#x} * {b:#x}");
            let v = (a as u128) << 64 | b as u128;
            assert_eq!(aes_mix::<false>(v), aes_mix_bytewise::<false>(v));
            assert_eq!(aes_mix::<true>(v), aes_mix_bytewise::<true>(v));
        }
    }

    fn hex(s: &str) -> u128 {
        // FIPS 197 writes the state as bytes in order: byte 0 first.
        let b: Vec<u8> = (0..16).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0)).collect();
        u128::from_le_bytes(b.try_into().unwrap_or_default())
    }

    #[test]
    fn sbox_matches_fips_197() {
        assert_eq!((SBOX[0x00], SBOX[0x53], SBOX[0xff]), (0x63, 0xed, 0x16));
        assert_eq!(INV_SBOX[0x63], 0);
    }

    /// FIPS 197 appendix B, round 1: start, after ShiftRows, after MixColumns.
    #[test]
    fn aes_round_matches_fips_197() {
        let input = hex("3243f6a8885a308d313198a2e0370734");
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let after_shift = hex("d4bf5d30e0b452aeb84111f11e2798e5");
        let after_mix = hex("046681e5e0cb199a48f8d37a2806264c");
        assert_eq!(aes_sub_shift::<false>(input ^ key), after_shift);
        assert_eq!(aes_mix::<false>(after_shift), after_mix);
        assert_eq!(aes_mix::<true>(after_mix), after_shift);
        assert_eq!(aes_sub_shift::<true>(after_shift), input ^ key);
    }

    /// The host's AES-NI and PCLMULQDQ forms (where this machine has them) give
    /// what FIPS 197 and the bitwise definitions give.
    #[test]
    fn host_forms_match_the_definitions() {
        let after_shift = hex("d4bf5d30e0b452aeb84111f11e2798e5");
        let after_mix = hex("046681e5e0cb199a48f8d37a2806264c");
        let start = hex("3243f6a8885a308d313198a2e0370734") ^ hex("2b7e151628aed2a6abf7158809cf4f3c");
        if let Some(r) = hostcrypto::aes_sub_shift::<false>(start) {
            assert_eq!(r, after_shift);
            assert_eq!(hostcrypto::aes_sub_shift::<true>(after_shift), Some(start));
            assert_eq!(hostcrypto::aes_mix::<false>(after_shift), Some(after_mix));
            assert_eq!(hostcrypto::aes_mix::<true>(after_mix), Some(after_shift));
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let (a, b) = (xorshift(&mut x), xorshift(&mut x));
            let v = (a as u128) << 64 | b as u128;
            for (host, portable) in [
                (hostcrypto::clmul(a, b), clmul_bitwise(a, b)),
                (hostcrypto::aes_mix::<false>(v), aes_mix_bytewise::<false>(v)),
                (hostcrypto::aes_mix::<true>(v), aes_mix_bytewise::<true>(v)),
                (hostcrypto::aes_sub_shift::<false>(v), aes_sub_shift::<false>(v)),
                (hostcrypto::aes_sub_shift::<true>(v), aes_sub_shift::<true>(v)),
            ] {
                if let Some(host) = host {
                    assert_eq!(host, portable, "{v:#x}");
                }
            }
        }
    }

    /// The host's SHA forms (where this machine has them) give what the
    /// manual's pseudocode gives, for every function and both halves.
    #[test]
    fn host_sha_matches_the_definitions() {
        let mut x = 0x6a09_e667_f3bc_c908u64;
        let mut v = || (xorshift(&mut x) as u128) << 64 | xorshift(&mut x) as u128;
        for _ in 0..20_000 {
            let (d, n, m) = (v(), v(), v());
            let e = n as u32;
            for (host, portable) in [
                (hostcrypto::sha1_hash::<0>(d, e, m), sha1_hash::<0>(d, e, m)),
                (hostcrypto::sha1_hash::<1>(d, e, m), sha1_hash::<1>(d, e, m)),
                (hostcrypto::sha1_hash::<2>(d, e, m), sha1_hash::<2>(d, e, m)),
                (hostcrypto::sha256_hash(d, n, m, true), sha256_hash(d, n, m, true)),
                (hostcrypto::sha256_hash(d, n, m, false), sha256_hash(d, n, m, false)),
                (hostcrypto::sha1su1(d, n), sha1su1(d, n)),
                (hostcrypto::sha256su0(d, n), sha256su0(d, n)),
                (hostcrypto::sha256su1(d, n, m), sha256su1(d, n, m)),
            ] {
                if let Some(host) = host {
                    assert_eq!(host, portable, "{d:#x} {n:#x} {m:#x}");
                }
            }
        }
    }

    #[test]
    fn carry_less_multiply() {
        assert_eq!(clmul(0b11, 0b11), 0b101);
        assert_eq!(clmul(u64::MAX, 2), (u64::MAX as u128) << 1);
    }
}
