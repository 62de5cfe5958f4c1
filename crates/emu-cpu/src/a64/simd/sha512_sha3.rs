//! The Armv8.2 cryptographic extensions FEAT_SHA512 (SHA512H, SHA512H2,
//! SHA512SU0, SHA512SU1) and FEAT_SHA3 (EOR3, BCAX, RAX1, XAR), written from
//! the Arm manual's pseudocode. The manual's groups: "Cryptographic
//! three-register SHA 512", "Cryptographic two-register SHA 512",
//! "Cryptographic four-register" and "XAR". (SM3 and SM4 share these groups
//! and are not implemented: they decode as undefined.)

use super::*;
use crate::state::*;

fn halves(v: u128) -> (u64, u64) {
    (v as u64, (v >> 64) as u64)
}

fn join(lo: u64, hi: u64) -> u128 {
    (hi as u128) << 64 | lo as u128
}

/// SHA-512's Σ1 and Σ0 (FIPS 180-4 4.1.3).
fn big_sigma1(x: u64) -> u64 {
    x.rotate_right(14) ^ x.rotate_right(18) ^ x.rotate_right(41)
}

fn big_sigma0(x: u64) -> u64 {
    x.rotate_right(28) ^ x.rotate_right(34) ^ x.rotate_right(39)
}

/// SHA512H Qd, Qn, Vm.2D: the Σ1/Ch half of two rounds.
pub fn sha512h(d: u128, n: u128, m: u128) -> u128 {
    let ((x0, x1), (y0, y1), (w0, w1)) = (halves(n), halves(m), halves(d));
    let hi = ((y1 & x0) ^ (!y1 & x1)).wrapping_add(big_sigma1(y1)).wrapping_add(w1);
    let tmp = hi.wrapping_add(y0);
    let lo = ((tmp & y1) ^ (!tmp & x0)).wrapping_add(big_sigma1(tmp)).wrapping_add(w0);
    join(lo, hi)
}

/// SHA512H2 Qd, Qn, Vm.2D: the Σ0/Maj half of two rounds.
pub fn sha512h2(d: u128, n: u128, m: u128) -> u128 {
    let ((x0, _), (y0, y1), (w0, w1)) = (halves(n), halves(m), halves(d));
    let hi = ((x0 & y1) ^ (x0 & y0) ^ (y1 & y0)).wrapping_add(big_sigma0(y0)).wrapping_add(w1);
    let lo = ((hi & y0) ^ (hi & y1) ^ (y1 & y0)).wrapping_add(big_sigma0(hi)).wrapping_add(w0);
    join(lo, hi)
}

/// SHA512SU0 Vd.2D, Vn.2D: the σ0 part of the message schedule.
pub fn sha512su0(d: u128, n: u128) -> u128 {
    let sigma0 = |x: u64| x.rotate_right(1) ^ x.rotate_right(8) ^ (x >> 7);
    let ((w0, w1), (x0, _)) = (halves(d), halves(n));
    join(w0.wrapping_add(sigma0(w1)), w1.wrapping_add(sigma0(x0)))
}

/// SHA512SU1 Vd.2D, Vn.2D, Vm.2D: the σ1 part of the message schedule.
pub fn sha512su1(d: u128, n: u128, m: u128) -> u128 {
    let sigma1 = |x: u64| x.rotate_right(19) ^ x.rotate_right(61) ^ (x >> 6);
    let ((w0, w1), (x0, x1), (y0, y1)) = (halves(d), halves(n), halves(m));
    join(w0.wrapping_add(sigma1(x0)).wrapping_add(y0), w1.wrapping_add(sigma1(x1)).wrapping_add(y1))
}

fn exec_sha512_3<const OPC: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let r = match OPC {
        0 => sha512h(d, n, m),
        1 => sha512h2(d, n, m),
        2 => sha512su1(d, n, m),
        // RAX1: n XOR (m rotated left by one), per 64-bit lane.
        _ => map3::<64>(0, n, m, |_, a, b| a ^ b.rotate_left(1)),
    };
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn exec_sha512su0(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = sha512su0(cpu.vreg(op.rd), cpu.vreg(op.rn));
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

/// EOR3 (n ^ m ^ a) and BCAX (n ^ (m & !a)), on all 128 bits.
fn exec_four<const BCAX: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m, a) = (cpu.vreg(op.rn), cpu.vreg(op.rm), cpu.vreg(op.ra));
    cpu.set_vreg(op.rd, if BCAX { n ^ (m & !a) } else { n ^ m ^ a });
    next(cpu, rest)
}

/// XAR: (n ^ m) rotated right by imm6, per 64-bit lane.
fn exec_xar(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let rot = op.a as u32;
    let r = map3::<64>(0, cpu.vreg(op.rn), cpu.vreg(op.rm), |_, a, b| (a ^ b).rotate_right(rot));
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

/// SHA512H/SHA512H2/SHA512SU1/RAX1 (O = 0); O = 1 is SM3 and SM4.
pub fn decode_three(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_sha512_3::<0>, insn, pc);
    op.exec = match (bits(insn, 14, 1), bits(insn, 10, 2)) {
        (0, 0) => exec_sha512_3::<0>,
        (0, 1) => exec_sha512_3::<1>,
        (0, 2) => exec_sha512_3::<2>,
        (0, _) => exec_sha512_3::<3>,
        _ => return None,
    };
    Some(op)
}

/// SHA512SU0 (the pattern excludes SM4E).
pub fn decode_sha512su0(insn: u32, pc: u64) -> Option<Op> {
    Some(vop(exec_sha512su0, insn, pc))
}

/// EOR3 and BCAX; Op0 = 2 is SM3SS1.
pub fn decode_four(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_four::<false>, insn, pc);
    op.exec = match bits(insn, 21, 2) {
        0 => exec_four::<false>,
        1 => exec_four::<true>,
        _ => return None,
    };
    op.ra = bits(insn, 10, 5) as u8;
    Some(op)
}

pub fn decode_xar(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_xar, insn, pc);
    op.a = bits(insn, 10, 6) as u8;
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// FIPS 180-4's compression of one block: state, message, round constants.
    fn textbook(mut h: [u64; 8], w16: &[u64; 16], k: &[u64; 80]) -> [u64; 8] {
        let mut w = [0u64; 80];
        w[..16].copy_from_slice(w16);
        for t in 16..80 {
            let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
            let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        for t in 0..80 {
            let [a, b, c, d, e, f, g, hh] = h;
            let ch = (e & f) ^ (!e & g);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t1 = hh.wrapping_add(big_sigma1(e)).wrapping_add(ch).wrapping_add(k[t]).wrapping_add(w[t]);
            let t2 = big_sigma0(a).wrapping_add(maj);
            h = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        h
    }

    fn add2(x: u128, y: u128) -> u128 {
        join((x as u64).wrapping_add(y as u64), ((x >> 64) as u64).wrapping_add((y >> 64) as u64))
    }

    /// EXT Vd.16B, Vn.16B, Vm.16B, #8.
    fn ext8(n: u128, m: u128) -> u128 {
        (n >> 64) | (m << 64)
    }

    /// The same 80 rounds as the instructions compute them, two per SHA512H and
    /// SHA512H2, with the schedule from SHA512SU0 and SHA512SU1: registers
    /// (a, b), (c, d), (e, f), (g, h), the first word in the low half.
    fn by_instructions(h: [u64; 8], w16: &[u64; 16], k: &[u64; 80]) -> [u64; 8] {
        let mut s: Vec<u128> = (0..8).map(|i| join(w16[2 * i], w16[2 * i + 1])).collect();
        let (mut ab, mut cd, mut ef, mut gh) = (join(h[0], h[1]), join(h[2], h[3]), join(h[4], h[5]), join(h[6], h[7]));
        for r in 0..40 {
            let wk = add2(s[r % 8], join(k[2 * r], k[2 * r + 1]));
            // K + W with its halves swapped, added to (g, h).
            let t = add2(gh, ext8(wk, wk));
            let t = sha512h(t, ext8(ef, gh), ext8(cd, ef));
            let new_ef = add2(cd, t);
            let new_ab = sha512h2(t, cd, ab);
            (ab, cd, ef, gh) = (new_ab, ab, new_ef, ef);
            if r < 32 {
                let su0 = sha512su0(s[r % 8], s[(r + 1) % 8]);
                s[r % 8] = sha512su1(su0, s[(r + 7) % 8], ext8(s[(r + 4) % 8], s[(r + 5) % 8]));
            }
        }
        let w = |v: u128| [v as u64, (v >> 64) as u64];
        let [a, b] = w(ab);
        let [c, d] = w(cd);
        let [e, f] = w(ef);
        let [g, hh] = w(gh);
        [a, b, c, d, e, f, g, hh]
    }

    /// Two rounds per instruction pair and the schedule's two words per pair
    /// give FIPS 180-4's compression, whatever the state, message and constants.
    #[test]
    fn sha512_instructions_compute_the_compression() {
        let mut x = 0x2545_f491_4f6c_dd1d;
        for _ in 0..50 {
            let h: [u64; 8] = std::array::from_fn(|_| xorshift(&mut x));
            let w: [u64; 16] = std::array::from_fn(|_| xorshift(&mut x));
            let k: [u64; 80] = std::array::from_fn(|_| xorshift(&mut x));
            assert_eq!(by_instructions(h, &w, &k), textbook(h, &w, &k));
        }
    }

    #[test]
    fn sha3_helpers() {
        let op = |exec, a: u8| {
            let mut o = Op::new(exec, 0);
            (o.rd, o.rn, o.rm, o.ra, o.a) = (0, 1, 2, 3, a);
            o
        };
        let mut cpu = Cpu::default();
        (cpu.v[1], cpu.v[2], cpu.v[3]) = (0xf0f0 << 64 | 0x8000_0000_0000_0001, 0x0ff0 << 64 | 3, 0x00ff << 64 | 1);
        exec_four::<false>(&mut cpu, &op(exec_four::<false>, 0), &[]);
        assert_eq!(cpu.v[0], 0xffff << 64 | 0x8000_0000_0000_0003);
        exec_four::<true>(&mut cpu, &op(exec_four::<true>, 0), &[]);
        assert_eq!(cpu.v[0], (0xf0f0 ^ 0x0f00) << 64 | 0x8000_0000_0000_0003);
        exec_sha512_3::<3>(&mut cpu, &op(exec_sha512_3::<3>, 0), &[]);
        assert_eq!(cpu.v[0], (0xf0f0 ^ 0x1fe0) << 64 | (0x8000_0000_0000_0001 ^ 6));
        exec_xar(&mut cpu, &op(exec_xar, 4), &[]);
        assert_eq!(cpu.v[0], (0xff00u128 >> 4) << 64 | (0x8000_0000_0000_0002u64.rotate_right(4)) as u128);
    }
}
