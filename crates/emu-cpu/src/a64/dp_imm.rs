//! Data processing -- immediate: PC-relative addressing, add/subtract (immediate),
//! logical (immediate), move wide, bitfield, extract.

use super::alu::*;
use super::fuse::Step;
use crate::decode::{enc, Encoding};
use crate::state::*;

pub static ENCODINGS: &[Encoding] = &[
    enc("ADR", "0ii10000iiiiiiiiiiiiiiiiiiiddddd", adr),
    enc("ADRP", "1ii10000iiiiiiiiiiiiiiiiiiiddddd", adr),
    enc("ADD/ADDS/SUB/SUBS (immediate)", "fos100010hiiiiiiiiiiiinnnnnddddd", add_sub_imm),
    enc("AND/ORR/EOR/ANDS (immediate)", "foo100100Nrrrrrrssssssnnnnnddddd", logical_imm),
    enc("MOVN/MOVZ/MOVK", "foo100101hhiiiiiiiiiiiiiiiiddddd", move_wide),
    enc("SBFM/BFM/UBFM", "foo100110Nrrrrrrssssssnnnnnddddd", bitfield),
    enc("EXTR", "f00100111N0mmmmmssssssnnnnnddddd", extract),
];

fn adr(insn: u32, pc: u64) -> Option<Op> {
    let imm = sext(((bits(insn, 5, 19) << 2) | bits(insn, 29, 2)) as u64, 21);
    let mut op = Op::new(exec_mov_imm, pc);
    op.rd = wzr(insn);
    op.imm = if insn >> 31 == 1 { (pc & !0xfff).wrapping_add(imm << 12) } else { pc.wrapping_add(imm) };
    Some(op)
}

/// Writes a value computed at decode time (ADR, ADRP, MOVZ, MOVN, ORR with ZR).
fn exec_mov_imm(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    MovImm::step(cpu, op);
    next(cpu, rest)
}

/// A value computed at decode time written to Rd.
pub struct MovImm;

impl Step for MovImm {
    const EXEC: ExecFn = exec_mov_imm;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.set(op.rd, op.imm);
    }
}

fn add_sub_imm(insn: u32, pc: u64) -> Option<Op> {
    let (sf, sub, s) = (insn >> 31 == 1, bits(insn, 30, 1) == 1, bits(insn, 29, 1) == 1);
    let mut imm = bits(insn, 10, 12) as u64;
    if bits(insn, 22, 1) == 1 {
        imm <<= 12;
    }
    let exec = pick!(exec_add_imm, sf, sub, s);
    let mut op = Op::new(exec, pc);
    op.rn = rsp(bits(insn, 5, 5));
    // The flag-setting forms write XZR, the others SP.
    op.rd = if s { wzr(insn) } else { rsp(insn) };
    op.imm = imm;
    Some(op)
}

fn exec_add_imm<const SF: bool, const SUB: bool, const S: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    AddImm::<SF, SUB, S>::step(cpu, op);
    next(cpu, rest)
}

/// ADD/ADDS/SUB/SUBS (immediate).
pub struct AddImm<const SF: bool, const SUB: bool, const S: bool>;

impl<const SF: bool, const SUB: bool, const S: bool> Step for AddImm<SF, SUB, S> {
    const EXEC: ExecFn = exec_add_imm::<SF, SUB, S>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let n = cpu.r(op.rn);
        if SF {
            if S {
                let (r, f) = add_sub_flags64::<SUB>(n, op.imm);
                cpu.nzcv = f;
                cpu.set(op.rd, r);
            } else {
                cpu.set(op.rd, if SUB { n.wrapping_sub(op.imm) } else { n.wrapping_add(op.imm) });
            }
        } else {
            let (n, imm) = (n as u32, op.imm as u32);
            if S {
                let (r, f) = add_sub_flags32::<SUB>(n, imm);
                cpu.nzcv = f;
                cpu.set_w(op.rd, r);
            } else {
                cpu.set_w(op.rd, if SUB { n.wrapping_sub(imm) } else { n.wrapping_add(imm) });
            }
        }
    }
}

fn logical_imm(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let n = bits(insn, 22, 1);
    if !sf && n == 1 {
        return None;
    }
    let (imm, _) = decode_bit_masks(n, bits(insn, 10, 6), bits(insn, 16, 6), true, if sf { 64 } else { 32 })?;
    let opc = bits(insn, 29, 2);
    let rn = rzr(bits(insn, 5, 5));
    let exec: ExecFn = match (opc, sf) {
        (0, true) => exec_logical_imm::<0, true>,
        (0, false) => exec_logical_imm::<0, false>,
        (1, true) => exec_logical_imm::<1, true>,
        (1, false) => exec_logical_imm::<1, false>,
        (2, true) => exec_logical_imm::<2, true>,
        (2, false) => exec_logical_imm::<2, false>,
        (_, true) => exec_ands_imm::<true>,
        (_, false) => exec_ands_imm::<false>,
    };
    let mut op = Op::new(exec, pc);
    op.rn = rn;
    op.rd = if opc == 3 { wzr(insn) } else { rsp(insn) };
    op.imm = imm;
    // MOV (bitmask immediate) is ORR with ZR: a constant.
    if opc == 1 && rn == ZR {
        op.exec = exec_mov_imm;
    }
    Some(op)
}

fn exec_logical_imm<const OPC: u8, const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    LogicalImm::<OPC, SF>::step(cpu, op);
    next(cpu, rest)
}

/// AND/ORR/EOR (immediate).
pub struct LogicalImm<const OPC: u8, const SF: bool>;

impl<const OPC: u8, const SF: bool> Step for LogicalImm<OPC, SF> {
    const EXEC: ExecFn = exec_logical_imm::<OPC, SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let n = cpu.r(op.rn);
        let r = match OPC {
            0 => n & op.imm,
            1 => n | op.imm,
            _ => n ^ op.imm,
        };
        // For W forms the immediate has no upper bits, but ORR/EOR would keep the upper
        // bits of n; the manual zero-extends the 32-bit result.
        let r = if SF { r } else { r as u32 as u64 };
        cpu.set(op.rd, r);
    }
}

fn exec_ands_imm<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    AndsImm::<SF>::step(cpu, op);
    next(cpu, rest)
}

/// ANDS (immediate), TST among them.
pub struct AndsImm<const SF: bool>;

impl<const SF: bool> Step for AndsImm<SF> {
    const EXEC: ExecFn = exec_ands_imm::<SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let r = cpu.r(op.rn) & op.imm;
        if SF {
            cpu.nzcv = nzcv64(r, false, false);
            cpu.set(op.rd, r);
        } else {
            cpu.nzcv = nzcv32(r as u32, false, false);
            cpu.set_w(op.rd, r as u32);
        }
    }
}

fn move_wide(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let hw = bits(insn, 21, 2);
    if !sf && hw >= 2 {
        return None;
    }
    let shift = hw * 16;
    let imm16 = bits(insn, 5, 16) as u64;
    let mut op = Op::new(exec_mov_imm, pc);
    op.rd = wzr(insn);
    match bits(insn, 29, 2) {
        0 => {
            let v = !(imm16 << shift);
            op.imm = if sf { v } else { v as u32 as u64 };
        }
        2 => op.imm = imm16 << shift,
        3 => {
            op.exec = exec_movk;
            op.ra = rzr(insn);
            op.imm = imm16 << shift;
            op.a = shift as u8;
            op.b = sf as u8;
        }
        _ => return None,
    }
    Some(op)
}

fn exec_movk(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Movk::step(cpu, op);
    next(cpu, rest)
}

/// MOVK.
pub struct Movk;

impl Step for Movk {
    const EXEC: ExecFn = exec_movk;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let old = cpu.r(op.ra);
        let r = (old & !(0xffffu64 << op.a)) | op.imm;
        cpu.set(op.rd, if op.b == 1 { r } else { r as u32 as u64 });
    }
}

fn bitfield(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    if sf as u32 != bits(insn, 22, 1) {
        return None;
    }
    let (immr, imms) = (bits(insn, 16, 6), bits(insn, 10, 6));
    let size = if sf { 64 } else { 32 };
    if immr >= size || imms >= size {
        return None;
    }
    let ones = |w: u32| if w >= 64 { u64::MAX } else { (1u64 << w) - 1 };
    // The manual's wmask/tmask formulation reduces to an extract (imms >= immr:
    // UBFX, SBFX, BFXIL) or an insert (UBFIZ, SBFIZ, BFI); precompute its shifts.
    let extract = imms >= immr;
    let width = if extract { imms - immr + 1 } else { imms + 1 };
    let exec: ExecFn = match (bits(insn, 29, 2), extract) {
        (0, true) => exec_sbfx,
        (0, false) => exec_sbfiz,
        (1, true) => exec_bfxil,
        (1, false) => exec_bfi,
        (2, true) => exec_ubfx,
        (2, false) => exec_ubfiz,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.ra = rzr(insn); // the old destination, read by BFXIL and BFI
    op.rn = rzr(bits(insn, 5, 5));
    op.a = immr as u8; // right shift of an extract
    op.b = if extract { 0 } else { (size - immr) as u8 }; // left shift of an insert
    op.c = width as u8;
    op.d = sf as u8;
    op.imm = if extract { ones(width) } else { ones(width) << op.b };
    Some(op)
}

#[inline(always)]
fn write_sized(cpu: &mut Cpu, op: &Op, rest: &[Op], r: u64) -> Flow {
    cpu.set(op.rd, if op.d == 1 { r } else { r as u32 as u64 });
    next(cpu, rest)
}

// UBFX and UBFIZ need no write_sized: the field's mask keeps it within the
// register's size (shift + width <= 32 for the W forms, which `bitfield` checks).
fn exec_ubfx(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Ubfx::step(cpu, op);
    next(cpu, rest)
}

/// UBFX (and LSR by an immediate).
pub struct Ubfx;

impl Step for Ubfx {
    const EXEC: ExecFn = exec_ubfx;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.set(op.rd, (cpu.r(op.rn) >> op.a) & op.imm);
    }
}

fn exec_ubfiz(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Ubfiz::step(cpu, op);
    next(cpu, rest)
}

/// UBFIZ (and LSL by an immediate).
pub struct Ubfiz;

impl Step for Ubfiz {
    const EXEC: ExecFn = exec_ubfiz;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.set(op.rd, (cpu.r(op.rn) << op.b) & op.imm);
    }
}

fn exec_sbfx(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Sbfx::step(cpu, op);
    next(cpu, rest)
}

/// SBFX (and ASR by an immediate, SXTB, SXTH, SXTW).
pub struct Sbfx;

impl Step for Sbfx {
    const EXEC: ExecFn = exec_sbfx;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let (lsb, w) = (op.a as u32, op.c as u32);
        let r = ((cpu.r(op.rn) << (64 - lsb - w)) as i64 >> (64 - w)) as u64;
        cpu.set(op.rd, if op.d == 1 { r } else { r as u32 as u64 });
    }
}

fn exec_sbfiz(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let w = op.c as u32;
    let field = ((cpu.r(op.rn) << (64 - w)) as i64 >> (64 - w)) as u64;
    write_sized(cpu, op, rest, field << op.b)
}

fn exec_bfxil(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = (cpu.r(op.ra) & !op.imm) | ((cpu.r(op.rn) >> op.a) & op.imm);
    write_sized(cpu, op, rest, r)
}

fn exec_bfi(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let r = (cpu.r(op.ra) & !op.imm) | ((cpu.r(op.rn) << op.b) & op.imm);
    write_sized(cpu, op, rest, r)
}

fn extract(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    if sf as u32 != bits(insn, 22, 1) {
        return None;
    }
    let lsb = bits(insn, 10, 6);
    if !sf && lsb >= 32 {
        return None;
    }
    let mut op = Op::new(if sf { exec_extr::<true> } else { exec_extr::<false> }, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = lsb as u8;
    Some(op)
}

fn exec_extr<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Extr::<SF>::step(cpu, op);
    next(cpu, rest)
}

/// EXTR, and so ROR (immediate).
pub struct Extr<const SF: bool>;

impl<const SF: bool> Step for Extr<SF> {
    const EXEC: ExecFn = exec_extr::<SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let lsb = op.a as u32;
        if SF {
            let v = ((cpu.r(op.rn) as u128) << 64) | cpu.r(op.rm) as u128;
            cpu.set(op.rd, (v >> lsb) as u64);
        } else {
            let v = ((cpu.r(op.rn) as u32 as u64) << 32) | cpu.r(op.rm) as u32 as u64;
            cpu.set_w(op.rd, (v >> lsb) as u32);
        }
    }
}
