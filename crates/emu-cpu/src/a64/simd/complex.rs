//! FEAT_FCMA: FCMLA (vector and by element) and FCADD, complex numbers as
//! (real, imaginary) pairs of adjacent lanes, from the Arm manual's pseudocode.
//! Single and double precision; the half-precision forms need FEAT_FP16, which
//! emu does not implement, and decode as undefined.

use super::*;
use crate::a64::fp::arith::*;
use crate::state::*;

/// One complex pair of FCMLA: d + n * m with the operand halves and signs the
/// rotation (0, 90, 180, 270 degrees) picks; each lane one fused multiply-add.
#[inline(always)]
fn fcmla_pair<F: Float>(fpcr: u32, fpsr: &mut u32, rot: u8, d: [F; 2], n: [F; 2], m: [F; 2]) -> [F; 2] {
    let (e1, e2, e3, e4) = match rot {
        0 => (m[0], n[0], m[1], n[0]),
        1 => (neg(m[1]), n[1], m[0], n[1]),
        2 => (neg(m[0]), n[0], neg(m[1]), n[0]),
        _ => (m[1], n[1], neg(m[0]), n[1]),
    };
    [fmuladd(fpcr, fpsr, d[0], e2, e1), fmuladd(fpcr, fpsr, d[1], e4, e3)]
}

/// One complex pair of FCADD: n + m rotated by 90 (`rot` 0) or 270 degrees.
#[inline(always)]
fn fcadd_pair<F: Float>(fpcr: u32, fpsr: &mut u32, rot: u8, n: [F; 2], m: [F; 2]) -> [F; 2] {
    let (e1, e3) = if rot == 0 { (neg(m[1]), m[0]) } else { (m[1], neg(m[0])) };
    [fadd(fpcr, fpsr, n[0], e1), fadd(fpcr, fpsr, n[1], e3)]
}

fn pair<F: Float>(v: u128, p: u32) -> [F; 2] {
    [F::from_u64(lane(v, 2 * p, F::BITS)), F::from_u64(lane(v, 2 * p + 1, F::BITS))]
}

/// FCMLA (`ADD` false) and FCADD; `op.b`: the rotation; `op.c == 1`: by
/// element, Vm's pair `op.a` for every pair.
fn exec_complex<F: Float, const ADD: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let mut r = 0u128;
    for p in 0..(128 - op.d as u32) / (2 * F::BITS) {
        let mp = pair::<F>(m, if op.c == 1 { op.a as u32 } else { p });
        let out = if ADD {
            fcadd_pair(fpcr, &mut fpsr, op.b, pair(n, p), mp)
        } else {
            fcmla_pair(fpcr, &mut fpsr, op.b, pair(d, p), pair(n, p), mp)
        };
        r |= (out[0].to_u64() as u128) << (2 * p * F::BITS);
        r |= (out[1].to_u64() as u128) << ((2 * p + 1) * F::BITS);
    }
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

/// AdvSIMD three same (extra), U = 1: FCMLA (opcode 10rr) and FCADD (opcode
/// 11r0). Single (any Q) or double precision (Q = 1).
pub fn decode_three(insn: u32, pc: u64) -> Option<Op> {
    let (size, opc, q) = (bits(insn, 22, 2), bits(insn, 11, 4), bits(insn, 30, 1));
    let add = match opc {
        8..=11 => false,
        12 | 14 => true,
        _ => return None,
    };
    let exec: ExecFn = match (size, add) {
        (2, false) => exec_complex::<f32, false>,
        (2, true) => exec_complex::<f32, true>,
        (3, false) if q == 1 => exec_complex::<f64, false>,
        (3, true) if q == 1 => exec_complex::<f64, true>,
        _ => return None,
    };
    let mut op = vop(exec, insn, pc);
    op.b = if add { bits(insn, 12, 1) } else { bits(insn, 11, 2) } as u8;
    Some(op)
}

/// FCMLA (by element), U = 1 and opcode 0rr1: single precision, 128-bit only;
/// the pair of Vm (M:Rm) is H.
pub fn decode_elem(insn: u32, pc: u64) -> Option<Op> {
    let (size, l, q) = (bits(insn, 22, 2), bits(insn, 21, 1), bits(insn, 30, 1));
    if size != 2 || l == 1 || q == 0 {
        return None;
    }
    let mut op = vop(exec_complex::<f32, false>, insn, pc);
    op.rm = (bits(insn, 20, 1) << 4 | bits(insn, 16, 4)) as u8;
    op.a = bits(insn, 11, 1) as u8;
    op.b = bits(insn, 13, 2) as u8;
    op.c = 1;
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::super::run_v012 as run;

    fn c32(pairs: &[(f32, f32)]) -> u128 {
        pairs.iter().enumerate().fold(0, |v, (i, &(re, im))| {
            v | (re.to_bits() as u128) << (64 * i) | (im.to_bits() as u128) << (64 * i + 32)
        })
    }

    /// FCMLA #0 then #90 is a full complex multiply-accumulate; FCADD #90 adds
    /// i times the second operand. (1 + 2i)(3 + 4i) = -5 + 10i.
    #[test]
    fn complex_multiply_and_add() {
        let (n, m) = (c32(&[(1.0, 2.0), (0.5, 0.0)]), c32(&[(3.0, 4.0), (2.0, -2.0)]));
        let acc = c32(&[(10.0, 10.0), (0.0, 0.0)]);
        // fcmla v0.4s, v1.4s, v2.4s, #0 ; then #90
        let half = run(0x6e82_c420, acc, n, m);
        assert_eq!(half, c32(&[(13.0, 14.0), (1.0, -1.0)]));
        assert_eq!(run(0x6e82_cc20, half, n, m), c32(&[(5.0, 20.0), (1.0, -1.0)]));
        // fcadd v0.4s, v1.4s, v2.4s, #90: n + i*m = (1 - 4) + (2 + 3)i.
        assert_eq!(run(0x6e82_e420, 0, n, m), c32(&[(-3.0, 5.0), (2.5, 2.0)]));
        // fcmla v0.4s, v1.4s, v2.s[1], #180: every pair times -(2 - 2i)'s real part.
        assert_eq!(run(0x6f82_5820, 0, n, m), c32(&[(-2.0, 2.0), (-1.0, 1.0)]));
    }
}
