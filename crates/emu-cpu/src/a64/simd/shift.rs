//! AdvSIMD shift by immediate (vector and scalar) and three different (the long,
//! wide and narrowing arithmetic).

use super::three_same::{sat_s, sat_u};
use super::*;
use crate::a64::fp::arith::*;
use crate::state::*;

/// Writes a 64-bit narrowed result: to the low half (clearing the top), or for
/// the "2" forms (Q=1, `op.d == 0`) to the top half, keeping the low one.
#[inline(always)]
pub fn wr_narrow(cpu: &mut Cpu, op: &Op, r: u64) {
    let v = if op.d == 0 { (cpu.vreg(op.rd) as u64 as u128) | (r as u128) << 64 } else { r as u128 };
    cpu.set_vreg(op.rd, v);
}

/// The half of a source that a long operation reads: the top for the "2" forms.
#[inline(always)]
fn half(op: &Op, v: u128) -> u128 {
    if op.d == 0 {
        v >> 64
    } else {
        v as u64 as u128
    }
}

#[inline(always)]
fn ext(x: u64, e: u32, signed: bool) -> i128 {
    if signed {
        sx(x, e) as i128
    } else {
        x as i128
    }
}

/// SSHR/USHR/SSRA/USRA/SRSHR/URSHR/SRSRA/URSRA by `op.a` (1..=E).
fn exec_shr<const U: bool, const ACC: bool, const ROUND: bool, const E: u32>(
    cpu: &mut Cpu,
    op: &Op,
    rest: &[Op],
) -> Flow {
    let s = op.a as u32;
    let r = map3::<E>(cpu.vreg(op.rd), cpu.vreg(op.rn), 0, |d, a, _| {
        let v = ext(a, E, !U) + if ROUND { 1i128 << (s - 1) } else { 0 };
        let x = (v >> s) as u64;
        if ACC {
            d.wrapping_add(x)
        } else {
            x
        }
    });
    wr(cpu, op, r);
    next(cpu, rest)
}

fn exec_shl<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let s = op.a as u32;
    let r = map1::<E>(cpu.vreg(op.rn), |a| a << s);
    wr(cpu, op, r);
    next(cpu, rest)
}

/// SRI (right) and SLI (left): shift and insert, keeping the bits of Vd the
/// shifted value does not cover.
fn exec_sri_sli<const LEFT: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let s = op.a as u32;
    let r = map3::<E>(cpu.vreg(op.rd), cpu.vreg(op.rn), 0, |d, a, _| {
        let (x, m) = if LEFT {
            (a << s, emask(E) << s)
        } else if s == E {
            (0, 0)
        } else {
            (a >> s, emask(E) >> s)
        };
        (d & !m) | (x & m)
    });
    wr(cpu, op, r);
    next(cpu, rest)
}

// Narrowing kinds: plain truncation, signed/unsigned saturation, signed to unsigned.
const TRUNC: u8 = 0;
const SSAT: u8 = 1;
const USAT: u8 = 2;
const SUSAT: u8 = 3;

/// SHRN/RSHRN/SQSHRN/UQSHRN/SQSHRUN (and rounding forms); E is the narrow size.
/// The scalar forms (`op.c == 1`) have one lane.
fn exec_shrn<const K: u8, const ROUND: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let n = if op.c == 1 { cpu.vreg(op.rn) & emask(2 * E) as u128 } else { cpu.vreg(op.rn) };
    let s = op.a as u32;
    let mut qc = false;
    let mut r = 0u64;
    for i in 0..64 / E {
        let v = ext(lane(n, i, 2 * E), 2 * E, K == SSAT || K == SUSAT) + if ROUND { 1i128 << (s - 1) } else { 0 };
        let v = v >> s;
        let x = match K {
            TRUNC => v as u64,
            SSAT => sat_s(v, E, &mut qc),
            _ => sat_u(v, E, &mut qc),
        };
        r |= (x & emask(E)) << (i * E);
    }
    if qc {
        cpu.fpsr |= QC;
    }
    if op.c == 1 {
        cpu.set_vreg(op.rd, (r & emask(E)) as u128);
    } else {
        wr_narrow(cpu, op, r);
    }
    next(cpu, rest)
}

/// SSHLL/USHLL (SXTL/UXTL): E is the source element size.
pub fn exec_shll<const U: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let n = half(op, cpu.vreg(op.rn));
    let mut r = 0u128;
    for i in 0..64 / E {
        let x = (ext(lane(n, i, E), E, !U) << op.a) as u64 & emask(2 * E);
        r |= (x as u128) << (i * 2 * E);
    }
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

/// SCVTF/UCVTF/FCVTZS/FCVTZU (vector and scalar, fixed-point and integer); `op.a`
/// holds fbits.
pub fn exec_fixed_cvt<F: Float, const TO_INT: bool, const U: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (e, fb) = (F::BITS, op.a as u32);
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let n = cpu.vreg(op.rn);
    let mut r = 0u128;
    for i in 0..(128 - op.d as u32) / e {
        let x = lane(n, i, e);
        let y = if TO_INT {
            // op.b: the rounding mode (FCVTZ* by immediate: towards zero).
            fp_to_fixed(fpcr, &mut fpsr, F::from_u64(x), fb, U, e, op.b)
        } else {
            let v = if U { x as i128 } else { sx(x, e) as i128 };
            fixed_to_fp::<F>(&mut fpsr, v, fb, fpcr_mode(fpcr)).to_u64()
        };
        r |= (y as u128) << (i * e);
    }
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

fn decode_shift(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, immh, opc) = (bits(insn, 29, 1) == 1, bits(insn, 19, 4), bits(insn, 11, 5));
    if immh == 0 {
        return None; // modified immediate
    }
    let size = 31 - immh.leading_zeros(); // 0..3
    let e = 8u32 << size;
    let immhb = bits(insn, 16, 7);
    let (right, left) = (2 * e - immhb, immhb - e);
    let mut op = vop(exec_shl::<8>, insn, pc);
    let q = op.d == 0;
    if scalar {
        op.d = (128 - e) as u8;
    }
    let narrow = (16..=19).contains(&opc);
    let long = opc == 20;
    let fixed = opc == 28 || opc == 31;
    if let Some(op) = super::sat::decode_shift_imm(insn, pc, scalar) {
        return Some(op);
    }
    // 64-bit elements need a 128-bit vector; narrowing/long ones do not exist;
    // the scalar narrowing shifts are the saturating ones.
    if (narrow || long) && size == 3 || long && scalar || scalar && (opc == 16 || opc == 17) && !u {
        return None;
    }
    if scalar && narrow {
        op.c = 1;
    }
    if !narrow && !long && size == 3 && !q && !scalar {
        return None;
    }
    if scalar && !fixed && !narrow && size != 3 {
        return None;
    }
    op.a = right as u8;
    op.exec = match (opc, u) {
        (0, false) => by_size!(exec_shr, size, false, false, false),
        (0, true) => by_size!(exec_shr, size, true, false, false),
        (2, false) => by_size!(exec_shr, size, false, true, false),
        (2, true) => by_size!(exec_shr, size, true, true, false),
        (4, false) => by_size!(exec_shr, size, false, false, true),
        (4, true) => by_size!(exec_shr, size, true, false, true),
        (6, false) => by_size!(exec_shr, size, false, true, true),
        (6, true) => by_size!(exec_shr, size, true, true, true),
        (8, true) => by_size!(exec_sri_sli, size, false),
        (10, false) => {
            op.a = left as u8;
            by_size!(exec_shl, size)
        }
        (10, true) => {
            op.a = left as u8;
            by_size!(exec_sri_sli, size, true)
        }
        (16, false) => by_size!(exec_shrn, size, TRUNC, false),
        (17, false) => by_size!(exec_shrn, size, TRUNC, true),
        (16, true) => by_size!(exec_shrn, size, SUSAT, false),
        (17, true) => by_size!(exec_shrn, size, SUSAT, true),
        (18, false) => by_size!(exec_shrn, size, SSAT, false),
        (19, false) => by_size!(exec_shrn, size, SSAT, true),
        (18, true) => by_size!(exec_shrn, size, USAT, false),
        (19, true) => by_size!(exec_shrn, size, USAT, true),
        (20, _) => {
            op.a = left as u8;
            if u {
                by_size!(exec_shll, size, true)
            } else {
                by_size!(exec_shll, size, false)
            }
        }
        (28 | 31, _) => {
            op.b = RZ;
            match (size, opc == 31, u) {
                (2, false, false) => exec_fixed_cvt::<f32, false, false>,
                (2, false, true) => exec_fixed_cvt::<f32, false, true>,
                (2, true, false) => exec_fixed_cvt::<f32, true, false>,
                (2, true, true) => exec_fixed_cvt::<f32, true, true>,
                (3, false, false) => exec_fixed_cvt::<f64, false, false>,
                (3, false, true) => exec_fixed_cvt::<f64, false, true>,
                (3, true, false) => exec_fixed_cvt::<f64, true, false>,
                (3, true, true) => exec_fixed_cvt::<f64, true, true>,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(op)
}

pub fn decode_vector(insn: u32, pc: u64) -> Option<Op> {
    decode_shift(insn, pc, false)
}

pub fn decode_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode_shift(insn, pc, true)
}

// Three-different operations.
const ADDL: u8 = 0;
const ADDW: u8 = 1;
const SUBL: u8 = 2;
const SUBW: u8 = 3;
const ABAL: u8 = 5;
const ABDL: u8 = 7;
const MLAL: u8 = 8;
const MLSL: u8 = 10;
const MULL: u8 = 12;

/// The long and wide forms: E is the narrow element size, results are 2E.
fn exec_long<const OP: u8, const U: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (nv, m, dv) = (cpu.vreg(op.rn), half(op, cpu.vreg(op.rm)), cpu.vreg(op.rd));
    let n = half(op, nv);
    let mut r = 0u128;
    for i in 0..64 / E {
        let a = if OP == ADDW || OP == SUBW { ext(lane(nv, i, 2 * E), 2 * E, !U) } else { ext(lane(n, i, E), E, !U) };
        let b = ext(lane(m, i, E), E, !U);
        let d = lane(dv, i, 2 * E) as i128;
        let x = match OP {
            ADDL | ADDW => a + b,
            SUBL | SUBW => a - b,
            ABAL => d + (a - b).abs(),
            ABDL => (a - b).abs(),
            MLAL => d + a * b,
            MLSL => d - a * b,
            _ => a * b,
        };
        r |= ((x as u64 & emask(2 * E)) as u128) << (i * 2 * E);
    }
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

/// ADDHN/SUBHN/RADDHN/RSUBHN: the high halves of 2E-bit sums.
fn exec_hn<const SUB: bool, const ROUND: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.vreg(op.rn), cpu.vreg(op.rm));
    let mut r = 0u64;
    for i in 0..64 / E {
        let (a, b) = (lane(n, i, 2 * E) as u128, lane(m, i, 2 * E) as u128);
        // Wrapping: only the low 2E bits matter, and a - b may borrow.
        let v = if SUB { a.wrapping_sub(b) } else { a + b }.wrapping_add(if ROUND { 1 << (E - 1) } else { 0 });
        r |= ((v >> E) as u64 & emask(E)) << (i * E);
    }
    wr_narrow(cpu, op, r);
    next(cpu, rest)
}

macro_rules! long_fn {
    ($size:expr, $u:expr, $op:ident) => {
        if $u {
            by_size!(exec_long, $size, $op, true)
        } else {
            by_size!(exec_long, $size, $op, false)
        }
    };
}

pub fn decode_three_diff(insn: u32, pc: u64) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1) == 1, bits(insn, 22, 2), bits(insn, 12, 4));
    if size == 3 {
        return None;
    }
    if let Some(op) = super::sat::decode_three_diff(insn, pc, false) {
        return Some(op);
    }
    let mut op = vop(exec_shl::<8>, insn, pc);
    op.exec = match opc {
        0 => long_fn!(size, u, ADDL),
        1 => long_fn!(size, u, ADDW),
        2 => long_fn!(size, u, SUBL),
        3 => long_fn!(size, u, SUBW),
        4 if u => by_size!(exec_hn, size, false, true),
        4 => by_size!(exec_hn, size, false, false),
        5 => long_fn!(size, u, ABAL),
        6 if u => by_size!(exec_hn, size, true, true),
        6 => by_size!(exec_hn, size, true, false),
        7 => long_fn!(size, u, ABDL),
        8 => long_fn!(size, u, MLAL),
        10 => long_fn!(size, u, MLSL),
        12 => long_fn!(size, u, MULL),
        _ => return None,
    };
    Some(op)
}
