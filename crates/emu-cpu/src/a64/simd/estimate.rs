//! The estimate instructions (FRECPE, FRSQRTE, URECPE, URSQRTE), FRECPX, and
//! FCVTXN (narrowing with round-to-odd), bit for bit as the manual's
//! FPRecipEstimate, FPRSqrtEstimate and FPRecpX pseudocode computes them.

use super::shift::wr_narrow;
use super::*;
use crate::a64::fp::arith::*;
use crate::state::*;

/// RecipEstimate: `a` in 256..512 is 0.5 <= x < 1 in steps of 1/512.
fn recip_estimate(a: u64) -> u64 {
    let a = a * 2 + 1;
    let b = (1 << 19) / a;
    b.div_ceil(2) // (b + 1) DIV 2: round to nearest
}

/// RecipSqrtEstimate: `a` in 128..512 is 0.25 <= x < 1.
fn recip_sqrt_estimate(a: u64) -> u64 {
    let a = if a < 256 { a * 2 + 1 } else { ((a >> 1) << 1) * 2 + 2 };
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    b.div_ceil(2) // (b + 1) DIV 2: round to nearest
}

/// (exponent bits, fraction bits) of F.
fn layout<F: Float>() -> (u32, u32) {
    if F::BITS == 64 {
        (11, 52)
    } else {
        (8, 23)
    }
}

fn frecpe<F: Float>(fpcr: u32, fpsr: &mut u32, raw: F) -> F {
    let x = flush_in(fpcr, fpsr, raw);
    let (ebits, fbits) = layout::<F>();
    let bits = x.to_u64();
    let sign = bits & F::SIGN;
    let bias = (1i64 << (ebits - 1)) - 1;
    if x.nan() {
        return propagate(fpcr, fpsr, &[x]);
    }
    if x.infinite() {
        return F::from_u64(sign);
    }
    if x.zero() {
        *fpsr |= DZC;
        return F::from_u64(sign | ((1u64 << ebits) - 1) << fbits);
    }
    let exp = ((bits >> fbits) & ((1 << ebits) - 1)) as i64;
    let frac = (bits & ((1u64 << fbits) - 1)) << (52 - fbits); // 52-bit fraction
                                                               // |x| < 2^-(bias+1): the reciprocal overflows.
    if exp == 0 && frac >> 50 == 0 {
        let to_inf = match fpcr_mode(fpcr) {
            RN => true,
            RP => sign == 0,
            RM => sign != 0,
            _ => false,
        };
        *fpsr |= OFC | IXC;
        let max =
            if to_inf { ((1u64 << ebits) - 1) << fbits } else { (((1u64 << ebits) - 2) << fbits) | ((1 << fbits) - 1) };
        return F::from_u64(sign | max);
    }
    // With FZ, a reciprocal that would be denormal is flushed.
    if fpcr & FPCR_FZ != 0 && exp >= 2 * bias - 1 {
        *fpsr |= UFC;
        return F::from_u64(sign);
    }
    let (mut exp, mut frac) = (exp, frac);
    if exp == 0 {
        if frac >> 51 == 0 {
            exp = -1;
            frac = (frac << 2) & ((1 << 52) - 1);
        } else {
            frac = (frac << 1) & ((1 << 52) - 1);
        }
    }
    let scaled = 256 | frac >> 44;
    let mut result_exp = 2 * bias - 1 - exp;
    let est = recip_estimate(scaled);
    let mut frac = (est & 0xff) << 44;
    if result_exp == 0 {
        frac = 1 << 51 | frac >> 1;
    } else if result_exp == -1 {
        frac = 1 << 50 | frac >> 2;
        result_exp = 0;
    }
    let e = (result_exp as u64) & ((1 << ebits) - 1);
    F::from_u64(sign | e << fbits | frac >> (52 - fbits))
}

fn frsqrte<F: Float>(fpcr: u32, fpsr: &mut u32, raw: F) -> F {
    let x = flush_in(fpcr, fpsr, raw);
    let (ebits, fbits) = layout::<F>();
    let bits = x.to_u64();
    let sign = bits & F::SIGN;
    if x.nan() {
        return propagate(fpcr, fpsr, &[x]);
    }
    if x.zero() {
        *fpsr |= DZC;
        return F::from_u64(sign | ((1u64 << ebits) - 1) << fbits);
    }
    if sign != 0 {
        *fpsr |= IOC;
        return default_nan();
    }
    if x.infinite() {
        return F::from_u64(0);
    }
    let mut exp = ((bits >> fbits) & ((1 << ebits) - 1)) as i64;
    let mut frac = (bits & ((1u64 << fbits) - 1)) << (52 - fbits);
    if exp == 0 {
        while frac >> 51 == 0 {
            frac <<= 1;
            exp -= 1;
        }
        frac = (frac << 1) & ((1 << 52) - 1);
    }
    let scaled = if exp & 1 == 0 { 256 | frac >> 44 } else { 128 | frac >> 45 };
    let bias = (1i64 << (ebits - 1)) - 1;
    let result_exp = (3 * bias - 1 - exp).div_euclid(2);
    let est = recip_sqrt_estimate(scaled);
    F::from_u64((result_exp as u64 & ((1 << ebits) - 1)) << fbits | (est & 0xff) << (fbits - 8))
}

/// FRECPX: the sign, the exponent inverted, a zero fraction.
fn frecpx<F: Float>(fpcr: u32, fpsr: &mut u32, raw: F) -> F {
    let x = flush_in(fpcr, fpsr, raw);
    if x.nan() {
        return propagate(fpcr, fpsr, &[x]);
    }
    let (ebits, fbits) = layout::<F>();
    let bits = x.to_u64();
    let emax = (1u64 << ebits) - 1;
    let exp = (bits >> fbits) & emax;
    let e = if exp == 0 { emax - 1 } else { !exp & emax };
    F::from_u64((bits & F::SIGN) | e << fbits)
}

const RECPE: u8 = 0;
const RSQRTE: u8 = 1;
const RECPX: u8 = 2;

fn exec_fp_est<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let r = super::float::fmap3::<F>(op, 0, cpu.vreg(op.rn), 0, |_, a, _| match OP {
        RECPE => frecpe(fpcr, &mut fpsr, a),
        RSQRTE => frsqrte(fpcr, &mut fpsr, a),
        _ => frecpx(fpcr, &mut fpsr, a),
    });
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

/// URECPE (RSQRT false) and URSQRTE on 32-bit lanes.
fn exec_u_est<const RSQRT: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = map1::<32>(cpu.vreg(op.rn), |a| {
        if RSQRT && a >> 30 == 0 || !RSQRT && a >> 31 == 0 {
            0xffff_ffff
        } else if RSQRT {
            (recip_sqrt_estimate(a >> 23) & 0x1ff) << 23
        } else {
            (recip_estimate(a >> 23) & 0x1ff) << 23
        }
    });
    wr(cpu, op, r);
    next(cpu, rest)
}

/// Double to single, rounding to odd (FPRounding_ODD): truncate, and set the
/// lowest bit if anything was lost.
fn to_single_odd(fpcr: u32, fpsr: &mut u32, raw: u64) -> u64 {
    let x = flush_in(fpcr, fpsr, f64::from_bits(raw));
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return crate::a64::fp::data_proc1::convert_precision(x.to_bits(), 1, 0, fpcr, fpsr, RZ);
    }
    let sign = (x.to_bits() >> 63) << 31;
    let a = x.abs();
    if a >= 2f64.powi(128) {
        *fpsr |= OFC | IXC;
        return sign | 0x7f7f_ffff;
    }
    if a >= f32::MIN_POSITIVE as f64 {
        let b = a.to_bits();
        let exp = (b >> 52) as i64 - 1023 + 127;
        let (kept, lost) = ((b >> 29) & 0x7f_ffff, b & ((1 << 29) - 1));
        if lost != 0 {
            *fpsr |= IXC;
        }
        return sign | (exp as u64) << 23 | kept | (lost != 0) as u64;
    }
    if fpcr & FPCR_FZ != 0 {
        *fpsr |= UFC;
        return sign;
    }
    // A denormal result: units of 2^-149 (the scaling is exact).
    let units = a * 2f64.powi(149);
    let (q, inexact) = (units.trunc() as u64, units.fract() != 0.0);
    if inexact {
        *fpsr |= UFC | IXC;
    }
    sign | q | inexact as u64
}

/// FCVTXN/FCVTXN2 (vector) and FCVTXN (scalar, `op.c == 1`).
fn exec_fcvtxn(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let n = cpu.vreg(op.rn);
    let lanes = if op.c == 1 { 1 } else { 2 };
    let mut r = 0u64;
    for i in 0..lanes {
        r |= to_single_odd(fpcr, &mut fpsr, lane(n, i, 64)) << (32 * i);
    }
    cpu.fpsr = fpsr;
    if op.c == 1 {
        cpu.set_vreg(op.rd, r as u128);
    } else {
        wr_narrow(cpu, op, r);
    }
    next(cpu, rest)
}

/// Two-register misc: FRECPE/FRSQRTE (opcode 29), URECPE/URSQRTE (28), FRECPX
/// (31, scalar), FCVTXN (22, U=1, size 01).
pub fn decode_misc(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1), bits(insn, 22, 2), bits(insn, 12, 5));
    let mut op = vop(exec_fcvtxn, insn, pc);
    let q = op.d == 0;
    let sz = size & 1;
    if opc == 22 && u == 1 {
        if size != 1 {
            return None;
        }
        op.c = scalar as u8;
        return Some(op);
    }
    if size >> 1 != 1 || (!scalar && sz == 1 && !q) {
        return None;
    }
    let fp = |k: u8| -> ExecFn {
        match (sz, k) {
            (0, RECPE) => exec_fp_est::<f32, RECPE>,
            (0, RSQRTE) => exec_fp_est::<f32, RSQRTE>,
            (0, _) => exec_fp_est::<f32, RECPX>,
            (_, RECPE) => exec_fp_est::<f64, RECPE>,
            (_, RSQRTE) => exec_fp_est::<f64, RSQRTE>,
            _ => exec_fp_est::<f64, RECPX>,
        }
    };
    op.exec = match (opc, u, scalar) {
        (29, 0, _) => fp(RECPE),
        (29, _, _) => fp(RSQRTE),
        (31, 0, true) => fp(RECPX),
        (28, 0, false) if sz == 0 => exec_u_est::<false>,
        (28, _, false) if sz == 0 => exec_u_est::<true>,
        _ => return None,
    };
    if scalar {
        op.d = if sz == 1 { 64 } else { 96 };
    }
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from the manual's tables: 1/x and 1/sqrt(x) to 8 bits.
    #[test]
    fn estimates() {
        assert_eq!(frecpe::<f32>(0, &mut 0, 1.0).to_bits(), 0x3f7f_8000); // 0.998
        assert_eq!(frecpe::<f64>(0, &mut 0, 2.0), 0.4990234375);
        assert_eq!(frsqrte::<f32>(0, &mut 0, 4.0).to_bits(), 0x3eff_8000); // 0.4990
        assert_eq!(frecpx::<f64>(0, &mut 0, 3.0), 1.0); // exponent 1 inverted: 0
        assert_eq!(frecpx::<f64>(0, &mut 0, 4.0), 0.5);
        let mut fpsr = 0;
        assert!(frsqrte::<f32>(0, &mut fpsr, -1.0).is_nan());
        assert_eq!(fpsr, IOC);
    }

    #[test]
    fn round_to_odd() {
        let mut fpsr = 0;
        // 1 + 2^-30 is not a single: truncated to 1.0, then made odd.
        assert_eq!(to_single_odd(0, &mut fpsr, (1.0 + 2f64.powi(-30)).to_bits()), 0x3f80_0001);
        assert_eq!(fpsr, IXC);
        assert_eq!(to_single_odd(0, &mut 0, 1.5f64.to_bits()), 0x3fc0_0000);
    }
}
