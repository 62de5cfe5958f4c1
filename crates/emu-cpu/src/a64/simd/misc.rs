//! AdvSIMD two-register miscellaneous (vector and scalar), across lanes, and
//! scalar pairwise.

use super::float::fmap3;
use super::shift::{exec_fixed_cvt, exec_shll, wr_narrow};
use super::three_same::{sat_s, sat_u};
use super::*;
use crate::a64::fp::arith::*;
use crate::a64::fp::data_proc1::convert_precision;
use crate::a64::fp::data_proc2::fp_op2;
use crate::state::*;

// Integer lane operations.
const CLS: u8 = 0;
const CLZ: u8 = 1;
const CNT: u8 = 2;
const NOT: u8 = 3;
const RBIT: u8 = 4;
const CMGT0: u8 = 5;
const CMGE0: u8 = 6;
const CMEQ0: u8 = 7;
const CMLE0: u8 = 8;
const CMLT0: u8 = 9;
const ABS: u8 = 10;
const NEG: u8 = 11;
const SQABS: u8 = 12;
const SQNEG: u8 = 13;

fn exec_int<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let mut qc = false;
    // Lanes outside the operation are zero, so they cannot saturate.
    let r = map1::<E>(cpu.vreg(op.rn) & (u128::MAX >> op.d), |a| {
        let s = sx(a, E);
        let t = |c: bool| if c { u64::MAX } else { 0 };
        match OP {
            CLS => {
                ((a << (64 - E)) ^ ((s << (64 - E)) >> 1) as u64 | ((1u64 << (64 - E)) - 1)).leading_zeros() as u64 - 1
            }
            CLZ => ((a << (64 - E)) | ((1u64 << (64 - E)) - 1)).leading_zeros() as u64 & 0x7f,
            CNT => a.count_ones() as u64,
            NOT => !a,
            RBIT => (a as u8).reverse_bits() as u64,
            CMGT0 => t(s > 0),
            CMGE0 => t(s >= 0),
            CMEQ0 => t(a == 0),
            CMLE0 => t(s <= 0),
            CMLT0 => t(s < 0),
            ABS => s.unsigned_abs(),
            NEG => s.wrapping_neg() as u64,
            SQABS => sat_s((s as i128).abs(), E, &mut qc),
            _ => sat_s(-(s as i128), E, &mut qc),
        }
    });
    if qc {
        cpu.fpsr |= QC;
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

/// Bits set in the low half of every 2s-bit block.
const fn low_halves(s: u32) -> u128 {
    let mut m = 0u128;
    let mut i = 0;
    while i < 128 {
        m |= ((1u128 << s) - 1) << i;
        i += 2 * s;
    }
    m
}

/// Reverses E-bit elements within C-bit containers: swaps neighbouring E-bit,
/// then 2E-bit blocks, and so on up to C/2 bits.
#[inline(always)]
fn rev_lanes<const C: u32, const E: u32>(mut x: u128) -> u128 {
    let mut s = E;
    while s < C {
        let m = low_halves(s);
        x = ((x >> s) & m) | ((x & m) << s);
        s *= 2;
    }
    x
}

/// REV16/REV32/REV64: reverse E-bit elements within C-bit containers.
fn exec_rev<const C: u32, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = rev_lanes::<C, E>(cpu.vreg(op.rn));
    wr(cpu, op, r);
    next(cpu, rest)
}

/// SADDLP/UADDLP/SADALP/UADALP: E is the source size.
fn exec_addlp<const U: bool, const ACC: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, d) = (cpu.vreg(op.rn), cpu.vreg(op.rd));
    let ext = |x: u64| if U { x as i128 } else { sx(x, E) as i128 };
    let mut r = 0u128;
    for i in 0..64 / E {
        let mut v = ext(lane(n, 2 * i, E)) + ext(lane(n, 2 * i + 1, E));
        if ACC {
            v += lane(d, i, 2 * E) as i128;
        }
        r |= ((v as u64 & emask(2 * E)) as u128) << (i * 2 * E);
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

/// XTN/SQXTN/UQXTN/SQXTUN: E is the narrow size; K 0 truncate, 1 signed, 2
/// unsigned, 3 signed to unsigned.
fn exec_xtn<const K: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    // The scalar form (op.c == 1) has one lane.
    let n = if op.c == 1 { cpu.vreg(op.rn) & emask(2 * E) as u128 } else { cpu.vreg(op.rn) };
    let mut qc = false;
    let mut r = 0u64;
    for i in 0..64 / E {
        let x = lane(n, i, 2 * E);
        let v = match K {
            0 => x,
            1 => sat_s(sx(x, 2 * E) as i128, E, &mut qc),
            2 => sat_u(x as i128, E, &mut qc),
            _ => sat_u(sx(x, 2 * E) as i128, E, &mut qc),
        };
        r |= (v & emask(E)) << (i * E);
    }
    if qc {
        cpu.fpsr |= QC;
    }
    if op.c == 1 {
        cpu.set_vreg(op.rd, (r & emask(E)) as u128); // scalar form
    } else {
        wr_narrow(cpu, op, r);
    }
    next(cpu, rest)
}

// FP lane operations.
const FABS: u8 = 0;
const FNEG: u8 = 1;
const FSQRT: u8 = 2;
const FCMGT0: u8 = 3;
const FCMGE0: u8 = 4;
const FCMEQ0: u8 = 5;
const FCMLE0: u8 = 6;
const FCMLT0: u8 = 7;
const FRINT: u8 = 8; // + mode (RN..RA), FRINTX = FRINT + 5, FRINTI = FRINT + 6
const FRINT32Z: u8 = 16;
const FRINT32X: u8 = 17;
const FRINT64Z: u8 = 18;
const FRINT64X: u8 = 19;

fn exec_fp<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let r = fmap3::<F>(op, 0, cpu.vreg(op.rn), 0, |_, a, _| {
        // FABS and FNEG are sign operations; everything else unpacks (FZ flushes).
        let a = if OP == FABS || OP == FNEG { a } else { flush_in(fpcr, &mut fpsr, a) };
        let mask = |c: bool| F::from_u64(if c { u64::MAX } else { 0 });
        let z = F::from_u64(0);
        let cmp = |fpsr: &mut u32, c: bool| {
            if a.nan() {
                *fpsr |= IOC;
            }
            mask(c)
        };
        match OP {
            FABS => abs(a),
            FNEG => neg(a),
            FSQRT => fsqrt(fpcr, &mut fpsr, a),
            FCMGT0 => cmp(&mut fpsr, a > z),
            FCMGE0 => cmp(&mut fpsr, a >= z),
            FCMEQ0 => {
                if is_snan(a) {
                    fpsr |= IOC;
                }
                mask(a == z)
            }
            FCMLE0 => cmp(&mut fpsr, a <= z),
            FCMLT0 => cmp(&mut fpsr, a < z),
            FRINT32Z => round_int_n(fpcr, &mut fpsr, a, RZ, 32),
            FRINT32X => round_int_n(fpcr, &mut fpsr, a, fpcr_mode(fpcr), 32),
            FRINT64Z => round_int_n(fpcr, &mut fpsr, a, RZ, 64),
            FRINT64X => round_int_n(fpcr, &mut fpsr, a, fpcr_mode(fpcr), 64),
            _ => {
                let m = OP - FRINT;
                let mode = if m >= 5 { fpcr_mode(fpcr) } else { m };
                round_int(fpcr, &mut fpsr, a, mode, m == 5)
            }
        }
    });
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

/// FCVTN/FCVTN2 (D to S, or S to H when `FROM_S`) and FCVTL/FCVTL2.
fn exec_fcvtn<const FROM_S: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, mode) = (cpu.vreg(op.rn), fpcr_mode(cpu.fpcr));
    let (e, from, to) = if FROM_S { (16, 0, 3) } else { (32, 1, 0) };
    let mut r = 0u64;
    for i in 0..64 / e {
        let x = convert_precision(lane(n, i, 2 * e), from, to, cpu.fpcr, &mut cpu.fpsr, mode);
        r |= (x & emask(e)) << (i * e);
    }
    wr_narrow(cpu, op, r);
    next(cpu, rest)
}

fn exec_fcvtl<const FROM_H: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rn);
    let n = if op.d == 0 { v >> 64 } else { v };
    let (e, from, to) = if FROM_H { (16, 3, 0) } else { (32, 0, 1) };
    let mut r = 0u128;
    for i in 0..64 / e {
        let x = convert_precision(lane(n, i, e), from, to, cpu.fpcr, &mut cpu.fpsr, RN);
        r |= (x as u128) << (i * 2 * e);
    }
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

fn int_fn(k: u8, size: u32) -> ExecFn {
    match k {
        SQABS => by_size!(exec_int, size, SQABS),
        SQNEG => by_size!(exec_int, size, SQNEG),
        CMGT0 => by_size!(exec_int, size, CMGT0),
        CMGE0 => by_size!(exec_int, size, CMGE0),
        CMEQ0 => by_size!(exec_int, size, CMEQ0),
        CMLE0 => by_size!(exec_int, size, CMLE0),
        CMLT0 => by_size!(exec_int, size, CMLT0),
        ABS => by_size!(exec_int, size, ABS),
        _ => by_size!(exec_int, size, NEG),
    }
}

fn fp_fn<F: Float>(k: u8) -> ExecFn {
    match k {
        FABS => exec_fp::<F, FABS>,
        FNEG => exec_fp::<F, FNEG>,
        FSQRT => exec_fp::<F, FSQRT>,
        FCMGT0 => exec_fp::<F, FCMGT0>,
        FCMGE0 => exec_fp::<F, FCMGE0>,
        FCMEQ0 => exec_fp::<F, FCMEQ0>,
        FCMLE0 => exec_fp::<F, FCMLE0>,
        FCMLT0 => exec_fp::<F, FCMLT0>,
        8 => exec_fp::<F, 8>,
        9 => exec_fp::<F, 9>,
        10 => exec_fp::<F, 10>,
        11 => exec_fp::<F, 11>,
        12 => exec_fp::<F, 12>,
        13 => exec_fp::<F, 13>,
        FRINT32Z => exec_fp::<F, FRINT32Z>,
        FRINT32X => exec_fp::<F, FRINT32X>,
        FRINT64Z => exec_fp::<F, FRINT64Z>,
        FRINT64X => exec_fp::<F, FRINT64X>,
        _ => exec_fp::<F, 14>,
    }
}

/// FCVT[NPMZA][SU] and [SU]CVTF (vector/scalar, integer) through the fixed-point
/// conversion with zero fraction bits; `op.b` carries the rounding mode.
fn cvt_fn(double: bool, to_int: bool, u: bool) -> ExecFn {
    match (double, to_int, u) {
        (false, false, false) => exec_fixed_cvt::<f32, false, false>,
        (false, false, true) => exec_fixed_cvt::<f32, false, true>,
        (false, true, false) => exec_fixed_cvt::<f32, true, false>,
        (false, true, true) => exec_fixed_cvt::<f32, true, true>,
        (true, false, false) => exec_fixed_cvt::<f64, false, false>,
        (true, false, true) => exec_fixed_cvt::<f64, false, true>,
        (true, true, false) => exec_fixed_cvt::<f64, true, false>,
        (true, true, true) => exec_fixed_cvt::<f64, true, true>,
    }
}

fn decode_misc(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1) == 1, bits(insn, 22, 2), bits(insn, 12, 5));
    let mut op = vop(exec_fp::<f32, 0>, insn, pc);
    let q = op.d == 0;
    let (a, sz) = (size >> 1, size & 1);
    // FP forms: sz picks single/double; a double vector needs Q.
    let fp = |k: u8| -> Option<ExecFn> {
        match (sz, scalar || q) {
            (0, _) => Some(fp_fn::<f32>(k)),
            (_, true) => Some(fp_fn::<f64>(k)),
            _ => None,
        }
    };
    if let Some(op) =
        super::sat::decode_misc(insn, pc, scalar).or_else(|| super::estimate::decode_misc(insn, pc, scalar))
    {
        return Some(op);
    }
    let int = |k: u8, op: &mut Op| -> Option<ExecFn> {
        // SQABS/SQNEG have every scalar size, the comparisons only D.
        let any_scalar = k == SQABS || k == SQNEG;
        if scalar && size != 3 && !any_scalar || !scalar && size == 3 && !q {
            return None;
        }
        if scalar {
            op.d = (128 - (8 << size)) as u8;
        }
        Some(int_fn(k, size))
    };
    op.exec = match (opc, u, a) {
        (0, false, _) if size < 3 && !scalar => by_size!(exec_rev, size, 64),
        (0, true, _) if size < 2 && !scalar => by_size!(exec_rev, size, 32),
        (1, false, _) if size == 0 && !scalar => exec_rev::<16, 8>,
        (2, _, _) | (6, _, _) if size < 3 && !scalar => match (u, opc == 6) {
            (false, false) => by_size!(exec_addlp, size, false, false),
            (false, true) => by_size!(exec_addlp, size, false, true),
            (true, false) => by_size!(exec_addlp, size, true, false),
            (true, true) => by_size!(exec_addlp, size, true, true),
        },
        (4, false, _) if size < 3 && !scalar => by_size!(exec_int, size, CLS),
        (4, true, _) if size < 3 && !scalar => by_size!(exec_int, size, CLZ),
        (19, true, _) if size < 3 && !scalar => {
            // SHLL/SHLL2: widen, shifted left by the element size.
            op.a = 8 << size;
            by_size!(exec_shll, size, true)
        }
        (5, false, _) if size == 0 && !scalar => exec_int::<CNT, 8>,
        (5, true, _) if size == 0 && !scalar => exec_int::<NOT, 8>,
        (5, true, _) if size == 1 && !scalar => exec_int::<RBIT, 8>,
        (7, false, _) => int(SQABS, &mut op)?,
        (7, true, _) => int(SQNEG, &mut op)?,
        (8, false, _) => int(CMGT0, &mut op)?,
        (8, true, _) => int(CMGE0, &mut op)?,
        (9, false, _) => int(CMEQ0, &mut op)?,
        (9, true, _) => int(CMLE0, &mut op)?,
        (10, false, _) => int(CMLT0, &mut op)?,
        (11, false, _) => int(ABS, &mut op)?,
        (11, true, _) => int(NEG, &mut op)?,
        (18 | 20, _, _) if size < 3 => {
            let k = match (opc, u) {
                (18, false) if !scalar => 0,
                // XTN has no scalar form.
                (18, false) => return None,
                (18, true) => 3,
                (20, false) => 1,
                _ => 2,
            };
            if scalar {
                op.c = 1;
            }
            match k {
                0 => by_size!(exec_xtn, size, 0),
                1 => by_size!(exec_xtn, size, 1),
                2 => by_size!(exec_xtn, size, 2),
                _ => by_size!(exec_xtn, size, 3),
            }
        }
        (22, false, 0) if !scalar => [exec_fcvtn::<true> as ExecFn, exec_fcvtn::<false>][sz as usize],
        (23, false, 0) if !scalar => [exec_fcvtl::<true> as ExecFn, exec_fcvtl::<false>][sz as usize],
        (12, false, 1) => fp(FCMGT0)?,
        (12, true, 1) => fp(FCMGE0)?,
        (13, false, 1) => fp(FCMEQ0)?,
        (13, true, 1) => fp(FCMLE0)?,
        (14, false, 1) => fp(FCMLT0)?,
        (15, false, 1) if !scalar => fp(FABS)?,
        (15, true, 1) if !scalar => fp(FNEG)?,
        (31, true, 1) if !scalar => fp(FSQRT)?,
        (24 | 25, _, _) if !scalar => {
            let mode = match (opc, u, a) {
                (24, false, 0) => RN,
                (24, true, 0) => RA,
                (25, false, 0) => RM,
                (25, true, 0) => 5, // FRINTX
                (24, false, 1) => RP,
                (25, false, 1) => RZ,
                (25, true, 1) => 6, // FRINTI
                _ => return None,
            };
            fp(FRINT + mode)?
        }
        (30, false, 0) if !scalar => fp(FRINT32Z)?,
        (30, true, 0) if !scalar => fp(FRINT32X)?,
        (31, false, 0) if !scalar => fp(FRINT64Z)?,
        (31, true, 0) if !scalar => fp(FRINT64X)?,
        (26..=28, _, _) => {
            op.b = match (opc, a) {
                (26, 0) => RN,
                (27, 0) => RM,
                (28, 0) => RA,
                (26, 1) => RP,
                (27, 1) => RZ,
                _ => return None,
            };
            fp(0)?; // validity of sz/Q
            cvt_fn(sz == 1, true, u)
        }
        (29, _, 0) => {
            fp(0)?;
            cvt_fn(sz == 1, false, u)
        }
        _ => return None,
    };
    if scalar && op.d != 64 {
        op.d = if opc >= 12 && !(opc == 18 || opc == 20) { 128 - (32 << sz) } else { op.d };
    }
    Some(op)
}

pub fn decode_vector(insn: u32, pc: u64) -> Option<Op> {
    decode_misc(insn, pc, false)
}

pub fn decode_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode_misc(insn, pc, true)
}

// Across-lanes operations.
const ADDV: u8 = 0;
const SMAXV: u8 = 1;
const UMAXV: u8 = 2;
const SMINV: u8 = 3;
const UMINV: u8 = 4;
const SADDLV: u8 = 5;
const UADDLV: u8 = 6;

fn exec_across<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let n = cpu.vreg(op.rn);
    let els = (128 - op.d as u32) / E;
    let mut acc: i128 = match OP {
        SMAXV | SMINV => sx(lane(n, 0, E), E) as i128,
        UMAXV | UMINV => lane(n, 0, E) as i128,
        _ => 0,
    };
    for i in 0..els {
        let (u, s) = (lane(n, i, E) as i128, sx(lane(n, i, E), E) as i128);
        acc = match OP {
            SMAXV => acc.max(s),
            SMINV => acc.min(s),
            UMAXV => acc.max(u),
            UMINV => acc.min(u),
            SADDLV => acc + s,
            _ => acc + u,
        };
    }
    let w = if OP == SADDLV || OP == UADDLV { 2 * E } else { E };
    cpu.set_vreg(op.rd, (acc as u64 & emask(w)) as u128);
    next(cpu, rest)
}

/// FMAXV/FMINV/FMAXNMV/FMINNMV (4S) and scalar FADDP/FMAXP/...: a pairwise tree.
fn exec_fp_reduce<F: Float, const OPC: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let n = cpu.vreg(op.rn);
    let e = F::BITS;
    let mut v: Vec<F> = (0..op.a as u32).map(|i| F::from_u64(lane(n, i, e))).collect();
    while v.len() > 1 {
        v = v.chunks(2).map(|p| fp_op2::<F, OPC>(fpcr, &mut fpsr, p[0], p[1])).collect();
    }
    cpu.fpsr = fpsr;
    let r = v.first().map_or(0, |x| x.to_u64());
    cpu.set_vreg(op.rd, r as u128);
    next(cpu, rest)
}

pub fn decode_across(insn: u32, pc: u64) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1) == 1, bits(insn, 22, 2), bits(insn, 12, 5));
    let mut op = vop(exec_across::<0, 8>, insn, pc);
    let q = op.d == 0;
    if matches!(opc, 12 | 15) {
        // FP: only the 4S form without FEAT_FP16.
        if !u || size & 1 == 1 || !q {
            return None;
        }
        op.a = 4;
        op.exec = match (opc, size >> 1) {
            (12, 0) => exec_fp_reduce::<f32, 6>,
            (15, 0) => exec_fp_reduce::<f32, 4>,
            (12, _) => exec_fp_reduce::<f32, 7>,
            _ => exec_fp_reduce::<f32, 5>,
        };
        return Some(op);
    }
    if size == 3 || (size == 2 && !q) {
        return None;
    }
    let k = match (opc, u) {
        (3, false) => SADDLV,
        (3, true) => UADDLV,
        (10, false) => SMAXV,
        (10, true) => UMAXV,
        (26, false) => SMINV,
        (26, true) => UMINV,
        (27, false) => ADDV,
        _ => return None,
    };
    op.exec = match k {
        ADDV => by_size!(exec_across, size, ADDV),
        SMAXV => by_size!(exec_across, size, SMAXV),
        UMAXV => by_size!(exec_across, size, UMAXV),
        SMINV => by_size!(exec_across, size, SMINV),
        UMINV => by_size!(exec_across, size, UMINV),
        SADDLV => by_size!(exec_across, size, SADDLV),
        _ => by_size!(exec_across, size, UADDLV),
    };
    Some(op)
}

pub fn decode_scalar_pairwise(insn: u32, pc: u64) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1) == 1, bits(insn, 22, 2), bits(insn, 12, 5));
    let mut op = vop(exec_across::<ADDV, 64>, insn, pc);
    op.d = 0;
    if !u {
        // ADDP (scalar): the two D lanes.
        return (opc == 27 && size == 3).then_some(op);
    }
    op.a = 2;
    let (a, sz) = (size >> 1, size & 1);
    op.exec = match (opc, a, sz) {
        (12, 0, 0) => exec_fp_reduce::<f32, 6>,
        (12, 0, _) => exec_fp_reduce::<f64, 6>,
        (12, _, 0) => exec_fp_reduce::<f32, 7>,
        (12, _, _) => exec_fp_reduce::<f64, 7>,
        (13, 0, 0) => exec_fp_reduce::<f32, 2>,
        (13, 0, _) => exec_fp_reduce::<f64, 2>,
        (15, 0, 0) => exec_fp_reduce::<f32, 4>,
        (15, 0, _) => exec_fp_reduce::<f64, 4>,
        (15, _, 0) => exec_fp_reduce::<f32, 5>,
        (15, _, _) => exec_fp_reduce::<f64, 5>,
        _ => return None,
    };
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block swaps give the manual's element order: element i of the result
    /// is element (i / per) * per + (per - 1 - i % per) of the source.
    #[test]
    fn rev_lanes_reverse_elements_in_containers() {
        fn by_lane<const C: u32, const E: u32>(n: u128) -> u128 {
            let per = C / E;
            (0..128 / E).fold(0u128, |r, i| r | (lane(n, (i / per) * per + (per - 1 - i % per), E) as u128) << (i * E))
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x as u128) << 64 | x.rotate_left(17) as u128;
            assert_eq!(rev_lanes::<16, 8>(n), by_lane::<16, 8>(n));
            assert_eq!(rev_lanes::<32, 8>(n), by_lane::<32, 8>(n));
            assert_eq!(rev_lanes::<32, 16>(n), by_lane::<32, 16>(n));
            assert_eq!(rev_lanes::<64, 8>(n), by_lane::<64, 8>(n));
            assert_eq!(rev_lanes::<64, 16>(n), by_lane::<64, 16>(n));
            assert_eq!(rev_lanes::<64, 32>(n), by_lane::<64, 32>(n));
        }
        assert_eq!(rev_lanes::<32, 8>(0x0f0e0d0c_0b0a0908_07060504_03020100), 0x0c0d0e0f_08090a0b_04050607_00010203);
    }
}
