//! FEAT_FHM: FMLAL, FMLAL2, FMLSL, FMLSL2 (vector and by element), from the
//! Arm manual's pseudocode. Each 32-bit lane of Vd accumulates the product of
//! two half-precision lanes (the low or, for the "2" forms, the high half of
//! the sources), with one rounding to single precision (FPMulAddH).
//!
//! A half-precision value is exact in single precision, and so is the product
//! of two (22 significant bits), so FPMulAddH is a single-precision fused
//! multiply-add of the converted halves: FZ applies to the accumulator,
//! FPCR.FZ16 to the halves, and NaNs convert with their payload.

use super::*;
use crate::a64::fp::arith::*;
use crate::state::*;

const FPCR_FZ16: u32 = 1 << 19;

/// A half-precision value as single precision, exactly (FZ16 first flushes a
/// subnormal to zero).
fn single_from_half(fpcr: u32, h: u16) -> f32 {
    let sign = (h as u32 & 0x8000) << 16;
    let (exp, man) = ((h >> 10) & 0x1f, h as u32 & 0x3ff);
    let bits = match exp {
        0x1f => sign | 0x7f80_0000 | man << 13,
        0 if man == 0 || fpcr & FPCR_FZ16 != 0 => sign,
        // Subnormal: man * 2^-24, a normal single.
        0 => sign | (man as f32 * (1.0 / 16_777_216.0)).to_bits(),
        _ => sign | (exp as u32 + 127 - 15) << 23 | man << 13,
    };
    f32::from_bits(bits)
}

/// `SUB`: FMLSL (the first source negated); `UPPER`: the "2" forms; `op.c == 1`:
/// by element, half `op.a` of Vm.
fn exec_fmlal<const SUB: bool, const UPPER: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (d, n, m) = (cpu.vreg(op.rd), cpu.vreg(op.rn), cpu.vreg(op.rm));
    let (fpcr, mut fpsr) = (cpu.fpcr, cpu.fpsr);
    let lanes = (128 - op.d as u32) / 32;
    let base = if UPPER { lanes } else { 0 };
    let mut r = 0u128;
    for e in 0..lanes {
        let a = lane(n, base + e, 16) as u16 ^ if SUB { 0x8000 } else { 0 };
        let b = lane(m, if op.c == 1 { op.a as u32 } else { base + e }, 16) as u16;
        let acc = f32::from_bits(lane(d, e, 32) as u32);
        let x = fmuladd(fpcr, &mut fpsr, acc, single_from_half(fpcr, a), single_from_half(fpcr, b));
        r |= (x.to_bits() as u128) << (32 * e);
    }
    cpu.fpsr = fpsr;
    wr(cpu, op, r);
    next(cpu, rest)
}

fn pick(sub: bool, upper: bool) -> ExecFn {
    match (sub, upper) {
        (false, false) => exec_fmlal::<false, false>,
        (false, true) => exec_fmlal::<false, true>,
        (true, false) => exec_fmlal::<true, false>,
        (true, true) => exec_fmlal::<true, true>,
    }
}

/// AdvSIMD three same: U = 0, opcode 11101 (FMLAL, FMLSL) and U = 1, opcode
/// 11001 (FMLAL2, FMLSL2); size<1> picks the subtraction, size<0> must be 0.
pub fn decode_vector(insn: u32, pc: u64) -> Option<Op> {
    if bits(insn, 22, 1) != 0 {
        return None;
    }
    Some(vop(pick(bits(insn, 23, 1) == 1, bits(insn, 29, 1) == 1), insn, pc))
}

/// By element (size 10): opcode 0000 FMLAL, 0100 FMLSL, 1000 FMLAL2, 1100
/// FMLSL2 (the last two with U = 1); the half H:L:M of Vm (v0-v15).
pub fn decode_elem(insn: u32, pc: u64) -> Option<Op> {
    let (u, opc) = (bits(insn, 29, 1), bits(insn, 12, 4));
    let upper = match (u, opc) {
        (0, 0) | (0, 4) => false,
        (1, 8) | (1, 12) => true,
        _ => return None,
    };
    let mut op = vop(pick(opc & 4 != 0, upper), insn, pc);
    op.rm = bits(insn, 16, 4) as u8;
    op.a = (bits(insn, 11, 1) << 2 | bits(insn, 21, 1) << 1 | bits(insn, 20, 1)) as u8;
    op.c = 1;
    Some(op)
}

#[cfg(test)]
mod tests {
    use super::super::run_v012 as run;
    use super::*;

    #[test]
    fn halves_convert_exactly() {
        let cases: [(u16, f32); 7] = [
            (0x3c00, 1.0),
            (0xc000, -2.0),
            (0x7bff, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x8000, -0.0),
            (0x7c00, f32::INFINITY),
            (0x3555, 0.333_251_95),
        ];
        for (h, f) in cases {
            assert_eq!(single_from_half(0, h).to_bits(), f.to_bits(), "{h:#x}");
        }
        // A signalling NaN keeps its payload, shifted, and stays signalling.
        assert_eq!(single_from_half(0, 0x7c01).to_bits(), 0x7f80_2000);
        assert_eq!(single_from_half(FPCR_FZ16, 0x8001).to_bits(), (-0.0f32).to_bits());
    }

    /// fmlal v0.4s, v1.4h, v2.4h and fmlsl2 v0.4s, v1.4h, v2.4h on known values.
    #[test]
    fn widening_multiply_accumulate() {
        let halves = |h: [u16; 8]| h.iter().enumerate().fold(0u128, |v, (i, &x)| v | (x as u128) << (16 * i));
        let singles =
            |s: [f32; 4]| s.iter().enumerate().fold(0u128, |v, (i, &x)| v | (x.to_bits() as u128) << (32 * i));
        // n = 1, 2, 3, 4 | 5, 6, 7, 8; m = 2 everywhere; d = 0.5 each.
        let n = halves([0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700, 0x4800]);
        let m = halves([0x4000; 8]);
        let d = singles([0.5; 4]);
        assert_eq!(run(0x4e22_ec20, d, n, m), singles([2.5, 4.5, 6.5, 8.5]));
        // fmlsl2 v0.4s, v1.8h, v2.8h: the upper halves, subtracted.
        assert_eq!(run(0x6ea2_cc20, d, n, m), singles([-9.5, -11.5, -13.5, -15.5]));
        // fmlal v0.4s, v1.8h, v2.h[7] (by element): n's low halves times 2.
        assert_eq!(run(0x4fb2_0820, d, n, m), singles([2.5, 4.5, 6.5, 8.5]));
    }
}
