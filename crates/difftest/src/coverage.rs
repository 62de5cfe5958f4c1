//! Decode coverage: every encoding of a class's decode rows that objdump
//! disassembles as a valid instruction must decode in emu, unless it belongs to
//! an architecture feature emu does not advertise (the list below). Encodings
//! come from the same generator as the differential runs; no qemu is needed.

use crate::classes::Class;
use crate::rng::Rng;
use crate::{objdump, values};
use emu_cpu::decode::{compile_pattern, Decoder};

/// Whether a disassembly belongs to an excluded feature.
pub type Matcher = fn(&str) -> bool;

/// Encodings objdump accepts that emu deliberately leaves UNDEFINED (SIGILL):
/// optional features beyond what HWCAP advertises.
pub static EXCLUDED: &[(&str, Matcher)] = &[
    // FCMLA and FCADD on half precision (".4h", ".8h", "h[..]") are FP16's.
    ("FEAT_FCMA on half precision: FEAT_FP16 is not advertised", |a| {
        (mnemonic(a) == "fcmla" || mnemonic(a) == "fcadd") && a.contains('h')
    }),
    ("FEAT_BF16: not advertised", |a| mnemonic(a).starts_with("bf")),
    ("FEAT_FP16 (half-precision arithmetic): not advertised", is_fp16_arith),
    ("FEAT_CSSC (scalar ABS/CNT/CTZ/SMAX...): not advertised", |a| {
        matches!(mnemonic(a), "abs" | "cnt" | "ctz" | "smax" | "smin" | "umax" | "umin") && general(first_operand(a))
    }),
    ("FEAT_MTE (memory tagging): not advertised", |a| {
        matches!(
            mnemonic(a),
            "irg" | "gmi" | "subp" | "subps" | "addg" | "subg" | "stgp" | "stg" | "st2g" | "stzg" | "stz2g" | "ldg"
        )
    }),
    ("FEAT_PAuth (PACGA): not advertised", |a| mnemonic(a) == "pacga"),
    ("FEAT_SM3, FEAT_SM4: not advertised", |a| mnemonic(a).starts_with("sm3") || mnemonic(a).starts_with("sm4")),
    ("FEAT_LS64 (64-byte loads and stores): not advertised", |a| {
        mnemonic(a).starts_with("st64b") || mnemonic(a) == "ld64b"
    }),
];

fn first_operand(asm: &str) -> &str {
    asm[mnemonic(asm).len()..].trim_start().split(',').next().unwrap_or("")
}

fn general(op: &str) -> bool {
    matches!(op, "wzr" | "xzr" | "wsp" | "sp")
        || (op.starts_with('w') || op.starts_with('x')) && op[1..].parse::<u8>().is_ok()
}

fn mnemonic(asm: &str) -> &str {
    asm.split_whitespace().next().unwrap_or("")
}

/// A floating-point data-processing instruction on half-precision values:
/// `h` registers or `.4h`/`.8h` lanes in every operand (FCVT between
/// precisions, which mixes sizes, is part of the base FP and is implemented).
fn is_fp16_arith(asm: &str) -> bool {
    let m = mnemonic(asm);
    let fp = m.starts_with('f') || m.ends_with("cvtf");
    // Register operands only: no immediates, conditions or comments.
    let code = asm.split("//").next().unwrap_or("");
    let regs: Vec<&str> = code[m.len()..]
        .split(',')
        .map(|o| o.trim().split(['[', ' ']).next().unwrap_or(""))
        .filter(|o| o.len() > 1 && o.as_bytes()[1].is_ascii_digit() && !o.starts_with('#'))
        .collect();
    let half = |r: &&str| {
        (r.starts_with('h') && r[1..].parse::<u8>().is_ok())
            || [".2h", ".4h", ".8h", ".h"].iter().any(|s| r.ends_with(s))
    };
    // FMOV/SCVTF/FCVTZS between general and half registers are FP16 too.
    fp && !regs.is_empty() && regs.iter().all(|r| half(r) || general(r)) && regs.iter().any(half)
}

/// Encodings objdump disassembles although the manual leaves them unallocated
/// (qemu raises SIGILL on them too): FMLAL/FMLSL (vector) with size<0> set.
pub fn unallocated(insn: u32) -> bool {
    let fhm = matches!(insn & 0xbf20_fc00, 0x0e20_ec00 | 0x2e20_cc00);
    fhm && insn & (1 << 22) != 0
}

/// The excluded feature `asm` belongs to, if any.
pub fn exclusion(asm: &str) -> Option<&'static str> {
    EXCLUDED.iter().find(|(_, f)| f(asm)).map(|(what, _)| *what)
}

/// `count` random encodings of `class`: those objdump accepts, emu does not
/// decode and no exclusion explains, as (word, disassembly).
pub fn undecoded(
    class: &Class,
    count: usize,
    seed: u64,
    work_dir: &std::path::Path,
) -> Result<Vec<(u32, String)>, String> {
    let mut rng = Rng::new(seed);
    let rows: Vec<_> =
        class.rows.iter().filter_map(|name| emu_cpu::decode::all_encodings().find(|e| e.name == *name)).collect();
    let mut words = Vec::with_capacity(count);
    while words.len() < count && !rows.is_empty() {
        let row = *rng.pick(&rows);
        let (mask, value) = compile_pattern(row.pattern);
        let insn = value | (rng.next_u32() & !mask);
        let mut c = values::state(&mut rng, insn);
        if let Some(insn) = (class.prepare)(&mut rng, row, insn, &mut c) {
            words.push(insn);
        }
    }
    let asm = objdump::disassemble(&words, work_dir)?;
    let mut missing: Vec<(u32, String)> = words
        .iter()
        .filter_map(|w| asm.get(w).map(|a| (*w, a.clone())))
        .filter(|(w, a)| Decoder::get().decode(*w, 0).is_none() && exclusion(a).is_none() && !unallocated(*w))
        .collect();
    missing.sort();
    missing.dedup();
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fp16_is_recognised() {
        assert!(is_fp16_arith("fadd\tv0.8h, v1.8h, v2.8h"));
        assert!(is_fp16_arith("fmul\th1, h2, v3.h[1]"));
        assert!(is_fp16_arith("scvtf\th0, w3"));
        assert!(!is_fp16_arith("fcvtl\tv0.4s, v1.4h"));
        assert!(!is_fp16_arith("fcvt\ts0, h1"));
        assert!(!is_fp16_arith("fadd\tv0.4s, v1.4s, v2.4s"));
        assert!(!is_fp16_arith("shadd\tv0.8h, v1.8h, v2.8h"));
        assert!(is_fp16_arith("fccmp\th7, h0, #0x4, eq // eq = none"));
        assert!(is_fp16_arith("faddp\th19, v1.2h"));
        let cssc = EXCLUDED.iter().find(|e| e.0.starts_with("FEAT_CSSC")).map(|e| e.0);
        assert_eq!(exclusion("smax\tw9, w6, w0"), cssc);
        // fmlal v28.2s, v14.2h, v2.2h with size<0> set, and as the assembler writes it.
        assert!(unallocated(0x0e62_eddc) && unallocated(0x2e66_cc7b));
        assert!(!unallocated(0x4e22_ec20) && !unallocated(0x6ea2_cc20));
        assert_eq!(exclusion("smax\tv0.4s, v1.4s, v2.4s"), None);
    }
}
