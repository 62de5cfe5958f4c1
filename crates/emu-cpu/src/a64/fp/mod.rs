//! Data processing -- scalar floating-point: the FP groups of the Arm manual's
//! "Data Processing -- Scalar Floating-Point and Advanced SIMD" encodings.

pub mod arith;
pub mod compare;
pub mod convert;
pub mod data_proc1;
pub mod data_proc2;
pub mod jscvt;

use crate::decode::{enc, Encoding};
use crate::state::Cpu;
use arith::Float;

pub static ENCODINGS: &[Encoding] = &[
    enc("FMOV/FABS/FNEG/FSQRT/FCVT/FRINT*", "00011110tt1oooooo10000nnnnnddddd", data_proc1::decode),
    enc("FCMP/FCMPE", "00011110tt1mmmmm001000nnnnnooooo", compare::decode_fcmp),
    enc("FMOV (scalar, immediate)", "00011110tt1iiiiiiii10000000ddddd", data_proc1::decode_fmov_imm),
    enc("FCCMP/FCCMPE", "00011110tt1mmmmmcccc01nnnnnoffff", compare::decode_fccmp),
    enc("FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FMAXNM/FMINNM/FNMUL", "00011110tt1mmmmmoooo10nnnnnddddd", data_proc2::decode),
    enc("FCSEL", "00011110tt1mmmmmcccc11nnnnnddddd", compare::decode_fcsel),
    enc("FMADD/FMSUB/FNMADD/FNMSUB", "00011111ttommmmmoaaaaannnnnddddd", data_proc2::decode_dp3),
    enc("FJCVTZS", "0001111001111110000000nnnnnddddd", jscvt::decode),
    enc("FCVT*/SCVTF/UCVTF/FMOV (general)", "s0011110tt1rrooo000000nnnnnddddd", convert::decode_int),
    enc("FCVTZS/FCVTZU/SCVTF/UCVTF (fixed-point)", "s0011110tt0rrooossssssnnnnnddddd", convert::decode_fixed),
];

/// Reads the low `F::BITS` of a vector register as a float.
#[inline(always)]
pub fn rd_f<F: Float>(cpu: &Cpu, i: u8) -> F {
    F::from_u64(cpu.vreg(i) as u64)
}

/// Writes a scalar float; the rest of the vector register is cleared.
#[inline(always)]
pub fn wr_f<F: Float>(cpu: &mut Cpu, i: u8, v: F) {
    cpu.set_vreg(i, v.to_u64() as u128);
}

/// Which float type a `ftype` field selects: 0 single, 1 double (3 half is only
/// handled by FCVT).
#[inline(always)]
pub fn ftype(insn: u32) -> u32 {
    (insn >> 22) & 3
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::decode::Decoder;
    use crate::state::{Cpu, Op};

    /// Decodes `insn` through the full table, so the tests also cover the rows.
    pub fn dec(insn: u32) -> Op {
        Decoder::get().decode(insn, 0x1000).unwrap_or_else(|| panic!("{insn:08x} does not decode"))
    }

    /// Runs one instruction word on `cpu`.
    pub fn run(cpu: &mut Cpu, insn: u32) {
        let op = dec(insn);
        (op.exec)(cpu, &op, &[]);
    }
}
