//! Saturating AdvSIMD arithmetic beyond plain add/subtract: the saturating
//! shifts (by register and by immediate), SQDMULH/SQRDMULH and the Armv8.1 RDM
//! accumulates, SUQADD/USQADD, the doubling long multiplies, the long multiplies
//! by element, the Armv8.2 dot products, and the Armv8.6 int8 matrix
//! multiplies (FEAT_I8MM: USDOT, SUDOT, SMMLA, UMMLA, USMMLA).

use super::float::dup_lane;
use super::three_same::{sat_s, sat_u};
use super::*;
use crate::state::*;

// Lane operations of exec_sat.
const SQSHL: u8 = 0;
const UQSHL: u8 = 1;
const SQRSHL: u8 = 2;
const UQRSHL: u8 = 3;
const SQSHLI: u8 = 4;
const UQSHLI: u8 = 5;
const SQSHLU: u8 = 6;
const SQDMULH: u8 = 7;
const SQRDMULH: u8 = 8;
const SQRDMLAH: u8 = 9;
const SQRDMLSH: u8 = 10;
const SUQADD: u8 = 11;
const USQADD: u8 = 12;

/// SQSHL/UQSHL/SQRSHL/UQRSHL by register: the signed low byte of the shift
/// operand; left shifts saturate, right shifts (optionally rounding) cannot.
#[inline(always)]
fn sat_shift_reg<const SIGNED: bool, const ROUND: bool, const E: u32>(a: u64, b: u64, qc: &mut bool) -> u64 {
    let sh = b as i8 as i32;
    let v: i128 = if SIGNED { sx(a, E) as i128 } else { a as i128 };
    let sat = |x: i128, qc: &mut bool| if SIGNED { sat_s(x, E, qc) } else { sat_u(x, E, qc) };
    if sh >= 0 {
        // |v| < 2^64, so v << 63 still fits; any larger shift of non-zero saturates.
        if sh >= 64 {
            return if v == 0 { 0 } else { sat(if v < 0 { i128::MIN } else { i128::MAX }, qc) };
        }
        return sat(v << sh, qc);
    }
    let s = (-sh) as u32;
    if ROUND && s > 65 {
        return 0; // (v + 2^(s-1)) >> s of |v| < 2^64
    }
    let round = if ROUND { 1i128 << (s - 1) } else { 0 };
    sat((v + round) >> s.min(127), qc)
}

#[inline(always)]
fn sat_lane<const OP: u8, const E: u32>(d: u64, a: u64, b: u64, sh: u32, qc: &mut bool) -> u64 {
    let (sd, sa, sb) = (sx(d, E) as i128, sx(a, E) as i128, sx(b, E) as i128);
    let round = 1i128 << (E - 1);
    match OP {
        SQSHL => sat_shift_reg::<true, false, E>(a, b, qc),
        UQSHL => sat_shift_reg::<false, false, E>(a, b, qc),
        SQRSHL => sat_shift_reg::<true, true, E>(a, b, qc),
        UQRSHL => sat_shift_reg::<false, true, E>(a, b, qc),
        SQSHLI => sat_s(sa << sh, E, qc),
        UQSHLI => sat_u((a as i128) << sh, E, qc),
        SQSHLU => sat_u(sa << sh, E, qc),
        SQDMULH => sat_s((2 * sa * sb) >> E, E, qc),
        SQRDMULH => sat_s((2 * sa * sb + round) >> E, E, qc),
        SQRDMLAH => sat_s(((sd << E) + 2 * sa * sb + round) >> E, E, qc),
        SQRDMLSH => sat_s(((sd << E) - 2 * sa * sb + round) >> E, E, qc),
        SUQADD => sat_s(sd + a as i128, E, qc),
        _ => sat_u(d as i128 + sa, E, qc),
    }
}

/// One lane operation over the operation's lanes. `op.c == 1`: by element, the
/// element `op.a` of Vm is broadcast. `op.b`: an immediate shift.
fn exec_sat<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let mut qc = false;
    // Lanes outside the operation are zero, so they cannot saturate.
    let k = u128::MAX >> op.d;
    let m = if op.c == 1 { dup_lane(lane(cpu.vreg(op.rm), op.a as u32, E), E) } else { cpu.vreg(op.rm) };
    let (d, n, m) = (cpu.vreg(op.rd) & k, cpu.vreg(op.rn) & k, m & k);
    let sh = op.b as u32;
    let r = map3::<E>(d, n, m, |d, a, b| sat_lane::<OP, E>(d, a, b, sh, &mut qc));
    if qc {
        cpu.fpsr |= QC;
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

fn sat_fn(k: u8, size: u32) -> ExecFn {
    match k {
        SQSHL => by_size!(exec_sat, size, SQSHL),
        UQSHL => by_size!(exec_sat, size, UQSHL),
        SQRSHL => by_size!(exec_sat, size, SQRSHL),
        UQRSHL => by_size!(exec_sat, size, UQRSHL),
        SQSHLI => by_size!(exec_sat, size, SQSHLI),
        UQSHLI => by_size!(exec_sat, size, UQSHLI),
        SQSHLU => by_size!(exec_sat, size, SQSHLU),
        SUQADD => by_size!(exec_sat, size, SUQADD),
        USQADD => by_size!(exec_sat, size, USQADD),
        // The multiplies exist for 16- and 32-bit elements only (checked by sat_op).
        _ => {
            let f: [ExecFn; 4] = match k {
                SQDMULH => {
                    [exec_sat::<SQDMULH, 16>, exec_sat::<SQDMULH, 32>, exec_sat::<SQDMULH, 16>, exec_sat::<SQDMULH, 32>]
                }
                SQRDMULH => [
                    exec_sat::<SQRDMULH, 16>,
                    exec_sat::<SQRDMULH, 32>,
                    exec_sat::<SQRDMULH, 16>,
                    exec_sat::<SQRDMULH, 32>,
                ],
                SQRDMLAH => [
                    exec_sat::<SQRDMLAH, 16>,
                    exec_sat::<SQRDMLAH, 32>,
                    exec_sat::<SQRDMLAH, 16>,
                    exec_sat::<SQRDMLAH, 32>,
                ],
                _ => [
                    exec_sat::<SQRDMLSH, 16>,
                    exec_sat::<SQRDMLSH, 32>,
                    exec_sat::<SQRDMLSH, 16>,
                    exec_sat::<SQRDMLSH, 32>,
                ],
            };
            f[(size as usize ^ 1) & 3]
        }
    }
}

fn is_mul(k: u8) -> bool {
    matches!(k, SQDMULH | SQRDMULH | SQRDMLAH | SQRDMLSH)
}

/// A lane operation on whole registers (vector) or on lane 0 (scalar); `None`
/// for sizes it does not have.
fn sat_op(k: u8, insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let size = bits(insn, 22, 2);
    let mut op = vop(sat_fn(k, size), insn, pc);
    if is_mul(k) && !(size == 1 || size == 2) {
        return None;
    }
    if scalar {
        op.d = (128 - (8 << size)) as u8;
    } else if size == 3 && op.d != 0 {
        return None;
    }
    Some(op)
}

/// SQSHL/UQSHL/SQRSHL/UQRSHL (register), SQDMULH/SQRDMULH: three same opcodes 9, 11, 22.
pub fn decode_three_same(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let k = match (bits(insn, 11, 5), bits(insn, 29, 1)) {
        (9, 0) => SQSHL,
        (9, _) => UQSHL,
        (11, 0) => SQRSHL,
        (11, _) => UQRSHL,
        (22, 0) => SQDMULH,
        (22, _) => SQRDMULH,
        _ => return None,
    };
    sat_op(k, insn, pc, scalar)
}

/// SUQADD/USQADD: two-register misc opcode 3.
pub fn decode_misc(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    if bits(insn, 12, 5) != 3 {
        return None;
    }
    sat_op(if bits(insn, 29, 1) == 0 { SUQADD } else { USQADD }, insn, pc, scalar)
}

/// SQSHL/UQSHL/SQSHLU (immediate): shift by immediate opcodes 14 and 12.
pub fn decode_shift_imm(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, immh, opc) = (bits(insn, 29, 1), bits(insn, 19, 4), bits(insn, 11, 5));
    let k = match (opc, u) {
        (14, 0) => SQSHLI,
        (14, _) => UQSHLI,
        (12, 1) => SQSHLU,
        _ => return None,
    };
    let size = 31 - immh.leading_zeros();
    let mut op = vop(sat_fn(k, size), insn, pc);
    if scalar {
        op.d = (128 - (8 << size)) as u8;
    } else if size == 3 && op.d != 0 {
        return None;
    }
    op.b = (bits(insn, 16, 7) - (8 << size)) as u8;
    Some(op)
}

/// A byte as a signed or (`U`) unsigned number.
#[inline(always)]
fn byte<const U: bool>(b: u8) -> i32 {
    if U {
        b as i32
    } else {
        b as i8 as i32
    }
}

/// SDOT/UDOT/USDOT/SUDOT (`NU`, `MU`: the bytes of Vn, Vm unsigned): each
/// 32-bit lane accumulates four byte products; `op.c == 1`: by element
/// (32-bit element `op.a` of Vm).
fn exec_dot<const NU: bool, const MU: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, vm) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let mut r = 0u128;
    for i in 0..(128 - op.d as u32) / 32 {
        let m = lane(vm, if op.c == 1 { op.a as u32 } else { i }, 32);
        let nw = lane(n, i, 32);
        let mut acc = lane(d, i, 32) as u32;
        for j in 0..4 {
            let (a, b) = ((nw >> (8 * j)) as u8, (m >> (8 * j)) as u8);
            acc = acc.wrapping_add((byte::<NU>(a) * byte::<MU>(b)) as u32);
        }
        r |= (acc as u128) << (32 * i);
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

/// SMMLA/UMMLA/USMMLA (FEAT_I8MM): Vd, a 2x2 matrix of 32-bit sums (row
/// major), accumulates Vn (two rows of eight bytes) times the transpose of Vm
/// (two rows of eight bytes).
fn exec_mmla<const NU: bool, const MU: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn).to_le_bytes(), cpu.vreg(op.rm).to_le_bytes());
    let mut r = 0u128;
    for i in 0..2 {
        for j in 0..2 {
            let e = 2 * i + j;
            let sum = (0..8).fold(lane(d, e as u32, 32) as u32, |acc, k| {
                acc.wrapping_add((byte::<NU>(n[8 * i + k]) * byte::<MU>(m[8 * j + k])) as u32)
            });
            r |= (sum as u128) << (32 * e);
        }
    }
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

/// AdvSIMD three same (extra): SQRDMLAH/SQRDMLSH, SDOT/UDOT/USDOT, the
/// matrix multiplies SMMLA/UMMLA/USMMLA (128-bit only), and FCMLA/FCADD
/// (`complex.rs`).
fn decode_extra(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc, q) = (bits(insn, 29, 1), bits(insn, 22, 2), bits(insn, 11, 4), bits(insn, 30, 1));
    let exec: crate::state::ExecFn = match (u, opc) {
        (1, 0) => return sat_op(SQRDMLAH, insn, pc, scalar),
        (1, 1) => return sat_op(SQRDMLSH, insn, pc, scalar),
        (1, 8..=14) if !scalar => return super::complex::decode_three(insn, pc),
        _ if size != 2 || scalar => return None,
        (0, 2) => exec_dot::<false, false>,
        (1, 2) => exec_dot::<true, true>,
        (0, 3) => exec_dot::<true, false>,
        (0, 4) if q == 1 => exec_mmla::<false, false>,
        (1, 4) if q == 1 => exec_mmla::<true, true>,
        (0, 5) if q == 1 => exec_mmla::<true, false>,
        _ => return None,
    };
    Some(vop(exec, insn, pc))
}

pub fn decode_extra_vector(insn: u32, pc: u64) -> Option<Op> {
    decode_extra(insn, pc, false)
}

pub fn decode_extra_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode_extra(insn, pc, true)
}

// Long operations of exec_long2.
const MULL: u8 = 0;
const MLAL: u8 = 1;
const MLSL: u8 = 2;
const QDMULL: u8 = 3;
const QDMLAL: u8 = 4;
const QDMLSL: u8 = 5;

/// The long multiplies with E-bit sources and 2E-bit results. `op.b == 1`:
/// scalar (lane 0 only); `op.c == 1`: by element `op.a` of Vm; otherwise the
/// "2" forms (`op.d == 0`) read the top halves.
fn exec_long2<const OP: u8, const U: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (scalar, upper) = (op.b == 1, op.b == 0 && op.d == 0);
    let half = |v: u128| if upper { v >> 64 } else { v };
    let n = half(cpu.vreg(op.rn));
    let vm = cpu.vreg(op.rm);
    let m = if op.c == 1 { dup_lane(lane(vm, op.a as u32, E), E) } else { half(vm) };
    let d = cpu.vreg(op.rd);
    let ext = |x: u64| if U { x as i128 } else { sx(x, E) as i128 };
    let mut qc = false;
    let mut r = 0u128;
    for i in 0..if scalar { 1 } else { 64 / E } {
        let p = ext(lane(n, i, E)) * ext(lane(m, i, E));
        let acc = sx(lane(d, i, 2 * E), 2 * E) as i128;
        let x = match OP {
            MULL => p as u64,
            MLAL => (acc + p) as u64,
            MLSL => (acc - p) as u64,
            _ => {
                let p = sx(sat_s(2 * p, 2 * E, &mut qc), 2 * E) as i128;
                match OP {
                    QDMULL => p as u64,
                    QDMLAL => sat_s(acc + p, 2 * E, &mut qc),
                    _ => sat_s(acc - p, 2 * E, &mut qc),
                }
            }
        };
        r |= ((x & emask(2 * E)) as u128) << (2 * E * i);
    }
    if qc {
        cpu.fpsr |= QC;
    }
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

macro_rules! long_fn {
    ($k:expr, $u:expr, $size:expr; $($op:ident),*) => {
        match ($k, $u) {
            $(($op, false) => by_size!(exec_long2, $size, $op, false),
              ($op, true) => by_size!(exec_long2, $size, $op, true),)*
            _ => return None,
        }
    };
}

fn long_op(k: u8, u: bool, insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let size = bits(insn, 22, 2);
    if size == 3 || (k >= QDMULL && size == 0) {
        return None;
    }
    let mut op = vop(exec_long2::<MULL, false, 8>, insn, pc);
    op.exec = long_fn!(k, u, size; MULL, MLAL, MLSL, QDMULL, QDMLAL, QDMLSL);
    op.b = scalar as u8;
    Some(op)
}

/// SQDMLAL/SQDMLSL/SQDMULL (vector and scalar three different: opcodes 9, 11, 13).
pub fn decode_three_diff(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let k = match (bits(insn, 29, 1), bits(insn, 12, 4)) {
        (0, 9) => QDMLAL,
        (0, 11) => QDMLSL,
        (0, 13) => QDMULL,
        _ => return None,
    };
    long_op(k, false, insn, pc, scalar)
}

pub fn decode_three_diff_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode_three_diff(insn, pc, true)
}

/// By element: SQDMULH/SQRDMULH/SQRDMLAH/SQRDMLSH, SDOT/UDOT/SUDOT/USDOT, and
/// the long multiplies ([SU]MULL, [SU]MLAL, [SU]MLSL, SQDMULL, SQDMLAL,
/// SQDMLSL).
pub fn decode_elem(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1), bits(insn, 22, 2), bits(insn, 12, 4));
    let (h, l, m) = (bits(insn, 11, 1), bits(insn, 21, 1), bits(insn, 20, 1));
    // SUDOT is the one with size 00: a 32-bit element all the same.
    let sudot = (u, opc, size) == (0, 15, 0) && !scalar;
    let (index, rm) = match size {
        1 => (h << 2 | l << 1 | m, bits(insn, 16, 4)),
        2 => (h << 1 | l, m << 4 | bits(insn, 16, 4)),
        0 if sudot => (h << 1 | l, m << 4 | bits(insn, 16, 4)),
        _ => return None,
    };
    let mut op = match (u, opc) {
        (0, 12) => sat_op(SQDMULH, insn, pc, scalar)?,
        (0, 13) => sat_op(SQRDMULH, insn, pc, scalar)?,
        (1, 13) => sat_op(SQRDMLAH, insn, pc, scalar)?,
        (1, 15) => sat_op(SQRDMLSH, insn, pc, scalar)?,
        (_, 14) if size == 2 && !scalar => {
            vop(if u == 1 { exec_dot::<true, true> } else { exec_dot::<false, false> }, insn, pc)
        }
        (0, 15) if sudot => vop(exec_dot::<false, true>, insn, pc),
        (0, 15) if size == 2 && !scalar => vop(exec_dot::<true, false>, insn, pc),
        (_, 2) if !scalar => long_op(MLAL, u == 1, insn, pc, false)?,
        (_, 6) if !scalar => long_op(MLSL, u == 1, insn, pc, false)?,
        (_, 10) if !scalar => long_op(MULL, u == 1, insn, pc, false)?,
        (0, 3) => long_op(QDMLAL, false, insn, pc, scalar)?,
        (0, 7) => long_op(QDMLSL, false, insn, pc, scalar)?,
        (0, 11) => long_op(QDMULL, false, insn, pc, scalar)?,
        _ => return None,
    };
    op.c = 1;
    op.a = index as u8;
    op.rm = rm as u8;
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::super::run_v012 as run;

    fn bytes(b: [u8; 16]) -> u128 {
        u128::from_le_bytes(b)
    }

    /// The 2x2 result of a row of eight bytes against each row of the other.
    #[test]
    fn int8_matrix_multiplies() {
        let n = bytes(std::array::from_fn(|i| i as u8 + 1)); // rows 1..8, 9..16
        let mut m = [1u8; 16];
        m[8] = 0xff; // second row: -1 or 255, then ones
        let m = bytes(m);
        let lanes = |v: u128| -> [u32; 4] { std::array::from_fn(|i| (v >> (32 * i)) as u32) };
        // smmla v0.4s, v1.16b, v2.16b: 36, 36 - 2 = 34, 100, 100 - 18 = 82, plus 1 each.
        let acc = 1 | 1 << 32 | 1 << 64 | 1 << 96;
        assert_eq!(lanes(run(0x4e82_a420, acc, n, m)), [37, 35, 101, 83]);
        // ummla: 255 instead of -1.
        assert_eq!(lanes(run(0x6e82_a420, 0, n, m)), [36, 36 - 1 + 255, 100, 100 - 9 + 255 * 9]);
        // usmmla: n unsigned, m signed; n's 0xff as 255 against m's ones.
        let n2 = bytes([0xff; 16]);
        assert_eq!(lanes(run(0x4e82_ac20, 0, n2, m)), [255 * 8, 255 * 6, 255 * 8, 255 * 6]);
    }

    /// USDOT and SUDOT: one operand's bytes unsigned, the other's signed.
    #[test]
    fn mixed_sign_dot_products() {
        let n = bytes([0xff; 16]);
        let m = bytes([0xfe; 16]); // -2 signed, 254 unsigned
                                   // usdot v0.4s, v1.16b, v2.16b: 4 x 255 x -2 per lane.
        let r = run(0x4e82_9c20, 0, n, m);
        assert_eq!(r as u32 as i32, -2040);
        // sudot v0.4s, v1.16b, v2.4b[0]: 4 x -1 x 254.
        let r = run(0x4f02_f020, 0, n, m);
        assert_eq!((r >> 96) as u32 as i32, -1016);
        // usdot v0.4s, v1.16b, v2.4b[1]: 4 x 255 x -2.
        let r = run(0x4fa2_f020, 0, n, m);
        assert_eq!(r as u32 as i32, -2040);
    }
}
