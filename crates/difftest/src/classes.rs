//! Instruction classes: groups of decode-table rows, and what a case of each
//! class needs beyond random bits (memory operands pointing into scratch memory,
//! register fields kept apart where the manual says CONSTRAINED UNPREDICTABLE).

use crate::case::{CaseIn, FLAG_MEM, SCRATCH_ADDR, SCRATCH_BYTES};
use crate::rng::Rng;
use emu_cpu::decode::Encoding;

/// Adjusts a random encoding of `row` and its input state; `None` rejects it.
pub type Prepare = fn(&mut Rng, &Encoding, u32, &mut CaseIn) -> Option<u32>;

pub struct Class {
    pub name: &'static str,
    /// Names of the decode-table rows whose patterns generate this class.
    pub rows: &'static [&'static str],
    pub prepare: Prepare,
}

pub static CLASSES: &[Class] = &[
    Class {
        name: "dp_imm",
        rows: &["ADR", "ADRP", "ADD/ADDS/SUB/SUBS (immediate)", "AND/ORR/EOR/ANDS (immediate)", "MOVN/MOVZ/MOVK"],
        prepare: plain,
    },
    Class { name: "bitfield", rows: &["SBFM/BFM/UBFM", "EXTR"], prepare: plain },
    Class {
        name: "dp_reg",
        rows: &[
            "AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register)",
            "ADD/ADDS/SUB/SUBS (shifted register)",
            "ADD/ADDS/SUB/SUBS (extended register)",
            "ADC/ADCS/SBC/SBCS",
        ],
        prepare: plain,
    },
    Class {
        name: "dp_src",
        rows: &[
            "MADD/MSUB/SMADDL/SMSUBL/SMULH/UMADDL/UMSUBL/UMULH",
            "UDIV/SDIV/LSLV/LSRV/ASRV/RORV/CRC32*",
            "RBIT/REV16/REV32/REV/CLZ/CLS",
        ],
        prepare: plain,
    },
    Class {
        name: "cond",
        rows: &["CCMN/CCMP (register)", "CCMN/CCMP (immediate)", "CSEL/CSINC/CSINV/CSNEG"],
        prepare: plain,
    },
    Class {
        name: "ldst",
        rows: &[
            "LDR/LDRSW/PRFM (literal)",
            "STP/LDP/STNP/LDNP/LDPSW",
            "STUR/LDUR/STTR/LDTR/STR/LDR (imm9 pre/post)",
            "STR/LDR (register offset)",
            "STR/LDR/PRFM (unsigned immediate)",
        ],
        prepare: ldst,
    },
    Class {
        name: "atomics",
        rows: &[
            "LDXR/STXR/LDAXR/STLXR/LDXP/STXP/LDAR/STLR/LDLAR/STLLR/CAS/CASP",
            "LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP/LDAPR",
        ],
        prepare: atomic,
    },
    Class {
        name: "fp_scalar",
        rows: &[
            "FMOV/FABS/FNEG/FSQRT/FCVT/FRINT*",
            "FCMP/FCMPE",
            "FMOV (scalar, immediate)",
            "FCCMP/FCCMPE",
            "FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FMAXNM/FMINNM/FNMUL",
            "FCSEL",
            "FMADD/FMSUB/FNMADD/FNMSUB",
        ],
        prepare: plain,
    },
    Class {
        name: "fp_convert",
        rows: &["FCVT*/SCVTF/UCVTF/FMOV (general)", "FCVTZS/FCVTZU/SCVTF/UCVTF (fixed-point)", "FJCVTZS"],
        prepare: plain,
    },
    Class {
        name: "simd_three_same",
        rows: &[
            "AdvSIMD three same",
            "AdvSIMD scalar three same",
            "AdvSIMD three same (extra)",
            "AdvSIMD scalar three same (extra)",
        ],
        prepare: plain,
    },
    Class {
        name: "simd_three_diff",
        rows: &["AdvSIMD three different", "AdvSIMD scalar three different"],
        prepare: plain,
    },
    Class {
        name: "simd_misc",
        rows: &[
            "AdvSIMD two-register misc",
            "AdvSIMD scalar two-register misc",
            "AdvSIMD across lanes",
            "AdvSIMD scalar pairwise",
        ],
        prepare: plain,
    },
    Class {
        name: "simd_copy",
        rows: &["AdvSIMD copy (DUP/INS/UMOV/SMOV)", "AdvSIMD scalar copy (DUP element)", "AdvSIMD modified immediate"],
        prepare: plain,
    },
    Class {
        name: "simd_shift",
        rows: &["AdvSIMD shift by immediate", "AdvSIMD scalar shift by immediate"],
        prepare: plain,
    },
    Class {
        name: "simd_elem",
        rows: &["AdvSIMD vector x indexed element", "AdvSIMD scalar x indexed element"],
        prepare: plain,
    },
    Class { name: "simd_permute", rows: &["ZIP1/ZIP2/UZP1/UZP2/TRN1/TRN2", "EXT", "TBL/TBX"], prepare: plain },
    Class {
        name: "simd_ldst",
        rows: &[
            "LD1-4/ST1-4 (multiple structures)",
            "LD1-4/ST1-4 (multiple structures, post-index)",
            "LD1-4/ST1-4/LD1R-LD4R (single structure)",
            "LD1-4/ST1-4/LD1R-LD4R (single structure, post-index)",
        ],
        prepare: simd_ldst,
    },
    Class {
        name: "crypto",
        rows: &[
            "AES",
            "SHA (three registers)",
            "SHA (two registers)",
            "SHA512H/SHA512H2/SHA512SU1/RAX1",
            "SHA512SU0",
            "EOR3/BCAX",
            "XAR",
            "PMULL/PMULL2",
            "PMUL",
        ],
        prepare: plain,
    },
];

/// Rows no class tests, and why.
pub static EXCLUDED_ROWS: &[(&str, &str)] = &[
    ("B.cond", "branch: would leave the test page"),
    ("B", "branch"),
    ("BL", "branch"),
    ("CBZ/CBNZ", "branch"),
    ("TBZ/TBNZ", "branch"),
    ("BR", "branch"),
    ("BLR", "branch"),
    ("RET", "branch"),
    ("SVC", "system call"),
    ("BRK", "raises SIGTRAP"),
    ("HINT (NOP, YIELD, BTI, PACIASP...)", "qemu's max CPU implements pointer authentication here"),
    ("CLREX", "no architectural state to compare"),
    ("DSB", "no architectural state to compare"),
    ("DMB", "no architectural state to compare"),
    ("ISB", "no architectural state to compare"),
    ("MRS", "reads host-specific ID registers and counters"),
    ("MSR (register)", "writes TPIDR_EL0, which the harness uses"),
    ("SYS (DC, IC)", "cache maintenance on random addresses faults"),
];

pub fn find(name: &str) -> Option<&'static Class> {
    CLASSES.iter().find(|c| c.name == name)
}

fn plain(_: &mut Rng, _: &Encoding, insn: u32, _: &mut CaseIn) -> Option<u32> {
    Some(insn)
}

fn field(insn: u32, lo: u32, len: u32) -> u32 {
    (insn >> lo) & ((1 << len) - 1)
}

fn set_field(insn: u32, lo: u32, len: u32, v: u32) -> u32 {
    let mask = ((1 << len) - 1) << lo;
    (insn & !mask) | ((v << lo) & mask)
}

/// Whether the 5-bit register fields at these bit positions are pairwise distinct.
fn distinct(insn: u32, los: &[u32]) -> bool {
    let regs: Vec<u32> = los.iter().map(|&lo| field(insn, lo, 5)).collect();
    regs.iter().enumerate().all(|(i, r)| !regs[..i].contains(r))
}

/// Points base register `rn` (31: SP, kept 16-byte aligned) into the middle of
/// scratch memory, `align`-byte aligned, within +-256 bytes of the centre.
fn set_base(rng: &mut Rng, c: &mut CaseIn, rn: u32, align: u64) -> u64 {
    let centre = SCRATCH_ADDR + SCRATCH_BYTES / 2;
    let mut addr = centre - 256 + rng.below(512);
    addr &= !(align.max(if rn == 31 { 16 } else { 1 }) - 1);
    if rn == 31 {
        c.sp = addr;
    } else {
        c.x[rn as usize] = addr;
    }
    addr
}

fn ldst(rng: &mut Rng, row: &Encoding, mut insn: u32, c: &mut CaseIn) -> Option<u32> {
    c.flags |= FLAG_MEM;
    match row.name {
        // PC-relative: keep the literal inside the (mapped) test page.
        "LDR/LDRSW/PRFM (literal)" => return Some(set_field(insn, 5, 19, rng.below(1000) as u32)),
        "STP/LDP/STNP/LDNP/LDPSW" if !distinct(insn, &[0, 5, 10]) => return None,
        "STR/LDR (register offset)" => {
            if !distinct(insn, &[0, 5, 16]) {
                return None;
            }
            let rm = field(insn, 16, 5) as usize;
            let option = field(insn, 13, 3);
            let index = rng.below(64) as i64 - 32;
            // Word indexes (UXTW/SXTW) ignore the upper half: fill it with noise.
            // Field 31 is XZR, a zero index.
            let Some(x) = c.x.get_mut(rm) else { return Some(set_base(rng, c, field(insn, 5, 5), 1)).map(|_| insn) };
            *x = match option {
                0b010 => (rng.next_u64() & !0xffff_ffff) | index.unsigned_abs(),
                0b110 => (rng.next_u64() & !0xffff_ffff) | (index as u32 as u64),
                _ => index as u64,
            };
        }
        "STR/LDR/PRFM (unsigned immediate)" => insn = set_field(insn, 10, 12, rng.below(64) as u32),
        _ if !distinct(insn, &[0, 5]) => return None,
        _ => {}
    }
    set_base(rng, c, field(insn, 5, 5), 1);
    Some(insn)
}

fn atomic(rng: &mut Rng, row: &Encoding, insn: u32, c: &mut CaseIn) -> Option<u32> {
    c.flags |= FLAG_MEM;
    let exclusive = row.pattern.starts_with("ss001000");
    let pair = exclusive && field(insn, 21, 1) == 1;
    if !distinct(insn, &[0, 5, 16]) || (pair && !distinct(insn, &[0, 5, 10, 16])) {
        return None;
    }
    let (rs, rn) = (field(insn, 16, 5) as usize, field(insn, 5, 5));
    // CASP uses Rs+1 and Rt+1 too: they must not be the base either.
    let casp = exclusive && field(insn, 31, 1) == 0 && field(insn, 23, 1) == 0 && pair;
    if casp && (rs + 1 == rn as usize || field(insn, 0, 5) + 1 == rn) {
        return None;
    }
    // Atomics fault on unaligned addresses; pairs need 16 bytes.
    let addr = set_base(rng, c, rn, 16);
    // Half the time the compare value of CAS/CASP matches memory, so it swaps.
    if rs < 30 && rng.one_in(2) {
        let mem = c.scratch();
        let off = (addr - SCRATCH_ADDR) as usize;
        let word = |i: usize| u64::from_le_bytes(mem[off + 8 * i..off + 8 * i + 8].try_into().unwrap_or_default());
        if !casp {
            c.x[rs] = word(0);
        } else if field(insn, 30, 1) == 0 {
            c.x[rs] = word(0) & 0xffff_ffff;
            c.x[rs + 1] = word(0) >> 32;
        } else {
            c.x[rs] = word(0);
            c.x[rs + 1] = word(1);
        }
    }
    Some(insn)
}

fn simd_ldst(rng: &mut Rng, row: &Encoding, insn: u32, c: &mut CaseIn) -> Option<u32> {
    c.flags |= FLAG_MEM;
    if row.name.ends_with("post-index)") && !distinct(insn, &[5, 16]) {
        return None;
    }
    set_base(rng, c, field(insn, 5, 5), 1);
    Some(insn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use emu_cpu::decode::all_encodings;

    #[test]
    fn every_class_row_is_in_the_decode_table() {
        for class in CLASSES {
            for row in class.rows {
                assert!(all_encodings().any(|e| e.name == *row), "{}: no decode row {row:?}", class.name);
            }
        }
    }

    /// A new decode row must be given to a class (or excluded with a reason).
    #[test]
    fn every_decode_row_is_tested_or_excluded() {
        for e in all_encodings() {
            let tested = CLASSES.iter().any(|c| c.rows.contains(&e.name));
            let excluded = EXCLUDED_ROWS.iter().any(|(n, _)| *n == e.name);
            assert!(tested != excluded, "decode row {:?}: tested {tested}, excluded {excluded}", e.name);
        }
    }

    #[test]
    fn distinct_fields() {
        assert!(distinct(0b00001_00010, &[0, 5]));
        assert!(!distinct(0b00011_00011, &[0, 5]));
    }
}
