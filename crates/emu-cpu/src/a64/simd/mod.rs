//! Advanced SIMD: the vector and scalar AdvSIMD groups of the Arm manual's "Data
//! Processing -- Scalar Floating-Point and Advanced SIMD" encodings, and the
//! AdvSIMD load/store structure instructions.
//!
//! Lanes are computed on the whole 128-bit register and the result is then cut
//! to the operation's width: `op.d` holds how many top bits to clear (64 for a
//! 64-bit vector, 128 - esize for a scalar), so no exec function branches on Q.

pub mod complex;
pub mod copy;
pub mod crypto;
pub mod estimate;
pub mod fhm;
pub mod float;
pub mod ldst_struct;
pub mod misc;
pub mod sat;
pub mod sha512_sha3;
pub mod shift;
pub mod three_same;

use crate::decode::{enc, Encoding};
use crate::state::{bits, Cpu, Op};

pub static ENCODINGS: &[Encoding] = &[
    enc("AES", "01001110zz10100ooooo10nnnnnddddd", crypto::decode_aes),
    enc("SHA (three registers)", "01011110zz0mmmmm0ooo00nnnnnddddd", crypto::decode_sha3),
    enc("SHA (two registers)", "01011110zz10100ooooo10nnnnnddddd", crypto::decode_sha2),
    enc("SHA512H/SHA512H2/SHA512SU1/RAX1", "11001110011mmmmm1o00oonnnnnddddd", sha512_sha3::decode_three),
    enc("SHA512SU0", "1100111011000000100000nnnnnddddd", sha512_sha3::decode_sha512su0),
    enc("EOR3/BCAX", "110011100oommmmm0aaaaannnnnddddd", sha512_sha3::decode_four),
    enc("XAR", "11001110100mmmmmiiiiiinnnnnddddd", sha512_sha3::decode_xar),
    enc("PMULL/PMULL2", "0Q001110zz1mmmmm111000nnnnnddddd", crypto::decode_pmull),
    enc("PMUL", "0Q101110zz1mmmmm100111nnnnnddddd", crypto::decode_pmul),
    enc("AdvSIMD three same (extra)", "0QU01110zz0mmmmm1oooo1nnnnnddddd", sat::decode_extra_vector),
    enc("AdvSIMD scalar three same (extra)", "01U11110zz0mmmmm1oooo1nnnnnddddd", sat::decode_extra_scalar),
    enc("AdvSIMD scalar three different", "01U11110zz1mmmmmoooo00nnnnnddddd", sat::decode_three_diff_scalar),
    enc("AdvSIMD three same", "0QU01110zz1mmmmmooooo1nnnnnddddd", three_same::decode_vector),
    enc("AdvSIMD scalar three same", "01U11110zz1mmmmmooooo1nnnnnddddd", three_same::decode_scalar),
    enc("AdvSIMD three different", "0QU01110zz1mmmmmoooo00nnnnnddddd", shift::decode_three_diff),
    enc("AdvSIMD two-register misc", "0QU01110zz10000ooooo10nnnnnddddd", misc::decode_vector),
    enc("AdvSIMD scalar two-register misc", "01U11110zz10000ooooo10nnnnnddddd", misc::decode_scalar),
    enc("AdvSIMD across lanes", "0QU01110zz11000ooooo10nnnnnddddd", misc::decode_across),
    enc("AdvSIMD scalar pairwise", "01U11110zz11000ooooo10nnnnnddddd", misc::decode_scalar_pairwise),
    enc("AdvSIMD copy (DUP/INS/UMOV/SMOV)", "0Qo01110000iiiii0oooo1nnnnnddddd", copy::decode_copy),
    enc("AdvSIMD scalar copy (DUP element)", "01011110000iiiii000001nnnnnddddd", copy::decode_scalar_dup),
    enc("AdvSIMD modified immediate", "0Qo0111100000abccccco1defghddddd", copy::decode_modified_imm),
    enc("AdvSIMD shift by immediate", "0QU011110hhhhbbbooooo1nnnnnddddd", shift::decode_vector),
    enc("AdvSIMD scalar shift by immediate", "01U111110hhhhbbbooooo1nnnnnddddd", shift::decode_scalar),
    enc("AdvSIMD vector x indexed element", "0QU01111zzLMmmmmooooH0nnnnnddddd", float::decode_elem),
    enc("AdvSIMD scalar x indexed element", "01U11111zzLMmmmmooooH0nnnnnddddd", float::decode_elem_scalar),
    enc("ZIP1/ZIP2/UZP1/UZP2/TRN1/TRN2", "0Q001110zz0mmmmm0ooo10nnnnnddddd", copy::decode_permute),
    enc("EXT", "0Q101110000mmmmm0iiii0nnnnnddddd", copy::decode_ext),
    enc("TBL/TBX", "0Q001110000mmmmm0llo00nnnnnddddd", copy::decode_table),
    enc("LD1-4/ST1-4 (multiple structures)", "0Q0011000L000000oooossnnnnnttttt", ldst_struct::decode_multiple),
    enc(
        "LD1-4/ST1-4 (multiple structures, post-index)",
        "0Q0011001L0mmmmmoooossnnnnnttttt",
        ldst_struct::decode_multiple,
    ),
    enc("LD1-4/ST1-4/LD1R-LD4R (single structure)", "0Q0011010LR00000ooosssnnnnnttttt", ldst_struct::decode_single),
    enc(
        "LD1-4/ST1-4/LD1R-LD4R (single structure, post-index)",
        "0Q0011011LRmmmmmooosssnnnnnttttt",
        ldst_struct::decode_single,
    ),
];

/// FPSR.QC: a saturating operation saturated.
pub const QC: u32 = 1 << 27;

#[inline(always)]
pub fn emask(e: u32) -> u64 {
    u64::MAX >> (64 - e)
}

/// Lane `i` of `e` bits, zero-extended.
#[inline(always)]
pub fn lane(v: u128, i: u32, e: u32) -> u64 {
    (v >> (i * e)) as u64 & emask(e)
}

/// A lane value sign-extended from `e` bits.
#[inline(always)]
pub fn sx(v: u64, e: u32) -> i64 {
    ((v << (64 - e)) as i64) >> (64 - e)
}

/// Applies `f` to each lane of `e` bits of (d, n, m).
#[inline(always)]
pub fn map3<const E: u32>(d: u128, n: u128, m: u128, mut f: impl FnMut(u64, u64, u64) -> u64) -> u128 {
    let mut r = 0u128;
    for i in 0..128 / E {
        let v = f(lane(d, i, E), lane(n, i, E), lane(m, i, E)) & emask(E);
        r |= (v as u128) << (i * E);
    }
    r
}

#[inline(always)]
pub fn map1<const E: u32>(n: u128, mut f: impl FnMut(u64) -> u64) -> u128 {
    map3::<E>(0, n, 0, |_, a, _| f(a))
}

/// Writes a result cut to the operation's width (see the module comment).
#[inline(always)]
pub fn wr(cpu: &mut Cpu, op: &Op, v: u128) {
    cpu.set_vreg(op.rd, v & (u128::MAX >> op.d));
}

/// An Op with the common register fields of a SIMD encoding and `op.d` set for a
/// vector of Q (bit 30).
pub fn vop(exec: crate::state::ExecFn, insn: u32, pc: u64) -> Op {
    let mut op = Op::new(exec, pc);
    op.rd = (insn & 31) as u8;
    op.rn = bits(insn, 5, 5) as u8;
    op.rm = bits(insn, 16, 5) as u8;
    op.d = if bits(insn, 30, 1) == 1 { 0 } else { 64 };
    op
}

/// Picks `$f::<.., E>` for a size field (0..3 = 8, 16, 32, 64 bits).
macro_rules! by_size {
    ($f:ident, $size:expr $(, $c:expr)*) => {
        match $size {
            0 => $f::<$($c,)* 8> as $crate::state::ExecFn,
            1 => $f::<$($c,)* 16>,
            2 => $f::<$($c,)* 32>,
            _ => $f::<$($c,)* 64>,
        }
    };
}
pub(crate) use by_size;

#[cfg(test)]
mod qemu_cases;

/// Runs one instruction with v0 (the accumulator), v1 and v2 as given; returns
/// v0.
#[cfg(test)]
pub(crate) fn run_v012(insn: u32, d: u128, n: u128, m: u128) -> u128 {
    let op = crate::decode::Decoder::get().decode(insn, 0).expect("decodes");
    let mut cpu = Cpu::default();
    (cpu.v[0], cpu.v[1], cpu.v[2]) = (d, n, m);
    (op.exec)(&mut cpu, &op, &[]);
    cpu.v[0]
}

#[cfg(test)]
mod tests {
    use super::qemu_cases::{CASES, SETS};
    use crate::a64::fp::arith::{DZC, IOC};
    use crate::decode::Decoder;
    use crate::state::Cpu;

    /// Every case of the reference table: same inputs, same outputs. FPSR is
    /// compared on the flags we track (IOC, DZC, QC).
    #[test]
    fn matches_reference_results() {
        let mut bad = Vec::new();
        for &(insn, set, v0, x0, fpsr, nzcv, text) in CASES {
            let mut c = Cpu::default();
            let (v, x1) = SETS[set];
            c.v[..4].copy_from_slice(&v);
            c.x[1] = x1;
            c.x[0] = 0x1111;
            c.nzcv = 0x2000_0000;
            let Some(op) = Decoder::get().decode(insn, 0x1000) else {
                bad.push(format!("{text}: does not decode"));
                continue;
            };
            (op.exec)(&mut c, &op, &[]);
            let mask = IOC | DZC | super::QC;
            let got = (c.v[0], c.x[0], c.fpsr & mask, c.nzcv);
            let want = (v0, x0, fpsr & mask, nzcv);
            if got != want {
                bad.push(format!(
                    "{text}: got {:032x} {:x} {:x} {:x}, want {:032x} {:x} {:x} {:x}",
                    got.0, got.1, got.2, got.3, want.0, want.1, want.2, want.3
                ));
            }
        }
        assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), CASES.len(), bad.join("\n"));
    }
}
