//! Loads and stores of general and SIMD&FP registers: literal, register pair,
//! unscaled immediate, immediate pre/post-indexed, unprivileged, register offset
//! and unsigned immediate. Each access is one direct host load or store.

use super::fuse::Step;
use crate::decode::{enc, Encoding};
use crate::state::*;
use emu_memory::*;

pub static ENCODINGS: &[Encoding] = &[
    enc("LDR/LDRSW/PRFM (literal)", "oo011v00iiiiiiiiiiiiiiiiiiittttt", load_literal),
    enc("STP/LDP/STNP/LDNP/LDPSW", "oo101v0mmLiiiiiiiuuuuunnnnnttttt", pair),
    enc("STUR/LDUR/STTR/LDTR/STR/LDR (imm9 pre/post)", "ss111v00oo0iiiiiiiiiyynnnnnttttt", single_imm9),
    enc("STR/LDR (register offset)", "ss111v00oo1mmmmmxxxS10nnnnnttttt", single_reg),
    enc("STR/LDR/PRFM (unsigned immediate)", "ss111v01ooiiiiiiiiiiiinnnnnttttt", single_uimm),
];

// Transfer kinds: what moves between which register and memory.
pub(crate) const STRB: u8 = 0;
pub(crate) const STRH: u8 = 1;
pub(crate) const STRW: u8 = 2;
pub(crate) const STRX: u8 = 3;
pub(crate) const LDRB: u8 = 4;
pub(crate) const LDRH: u8 = 5;
pub(crate) const LDRW: u8 = 6;
pub(crate) const LDRX: u8 = 7;
pub(crate) const LDRSBW: u8 = 8;
pub(crate) const LDRSBX: u8 = 9;
pub(crate) const LDRSHW: u8 = 10;
pub(crate) const LDRSHX: u8 = 11;
pub(crate) const LDRSW: u8 = 12;
pub(crate) const PRFM: u8 = 13;
pub(crate) const STVB: u8 = 14;
pub(crate) const STVH: u8 = 15;
pub(crate) const STVS: u8 = 16;
pub(crate) const STVD: u8 = 17;
pub(crate) const STVQ: u8 = 18;
pub(crate) const LDVB: u8 = 19;
pub(crate) const LDVH: u8 = 20;
pub(crate) const LDVS: u8 = 21;
pub(crate) const LDVD: u8 = 22;
pub(crate) const LDVQ: u8 = 23;

/// log2 of the access size of each kind.
const SCALE: [u32; 24] = [0, 1, 2, 3, 0, 1, 2, 3, 0, 0, 1, 1, 2, 3, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4];

fn is_load(k: u8) -> bool {
    (LDRB..=LDRSW).contains(&k) || k >= LDVB
}

fn is_vector(k: u8) -> bool {
    k >= STVB
}

// Addressing modes.
pub(crate) const OFFSET: u8 = 0;
pub(crate) const PRE: u8 = 1;
pub(crate) const POST: u8 = 2;
/// Register offset, LSL (UXTX/SXTX: the same on 64 bits).
pub(crate) const REG: u8 = 3;
pub(crate) const LITERAL: u8 = 4;
/// Register offset, UXTW and SXTW.
pub(crate) const REG_UXTW: u8 = 5;
pub(crate) const REG_SXTW: u8 = 6;

/// The kind for the size/V/opc fields of the single-register forms.
fn single_kind(size: u32, v: bool, opc: u32) -> Option<u8> {
    Some(match (v, size, opc) {
        (false, 0, _) => [STRB, LDRB, LDRSBX, LDRSBW][opc as usize],
        (false, 1, _) => [STRH, LDRH, LDRSHX, LDRSHW][opc as usize],
        (false, 2, 0..=2) => [STRW, LDRW, LDRSW][opc as usize],
        (false, 3, 0..=2) => [STRX, LDRX, PRFM][opc as usize],
        (true, _, 0) => [STVB, STVH, STVS, STVD][size as usize],
        (true, _, 1) => [LDVB, LDVH, LDVS, LDVD][size as usize],
        (true, 0, 2) => STVQ,
        (true, 0, 3) => LDVQ,
        _ => return None,
    })
}

#[inline(always)]
fn transfer<const K: u8>(cpu: &mut Cpu, rt: u8, addr: u64) {
    match K {
        STRB => store_u8(addr, cpu.r(rt) as u8),
        STRH => store_u16(addr, cpu.r(rt) as u16),
        STRW => store_u32(addr, cpu.r(rt) as u32),
        STRX => store_u64(addr, cpu.r(rt)),
        LDRB => cpu.set(rt, load_u8(addr) as u64),
        LDRH => cpu.set(rt, load_u16(addr) as u64),
        LDRW => cpu.set(rt, load_u32(addr) as u64),
        LDRX => cpu.set(rt, load_u64(addr)),
        LDRSBW => cpu.set(rt, load_u8(addr) as i8 as i32 as u32 as u64),
        LDRSBX => cpu.set(rt, load_u8(addr) as i8 as i64 as u64),
        LDRSHW => cpu.set(rt, load_u16(addr) as i16 as i32 as u32 as u64),
        LDRSHX => cpu.set(rt, load_u16(addr) as i16 as i64 as u64),
        LDRSW => cpu.set(rt, load_u32(addr) as i32 as i64 as u64),
        STVB => store_u8(addr, cpu.vreg(rt) as u8),
        STVH => store_u16(addr, cpu.vreg(rt) as u16),
        STVS => store_u32(addr, cpu.vreg(rt) as u32),
        STVD => store_u64(addr, cpu.vreg(rt) as u64),
        STVQ => store_u128(addr, cpu.vreg(rt)),
        // Scalar SIMD&FP loads clear the rest of the vector register.
        LDVB => cpu.set_vreg(rt, load_u8(addr) as u128),
        LDVH => cpu.set_vreg(rt, load_u16(addr) as u128),
        LDVS => cpu.set_vreg(rt, load_u32(addr) as u128),
        LDVD => cpu.set_vreg(rt, load_u64(addr) as u128),
        LDVQ => cpu.set_vreg(rt, load_u128(addr)),
        _ => {} // PRFM: a hint
    }
}

fn exec_single<const K: u8, const MODE: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Single::<K, MODE>::step(cpu, op);
    next(cpu, rest)
}

/// One register to or from memory (every addressing mode but literal).
pub struct Single<const K: u8, const MODE: u8>;

impl<const K: u8, const MODE: u8> Step for Single<K, MODE> {
    const EXEC: ExecFn = exec_single::<K, MODE>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.mark_access(op);
        let base = cpu.r(op.rn);
        let addr = match MODE {
            OFFSET | PRE => base.wrapping_add(op.imm),
            POST => base,
            REG => base.wrapping_add(cpu.r(op.rm) << op.b),
            REG_UXTW => base.wrapping_add((cpu.r(op.rm) as u32 as u64) << op.b),
            REG_SXTW => base.wrapping_add((cpu.r(op.rm) as u32 as i32 as i64 as u64) << op.b),
            _ => op.imm,
        };
        transfer::<K>(cpu, op.rd, addr);
        match MODE {
            PRE => cpu.set(op.rn, addr),
            POST => cpu.set(op.rn, base.wrapping_add(op.imm)),
            _ => {}
        }
    }
}

fn exec_pair<const K: u8, const MODE: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Pair::<K, MODE>::step(cpu, op);
    next(cpu, rest)
}

/// Two registers to or from consecutive memory (LDP, STP, LDPSW, LDNP, STNP).
pub struct Pair<const K: u8, const MODE: u8>;

impl<const K: u8, const MODE: u8> Step for Pair<K, MODE> {
    const EXEC: ExecFn = exec_pair::<K, MODE>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.mark_access(op);
        let base = cpu.r(op.rn);
        let addr = if MODE == POST { base } else { base.wrapping_add(op.imm) };
        let size = 1u64 << SCALE[K as usize];
        transfer::<K>(cpu, op.rd, addr);
        transfer::<K>(cpu, op.ra, addr.wrapping_add(size));
        match MODE {
            PRE => cpu.set(op.rn, addr),
            POST => cpu.set(op.rn, base.wrapping_add(op.imm)),
            _ => {}
        }
    }
}

macro_rules! by_kind_and_mode {
    ($f:ident; $modes:tt; $($k:literal),*) => {
        [$(by_kind_and_mode!(@row $f; $k; $modes)),*]
    };
    (@row $f:ident; $k:literal; [$($m:literal),*]) => {
        [$($f::<$k, $m> as ExecFn),*]
    };
}

static SINGLE: [[ExecFn; 7]; 24] = by_kind_and_mode!(exec_single; [0, 1, 2, 3, 4, 5, 6];
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
static PAIR: [[ExecFn; 3]; 24] = by_kind_and_mode!(exec_pair; [0, 1, 2];
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);

/// Maps the transfer register field for kind `k`.
fn rt_field(k: u8, n: u32) -> u8 {
    if is_vector(k) {
        (n & 31) as u8
    } else if is_load(k) {
        wzr(n)
    } else {
        rzr(n)
    }
}

fn single_op(k: u8, mode: u8, insn: u32, pc: u64, imm: u64) -> Op {
    let mut op = Op::new(SINGLE[k as usize][mode as usize], pc);
    op.rd = rt_field(k, insn);
    op.rn = rsp(bits(insn, 5, 5));
    op.imm = imm;
    op
}

fn load_literal(insn: u32, pc: u64) -> Option<Op> {
    let (opc, v) = (bits(insn, 30, 2), bits(insn, 26, 1) == 1);
    let k = match (v, opc) {
        (false, 0) => LDRW,
        (false, 1) => LDRX,
        (false, 2) => LDRSW,
        (false, _) => PRFM,
        (true, 0) => LDVS,
        (true, 1) => LDVD,
        (true, 2) => LDVQ,
        _ => return None,
    };
    let target = pc.wrapping_add(sext((bits(insn, 5, 19) << 2) as u64, 21));
    Some(single_op(k, LITERAL, insn, pc, target))
}

fn single_uimm(insn: u32, pc: u64) -> Option<Op> {
    let k = single_kind(bits(insn, 30, 2), bits(insn, 26, 1) == 1, bits(insn, 22, 2))?;
    let imm = (bits(insn, 10, 12) as u64) << SCALE[k as usize];
    Some(single_op(k, OFFSET, insn, pc, imm))
}

fn single_imm9(insn: u32, pc: u64) -> Option<Op> {
    let v = bits(insn, 26, 1) == 1;
    let k = single_kind(bits(insn, 30, 2), v, bits(insn, 22, 2))?;
    let mode = match bits(insn, 10, 2) {
        0 => OFFSET,
        1 => POST,
        2 if !v && k != PRFM => OFFSET, // unprivileged: the same at EL0
        3 => PRE,
        _ => return None,
    };
    if mode != OFFSET && k == PRFM {
        return None;
    }
    Some(single_op(k, mode, insn, pc, sext(bits(insn, 12, 9) as u64, 9)))
}

fn single_reg(insn: u32, pc: u64) -> Option<Op> {
    let k = single_kind(bits(insn, 30, 2), bits(insn, 26, 1) == 1, bits(insn, 22, 2))?;
    let option = bits(insn, 13, 3);
    if option & 2 == 0 {
        return None; // only UXTW, LSL (UXTX), SXTW, SXTX
    }
    let mode = match option {
        2 => REG_UXTW,
        6 => REG_SXTW,
        _ => REG,
    };
    let mut op = single_op(k, mode, insn, pc, 0);
    op.rm = rzr(bits(insn, 16, 5));
    op.b = if bits(insn, 12, 1) == 1 { SCALE[k as usize] as u8 } else { 0 };
    Some(op)
}

fn pair(insn: u32, pc: u64) -> Option<Op> {
    let (opc, v, load) = (bits(insn, 30, 2), bits(insn, 26, 1) == 1, bits(insn, 22, 1) == 1);
    let k = match (v, opc, load) {
        (false, 0, false) => STRW,
        (false, 0, true) => LDRW,
        (false, 1, true) => LDRSW,
        (false, 2, false) => STRX,
        (false, 2, true) => LDRX,
        (true, 0, false) => STVS,
        (true, 0, true) => LDVS,
        (true, 1, false) => STVD,
        (true, 1, true) => LDVD,
        (true, 2, false) => STVQ,
        (true, 2, true) => LDVQ,
        _ => return None,
    };
    let mode = match bits(insn, 23, 2) {
        0 | 2 => OFFSET, // LDNP/STNP: a non-temporal hint only
        1 => POST,
        _ => PRE,
    };
    if bits(insn, 23, 2) == 0 && k == LDRSW {
        return None;
    }
    let imm = sext(bits(insn, 15, 7) as u64, 7) << SCALE[k as usize];
    let mut op = Op::new(PAIR[k as usize][mode as usize], pc);
    op.rd = rt_field(k, insn);
    op.ra = rt_field(k, bits(insn, 10, 5));
    op.rn = rsp(bits(insn, 5, 5));
    op.imm = imm;
    Some(op)
}
