//! Floating-point data-processing (1 source): FMOV (register), FABS, FNEG, FSQRT,
//! FCVT between precisions, FRINT* (FRINT32*/FRINT64* too); and FMOV (scalar,
//! immediate).

use super::arith::*;
use super::{ftype, rd_f, wr_f};
use crate::state::*;

/// FRINTI/FRINTX: round in the FPCR mode rather than a fixed one.
const FROM_FPCR: u8 = 7;

pub fn decode(insn: u32, pc: u64) -> Option<Op> {
    let t = ftype(insn);
    let opc = bits(insn, 15, 6);
    let exec: ExecFn = match (t, opc) {
        (0, 0) => exec_fmov::<32>,
        (1, 0) => exec_fmov::<64>,
        (0, 1) => exec_fabs::<f32>,
        (1, 1) => exec_fabs::<f64>,
        (0, 2) => exec_fneg::<f32>,
        (1, 2) => exec_fneg::<f64>,
        (0, 3) => exec_fsqrt::<f32>,
        (1, 3) => exec_fsqrt::<f64>,
        (0, 5) => exec_fcvt::<0, 1>,
        (0, 7) => exec_fcvt::<0, 3>,
        (1, 4) => exec_fcvt::<1, 0>,
        (1, 7) => exec_fcvt::<1, 3>,
        (3, 4) => exec_fcvt::<3, 0>,
        (3, 5) => exec_fcvt::<3, 1>,
        (0, 8..=15) => frint_fn::<f32>(opc)?,
        (1, 8..=15) => frint_fn::<f64>(opc)?,
        (0, 16..=19) => frint_n_fn::<f32>(opc),
        (1, 16..=19) => frint_n_fn::<f64>(opc),
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = (insn & 31) as u8;
    op.rn = bits(insn, 5, 5) as u8;
    Some(op)
}

fn frint_fn<F: Float>(opc: u32) -> Option<ExecFn> {
    Some(match opc {
        8 => exec_frint::<F, RN, false>,
        9 => exec_frint::<F, RP, false>,
        10 => exec_frint::<F, RM, false>,
        11 => exec_frint::<F, RZ, false>,
        12 => exec_frint::<F, RA, false>,
        14 => exec_frint::<F, FROM_FPCR, true>,
        15 => exec_frint::<F, FROM_FPCR, false>,
        _ => return None,
    })
}

/// FRINT32Z, FRINT32X, FRINT64Z, FRINT64X (opcodes 16 to 19).
fn frint_n_fn<F: Float>(opc: u32) -> ExecFn {
    match opc {
        16 => exec_frint_n::<F, RZ, 32>,
        17 => exec_frint_n::<F, FROM_FPCR, 32>,
        18 => exec_frint_n::<F, RZ, 64>,
        _ => exec_frint_n::<F, FROM_FPCR, 64>,
    }
}

fn exec_frint_n<F: Float, const MODE: u8, const BITS: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    let mode = if MODE == FROM_FPCR { fpcr_mode(cpu.fpcr) } else { MODE };
    let r = round_int_n(cpu.fpcr, &mut cpu.fpsr, a, mode, BITS);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

fn exec_fmov<const BITS: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rn) & (u128::MAX >> (128 - BITS));
    cpu.set_vreg(op.rd, v);
    next(cpu, rest)
}

fn exec_fabs<F: Float>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    wr_f(cpu, op.rd, abs(a));
    next(cpu, rest)
}

fn exec_fneg<F: Float>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    wr_f(cpu, op.rd, neg(a));
    next(cpu, rest)
}

fn exec_fsqrt<F: Float>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    match fast(cpu.fpcr, cpu.fpsr, a, |a| Some(a.sqrt_())) {
        Some(r) => {
            wr_f(cpu, op.rd, r);
            next(cpu, rest)
        }
        None => exec_fsqrt_exact::<F>(cpu, op, rest),
    }
}

#[cold]
#[inline(never)]
fn exec_fsqrt_exact<F: Float>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    let r = fsqrt(cpu.fpcr, &mut cpu.fpsr, a);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

fn exec_frint<F: Float, const MODE: u8, const EXACT: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    let mode = if MODE == FROM_FPCR { fpcr_mode(cpu.fpcr) } else { MODE };
    let r = round_int(cpu.fpcr, &mut cpu.fpsr, a, mode, EXACT);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

fn exec_fcvt<const FROM: u8, const TO: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let mode = fpcr_mode(cpu.fpcr);
    let r = convert_precision(cpu.vreg(op.rn) as u64, FROM, TO, cpu.fpcr, &mut cpu.fpsr, mode);
    cpu.set_vreg(op.rd, r as u128);
    next(cpu, rest)
}

/// 2^e as an f64, for -1022 <= e <= 1023.
pub fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// FPCR.AHP: half precision is the alternative format, without infinities and
/// NaNs (exponent 31 holds normal numbers).
const FPCR_AHP: u32 = 1 << 26;

/// A half-precision value widened exactly (not for NaNs).
fn f16_to_f64(h: u64, ahp: bool) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = ((h >> 10) & 0x1f) as i32;
    let m = (h & 0x3ff) as f64;
    match e {
        0 => sign * m * pow2(-24),
        31 if !ahp => sign * f64::INFINITY,
        _ => sign * (1024.0 + m) * pow2(e - 25),
    }
}

/// Rounds a non-NaN double to half precision in `mode` (`ahp`: to the
/// alternative format, where infinities and overflows saturate with IOC).
fn f64_to_f16(v: f64, mode: u8, fpsr: &mut u32, ahp: bool) -> u64 {
    let fpsr_before = *fpsr;
    let negative = v.is_sign_negative();
    let sign = if negative { 0x8000 } else { 0 };
    if v.is_infinite() {
        if ahp {
            *fpsr |= IOC;
            return sign | 0x7fff;
        }
        return sign | 0x7c00;
    }
    if v == 0.0 {
        return sign;
    }
    let a = v.abs();
    let e = if a < f64::MIN_POSITIVE { -1023 } else { ((a.to_bits() >> 52) as i32) - 1023 };
    // Quantum of the result: 11 significant bits, or the subnormal step 2^-24.
    let mut qe = (e - 10).max(-24);
    let scaled = v * pow2(-qe);
    let rounded = round_f64(scaled, mode);
    if rounded != scaled {
        *fpsr |= IXC;
        // Tiny before rounding and inexact: underflow (FPRound).
        if e < -14 {
            *fpsr |= UFC;
        }
    }
    let mut m = rounded.abs() as u64;
    if m >= 2048 {
        m >>= 1;
        qe += 1;
    }
    if m < 1024 {
        return sign | m; // subnormal or zero
    }
    let biased = qe + 25;
    if ahp && biased >= 32 {
        // FPRoundBase: no infinity to round to; no inexact either.
        *fpsr = (*fpsr & !IXC) | IOC | (fpsr_before & IXC);
        return sign | 0x7fff;
    }
    if !ahp && biased >= 31 {
        *fpsr |= OFC | IXC;
        let to_inf = match mode {
            RP => !negative,
            RM => negative,
            RZ => false,
            _ => true,
        };
        return sign | if to_inf { 0x7c00 } else { 0x7bff };
    }
    sign | (biased as u64) << 10 | (m - 1024)
}

/// FCVT: converts raw bits between half (3), single (0) and double (1), with
/// FPConvertNaN's rules for NaNs (sign and top fraction bits kept, quietened).
pub fn convert_precision(raw: u64, from: u8, to: u8, fpcr: u32, fpsr: &mut u32, mode: u8) -> u64 {
    // (sign bit, exponent all-ones, fraction) of the source.
    let (sign, exp_max, frac, fbits) = match from {
        0 => (raw >> 31 & 1, (raw >> 23) & 0xff == 0xff, raw & 0x7f_ffff, 23),
        1 => (raw >> 63, (raw >> 52) & 0x7ff == 0x7ff, raw & 0xf_ffff_ffff_ffff, 52),
        _ => (raw >> 15 & 1, (raw >> 10) & 0x1f == 0x1f, raw & 0x3ff, 10),
    };
    let ahp = fpcr & FPCR_AHP != 0;
    if exp_max && frac != 0 && !(ahp && from == 3) {
        if ahp && to == 3 {
            // FPConvert: a NaN has no alternative-format encoding: zero, IOC.
            *fpsr |= IOC;
            return sign << 15;
        }
        if frac >> (fbits - 1) == 0 {
            *fpsr |= IOC;
        }
        let payload = frac << (64 - fbits); // left-aligned
        let dn = fpcr & FPCR_DN != 0;
        return match to {
            0 if dn => 0x7fc0_0000,
            0 => sign << 31 | 0x7fc0_0000 | payload >> 41,
            1 if dn => 0x7ff8_0000_0000_0000,
            1 => sign << 63 | 0x7ff8_0000_0000_0000 | payload >> 12,
            _ if dn => 0x7e00,
            _ => sign << 15 | 0x7e00 | payload >> 54,
        };
    }
    // FPUnpackCV: FZ flushes single and double inputs (FZ16 is ignored).
    let v = match from {
        0 => flush_in(fpcr, fpsr, f32::from_bits(raw as u32)) as f64,
        1 => flush_in(fpcr, fpsr, f64::from_bits(raw)),
        _ => f16_to_f64(raw, ahp),
    };
    match to {
        0 => {
            // FPCR's mode: the host rounds in it, and flags overflow, underflow
            // and inexact (a flush to zero by FZ included).
            let r = host(fpcr, fpsr, v, |v| v as f32);
            r.to_bits() as u64
        }
        1 => v.to_bits(),
        _ => f64_to_f16(v, mode, fpsr, ahp),
    }
}

/// VFPExpandImm: the 8-bit FP immediate as a float of `bits` bits.
pub fn expand_fp_imm(imm8: u32, bits: u32) -> u64 {
    let imm8 = imm8 as u64;
    let (a, b, cd, efgh) = (imm8 >> 7, (imm8 >> 6) & 1, (imm8 >> 4) & 3, imm8 & 15);
    match bits {
        16 => a << 15 | (b ^ 1) << 14 | (b * 3) << 12 | cd << 10 | efgh << 6,
        32 => a << 31 | (b ^ 1) << 30 | (b * 0x1f) << 25 | cd << 23 | efgh << 19,
        _ => a << 63 | (b ^ 1) << 62 | (b * 0xff) << 54 | cd << 52 | efgh << 48,
    }
}

pub fn decode_fmov_imm(insn: u32, pc: u64) -> Option<Op> {
    let bits_ = match ftype(insn) {
        0 => 32,
        1 => 64,
        _ => return None,
    };
    let mut op = Op::new(exec_fmov_imm, pc);
    op.rd = (insn & 31) as u8;
    op.imm = expand_fp_imm(bits(insn, 13, 8), bits_);
    Some(op)
}

fn exec_fmov_imm(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.set_vreg(op.rd, op.imm as u128);
    next(cpu, rest)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::run;
    use super::*;

    #[test]
    fn fmov_fabs_fneg_clear_upper_bits() {
        let mut c = Cpu::default();
        c.v[1] = u128::MAX << 64 | 0xbff0_0000_0000_0000; // -1.0
        run(&mut c, 0x1e60c020); // fabs d0, d1
        assert_eq!(c.v[0], 0x3ff0_0000_0000_0000);
        run(&mut c, 0x1e214020); // fneg s0, s1
        assert_eq!(c.v[0], 0x8000_0000);
        run(&mut c, 0x1e604020); // fmov d0, d1
        assert_eq!(c.v[0], 0xbff0_0000_0000_0000);
    }

    #[test]
    fn fmov_immediate() {
        let mut c = Cpu::default();
        run(&mut c, 0x1e6e1000); // fmov d0, #1.0
        assert_eq!(c.v[0], 0x3ff0_0000_0000_0000);
        run(&mut c, 0x1e3f1000); // fmov s0, #-1.5
        assert_eq!(c.v[0], 0xbfc0_0000);
    }

    #[test]
    fn fcvt_precisions() {
        let mut c = Cpu::default();
        c.v[1] = 0x3ff5_5555_5555_5555; // 1.3333...
        run(&mut c, 0x1e624020); // fcvt s0, d1
        assert_eq!(c.v[0], 0x3faa_aaab);
        run(&mut c, 0x1e63c020); // fcvt h0, d1
        assert_eq!(c.v[0], 0x3d55);
        c.v[1] = 0x7ff0_0000_0000_0001; // SNaN
        run(&mut c, 0x1e624020); // fcvt s0, d1
        assert_eq!(c.v[0], 0x7fc0_0000);
        assert_eq!(c.fpsr & IOC, IOC);
        c.v[1] = 0x7bff; // 65504.0 in half
        run(&mut c, 0x1ee2c020); // fcvt d0, h1
        assert_eq!(c.v[0], 65504.0f64.to_bits() as u128);
        c.v[1] = 65520.0f64.to_bits() as u128; // rounds up to infinity
        run(&mut c, 0x1e63c020); // fcvt h0, d1
        assert_eq!(c.v[0], 0x7c00);
        c.v[1] = (2.0f64.powi(-25) * 1.5).to_bits() as u128; // rounds to min subnormal
        run(&mut c, 0x1e63c020);
        assert_eq!(c.v[0], 1);
    }

    #[test]
    fn frint_modes() {
        let mut c = Cpu::default();
        c.v[1] = 2.5f64.to_bits() as u128;
        run(&mut c, 0x1e644020); // frintn d0, d1
        assert_eq!(f64::from_bits(c.v[0] as u64), 2.0);
        run(&mut c, 0x1e664020); // frinta d0, d1
        assert_eq!(f64::from_bits(c.v[0] as u64), 3.0);
        c.fpcr = 1 << 22; // round towards +inf
        run(&mut c, 0x1e67c020); // frinti d0, d1
        assert_eq!(f64::from_bits(c.v[0] as u64), 3.0);
        c.v[1] = (-0.25f64).to_bits() as u128;
        run(&mut c, 0x1e654020); // frintm d0, d1
        assert_eq!(f64::from_bits(c.v[0] as u64), -1.0);
        run(&mut c, 0x1e65c020); // frintz d0, d1
        assert_eq!(c.v[0], 0x8000_0000_0000_0000);
    }
}
