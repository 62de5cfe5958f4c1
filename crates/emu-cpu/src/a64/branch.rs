//! Branches: conditional branch (immediate), unconditional branch (immediate and
//! register), compare and branch, test and branch.

use super::alu::{add_sub_flags32, add_sub_flags64};
use super::fuse::{Last, Step};
use crate::decode::{enc, Encoding};
use crate::state::*;

pub static ENCODINGS: &[Encoding] = &[
    enc("B.cond", "01010100iiiiiiiiiiiiiiiiiii0cccc", b_cond),
    enc("B", "000101iiiiiiiiiiiiiiiiiiiiiiiiii", b_imm),
    enc("BL", "100101iiiiiiiiiiiiiiiiiiiiiiiiii", b_imm),
    enc("CBZ/CBNZ", "f011010xiiiiiiiiiiiiiiiiiiittttt", cb),
    enc("TBZ/TBNZ", "b011011xbbbbbiiiiiiiiiiiiiittttt", tb),
    enc("BR", "1101011000011111000000nnnnn00000", br_reg),
    enc("BLR", "1101011000111111000000nnnnn00000", br_reg),
    enc("RET", "1101011001011111000000nnnnn00000", br_reg),
];

fn b_cond(insn: u32, pc: u64) -> Option<Op> {
    let mut op = Op::new(exec_b_cond, pc);
    op.imm = pc.wrapping_add(sext((bits(insn, 5, 19) << 2) as u64, 21));
    op.a = bits(insn, 0, 4) as u8;
    Some(op)
}

fn exec_b_cond(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = if cpu.cond(op.a) { op.imm } else { op.pc + 4 };
    Flow::Branch
}

/// B and BL: whether it links, and the target (imm26, in words, from `pc`).
fn b_imm_fields(insn: u32, pc: u64) -> (bool, u64) {
    (insn >> 31 == 1, pc.wrapping_add(sext((bits(insn, 0, 26) << 2) as u64, 28)))
}

fn b_imm(insn: u32, pc: u64) -> Option<Op> {
    let (link, target) = b_imm_fields(insn, pc);
    let mut op = Op::new(if link { exec_bl } else { exec_b }, pc);
    op.imm = target;
    Some(op)
}

fn exec_b(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.imm;
    Flow::Branch
}

fn exec_bl(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.x[30] = op.pc + 4;
    cpu.pc = op.imm;
    Flow::Branch
}

/// B and BL are followed at decode time: the block goes on at the target, so a
/// jump costs nothing at run time and a call only its link. Returns the target
/// of a B or BL at `pc`, and the operation that stands for it in line (none for
/// B; for BL, the write of the link register).
pub fn follow_direct(insn: u32, pc: u64) -> Option<(u64, Option<Op>)> {
    if insn & 0x7c00_0000 != 0x1400_0000 {
        return None;
    }
    let (link, target) = b_imm_fields(insn, pc);
    Some((target, link.then(|| Op::new(exec_bl_in_line, pc))))
}

fn exec_bl_in_line(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    BlInLine::step(cpu, op);
    next(cpu, rest)
}

/// The link write of a BL followed in line.
pub struct BlInLine;

impl Step for BlInLine {
    const EXEC: ExecFn = exec_bl_in_line;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.x[30] = op.pc + 4;
    }
}

/// The branches that end a block, as the second operation of a fused pair.
pub struct BCond;
pub struct CmpBCond<const SF: bool, const IMM: bool, const SUB: bool>;
pub struct Cb<const SF: bool, const NZ: bool>;
pub struct Tb<const NZ: bool>;
pub struct Br;
pub struct Blr;

impl Last for BCond {
    const EXEC: ExecFn = exec_b_cond;
}
impl<const SF: bool, const IMM: bool, const SUB: bool> Last for CmpBCond<SF, IMM, SUB> {
    const EXEC: ExecFn = exec_cmp_b_cond::<SF, IMM, SUB>;
}
impl<const SF: bool, const NZ: bool> Last for Cb<SF, NZ> {
    const EXEC: ExecFn = exec_cb::<SF, NZ>;
}
impl<const NZ: bool> Last for Tb<NZ> {
    const EXEC: ExecFn = exec_tb::<NZ>;
}
impl Last for Br {
    const EXEC: ExecFn = exec_br;
}
impl Last for Blr {
    const EXEC: ExecFn = exec_blr;
}

/// ADDS and SUBS (shifted register, unshifted; immediate), CMP and CMN among
/// them (Rd = XZR), any size.
const FLAGS_REG: (u32, u32) = (0x3fe0_fc00, 0x2b00_0000);
const FLAGS_IMM: (u32, u32) = (0x3f80_0000, 0x3100_0000);
/// B.cond.
const B_COND: (u32, u32) = (0xff00_0010, 0x5400_0000);

/// A CMP right before a B.cond (the commonest pair of instructions in compiled
/// code), or a CMN, ADDS or SUBS (a loop counter's `subs w1, w1, #1; b.ne`), runs
/// as one operation: given the flag-setting operation `cmp`, decoded from
/// `cmp_insn`, and the word that follows, switches `cmp` to a function that does
/// the arithmetic and then branches as the B.cond (still the next operation, for
/// its fields) would, saving a dispatch. Returns whether it did.
pub fn fuse_compare_branch(cmp_insn: u32, cmp: &mut Op, next_insn: u32) -> bool {
    if next_insn & B_COND.0 != B_COND.1 {
        return false;
    }
    let (sf, sub) = (cmp_insn >> 31 == 1, cmp_insn >> 30 & 1 == 1);
    cmp.exec = if cmp_insn & FLAGS_REG.0 == FLAGS_REG.1 {
        pick!(exec_cmp_b_cond, sf, false, sub)
    } else if cmp_insn & FLAGS_IMM.0 == FLAGS_IMM.1 {
        pick!(exec_cmp_b_cond, sf, true, sub)
    } else {
        return false;
    };
    true
}

/// The decoded ADDS/SUBS keeps its fields: Rd (the write sink for CMP and CMN),
/// Rn, and Rm or the shifted immediate.
fn exec_cmp_b_cond<const SF: bool, const IMM: bool, const SUB: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.r(op.rn), if IMM { op.imm } else { cpu.r(op.rm) });
    if SF {
        let (r, f) = add_sub_flags64::<SUB>(n, m);
        cpu.nzcv = f;
        cpu.set(op.rd, r);
    } else {
        let (r, f) = add_sub_flags32::<SUB>(n as u32, m as u32);
        cpu.nzcv = f;
        cpu.set_w(op.rd, r);
    }
    match rest.first() {
        // The B.cond's own operation, decoded by `b_cond`.
        Some(b) => {
            cpu.pc = if cpu.cond(b.a) { b.imm } else { b.pc + 4 };
            Flow::Branch
        }
        None => next(cpu, rest),
    }
}

fn cb(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let nz = bits(insn, 24, 1) == 1;
    let exec = pick!(exec_cb, sf, nz);
    let mut op = Op::new(exec, pc);
    op.rn = rzr(insn);
    op.imm = pc.wrapping_add(sext((bits(insn, 5, 19) << 2) as u64, 21));
    Some(op)
}

fn exec_cb<const SF: bool, const NZ: bool>(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    let zero = if SF { v == 0 } else { v as u32 == 0 };
    cpu.pc = if zero != NZ { op.imm } else { op.pc + 4 };
    Flow::Branch
}

fn tb(insn: u32, pc: u64) -> Option<Op> {
    let nz = bits(insn, 24, 1) == 1;
    let mut op = Op::new(pick!(exec_tb, nz), pc);
    op.rn = rzr(insn);
    op.a = ((insn >> 31) << 5 | bits(insn, 19, 5)) as u8;
    op.imm = pc.wrapping_add(sext((bits(insn, 5, 14) << 2) as u64, 16));
    Some(op)
}

fn exec_tb<const NZ: bool>(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    let set = (cpu.r(op.rn) >> op.a) & 1 == 1;
    cpu.pc = if set == NZ { op.imm } else { op.pc + 4 };
    Flow::Branch
}

fn br_reg(insn: u32, pc: u64) -> Option<Op> {
    let link = bits(insn, 21, 2) == 1;
    let mut op = Op::new(if link { exec_blr } else { exec_br }, pc);
    op.rn = rzr(bits(insn, 5, 5));
    Some(op)
}

fn exec_br(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = cpu.r(op.rn);
    Flow::Branch
}

fn exec_blr(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    // Read the target before writing the link register: BLR x30 is valid.
    let target = cpu.r(op.rn);
    cpu.x[30] = op.pc + 4;
    cpu.pc = target;
    Flow::Branch
}
