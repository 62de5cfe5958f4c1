//! Field-by-field comparison of two harness outputs, and the text of a mismatch.

use crate::case::{CaseIn, CaseOut, SCRATCH_ADDR};
use std::fmt::Write;

/// One field whose value differs: its name and both values, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    pub field: String,
    pub qemu: String,
    pub emu: String,
}

fn push<T: PartialEq + std::fmt::LowerHex>(diffs: &mut Vec<Diff>, field: String, q: T, e: T, width: usize) {
    if q != e {
        diffs.push(Diff { field, qemu: format!("{q:#0width$x}"), emu: format!("{e:#0width$x}") });
    }
}

/// Every differing field of `q` (qemu's output) and `e` (emu's).
pub fn diff(q: &CaseOut, e: &CaseOut) -> Vec<Diff> {
    let mut d = Vec::new();
    push(&mut d, "status".into(), q.status, e.status, 0);
    for i in 0..31 {
        push(&mut d, format!("x{i}"), q.x[i], e.x[i], 18);
    }
    push(&mut d, "sp".into(), q.sp, e.sp, 18);
    push(&mut d, "nzcv".into(), q.nzcv, e.nzcv, 10);
    push(&mut d, "fpsr".into(), q.fpsr, e.fpsr, 10);
    push(&mut d, "fpcr".into(), q.fpcr, e.fpcr, 10);
    for i in 0..32 {
        push(&mut d, format!("v{i}"), q.v[i], e.v[i], 34);
    }
    if q.mem != e.mem || q.mem_count != e.mem_count {
        let show = |o: &CaseOut| {
            let words: Vec<String> =
                o.mem.iter().map(|(i, v)| format!("[{:#x}]={v:#018x}", SCRATCH_ADDR + 8 * i)).collect();
            format!("{} changed words: {}", o.mem_count, words.join(" "))
        };
        d.push(Diff { field: "memory".into(), qemu: show(q), emu: show(e) });
    }
    d
}

/// Registers named in a disassembly (`x3`, `w3`, `sp`, `v7`, `q7`, `d7`...), as
/// input fields to show next to a mismatch.
fn named_inputs(asm: &str, c: &CaseIn) -> Vec<String> {
    let mut seen = Vec::new();
    for tok in asm.split(|ch: char| !ch.is_ascii_alphanumeric()) {
        let (kind, num) = tok.split_at(tok.len().min(1));
        let field = match (kind, num.parse::<usize>()) {
            ("x" | "w", Ok(n)) if n < 31 => format!("x{n}={:#018x}", c.x[n]),
            ("v" | "q" | "d" | "s" | "h" | "b", Ok(n)) if n < 32 => format!("v{n}={:#034x}", c.v[n]),
            _ if tok == "sp" || tok == "wsp" => format!("sp={:#018x}", c.sp),
            _ => continue,
        };
        if !seen.contains(&field) {
            seen.push(field);
        }
    }
    seen
}

/// The report of one mismatch: encoding, disassembly, inputs, differing fields.
pub fn describe(class: &str, c: &CaseIn, asm: &str, diffs: &[Diff]) -> String {
    let mut s = format!("[{class}] {:08x}  {asm}\n", c.insn);
    let mut inputs = named_inputs(asm, c);
    inputs.push(format!("nzcv={:#010x} fpcr={:#010x}", c.nzcv, c.fpcr));
    if c.flags & crate::case::FLAG_MEM != 0 {
        inputs.push(format!("mem_seed={:#x}", c.mem_seed));
    }
    if c.flags & crate::case::FLAG_IXC != 0 {
        inputs.push("fpsr=0x10 (set cpu.fpsr in the pinned row)".into());
    }
    let _ = writeln!(s, "    in:   {}", inputs.join(" "));
    for d in diffs {
        let _ = writeln!(s, "    {:<6}qemu {}\n          emu  {}", format!("{}:", d.field), d.qemu, d.emu);
    }
    if c.flags & crate::case::FLAG_MEM == 0 {
        let _ = writeln!(s, "    pin:  {}", pin(c, asm, diffs));
    }
    s
}

/// The mismatch as a row of emu-cpu's regression table (a64/regressions.rs),
/// expecting qemu's values: inputs named by the disassembly, outputs that differ.
fn pin(c: &CaseIn, asm: &str, diffs: &[Diff]) -> String {
    let (mut xin, mut vin, mut xout, mut vout) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in named_inputs(asm, c) {
        let Some((name, value)) = f.split_once('=') else { continue };
        match name.split_at(1) {
            ("x", n) => xin.push(format!("({n}, {value})")),
            ("v", n) => vin.push(format!("({n}, {value})")),
            _ => {}
        }
    }
    let mut fpsr = "None".to_owned();
    let mut nzcv = "None".to_owned();
    for d in diffs {
        match d.field.split_at(1) {
            ("x", n) => xout.push(format!("({n}, {})", d.qemu)),
            ("v", n) => vout.push(format!("({n}, {})", d.qemu)),
            _ if d.field == "fpsr" => fpsr = format!("Some({})", d.qemu),
            _ if d.field == "nzcv" => nzcv = format!("Some({})", d.qemu),
            _ => {}
        }
    }
    format!(
        "rc({:#010x}, {asm:?}, {:#x}, {:#x}, &[{}], &[{}], &[{}], &[{}], {fpsr}, {nzcv}),",
        c.insn,
        c.fpcr,
        c.nzcv,
        xin.join(", "),
        vin.join(", "),
        xout.join(", "),
        vout.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_the_differing_fields() {
        let q = CaseOut::default();
        let mut e = CaseOut::default();
        e.x[3] = 1;
        e.nzcv = 0x4000_0000;
        let d = diff(&q, &e);
        assert_eq!(d.iter().map(|d| d.field.as_str()).collect::<Vec<_>>(), ["x3", "nzcv"]);
        assert!(diff(&q, &q).is_empty());
    }

    #[test]
    fn inputs_come_from_the_disassembly() {
        let mut c = CaseIn::default();
        c.x[1] = 5;
        let got = named_inputs("add x0, x1, w1, sxtw", &c);
        assert_eq!(got, ["x0=0x0000000000000000", "x1=0x0000000000000005"]);
    }
}
