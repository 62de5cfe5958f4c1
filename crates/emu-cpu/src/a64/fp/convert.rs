//! Conversion between floating-point and integer or fixed-point: FCVT[NAPMZ][SU],
//! SCVTF, UCVTF, and FMOV (general) including the top-half form.

use super::arith::*;
use super::{ftype, rd_f, wr_f};
use crate::state::*;

macro_rules! by_mode_u_sf {
    ($f:ident, $t:ty, $mode:expr, $u:expr, $sf:expr) => {
        match ($mode, $u, $sf) {
            (RN, false, false) => $f::<$t, RN, false, false> as ExecFn,
            (RN, false, true) => $f::<$t, RN, false, true>,
            (RN, true, false) => $f::<$t, RN, true, false>,
            (RN, true, true) => $f::<$t, RN, true, true>,
            (RP, false, false) => $f::<$t, RP, false, false>,
            (RP, false, true) => $f::<$t, RP, false, true>,
            (RP, true, false) => $f::<$t, RP, true, false>,
            (RP, true, true) => $f::<$t, RP, true, true>,
            (RM, false, false) => $f::<$t, RM, false, false>,
            (RM, false, true) => $f::<$t, RM, false, true>,
            (RM, true, false) => $f::<$t, RM, true, false>,
            (RM, true, true) => $f::<$t, RM, true, true>,
            (RZ, false, false) => $f::<$t, RZ, false, false>,
            (RZ, false, true) => $f::<$t, RZ, false, true>,
            (RZ, true, false) => $f::<$t, RZ, true, false>,
            (RZ, true, true) => $f::<$t, RZ, true, true>,
            (RA, false, false) => $f::<$t, RA, false, false>,
            (RA, false, true) => $f::<$t, RA, false, true>,
            (RA, true, false) => $f::<$t, RA, true, false>,
            (RA, true, true) => $f::<$t, RA, true, true>,
            _ => return None,
        }
    };
}

fn cvt_to_int_fn(t: u32, mode: u8, u: bool, sf: bool) -> Option<ExecFn> {
    Some(match t {
        0 => by_mode_u_sf!(exec_fcvt_int, f32, mode, u, sf),
        1 => by_mode_u_sf!(exec_fcvt_int, f64, mode, u, sf),
        _ => return None,
    })
}

fn cvtf_fn(t: u32, u: bool, sf: bool) -> Option<ExecFn> {
    Some(match (t, u, sf) {
        (0, false, false) => exec_cvtf::<f32, false, false>,
        (0, false, true) => exec_cvtf::<f32, false, true>,
        (0, true, false) => exec_cvtf::<f32, true, false>,
        (0, true, true) => exec_cvtf::<f32, true, true>,
        (1, false, false) => exec_cvtf::<f64, false, false>,
        (1, false, true) => exec_cvtf::<f64, false, true>,
        (1, true, false) => exec_cvtf::<f64, true, false>,
        (1, true, true) => exec_cvtf::<f64, true, true>,
        _ => return None,
    })
}

pub fn decode_int(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let t = ftype(insn);
    let (rmode, opc) = (bits(insn, 19, 2) as u8, bits(insn, 16, 3));
    let mut op = Op::new(exec_fmov_from_gen::<32, false>, pc);
    // The general-register side maps 31 to ZR; the FP side is a V register.
    let (gen_dst, gen_src) = (wzr(insn), rzr(bits(insn, 5, 5)));
    let (v_dst, v_src) = ((insn & 31) as u8, bits(insn, 5, 5) as u8);
    let to_gen = match (opc, rmode) {
        (0 | 1, _) => {
            op.exec = cvt_to_int_fn(t, rmode, opc == 1, sf)?;
            true
        }
        (4 | 5, 0) => {
            op.exec = cvt_to_int_fn(t, RA, opc == 5, sf)?;
            true
        }
        (2 | 3, 0) => {
            op.exec = cvtf_fn(t, opc == 3, sf)?;
            false
        }
        (6 | 7, _) => {
            let to_gen = opc == 6;
            op.exec = match (sf, t, rmode, to_gen) {
                (false, 0, 0, true) => exec_fmov_to_gen::<32, false>,
                (false, 0, 0, false) => exec_fmov_from_gen::<32, false>,
                (true, 1, 0, true) => exec_fmov_to_gen::<64, false>,
                (true, 1, 0, false) => exec_fmov_from_gen::<64, false>,
                (true, 2, 1, true) => exec_fmov_to_gen::<64, true>,
                (true, 2, 1, false) => exec_fmov_from_gen::<64, true>,
                _ => return None,
            };
            to_gen
        }
        _ => return None,
    };
    (op.rd, op.rn) = if to_gen { (gen_dst, v_src) } else { (v_dst, gen_src) };
    Some(op)
}

pub fn decode_fixed(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let scale = bits(insn, 10, 6);
    if !sf && scale < 32 {
        return None;
    }
    let t = ftype(insn);
    let mut op = Op::new(exec_fmov_from_gen::<32, false>, pc);
    op.a = (64 - scale) as u8;
    match (bits(insn, 19, 2), bits(insn, 16, 3)) {
        (3, 0 | 1) => {
            op.exec = cvt_to_int_fn(t, RZ, bits(insn, 16, 1) == 1, sf)?;
            op.rd = wzr(insn);
            op.rn = bits(insn, 5, 5) as u8;
        }
        (0, 2 | 3) => {
            op.exec = cvtf_fn(t, bits(insn, 16, 1) == 1, sf)?;
            op.rd = (insn & 31) as u8;
            op.rn = rzr(bits(insn, 5, 5));
        }
        _ => return None,
    }
    Some(op)
}

/// FCVT*S/FCVT*U (scalar, to a general register); `op.a` holds fbits.
fn exec_fcvt_int<F: Float, const MODE: u8, const U: bool, const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x: F = rd_f(cpu, op.rn);
    let r = fp_to_fixed(cpu.fpcr, &mut cpu.fpsr, x, op.a as u32, U, if SF { 64 } else { 32 }, MODE);
    cpu.set(op.rd, r);
    next(cpu, rest)
}

/// SCVTF/UCVTF (scalar, from a general register); `op.a` holds fbits.
fn exec_cvtf<F: Float, const U: bool, const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = cpu.r(op.rn);
    let v: i128 = match (U, SF) {
        (true, true) => x as i128,
        (true, false) => x as u32 as i128,
        (false, true) => x as i64 as i128,
        (false, false) => x as i32 as i128,
    };
    let mode = fpcr_mode(cpu.fpcr);
    let r: F = fixed_to_fp(&mut cpu.fpsr, v, op.a as u32, mode);
    wr_f(cpu, op.rd, r);
    next(cpu, rest)
}

fn exec_fmov_to_gen<const BITS: u32, const TOP: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rn);
    let r = if TOP { (v >> 64) as u64 } else { v as u64 & (u64::MAX >> (64 - BITS)) };
    cpu.set(op.rd, r);
    next(cpu, rest)
}

fn exec_fmov_from_gen<const BITS: u32, const TOP: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = cpu.r(op.rn) & (u64::MAX >> (64 - BITS));
    let r = if TOP { (cpu.vreg(op.rd) as u64 as u128) | (x as u128) << 64 } else { x as u128 };
    cpu.set_vreg(op.rd, r);
    next(cpu, rest)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::run;
    use super::*;

    #[test]
    fn fmov_general() {
        let mut c = Cpu::default();
        c.x[1] = 0x1122_3344_5566_7788;
        c.v[0] = u128::MAX;
        run(&mut c, 0x9e670020); // fmov d0, x1
        assert_eq!(c.v[0], 0x1122_3344_5566_7788);
        run(&mut c, 0x9eaf0020); // fmov v0.d[1], x1
        assert_eq!(c.v[0], 0x1122_3344_5566_7788_1122_3344_5566_7788);
        run(&mut c, 0x1e270020); // fmov s0, w1
        assert_eq!(c.v[0], 0x5566_7788);
        c.v[2] = 0xaaaa_0000_0000_0000_0000_0000_bbbb_cccc;
        run(&mut c, 0x9eae0043); // fmov x3, v2.d[1]
        assert_eq!(c.x[3], 0xaaaa_0000_0000_0000);
        run(&mut c, 0x1e260043); // fmov w3, s2
        assert_eq!(c.x[3], 0xbbbb_cccc);
    }

    #[test]
    fn float_to_int_saturates_like_arm() {
        let mut c = Cpu::default();
        c.v[1] = 1e20f64.to_bits() as u128;
        run(&mut c, 0x9e780020); // fcvtzs x0, d1
        assert_eq!(c.x[0], i64::MAX as u64);
        run(&mut c, 0x1e780020); // fcvtzs w0, d1
        assert_eq!(c.x[0], i32::MAX as u64);
        c.v[1] = (-1e20f64).to_bits() as u128;
        run(&mut c, 0x1e780020);
        assert_eq!(c.x[0], 0x8000_0000);
        run(&mut c, 0x9e790020); // fcvtzu x0, d1
        assert_eq!(c.x[0], 0);
        c.v[1] = f64::NAN.to_bits() as u128;
        c.fpsr = 0;
        run(&mut c, 0x9e780020);
        assert_eq!((c.x[0], c.fpsr & IOC), (0, IOC));
        c.v[1] = (-2.5f64).to_bits() as u128;
        run(&mut c, 0x9e600020); // fcvtns x0, d1: ties to even
        assert_eq!(c.x[0] as i64, -2);
        run(&mut c, 0x9e640020); // fcvtas x0, d1: ties away
        assert_eq!(c.x[0] as i64, -3);
        run(&mut c, 0x9e680020); // fcvtps x0, d1
        assert_eq!(c.x[0] as i64, -2);
        run(&mut c, 0x9e700020); // fcvtms x0, d1
        assert_eq!(c.x[0] as i64, -3);
        c.v[1] = 1.75f32.to_bits() as u128;
        run(&mut c, 0x1e18f820); // fcvtzs w0, s1, #2
        assert_eq!(c.x[0], 7);
    }

    #[test]
    fn int_to_float() {
        let mut c = Cpu::default();
        c.x[1] = u64::MAX;
        run(&mut c, 0x9e630020); // ucvtf d0, x1
        assert_eq!(f64::from_bits(c.v[0] as u64), 18446744073709551616.0);
        run(&mut c, 0x9e620020); // scvtf d0, x1
        assert_eq!(f64::from_bits(c.v[0] as u64), -1.0);
        c.x[1] = 7;
        run(&mut c, 0x1e02f820); // scvtf s0, w1, #2
        assert_eq!(f32::from_bits(c.v[0] as u32), 1.75);
        // 2^53 + 1 rounds to even, or up towards +inf.
        c.x[1] = (1 << 53) + 1;
        run(&mut c, 0x9e620020);
        assert_eq!(f64::from_bits(c.v[0] as u64), 9007199254740992.0);
        c.fpcr = 1 << 22;
        run(&mut c, 0x9e620020);
        assert_eq!(f64::from_bits(c.v[0] as u64), 9007199254740994.0);
    }
}
