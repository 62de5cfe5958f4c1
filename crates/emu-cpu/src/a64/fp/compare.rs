//! Floating-point compare, conditional compare and conditional select: FCMP,
//! FCMPE, FCCMP, FCCMPE, FCSEL.

use super::arith::*;
use super::{ftype, rd_f};
use crate::state::*;

pub fn decode_fcmp(insn: u32, pc: u64) -> Option<Op> {
    let opc2 = insn & 31;
    if opc2 & 7 != 0 {
        return None;
    }
    let zero = opc2 & 8 != 0;
    let signal = opc2 & 16 != 0;
    let exec: ExecFn = match (ftype(insn), signal) {
        (0, false) => exec_fcmp::<f32, false>,
        (0, true) => exec_fcmp::<f32, true>,
        (1, false) => exec_fcmp::<f64, false>,
        (1, true) => exec_fcmp::<f64, true>,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rn = bits(insn, 5, 5) as u8;
    op.a = zero as u8;
    op.rm = bits(insn, 16, 5) as u8;
    Some(op)
}

fn exec_fcmp<F: Float, const SIGNAL: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let a: F = rd_f(cpu, op.rn);
    // Compare with zero reads no register: the zero form has Rm = 0 in the encoding.
    let b: F = if op.a != 0 { F::from_u64(0) } else { rd_f(cpu, op.rm) };
    cpu.nzcv = fcmp(cpu.fpcr, &mut cpu.fpsr, a, b, SIGNAL);
    next(cpu, rest)
}

pub fn decode_fccmp(insn: u32, pc: u64) -> Option<Op> {
    let signal = bits(insn, 4, 1) == 1;
    let exec: ExecFn = match (ftype(insn), signal) {
        (0, false) => exec_fccmp::<f32, false>,
        (0, true) => exec_fccmp::<f32, true>,
        (1, false) => exec_fccmp::<f64, false>,
        (1, true) => exec_fccmp::<f64, true>,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rn = bits(insn, 5, 5) as u8;
    op.rm = bits(insn, 16, 5) as u8;
    op.a = bits(insn, 12, 4) as u8;
    op.b = (insn & 15) as u8;
    Some(op)
}

fn exec_fccmp<F: Float, const SIGNAL: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    if cpu.cond(op.a) {
        let a: F = rd_f(cpu, op.rn);
        let b: F = rd_f(cpu, op.rm);
        cpu.nzcv = fcmp(cpu.fpcr, &mut cpu.fpsr, a, b, SIGNAL);
    } else {
        cpu.nzcv = (op.b as u32) << 28;
    }
    next(cpu, rest)
}

pub fn decode_fcsel(insn: u32, pc: u64) -> Option<Op> {
    let exec: ExecFn = match ftype(insn) {
        0 => exec_fcsel::<32>,
        1 => exec_fcsel::<64>,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = (insn & 31) as u8;
    op.rn = bits(insn, 5, 5) as u8;
    op.rm = bits(insn, 16, 5) as u8;
    op.a = bits(insn, 12, 4) as u8;
    Some(op)
}

fn exec_fcsel<const BITS: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let src = if cpu.cond(op.a) { op.rn } else { op.rm };
    let v = cpu.vreg(src) & (u128::MAX >> (128 - BITS));
    cpu.set_vreg(op.rd, v);
    next(cpu, rest)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::run;
    use super::*;

    #[test]
    fn fcmp_flags() {
        let mut c = Cpu::default();
        c.v[0] = 1.0f64.to_bits() as u128;
        c.v[1] = 2.0f64.to_bits() as u128;
        run(&mut c, 0x1e612000); // fcmp d0, d1
        assert_eq!(c.nzcv, 0x8000_0000);
        run(&mut c, 0x1e602020); // fcmp d1, d0
        assert_eq!(c.nzcv, 0x2000_0000);
        run(&mut c, 0x1e602008); // fcmp d0, #0.0
        assert_eq!(c.nzcv, 0x2000_0000);
        c.v[0] = 0x8000_0000_0000_0000; // -0.0 == +0.0
        run(&mut c, 0x1e602008);
        assert_eq!(c.nzcv, 0x6000_0000);
        c.v[0] = 0x7ff8_0000_0000_0000;
        run(&mut c, 0x1e612000); // fcmp: quiet NaN, no IOC
        assert_eq!((c.nzcv, c.fpsr), (0x3000_0000, 0));
        run(&mut c, 0x1e612010); // fcmpe d0, d1
        assert_eq!((c.nzcv, c.fpsr), (0x3000_0000, IOC));
    }

    #[test]
    fn fccmp_and_fcsel() {
        let mut c = Cpu::default();
        c.v[0] = 1.0f32.to_bits() as u128;
        c.v[1] = 1.0f32.to_bits() as u128;
        c.nzcv = 0x4000_0000; // Z: EQ holds
        run(&mut c, 0x1e210405); // fccmp s0, s1, #5, eq
        assert_eq!(c.nzcv, 0x6000_0000);
        c.nzcv = 0;
        run(&mut c, 0x1e210405);
        assert_eq!(c.nzcv, 0x5000_0000);
        c.v[2] = 7 | 1 << 100;
        c.v[3] = 9;
        c.nzcv = 0x4000_0000;
        run(&mut c, 0x1e630c41); // fcsel d1, d2, d3, eq
        assert_eq!(c.v[1], 7);
        run(&mut c, 0x1e631c41); // fcsel d1, d2, d3, ne
        assert_eq!(c.v[1], 9);
    }
}
