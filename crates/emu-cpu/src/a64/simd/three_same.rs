//! AdvSIMD three same (vector and scalar), integer; the lane operations are
//! shared with the by-element, shift and three-different groups.

use super::*;
use crate::state::*;

// Integer lane operations.
pub const ADD: u8 = 0;
pub const SUB: u8 = 1;
pub const MUL: u8 = 2;
pub const MLA: u8 = 3;
pub const MLS: u8 = 4;
pub const CMEQ: u8 = 5;
pub const CMTST: u8 = 6;
pub const CMGT: u8 = 7;
pub const CMGE: u8 = 8;
pub const CMHI: u8 = 9;
pub const CMHS: u8 = 10;
pub const SMAX: u8 = 11;
pub const SMIN: u8 = 12;
pub const UMAX: u8 = 13;
pub const UMIN: u8 = 14;
pub const SABD: u8 = 15;
pub const UABD: u8 = 16;
pub const SABA: u8 = 17;
pub const UABA: u8 = 18;
pub const SQADD: u8 = 19;
pub const UQADD: u8 = 20;
pub const SQSUB: u8 = 21;
pub const UQSUB: u8 = 22;
pub const SSHL: u8 = 23;
pub const USHL: u8 = 24;
pub const SHADD: u8 = 25;
pub const UHADD: u8 = 26;
pub const SRHADD: u8 = 27;
pub const URHADD: u8 = 28;
pub const SHSUB: u8 = 29;
pub const UHSUB: u8 = 30;
pub const SRSHL: u8 = 31;
pub const URSHL: u8 = 32;

/// Saturates a signed value to `e` bits, noting saturation in `qc`.
#[inline(always)]
pub fn sat_s(v: i128, e: u32, qc: &mut bool) -> u64 {
    let (lo, hi) = (-(1i128 << (e - 1)), (1i128 << (e - 1)) - 1);
    if v < lo || v > hi {
        *qc = true;
        (if v < lo { lo } else { hi }) as u64
    } else {
        v as u64
    }
}

/// Saturates an unsigned (possibly negative) value to `e` bits.
#[inline(always)]
pub fn sat_u(v: i128, e: u32, qc: &mut bool) -> u64 {
    let hi = (1i128 << e) - 1;
    if v < 0 || v > hi {
        *qc = true;
        (if v < 0 { 0 } else { hi }) as u64
    } else {
        v as u64
    }
}

/// SSHL/USHL/SRSHL/URSHL: shift by the signed low byte of `b`.
#[inline(always)]
fn shl_reg<const SIGNED: bool, const ROUND: bool>(a: u64, b: u64, e: u32) -> u64 {
    let sh = b as i8 as i32;
    let v: i128 = if SIGNED { sx(a, e) as i128 } else { a as i128 };
    if sh >= 0 {
        if sh >= e as i32 {
            0
        } else {
            (v << sh) as u64
        }
    } else {
        let s = (-sh).min(127) as u32;
        let r = if ROUND { v + (1i128 << (s - 1).min(126)) } else { v };
        (if s > 120 {
            if r < 0 && SIGNED {
                -1
            } else {
                0
            }
        } else {
            r >> s
        }) as u64
    }
}

#[inline(always)]
pub fn int_lane<const OP: u8, const E: u32>(d: u64, a: u64, b: u64, qc: &mut bool) -> u64 {
    let m = emask(E);
    let (sa, sb) = (sx(a, E) as i128, sx(b, E) as i128);
    let (ua, ub) = (a as i128, b as i128);
    let t = |c: bool| if c { m } else { 0 };
    match OP {
        ADD => a.wrapping_add(b),
        SUB => a.wrapping_sub(b),
        MUL => a.wrapping_mul(b),
        MLA => d.wrapping_add(a.wrapping_mul(b)),
        MLS => d.wrapping_sub(a.wrapping_mul(b)),
        CMEQ => t(a == b),
        CMTST => t(a & b != 0),
        CMGT => t(sa > sb),
        CMGE => t(sa >= sb),
        CMHI => t(a > b),
        CMHS => t(a >= b),
        SMAX => sa.max(sb) as u64,
        SMIN => sa.min(sb) as u64,
        UMAX => a.max(b),
        UMIN => a.min(b),
        SABD => (sa - sb).unsigned_abs() as u64,
        UABD => (ua - ub).unsigned_abs() as u64,
        SABA => d.wrapping_add((sa - sb).unsigned_abs() as u64),
        UABA => d.wrapping_add((ua - ub).unsigned_abs() as u64),
        SQADD => sat_s(sa + sb, E, qc),
        UQADD => sat_u(ua + ub, E, qc),
        SQSUB => sat_s(sa - sb, E, qc),
        UQSUB => sat_u(ua - ub, E, qc),
        SSHL => shl_reg::<true, false>(a, b, E),
        USHL => shl_reg::<false, false>(a, b, E),
        SRSHL => shl_reg::<true, true>(a, b, E),
        URSHL => shl_reg::<false, true>(a, b, E),
        SHADD => ((sa + sb) >> 1) as u64,
        UHADD => ((ua + ub) >> 1) as u64,
        SRHADD => ((sa + sb + 1) >> 1) as u64,
        URHADD => ((ua + ub + 1) >> 1) as u64,
        SHSUB => ((sa - sb) >> 1) as u64,
        _ => ((ua - ub) >> 1) as u64,
    }
}

fn exec_int3<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let mut qc = false;
    // Lanes outside the operation are zero, so they cannot saturate.
    let k = u128::MAX >> op.d;
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn) & k, cpu.vreg(op.rm) & k);
    let r = map3::<E>(d, n, m, |d, a, b| int_lane::<OP, E>(d, a, b, &mut qc));
    if qc {
        cpu.fpsr |= QC;
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

/// The top bit of every E-bit lane.
const fn lane_tops(e: u32) -> u128 {
    // One in the lowest bit of every lane, moved to the top.
    let ones = u128::MAX / ((1u128 << (e - 1) << 1).wrapping_sub(1));
    ones << (e - 1)
}

/// ADD or SUB of every E-bit lane at once: the lanes' low bits are added or
/// subtracted without a carry or borrow crossing into the next lane, then the top
/// bits are put right (message digests and checksums are full of vector adds).
#[inline(always)]
pub fn add_sub_lanes<const SUB: bool, const E: u32>(a: u128, b: u128) -> u128 {
    let h = const { lane_tops(E) };
    if SUB {
        ((a | h).wrapping_sub(b & !h)) ^ ((a ^ !b) & h)
    } else {
        ((a & !h).wrapping_add(b & !h)) ^ ((a ^ b) & h)
    }
}

fn exec_add_sub<const SUB: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = add_sub_lanes::<SUB, E>(cpu.vreg(op.rn), cpu.vreg(op.rm));
    wr(cpu, op, r);
    next(cpu, rest)
}

/// CMEQ on bytes is the core of the string routines: a SWAR version.
fn exec_cmeq8(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    const LOW: u128 = u128::MAX / 0xff * 0x7f;
    let x = cpu.vreg(op.rn) ^ cpu.vreg(op.rm);
    // High bit of each byte set iff the byte of x is non-zero.
    let nz = (((x & LOW) + LOW) | x) & !LOW;
    let eq = !nz & !LOW;
    wr(cpu, op, (eq >> 7) * 0xff);
    next(cpu, rest)
}

/// Pairwise: adjacent lanes of n then of m (for a 64-bit vector, of the
/// concatenated low halves).
fn exec_int3_pair<const OP: u8, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.vreg(op.rn), cpu.vreg(op.rm));
    let pairs = |v: u128| -> u128 {
        let mut qc = false;
        let mut r = 0u128;
        for i in 0..64 / E {
            let x = int_lane::<OP, E>(0, lane(v, 2 * i, E), lane(v, 2 * i + 1, E), &mut qc) & emask(E);
            r |= (x as u128) << (i * E);
        }
        r
    };
    let r = if op.d == 0 { pairs(n) | pairs(m) << 64 } else { pairs(n as u64 as u128 | m << 64) };
    wr(cpu, op, r);
    next(cpu, rest)
}

fn exec_logic<const OPC: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let r = match OPC {
        0 => n & m,
        1 => n & !m,
        2 => n | m,
        3 => n | !m,
        4 => n ^ m,
        5 => m ^ ((m ^ n) & d),  // BSL
        6 => d ^ ((d ^ n) & m),  // BIT
        _ => d ^ ((d ^ n) & !m), // BIF
    };
    wr(cpu, op, r);
    next(cpu, rest)
}

/// The integer operation of a three-same (U, opcode), and whether it is pairwise.
fn int_kind(u: u32, opc: u32) -> Option<(u8, bool)> {
    Some(match (opc, u) {
        (0, 0) => (SHADD, false),
        (0, _) => (UHADD, false),
        (1, 0) => (SQADD, false),
        (1, _) => (UQADD, false),
        (2, 0) => (SRHADD, false),
        (2, _) => (URHADD, false),
        (4, 0) => (SHSUB, false),
        (4, _) => (UHSUB, false),
        (5, 0) => (SQSUB, false),
        (5, _) => (UQSUB, false),
        (6, 0) => (CMGT, false),
        (6, _) => (CMHI, false),
        (7, 0) => (CMGE, false),
        (7, _) => (CMHS, false),
        (8, 0) => (SSHL, false),
        (8, _) => (USHL, false),
        (10, 0) => (SRSHL, false),
        (10, _) => (URSHL, false),
        (12, 0) => (SMAX, false),
        (12, _) => (UMAX, false),
        (13, 0) => (SMIN, false),
        (13, _) => (UMIN, false),
        (14, 0) => (SABD, false),
        (14, _) => (UABD, false),
        (15, 0) => (SABA, false),
        (15, _) => (UABA, false),
        (16, 0) => (ADD, false),
        (16, _) => (SUB, false),
        (17, 0) => (CMTST, false),
        (17, _) => (CMEQ, false),
        (18, 0) => (MLA, false),
        (18, _) => (MLS, false),
        (19, 0) => (MUL, false),
        (20, 0) => (SMAX, true),
        (20, _) => (UMAX, true),
        (21, 0) => (SMIN, true),
        (21, _) => (UMIN, true),
        (23, 0) => (ADD, true),
        _ => return None,
    })
}

macro_rules! int_ops {
    ($f:ident, $k:expr, $size:expr; $($op:ident),*) => {
        match $k {
            $($op => by_size!($f, $size, $op),)*
            _ => return None,
        }
    };
}

pub fn int_fn(kind: u8, size: u32) -> Option<ExecFn> {
    Some(int_ops!(exec_int3, kind, size; ADD, SUB, MUL, MLA, MLS, CMEQ, CMTST, CMGT, CMGE, CMHI, CMHS,
        SMAX, SMIN, UMAX, UMIN, SABD, UABD, SABA, UABA, SQADD, UQADD, SQSUB, UQSUB, SSHL, USHL, SHADD,
        UHADD, SRHADD, URHADD, SHSUB, UHSUB, SRSHL, URSHL))
}

fn pair_fn(kind: u8, size: u32) -> Option<ExecFn> {
    Some(int_ops!(exec_int3_pair, kind, size; ADD, SMAX, SMIN, UMAX, UMIN))
}

fn decode(insn: u32, pc: u64, scalar: bool) -> Option<Op> {
    let (u, size, opc) = (bits(insn, 29, 1), bits(insn, 22, 2), bits(insn, 11, 5));
    let q = bits(insn, 30, 1) == 1;
    if opc >= 0x18 {
        return super::float::decode_fp3(insn, pc, scalar);
    }
    if let Some(op) = super::sat::decode_three_same(insn, pc, scalar) {
        return Some(op);
    }
    let mut op = vop(exec_logic::<0>, insn, pc);
    if opc == 3 {
        if scalar {
            return None;
        }
        op.exec = match u << 2 | size {
            0 => exec_logic::<0>,
            1 => exec_logic::<1>,
            2 => exec_logic::<2>,
            3 => exec_logic::<3>,
            4 => exec_logic::<4>,
            5 => exec_logic::<5>,
            6 => exec_logic::<6>,
            _ => exec_logic::<7>,
        };
        return Some(op);
    }
    let (kind, pairwise) = int_kind(u, opc)?;
    if scalar {
        let sat = matches!(kind, SQADD | UQADD | SQSUB | UQSUB);
        if pairwise || (!sat && size != 3) {
            return None;
        }
        op.d = 128 - (8 << size);
    } else if size == 3 && !q {
        return None;
    }
    if (matches!(
        kind,
        MUL | MLA
            | MLS
            | SABD
            | UABD
            | SABA
            | UABA
            | SHADD
            | UHADD
            | SRHADD
            | URHADD
            | SHSUB
            | UHSUB
            | SMAX
            | UMAX
            | SMIN
            | UMIN
    ) || (pairwise && kind != ADD))
        && size == 3
    {
        return None;
    }
    op.exec = if pairwise {
        pair_fn(kind, size)?
    } else if kind == CMEQ && size == 0 {
        exec_cmeq8
    } else if kind == ADD {
        by_size!(exec_add_sub, size, false)
    } else if kind == SUB {
        by_size!(exec_add_sub, size, true)
    } else {
        int_fn(kind, size)?
    };
    Some(op)
}

pub fn decode_vector(insn: u32, pc: u64) -> Option<Op> {
    decode(insn, pc, false)
}

pub fn decode_scalar(insn: u32, pc: u64) -> Option<Op> {
    decode(insn, pc, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The all-lanes-at-once ADD and SUB give what lane-by-lane arithmetic gives.
    #[test]
    fn add_sub_lanes_match_lane_arithmetic() {
        fn check<const E: u32>(a: u128, b: u128) {
            let mut qc = false;
            let lanes = |f: fn(u64, u64) -> u64| map3::<E>(0, a, b, |_, x, y| f(x, y));
            assert_eq!(add_sub_lanes::<false, E>(a, b), lanes(u64::wrapping_add), "{a:#x} + {b:#x}");
            assert_eq!(add_sub_lanes::<true, E>(a, b), lanes(u64::wrapping_sub), "{a:#x} - {b:#x}");
            assert_eq!(map3::<E>(0, a, b, |d, x, y| int_lane::<ADD, E>(d, x, y, &mut qc)), lanes(u64::wrapping_add));
        }
        let edges = [0u128, 1, u128::MAX, u128::MAX / 3, 1 << 127, 0x8080_8080_8080_8080_8080_8080_8080_8080];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut values: Vec<u128> = edges.to_vec();
        values.extend((0..200).map(|_| (next() as u128) << 64 | next() as u128));
        for &a in &values {
            for &b in &values {
                check::<8>(a, b);
                check::<16>(a, b);
                check::<32>(a, b);
                check::<64>(a, b);
            }
        }
    }
}
