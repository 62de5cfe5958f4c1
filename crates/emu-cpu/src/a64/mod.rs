//! A64 instruction groups, split as the Arm manual's encoding index splits them.
//! Each module has a decode table (`ENCODINGS`) and its semantic functions.

pub mod alu;
pub mod branch;
pub mod crc32;
pub mod dp_imm;
pub mod dp_reg;
pub mod fp;
pub mod fuse;
pub mod ldst;
pub mod ldst_atomic;
pub mod simd;
pub mod system;

#[cfg(test)]
mod regressions;

use crate::decode::Encoding;

/// Every group's table, in the order rows are tried.
pub static TABLES: &[&[Encoding]] = &[
    dp_imm::ENCODINGS,
    branch::ENCODINGS,
    system::ENCODINGS,
    ldst::ENCODINGS,
    ldst_atomic::ENCODINGS,
    dp_reg::ENCODINGS,
    fp::ENCODINGS,
    simd::ENCODINGS,
];

/// Whether `insn` does nothing in user mode, so a block needs no operation for it:
/// the hints (NOP, YIELD, and PACIASP, BTI and the rest, which are NOPs where
/// those extensions are not implemented) and ISB (decoded code is already
/// synchronised with every write to it that the runtime is told of).
pub fn is_no_op(insn: u32) -> bool {
    (insn & 0xffff_f01f) == 0xd503_201f || (insn & 0xffff_f0ff) == 0xd503_30df
}

/// Whether the instruction may change control flow, so a block ends after it.
pub fn is_branch(insn: u32) -> bool {
    (insn & 0x7c00_0000) == 0x1400_0000 // B, BL
        || (insn & 0x7c00_0000) == 0x3400_0000 // CBZ, CBNZ, TBZ, TBNZ
        || (insn & 0xff00_0010) == 0x5400_0000 // B.cond
        || (insn & 0xfe00_0000) == 0xd600_0000 // BR, BLR, RET and friends
        || (insn & 0xff00_0000) == 0xd400_0000 // SVC, HVC, BRK, HLT...
}
