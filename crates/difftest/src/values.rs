//! Random register, flag, FPCR and vector values, biased towards the edges where
//! implementations disagree: zero, all ones, sign boundaries, NaNs, infinities,
//! denormals and values right around them.

use crate::case::{CaseIn, SCRATCH_ADDR, SCRATCH_BYTES};
use crate::rng::Rng;

const INT_EDGES: &[u64] = &[
    0,
    1,
    2,
    u64::MAX,
    u64::MAX - 1,
    i64::MAX as u64,
    i64::MIN as u64,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0xffff_ffff_8000_0000,
    0x7fff,
    0x8000,
    0xffff,
    0x7f,
    0x80,
    0xff,
    63,
    64,
    31,
    32,
];

/// A general-register value.
pub fn gpr(rng: &mut Rng) -> u64 {
    match rng.below(8) {
        0..=2 => *rng.pick(INT_EDGES),
        3 => rng.below(256),
        4 => (rng.below(64) as i64 - 32) as u64,
        5 => rng.next_u32() as u64,
        6 => 1u64 << rng.below(64),
        _ => rng.next_u64(),
    }
}

/// Sign, exponent and fraction widths of half, single and double precision.
const FORMATS: [(u32, u32); 3] = [(5, 10), (8, 23), (11, 52)];

/// A floating-point bit pattern of `ebits`/`fbits`, from the interesting classes.
fn float_bits(rng: &mut Rng, (ebits, fbits): (u32, u32)) -> u64 {
    let emax = (1u64 << ebits) - 1;
    let fmask = (1u64 << fbits) - 1;
    let sign = rng.below(2) << (ebits + fbits);
    let (exp, frac) = match rng.below(12) {
        0 => (0, 0),                                                // zero
        1 => (emax, 0),                                             // infinity
        2 => (emax, (1 << (fbits - 1)) | (rng.next_u64() & fmask)), // quiet NaN
        3 => (emax, (rng.next_u64() & (fmask >> 1)).max(1)),        // signalling NaN
        4 => (0, (rng.next_u64() & fmask).max(1)),                  // denormal
        5 => (1, rng.next_u64() & fmask),                           // smallest normals
        6 => (emax - 1, rng.next_u64() & fmask),                    // largest finite
        // Around 1.0 and small integers, where rounding and conversions bite.
        7 | 8 => ((emax >> 1) + rng.below(12), rng.next_u64() & fmask & !(fmask >> rng.below(fbits as u64 + 1))),
        9 => (((emax >> 1) + 8 + rng.below(60)).min(emax - 1), rng.next_u64() & fmask), // near integer limits
        _ => (rng.next_u64() & emax, rng.next_u64() & fmask),
    };
    sign | exp << fbits | frac
}

/// A vector register: lanes of one kind, chosen per register.
pub fn vreg(rng: &mut Rng) -> u128 {
    let lanes = |rng: &mut Rng, bits: u32, f: &mut dyn FnMut(&mut Rng) -> u64| -> u128 {
        (0..128 / bits).fold(0u128, |acc, i| {
            let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
            acc | ((f(rng) & mask) as u128) << (i * bits)
        })
    };
    match rng.below(8) {
        0 => lanes(rng, 16, &mut |r| float_bits(r, FORMATS[0])),
        1 | 2 => lanes(rng, 32, &mut |r| float_bits(r, FORMATS[1])),
        3 | 4 => lanes(rng, 64, &mut |r| float_bits(r, FORMATS[2])),
        5 => {
            let bits = 8 << rng.below(4);
            lanes(rng, bits, &mut gpr)
        }
        6 => lanes(rng, 64, &mut |r| {
            // One scalar in the low lane (FP scalar ops), garbage above.
            let fmt = *r.pick(&FORMATS);
            float_bits(r, fmt)
        }),
        _ => (rng.next_u64() as u128) << 64 | rng.next_u64() as u128,
    }
}

/// FPCR: rounding mode, FZ, DN, AHP and FZ16 (the bits both engines implement).
pub fn fpcr(rng: &mut Rng) -> u32 {
    let mut f = 0;
    if rng.one_in(2) {
        f |= (rng.below(4) as u32) << 22;
    }
    for bit in [24, 25, 26, 19] {
        if rng.one_in(4) {
            f |= 1 << bit;
        }
    }
    f
}

/// A whole random input state (no memory pointers yet: classes add those).
pub fn state(rng: &mut Rng, insn: u32) -> CaseIn {
    let mut c = CaseIn { insn, nzcv: (rng.below(16) as u32) << 28, fpcr: fpcr(rng), ..CaseIn::default() };
    for x in c.x.iter_mut() {
        *x = gpr(rng);
    }
    // SP stays a plausible, 16-byte aligned stack pointer into scratch memory.
    c.sp = SCRATCH_ADDR + SCRATCH_BYTES / 2 + (rng.below(32) * 16);
    for v in c.v.iter_mut() {
        *v = vreg(rng);
    }
    c.mem_seed = rng.next_u64();
    if rng.one_in(2) {
        c.flags |= crate::case::FLAG_IXC;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_classes_are_well_formed() {
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            let b = float_bits(&mut rng, FORMATS[1]);
            assert!(b <= u32::MAX as u64);
            let b = float_bits(&mut rng, FORMATS[0]);
            assert!(b <= u16::MAX as u64);
        }
    }

    #[test]
    fn fpcr_sets_only_supported_bits() {
        let mut rng = Rng::new(2);
        let allowed = 3 << 22 | 1 << 24 | 1 << 25 | 1 << 26 | 1 << 19;
        for _ in 0..1000 {
            assert_eq!(fpcr(&mut rng) & !allowed, 0);
        }
    }
}
