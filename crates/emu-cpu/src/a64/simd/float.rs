//! AdvSIMD floating-point three same (vector and scalar), and the by-element
//! (indexed) multiplies, integer and floating-point.

use super::three_same::{int_lane, MLA, MLS, MUL};
use super::*;
use crate::a64::fp::arith::*;
use crate::a64::fp::data_proc2::fp_op2;
use crate::state::*;

// Operations beyond fp_op2's opcodes 0..=7 (FMUL..FMINNM).
const FMLA: u8 = 9;
const FMLS: u8 = 10;
const FCMEQ: u8 = 11;
const FCMGE: u8 = 12;
const FCMGT: u8 = 13;
const FACGE: u8 = 14;
const FACGT: u8 = 15;
const FABD: u8 = 16;
const FMULX: u8 = 17;
const FRECPS: u8 = 18;
const FRSQRTS: u8 = 19;

/// Applies `f` to each float lane of (d, n, m) that the operation has.
#[inline(always)]
pub fn fmap3<F: Float>(op: &Op, d: u128, n: u128, m: u128, mut f: impl FnMut(F, F, F) -> F) -> u128 {
    try_fmap3(op, d, n, m, |d, a, b| Some(f(d, a, b))).unwrap_or_default()
}

/// [`fmap3`] for an `f` that may give up (`None` as soon as one lane does).
#[inline(always)]
fn try_fmap3<F: Float>(op: &Op, d: u128, n: u128, m: u128, mut f: impl FnMut(F, F, F) -> Option<F>) -> Option<u128> {
    let mut r = 0u128;
    let e = F::BITS;
    // Only the operation's lanes: others could raise spurious FPSR flags.
    for i in 0..(128 - op.d as u32) / e {
        let x = f(F::from_u64(lane(d, i, e)), F::from_u64(lane(n, i, e)), F::from_u64(lane(m, i, e)))?;
        r |= (x.to_u64() as u128) << (i * e);
    }
    Some(r)
}

/// 2.0 (FMULX, FRECPS) or 1.5 (FRSQRTS) with a sign, for inf * 0.
fn special<F: Float>(v: f64, negative: bool) -> F {
    let r = F::from_f64(v);
    if negative {
        neg(r)
    } else {
        r
    }
}

/// Whether x / 2 is exact and normal: x is at least four times the smallest normal.
#[inline(always)]
fn halves_exactly<F: Float>(x: F) -> bool {
    let min_normal = if F::BITS == 64 { f64::MIN_POSITIVE } else { f32::MIN_POSITIVE as f64 };
    x.to_f64().abs() >= 4.0 * min_normal
}

#[inline(always)]
fn inf_times_zero<F: Float>(a: F, b: F) -> bool {
    (a.infinite() && b.zero()) || (a.zero() && b.infinite())
}

#[inline(always)]
fn fp_lane<F: Float, const OP: u8>(fpcr: u32, fpsr: &mut u32, d: F, a: F, b: F) -> F {
    // Every operation here unpacks its operands (FPUnpack): FZ flushes them.
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let mask = |c: bool| F::from_u64(if c { u64::MAX } else { 0 });
    let ord = |fpsr: &mut u32, signal: bool| {
        if (a.nan() || b.nan()) && (signal || is_snan(a) || is_snan(b)) {
            *fpsr |= IOC;
        }
    };
    match OP {
        0..=7 => match OP {
            0 => fp_op2::<F, 0>(fpcr, fpsr, a, b),
            1 => fp_op2::<F, 1>(fpcr, fpsr, a, b),
            2 => fp_op2::<F, 2>(fpcr, fpsr, a, b),
            3 => fp_op2::<F, 3>(fpcr, fpsr, a, b),
            4 => fp_op2::<F, 4>(fpcr, fpsr, a, b),
            5 => fp_op2::<F, 5>(fpcr, fpsr, a, b),
            6 => fp_op2::<F, 6>(fpcr, fpsr, a, b),
            _ => fp_op2::<F, 7>(fpcr, fpsr, a, b),
        },
        FMLA => fmuladd(fpcr, fpsr, d, a, b),
        FMLS => fmuladd(fpcr, fpsr, d, neg(a), b),
        FCMEQ => {
            ord(fpsr, false);
            mask(a == b)
        }
        FCMGE => {
            ord(fpsr, true);
            mask(a >= b)
        }
        FCMGT => {
            ord(fpsr, true);
            mask(a > b)
        }
        FACGE => {
            ord(fpsr, true);
            mask(abs(a) >= abs(b))
        }
        FACGT => {
            ord(fpsr, true);
            mask(abs(a) > abs(b))
        }
        FABD => abs(fsub(fpcr, fpsr, a, b)),
        FMULX if inf_times_zero(a, b) && !a.nan() && !b.nan() => special(2.0, (a.to_u64() ^ b.to_u64()) & F::SIGN != 0),
        FMULX => fmul(fpcr, fpsr, a, b),
        FRECPS if inf_times_zero(a, b) => special(2.0, false),
        FRECPS => fmuladd(fpcr, fpsr, F::from_f64(2.0), neg(a), b),
        FRSQRTS if inf_times_zero(a, b) => special(1.5, false),
        // (3 - a*b) / 2 rounds once (FPRSqrtStepFused): 1.5 - (a/2)*b, halving
        // whichever operand halves exactly. Both tiny: the product is far below
        // the result's precision, and the two-step form below rounds the same.
        _ if !a.nan() && !b.nan() && (halves_exactly(a) || halves_exactly(b)) => {
            let (a, b) = if halves_exactly(a) { (a / F::from_f64(2.0), b) } else { (a, b / F::from_f64(2.0)) };
            fmuladd(fpcr, fpsr, F::from_f64(1.5), neg(a), b)
        }
        _ => {
            let r = fmuladd(fpcr, fpsr, F::from_f64(3.0), neg(a), b);
            if r.nan() {
                r
            } else {
                r / F::from_f64(2.0)
            }
        }
    }
}

/// Every lane on [`fast`]'s path (FADD, FSUB, FMUL, FDIV, FMLA, FMLS), or `None`.
#[inline(always)]
fn fast_fp3<F: Float, const OP: u8>(cpu: &Cpu, op: &Op) -> Option<u128> {
    let (fpcr, fpsr) = (cpu.fpcr, cpu.fpsr);
    if !matches!(OP, 0..=3 | FMLA | FMLS) {
        return None;
    }
    try_fmap3::<F>(op, cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm), |d, a, b| match OP {
        FMLA => fast_muladd(fpcr, fpsr, d, a, b),
        FMLS => fast_muladd(fpcr, fpsr, d, neg(a), b),
        _ => fast_op2::<F, OP>(fpcr, fpsr, a, b),
    })
}

fn exec_fp3<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    match fast_fp3::<F, OP>(cpu, op) {
        Some(r) => {
            wr(cpu, op, r);
            next(cpu, rest)
        }
        None => exec_fp3_exact::<F, OP>(cpu, op, rest),
    }
}

#[cold]
#[inline(never)]
fn exec_fp3_exact<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let r = fmap3::<F>(op, cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm), |d, a, b| {
        fp_lane::<F, OP>(fpcr, &mut fpsr, d, a, b)
    });
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

fn exec_fp3_pair<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let (n, m) = (cpu.vreg(op.rn), cpu.vreg(op.rm));
    let e = F::BITS;
    let mut pairs = |v: u128| -> u128 {
        let mut r = 0u128;
        for i in 0..64 / e {
            let (a, b) = (F::from_u64(lane(v, 2 * i, e)), F::from_u64(lane(v, 2 * i + 1, e)));
            r |= (fp_lane::<F, OP>(fpcr, &mut fpsr, a, a, b).to_u64() as u128) << (i * e);
        }
        r
    };
    let r = if op.d == 0 { pairs(n) | pairs(m) << 64 } else { pairs(n as u64 as u128 | m << 64) };
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

macro_rules! fp_ops {
    ($f:ident, $t:ty, $k:expr; $($op:expr),*) => {
        match $k {
            $($op => $f::<$t, $op> as ExecFn,)*
            _ => return None,
        }
    };
}

pub fn fp_fn<F: Float>(k: u8) -> Option<ExecFn> {
    Some(fp_ops!(exec_fp3, F, k; 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19))
}

fn fp_pair_fn<F: Float>(k: u8) -> Option<ExecFn> {
    Some(fp_ops!(exec_fp3_pair, F, k; 2, 4, 5, 6, 7))
}

/// The FP three-same row: (U, size<1>, opcode) selects the operation.
pub fn decode_fp3(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, a, sz, opc) = (bits(insn, 29, 1), bits(insn, 23, 1), bits(insn, 22, 1), bits(insn, 11, 5));
    if !scalar && matches!((u, opc), (0, 0x1d) | (1, 0x19)) {
        return super::fhm::decode_vector(insn, pc);
    }
    let (k, pairwise) = match (u, a, opc) {
        (0, 0, 0x18) => (6, false),
        (0, 0, 0x19) => (FMLA, false),
        (0, 0, 0x1a) => (2, false),
        (0, 0, 0x1b) => (FMULX, false),
        (0, 0, 0x1c) => (FCMEQ, false),
        (0, 0, 0x1e) => (4, false),
        (0, 0, 0x1f) => (FRECPS, false),
        (0, 1, 0x18) => (7, false),
        (0, 1, 0x19) => (FMLS, false),
        (0, 1, 0x1a) => (3, false),
        (0, 1, 0x1e) => (5, false),
        (0, 1, 0x1f) => (FRSQRTS, false),
        (1, 0, 0x18) => (6, true),
        (1, 0, 0x1a) => (2, true),
        (1, 0, 0x1b) => (0, false),
        (1, 0, 0x1c) => (FCMGE, false),
        (1, 0, 0x1d) => (FACGE, false),
        (1, 0, 0x1e) => (4, true),
        (1, 0, 0x1f) => (1, false),
        (1, 1, 0x18) => (7, true),
        (1, 1, 0x1a) => (FABD, false),
        (1, 1, 0x1c) => (FCMGT, false),
        (1, 1, 0x1d) => (FACGT, false),
        (1, 1, 0x1e) => (5, true),
        _ => return None,
    };
    let mut op = vop(exec_fp3::<f32, 0>, insn, pc);
    if scalar {
        if pairwise || !matches!(k, FMULX | FCMEQ | FRECPS | FRSQRTS | FCMGE | FACGE | FABD | FCMGT | FACGT) {
            return None;
        }
        op.d = if sz == 1 { 64 } else { 96 };
    } else if sz == 1 && op.d != 0 {
        return None;
    }
    op.exec = match (sz, pairwise) {
        (0, false) => fp_fn::<f32>(k)?,
        (0, true) => fp_pair_fn::<f32>(k)?,
        (_, false) => fp_fn::<f64>(k)?,
        (_, true) => fp_pair_fn::<f64>(k)?,
    };
    Some(op)
}

/// Replicates a lane value across a register.
#[inline(always)]
pub fn dup_lane(x: u64, e: u32) -> u128 {
    let mut r = 0u128;
    for i in 0..128 / e {
        r |= (x as u128) << (i * e);
    }
    r
}

/// By element: `op.a` is the index; the element of Vm is broadcast and the
/// ordinary lane operation runs.
fn exec_elem_int<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let m = dup_lane(lane(cpu.vreg(op.rm), op.a as u32, E), E);
    let mut qc = false;
    let r = map3::<E>(cpu.vreg(op.rd), cpu.vreg(op.rn), m, |d, a, b| int_lane::<OP, E>(d, a, b, &mut qc));
    wr(cpu, op, r);
    next(cpu, rest)
}

fn exec_elem_fp<F: Float, const OP: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let m = dup_lane(lane(cpu.vreg(op.rm), op.a as u32, F::BITS), F::BITS);
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let r = fmap3::<F>(op, cpu.vreg(op.rd), cpu.vreg(op.rn), m, |d, a, b| fp_lane::<F, OP>(fpcr, &mut fpsr, d, a, b));
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

fn decode_elem_any(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1), bits(insn, 22, 2), bits(insn, 12, 4));
    let (h, l, m) = (bits(insn, 11, 1), bits(insn, 21, 1), bits(insn, 20, 1));
    if u == 1 && opc & 0b1001 == 1 && !scalar {
        return super::complex::decode_elem(insn, pc);
    }
    if size == 2 && !scalar && matches!((u, opc), (0, 0) | (0, 4) | (1, 8) | (1, 12)) {
        return super::fhm::decode_elem(insn, pc);
    }
    let mut op = vop(exec_fp3::<f32, 0>, insn, pc);
    let fp = match (u, opc) {
        (0, 1) => Some(FMLA),
        (0, 5) => Some(FMLS),
        (0, 9) => Some(0),
        (1, 9) => Some(FMULX),
        _ => None,
    };
    if let Some(k) = fp {
        let (exec, index, e): (ExecFn, u32, u32) = match (size, k) {
            (2, FMLA) => (exec_elem_fp::<f32, FMLA>, h << 1 | l, 32),
            (2, FMLS) => (exec_elem_fp::<f32, FMLS>, h << 1 | l, 32),
            (2, 0) => (exec_elem_fp::<f32, 0>, h << 1 | l, 32),
            (2, _) => (exec_elem_fp::<f32, FMULX>, h << 1 | l, 32),
            (3, _) if l == 1 || (!scalar && op.d != 0) => return None,
            (3, FMLA) => (exec_elem_fp::<f64, FMLA>, h, 64),
            (3, FMLS) => (exec_elem_fp::<f64, FMLS>, h, 64),
            (3, 0) => (exec_elem_fp::<f64, 0>, h, 64),
            (3, _) => (exec_elem_fp::<f64, FMULX>, h, 64),
            _ => return None,
        };
        op.exec = exec;
        op.a = index as u8;
        op.rm = (m << 4 | bits(insn, 16, 4)) as u8;
        if scalar {
            op.d = (128 - e) as u8;
        }
        return Some(op);
    }
    if let Some(op) = super::sat::decode_elem(insn, pc, scalar) {
        return Some(op);
    }
    if scalar {
        return None;
    }
    let k = match (u, opc) {
        (0, 8) => MUL,
        (1, 0) => MLA,
        (1, 4) => MLS,
        _ => return None,
    };
    let (index, rm) = match size {
        1 => (h << 2 | l << 1 | m, bits(insn, 16, 4)),
        2 => (h << 1 | l, m << 4 | bits(insn, 16, 4)),
        _ => return None,
    };
    op.exec = match (k, size) {
        (MUL, 1) => exec_elem_int::<MUL, 16>,
        (MUL, _) => exec_elem_int::<MUL, 32>,
        (MLA, 1) => exec_elem_int::<MLA, 16>,
        (MLA, _) => exec_elem_int::<MLA, 32>,
        (_, 1) => exec_elem_int::<MLS, 16>,
        _ => exec_elem_int::<MLS, 32>,
    };
    op.a = index as u8;
    op.rm = rm as u8;
    Some(op)
}

pub fn decode_elem(insn: u32, pc: u64) -> Option<Op> {
    decode_elem_any(insn, pc, false)
}

pub fn decode_elem_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode_elem_any(insn, pc, true)
}
