//! AdvSIMD copy (DUP, INS, UMOV, SMOV), modified immediate (MOVI, MVNI, ORR, BIC,
//! FMOV), permute (ZIP, UZP, TRN), extract (EXT) and table lookup (TBL, TBX).

use super::float::dup_lane;
use super::*;
use crate::a64::fp::data_proc1::expand_fp_imm;
use crate::state::*;

/// The element size (log2 bytes) and index encoded in an imm5 field.
fn size_index(imm5: u32) -> Option<(u32, u32)> {
    if imm5 & 0xf == 0 {
        return None;
    }
    let size = imm5.trailing_zeros();
    Some((size, imm5 >> (size + 1)))
}

pub fn decode_copy(insn: u32, pc: u64) -> Option<Op> {
    let (q, opb, imm4) = (bits(insn, 30, 1) == 1, bits(insn, 29, 1), bits(insn, 11, 4));
    let (size, index) = size_index(bits(insn, 16, 5))?;
    let mut op = vop(exec_dup_elem::<8>, insn, pc);
    op.a = index as u8;
    op.exec = match (opb, imm4) {
        (0, 0) if size != 3 || q => by_size!(exec_dup_elem, size),
        (0, 1) if size != 3 || q => {
            op.rn = rzr(bits(insn, 5, 5));
            by_size!(exec_dup_gen, size)
        }
        (0, 5) if size < 2 + q as u32 => {
            op.rd = wzr(insn);
            if q {
                by_size!(exec_smov, size, true)
            } else {
                by_size!(exec_smov, size, false)
            }
        }
        (0, 7) if (q && size == 3) || (!q && size < 3) => {
            op.rd = wzr(insn);
            by_size!(exec_umov, size)
        }
        (0, 3) if q => {
            op.rn = rzr(bits(insn, 5, 5));
            by_size!(exec_ins_gen, size)
        }
        (1, _) if q => {
            op.b = (imm4 >> size) as u8; // source index
            by_size!(exec_ins_elem, size)
        }
        _ => return None,
    };
    Some(op)
}

pub fn decode_scalar_dup(insn: u32, pc: u64) -> Option<Op> {
    let (size, index) = size_index(bits(insn, 16, 5))?;
    let mut op = vop(by_size!(exec_dup_elem, size), insn, pc);
    op.a = index as u8;
    op.d = (128 - (8 << size)) as u8;
    Some(op)
}

fn exec_dup_elem<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = lane(cpu.vreg(op.rn), op.a as u32, E);
    wr(cpu, op, dup_lane(x, E));
    next(cpu, rest)
}

fn exec_dup_gen<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = cpu.r(op.rn) & emask(E);
    wr(cpu, op, dup_lane(x, E));
    next(cpu, rest)
}

fn exec_smov<const X: bool, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = sx(lane(cpu.vreg(op.rn), op.a as u32, E), E) as u64;
    cpu.set(op.rd, if X { x } else { x as u32 as u64 });
    next(cpu, rest)
}

fn exec_umov<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = lane(cpu.vreg(op.rn), op.a as u32, E);
    cpu.set(op.rd, x);
    next(cpu, rest)
}

#[inline(always)]
fn insert(v: u128, i: u32, e: u32, x: u64) -> u128 {
    let m = (emask(e) as u128) << (i * e);
    (v & !m) | ((x as u128) << (i * e) & m)
}

fn exec_ins_gen<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = insert(cpu.vreg(op.rd), op.a as u32, E, cpu.r(op.rn));
    cpu.set_vreg(op.rd, v);
    next(cpu, rest)
}

fn exec_ins_elem<const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let x = lane(cpu.vreg(op.rn), op.b as u32, E);
    let v = insert(cpu.vreg(op.rd), op.a as u32, E, x);
    cpu.set_vreg(op.rd, v);
    next(cpu, rest)
}

/// AdvSIMDExpandImm: the 64-bit pattern of (op, cmode, imm8).
fn expand_imm(opb: u32, cmode: u32, imm8: u32) -> Option<u64> {
    let i = imm8 as u64;
    let rep32 = |x: u64| x << 32 | x;
    let rep16 = |x: u64| rep32(x << 16 | x);
    Some(match cmode >> 1 {
        0..=3 => rep32(i << (8 * (cmode >> 1))),
        4 | 5 => rep16(i << (8 * ((cmode >> 1) & 1))),
        6 if cmode & 1 == 0 => rep32(i << 8 | 0xff),
        6 => rep32(i << 16 | 0xffff),
        _ => match (cmode & 1, opb) {
            (0, 0) => i * 0x0101_0101_0101_0101,
            (0, _) => (0..8).fold(0, |r, b| r | if i >> b & 1 == 1 { 0xff << (8 * b) } else { 0 }),
            (_, 0) => rep32(expand_fp_imm(imm8, 32)),
            _ => expand_fp_imm(imm8, 64),
        },
    })
}

pub fn decode_modified_imm(insn: u32, pc: u64) -> Option<Op> {
    let (q, opb, cmode) = (bits(insn, 30, 1) == 1, bits(insn, 29, 1), bits(insn, 12, 4));
    if bits(insn, 11, 1) == 1 {
        return None; // FMOV (half precision): FEAT_FP16
    }
    if cmode == 15 && opb == 1 && !q {
        return None;
    }
    let imm8 = bits(insn, 16, 3) << 5 | bits(insn, 5, 5);
    let imm = expand_imm(opb, cmode, imm8)?;
    let shifted = cmode < 12 && cmode & 1 == 1; // ORR, BIC
    let mut op = vop(exec_movi, insn, pc);
    let invert = opb == 1 && cmode < 14;
    op.imm = if invert { !imm } else { imm };
    if shifted {
        op.exec = if opb == 1 { exec_bic_imm } else { exec_orr_imm };
    }
    Some(op)
}

fn exec_movi(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    wr(cpu, op, (op.imm as u128) << 64 | op.imm as u128);
    next(cpu, rest)
}

fn exec_orr_imm(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rd) | ((op.imm as u128) << 64 | op.imm as u128);
    wr(cpu, op, v);
    next(cpu, rest)
}

/// `op.imm` is already inverted: BIC is an AND with it.
fn exec_bic_imm(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.vreg(op.rd) & ((op.imm as u128) << 64 | op.imm as u128);
    wr(cpu, op, v);
    next(cpu, rest)
}

pub fn decode_permute(insn: u32, pc: u64) -> Option<Op> {
    let (size, opc) = (bits(insn, 22, 2), bits(insn, 12, 3));
    let mut op = vop(exec_dup_elem::<8>, insn, pc);
    if size == 3 && op.d != 0 {
        return None;
    }
    op.exec = match opc {
        1 => by_size!(exec_perm, size, 0, 0),
        2 => by_size!(exec_perm, size, 1, 0),
        3 => by_size!(exec_perm, size, 2, 0),
        5 => by_size!(exec_perm, size, 0, 1),
        6 => by_size!(exec_perm, size, 1, 1),
        7 => by_size!(exec_perm, size, 2, 1),
        _ => return None,
    };
    Some(op)
}

/// KIND: 0 UZP, 1 TRN, 2 ZIP; PART: 1 for the "2" forms.
fn exec_perm<const KIND: u8, const PART: u32, const E: u32>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.vreg(op.rn), cpu.vreg(op.rm));
    let els = (128 - op.d as u32) / E;
    let get = |i: u32| if i < els { lane(n, i, E) } else { lane(m, i - els, E) };
    let mut r = 0u128;
    for i in 0..els {
        let x = match KIND {
            0 => get(2 * i + PART),
            1 if i % 2 == 0 => lane(n, i + PART, E),
            1 => lane(m, i - 1 + PART, E),
            _ if i % 2 == 0 => lane(n, PART * els / 2 + i / 2, E),
            _ => lane(m, PART * els / 2 + i / 2, E),
        };
        r |= (x as u128) << (i * E);
    }
    wr(cpu, op, r);
    next(cpu, rest)
}

pub fn decode_ext(insn: u32, pc: u64) -> Option<Op> {
    let imm4 = bits(insn, 11, 4);
    let mut op = vop(exec_ext, insn, pc);
    if op.d != 0 && imm4 >= 8 {
        return None;
    }
    op.a = (imm4 * 8) as u8;
    Some(op)
}

fn exec_ext(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m, s) = (cpu.vreg(op.rn), cpu.vreg(op.rm), op.a as u32);
    let r = if op.d != 0 {
        ((n as u64 as u128) | m << 64) >> s
    } else if s == 0 {
        n
    } else {
        n >> s | m << (128 - s)
    };
    wr(cpu, op, r);
    next(cpu, rest)
}

pub fn decode_table(insn: u32, pc: u64) -> Option<Op> {
    let mut op = vop(exec_table::<false>, insn, pc);
    if bits(insn, 12, 1) == 1 {
        op.exec = exec_table::<true>;
    }
    op.a = bits(insn, 13, 2) as u8 + 1;
    Some(op)
}

fn exec_table<const TBX: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let idx = cpu.vreg(op.rm);
    let old = cpu.vreg(op.rd);
    let regs = op.a as u32;
    let mut r = 0u128;
    for i in 0..16 {
        let x = lane(idx, i, 8) as u32;
        let b = if x < 16 * regs {
            lane(cpu.vreg(op.rn.wrapping_add((x / 16) as u8) & 31), x % 16, 8)
        } else if TBX {
            lane(old, i, 8)
        } else {
            0
        };
        r |= (b as u128) << (8 * i);
    }
    wr(cpu, op, r);
    next(cpu, rest)
}
