//! Where qemu-aarch64-static contradicts the Arm manual, the manual wins: a
//! mismatch matching one of these is reported as a known qemu quirk, not as a
//! failure. Each entry cites the pseudocode, and emu-cpu has a unit test pinning
//! the manual's result.

use crate::case::{CaseIn, CaseOut};

pub struct Quirk {
    pub name: &'static str,
    /// Whether a mismatch on this case (qemu's output, emu's) is this quirk.
    pub applies: fn(&CaseIn, &CaseOut, &CaseOut) -> bool,
}

pub static QUIRKS: &[Quirk] = &[Quirk {
    // FPToFixedJS: with FPCR.FZ a denormal input unpacks as zero, and
    // "elsif sign == '0' && value == 0.0 && !IsZero(op<51:0>) then Z = '0'": the
    // conversion of a flushed denormal is not exact. qemu 7.2 sets Z (fixed in
    // later qemu). Pinned in emu-cpu's a64::fp::jscvt tests.
    name: "FJCVTZS of a denormal flushed by FPCR.FZ: Z is 0 (qemu 7.2 sets it)",
    applies: fjcvtzs_flushed_denormal,
}];

fn fjcvtzs_flushed_denormal(c: &CaseIn, q: &CaseOut, e: &CaseOut) -> bool {
    const FZ: u32 = 1 << 24;
    const Z: u32 = 1 << 30;
    if c.insn & 0xffff_fc00 != 0x1e7e_0000 || c.fpcr & FZ == 0 {
        return false;
    }
    let d = c.v[((c.insn >> 5) & 31) as usize] as u64;
    let denormal = (d >> 52) & 0x7ff == 0 && d & ((1 << 52) - 1) != 0;
    let same_but_z = CaseOut { nzcv: e.nzcv, ..q.clone() } == *e;
    denormal && q.nzcv == Z && e.nzcv == 0 && same_but_z
}

pub fn find(c: &CaseIn, q: &CaseOut, e: &CaseOut) -> Option<&'static Quirk> {
    QUIRKS.iter().find(|k| (k.applies)(c, q, e))
}
