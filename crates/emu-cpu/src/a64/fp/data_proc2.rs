//! Floating-point data-processing (2 and 3 source): FMUL, FDIV, FADD, FSUB, FMAX,
//! FMIN, FMAXNM, FMINNM, FNMUL.

use super::arith::*;
use super::{ftype, rd_f, wr_f};
use crate::state::*;

pub fn decode(insn: u32, pc: u64) -> Option<Op> {
    let opc = bits(insn, 12, 4);
    let exec = match ftype(insn) {
        0 => dp2_fn::<f32>(opc)?,
        1 => dp2_fn::<f64>(opc)?,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = (insn & 31) as u8;
    op.rn = bits(insn, 5, 5) as u8;
    op.rm = bits(insn, 16, 5) as u8;
    Some(op)
}

fn dp2_fn<F: Float>(opc: u32) -> Option<ExecFn> {
    Some(match opc {
        0 => exec_dp2::<F, 0>,
        1 => exec_dp2::<F, 1>,
        2 => exec_dp2::<F, 2>,
        3 => exec_dp2::<F, 3>,
        4 => exec_dp2::<F, 4>,
        5 => exec_dp2::<F, 5>,
        6 => exec_dp2::<F, 6>,
        7 => exec_dp2::<F, 7>,
        8 => exec_dp2::<F, 8>,
        _ => return None,
    })
}

/// The two-operand FP operations by their `opcode` field; shared with AdvSIMD.
#[inline(always)]
pub fn fp_op2<F: Float, const OPC: u8>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    match OPC {
        0 => fmul(fpcr, fpsr, a, b),
        1 => fdiv(fpcr, fpsr, a, b),
        2 => fadd(fpcr, fpsr, a, b),
        3 => fsub(fpcr, fpsr, a, b),
        4 => fmax::<F, false>(fpcr, fpsr, a, b),
        5 => fmax::<F, true>(fpcr, fpsr, a, b),
        6 => fmaxnm::<F, false>(fpcr, fpsr, a, b),
        7 => fmaxnm::<F, true>(fpcr, fpsr, a, b),
        // FNMUL negates the product, NaN included.
        _ => neg(fmul(fpcr, fpsr, a, b)),
    }
}

fn exec_dp2<F: Float, const OPC: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    let b: F = rd_f(cpu, op.rm);
    match fast_op2::<F, OPC>(cpu.fpcr, cpu.fpsr, a, b) {
        Some(r) => {
            wr_f(cpu, op.rd, r);
            next(cpu, rest)
        }
        None => exec_dp2_exact::<F, OPC>(cpu, op, rest),
    }
}

#[cold]
#[inline(never)]
fn exec_dp2_exact<F: Float, const OPC: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    let b: F = rd_f(cpu, op.rm);
    let r = fp_op2::<F, OPC>(cpu.fpcr, &mut cpu.fpsr, a, b);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

/// FMADD/FMSUB/FNMADD/FNMSUB: operands are negated before the fused
/// multiply-add, as the manual does, so NaN signs follow.
pub fn decode_dp3(insn: u32, pc: u64) -> Option<Op> {
    let o = (bits(insn, 21, 1) << 1 | bits(insn, 15, 1)) as u8;
    let exec: ExecFn = match (ftype(insn), o) {
        (0, 0) => exec_dp3::<f32, false, false>,
        (0, 1) => exec_dp3::<f32, false, true>,
        (0, 2) => exec_dp3::<f32, true, true>,
        (0, 3) => exec_dp3::<f32, true, false>,
        (1, 0) => exec_dp3::<f64, false, false>,
        (1, 1) => exec_dp3::<f64, false, true>,
        (1, 2) => exec_dp3::<f64, true, true>,
        (1, 3) => exec_dp3::<f64, true, false>,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = (insn & 31) as u8;
    op.rn = bits(insn, 5, 5) as u8;
    op.rm = bits(insn, 16, 5) as u8;
    op.ra = bits(insn, 10, 5) as u8;
    Some(op)
}

fn exec_dp3<F: Float, const NEG_A: bool, const NEG_N: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.ra);
    let n: F = rd_f(cpu, op.rn);
    let m: F = rd_f(cpu, op.rm);
    let (a, n) = (if NEG_A { neg(a) } else { a }, if NEG_N { neg(n) } else { n });
    match fast_muladd(cpu.fpcr, cpu.fpsr, a, n, m) {
        Some(r) => {
            wr_f(cpu, op.rd, r);
            next(cpu, rest)
        }
        None => exec_dp3_exact::<F, NEG_A, NEG_N>(cpu, op, rest),
    }
}

#[cold]
#[inline(never)]
fn exec_dp3_exact<F: Float, const NEG_A: bool, const NEG_N: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let mut a: F = rd_f(cpu, op.ra);
    let mut n: F = rd_f(cpu, op.rn);
    let m: F = rd_f(cpu, op.rm);
    if NEG_A {
        a = neg(a);
    }
    if NEG_N {
        n = neg(n);
    }
    let r = fmuladd(cpu.fpcr, &mut cpu.fpsr, a, n, m);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::run;
    use super::*;

    fn d(c: &Cpu, i: usize) -> u64 {
        c.v[i] as u64
    }

    #[test]
    fn arithmetic_and_nan_rules() {
        let mut c = Cpu::default();
        c.v[1] = 1.5f64.to_bits() as u128;
        c.v[2] = 0.25f64.to_bits() as u128;
        run(&mut c, 0x1e622820); // fadd d0, d1, d2
        assert_eq!(f64::from_bits(d(&c, 0)), 1.75);
        run(&mut c, 0x1e621820); // fdiv d0, d1, d2
        assert_eq!(f64::from_bits(d(&c, 0)), 6.0);
        run(&mut c, 0x1e628820); // fnmul d0, d1, d2
        assert_eq!(f64::from_bits(d(&c, 0)), -0.375);
        // inf - inf: default NaN and IOC (x86 would give the negative NaN).
        c.v[1] = f64::INFINITY.to_bits() as u128;
        c.v[2] = f64::INFINITY.to_bits() as u128;
        run(&mut c, 0x1e623820); // fsub d0, d1, d2
        assert_eq!(d(&c, 0), 0x7ff8_0000_0000_0000);
        assert_eq!(c.fpsr & IOC, IOC);
        // QNaN in op1, SNaN in op2: the SNaN wins, quietened.
        c.v[1] = 0x7ff8_0000_0000_0001;
        c.v[2] = 0xfff0_0000_0000_0002;
        run(&mut c, 0x1e622820);
        assert_eq!(d(&c, 0), 0xfff8_0000_0000_0002);
        // Two QNaNs: the first.
        c.v[2] = 0xfff8_0000_0000_0002;
        run(&mut c, 0x1e620820); // fmul d0, d1, d2
        assert_eq!(d(&c, 0), 0x7ff8_0000_0000_0001);
        // FPCR.DN.
        c.fpcr = FPCR_DN;
        run(&mut c, 0x1e620820);
        assert_eq!(d(&c, 0), 0x7ff8_0000_0000_0000);
    }

    #[test]
    fn min_max() {
        let mut c = Cpu::default();
        c.v[1] = 0x8000_0000; // -0.0f
        c.v[2] = 0; // +0.0f
        run(&mut c, 0x1e224820); // fmax s0, s1, s2
        assert_eq!(c.v[0], 0);
        run(&mut c, 0x1e225820); // fmin s0, s1, s2
        assert_eq!(c.v[0], 0x8000_0000);
        c.v[1] = 0x7fc0_0000; // QNaN
        c.v[2] = 2.0f32.to_bits() as u128;
        run(&mut c, 0x1e226820); // fmaxnm s0, s1, s2
        assert_eq!(c.v[0], 2.0f32.to_bits() as u128);
        run(&mut c, 0x1e224820); // fmax s0, s1, s2
        assert_eq!(c.v[0], 0x7fc0_0000);
    }

    #[test]
    fn fused_multiply_add() {
        let mut c = Cpu::default();
        // (1 + 2^-52)^2 - 1 needs the unrounded product.
        let x = 1.0f64 + f64::EPSILON;
        c.v[1] = x.to_bits() as u128;
        c.v[2] = x.to_bits() as u128;
        c.v[3] = (-1.0f64).to_bits() as u128;
        run(&mut c, 0x1f420c20); // fmadd d0, d1, d2, d3
        assert_eq!(f64::from_bits(d(&c, 0)), 2.0 * f64::EPSILON + f64::EPSILON * f64::EPSILON);
        run(&mut c, 0x1f428c20); // fmsub d0, d1, d2, d3: -1 - x*x
        assert_eq!(f64::from_bits(d(&c, 0)), -(x.mul_add(x, 1.0)));
        run(&mut c, 0x1f620c20); // fnmadd d0, d1, d2, d3: 1 - x*x
        assert_eq!(f64::from_bits(d(&c, 0)), (-x).mul_add(x, 1.0));
        run(&mut c, 0x1f628c20); // fnmsub d0, d1, d2, d3: x*x + 1
        assert_eq!(f64::from_bits(d(&c, 0)), x.mul_add(x, 1.0));
        // A QNaN addend with inf * 0: default NaN.
        c.v[1] = f64::INFINITY.to_bits() as u128;
        c.v[2] = 0;
        c.v[3] = 0x7ff8_0000_0000_0005;
        run(&mut c, 0x1f420c20);
        assert_eq!(d(&c, 0), 0x7ff8_0000_0000_0000);
    }

    /// With FPSR.IXC already set the operations take their inline path; FNMUL
    /// there still negates the product rounded towards -inf (FPNeg(FPMul(..))),
    /// not the product of a negated operand. Expected values from qemu.
    #[test]
    fn fast_path_fnmul_rounds_the_product() {
        let mut c = Cpu { fpcr: 0x80_0000, fpsr: IXC, ..Cpu::default() };
        crate::hostfp::apply_fpcr(c.fpcr);
        c.v[30] = 0xf877_fc00;
        c.v[26] = 0x39fd_43c3;
        run(&mut c, 0x1e3a8bdb); // fnmul s27, s30, s26
        crate::hostfp::apply_fpcr(0);
        assert_eq!(c.v[27], 0x72f5_55b0);
        assert_eq!(c.fpsr, IXC);
    }
}
