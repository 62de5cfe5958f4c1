//! Data processing -- register: logical (shifted register), add/subtract (shifted
//! and extended register, with carry), conditional compare, conditional select,
//! data processing (1, 2 and 3 source).

use super::alu::*;
use super::fuse::Step;
use crate::decode::{enc, Encoding};
use crate::state::*;

pub static ENCODINGS: &[Encoding] = &[
    enc("AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register)", "foo01010hhNmmmmmiiiiiinnnnnddddd", logical_reg),
    enc("ADD/ADDS/SUB/SUBS (shifted register)", "fos01011hh0mmmmmiiiiiinnnnnddddd", add_sub_shifted),
    enc("ADD/ADDS/SUB/SUBS (extended register)", "fos01011001mmmmmoooiiinnnnnddddd", add_sub_extended),
    enc("ADC/ADCS/SBC/SBCS", "fos11010000mmmmm000000nnnnnddddd", adc_sbc),
    enc("CCMN/CCMP (register)", "fo111010010mmmmmcccc00nnnnn0vvvv", cond_compare),
    enc("CCMN/CCMP (immediate)", "fo111010010iiiiicccc10nnnnn0vvvv", cond_compare),
    enc("CSEL/CSINC/CSINV/CSNEG", "fo011010100mmmmmcccc0xnnnnnddddd", cond_select),
    enc("MADD/MSUB/SMADDL/SMSUBL/SMULH/UMADDL/UMSUBL/UMULH", "f0011011xxxmmmmmxaaaaannnnnddddd", dp_3src),
    enc("UDIV/SDIV/LSLV/LSRV/ASRV/RORV/CRC32*", "f0011010110mmmmmxxxxxxnnnnnddddd", dp_2src),
    enc("RBIT/REV16/REV32/REV/CLZ/CLS", "f101101011000000xxxxxxnnnnnddddd", dp_1src),
];

fn logical_reg(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let imm6 = bits(insn, 10, 6);
    if !sf && imm6 >= 32 {
        return None;
    }
    let (opc, n) = (bits(insn, 29, 2), bits(insn, 21, 1) == 1);
    let mut op = Op::new(exec_logical_reg::<0, false, true>, pc);
    op.exec = match (opc, n, sf) {
        (0, false, s) => pick_logical::<0, false>(s),
        (0, true, s) => pick_logical::<0, true>(s),
        (1, false, s) => pick_logical::<1, false>(s),
        (1, true, s) => pick_logical::<1, true>(s),
        (2, false, s) => pick_logical::<2, false>(s),
        (2, true, s) => pick_logical::<2, true>(s),
        (_, false, s) => pick_logical::<3, false>(s),
        (_, true, s) => pick_logical::<3, true>(s),
    };
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = bits(insn, 22, 2) as u8;
    op.b = imm6 as u8;
    // MOV (register): ORR rd, zr, rm with no shift.
    if opc == 1 && !n && op.rn == ZR && imm6 == 0 {
        op.exec = pick!(exec_mov_reg, sf);
    } else if imm6 == 0 && !n && opc < 3 {
        // AND/ORR/EOR without shift or inversion: the common forms.
        op.exec = match (opc, sf) {
            (0, true) => exec_logical_plain::<0, true>,
            (0, false) => exec_logical_plain::<0, false>,
            (1, true) => exec_logical_plain::<1, true>,
            (1, false) => exec_logical_plain::<1, false>,
            (_, true) => exec_logical_plain::<2, true>,
            (_, false) => exec_logical_plain::<2, false>,
        };
    } else if sf && !n && opc < 3 && op.a < 2 {
        // 64-bit AND/ORR/EOR with LSL or LSR: hashes and bit packing.
        op.exec = match (opc, op.a) {
            (0, 0) => exec_logical_shifted::<0, 0>,
            (0, _) => exec_logical_shifted::<0, 1>,
            (1, 0) => exec_logical_shifted::<1, 0>,
            (1, _) => exec_logical_shifted::<1, 1>,
            (_, 0) => exec_logical_shifted::<2, 0>,
            (_, _) => exec_logical_shifted::<2, 1>,
        };
    }
    Some(op)
}

fn exec_logical_shifted<const OPC: u8, const LSR: u8>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    LogicalShifted::<OPC, LSR>::step(cpu, op);
    next(cpu, rest)
}

/// 64-bit AND/ORR/EOR (shifted register) with LSL (`LSR` 0) or LSR (1).
pub struct LogicalShifted<const OPC: u8, const LSR: u8>;

impl<const OPC: u8, const LSR: u8> Step for LogicalShifted<OPC, LSR> {
    const EXEC: ExecFn = exec_logical_shifted::<OPC, LSR>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let m = cpu.r(op.rm);
        let m = if LSR == 1 { m >> op.b } else { m << op.b };
        let n = cpu.r(op.rn);
        let r = match OPC {
            0 => n & m,
            1 => n | m,
            _ => n ^ m,
        };
        cpu.set(op.rd, r);
    }
}

fn pick_logical<const OPC: u8, const INV: bool>(sf: bool) -> ExecFn {
    if sf {
        exec_logical_reg::<OPC, INV, true>
    } else {
        exec_logical_reg::<OPC, INV, false>
    }
}

fn exec_mov_reg<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    MovReg::<SF>::step(cpu, op);
    next(cpu, rest)
}

/// MOV (register).
pub struct MovReg<const SF: bool>;

impl<const SF: bool> Step for MovReg<SF> {
    const EXEC: ExecFn = exec_mov_reg::<SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let v = cpu.r(op.rm);
        cpu.set(op.rd, if SF { v } else { v as u32 as u64 });
    }
}

fn exec_logical_plain<const OPC: u8, const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    LogicalPlain::<OPC, SF>::step(cpu, op);
    next(cpu, rest)
}

/// AND/ORR/EOR (shifted register) with no shift.
pub struct LogicalPlain<const OPC: u8, const SF: bool>;

impl<const OPC: u8, const SF: bool> Step for LogicalPlain<OPC, SF> {
    const EXEC: ExecFn = exec_logical_plain::<OPC, SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let (n, m) = (cpu.r(op.rn), cpu.r(op.rm));
        let r = match OPC {
            0 => n & m,
            1 => n | m,
            _ => n ^ m,
        };
        cpu.set(op.rd, if SF { r } else { r as u32 as u64 });
    }
}

fn exec_logical_reg<const OPC: u8, const INV: bool, const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let n = cpu.r(op.rn);
    let m = if SF {
        shift64(cpu.r(op.rm), op.a, op.b as u32)
    } else {
        shift32(cpu.r(op.rm) as u32, op.a, op.b as u32) as u64
    };
    let m = if INV { !m } else { m };
    let r = match OPC {
        0 | 3 => n & m,
        1 => n | m,
        _ => n ^ m,
    };
    let r = if SF { r } else { r as u32 as u64 };
    if OPC == 3 {
        cpu.nzcv = if SF { nzcv64(r, false, false) } else { nzcv32(r as u32, false, false) };
    }
    cpu.set(op.rd, r);
    next(cpu, rest)
}

fn add_sub_shifted(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let (shift, imm6) = (bits(insn, 22, 2), bits(insn, 10, 6));
    if shift == 3 || (!sf && imm6 >= 32) {
        return None;
    }
    let (sub, s) = (bits(insn, 30, 1) == 1, bits(insn, 29, 1) == 1);
    // The unshifted form (ADD x0, x1, x2) is the common one: no shift at run time.
    let exec = if imm6 == 0 { pick!(exec_add_sub_reg, sf, sub, s) } else { pick!(exec_add_sub_shifted, sf, sub, s) };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = shift as u8;
    op.b = imm6 as u8;
    Some(op)
}

#[inline(always)]
fn add_sub<const SF: bool, const SUB: bool, const S: bool>(cpu: &mut Cpu, rd: u8, n: u64, m: u64) {
    if SF {
        if S {
            let (r, f) = add_sub_flags64::<SUB>(n, m);
            cpu.nzcv = f;
            cpu.set(rd, r);
        } else {
            cpu.set(rd, if SUB { n.wrapping_sub(m) } else { n.wrapping_add(m) });
        }
    } else {
        let (n, m) = (n as u32, m as u32);
        if S {
            let (r, f) = add_sub_flags32::<SUB>(n, m);
            cpu.nzcv = f;
            cpu.set_w(rd, r);
        } else {
            cpu.set_w(rd, if SUB { n.wrapping_sub(m) } else { n.wrapping_add(m) });
        }
    }
}

fn exec_add_sub_shifted<const SF: bool, const SUB: bool, const S: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    AddSubShifted::<SF, SUB, S>::step(cpu, op);
    next(cpu, rest)
}

/// ADD/ADDS/SUB/SUBS (shifted register).
pub struct AddSubShifted<const SF: bool, const SUB: bool, const S: bool>;

impl<const SF: bool, const SUB: bool, const S: bool> Step for AddSubShifted<SF, SUB, S> {
    const EXEC: ExecFn = exec_add_sub_shifted::<SF, SUB, S>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let m = if SF {
            shift64(cpu.r(op.rm), op.a, op.b as u32)
        } else {
            shift32(cpu.r(op.rm) as u32, op.a, op.b as u32) as u64
        };
        add_sub::<SF, SUB, S>(cpu, op.rd, cpu.r(op.rn), m);
    }
}

fn exec_add_sub_reg<const SF: bool, const SUB: bool, const S: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    AddSubReg::<SF, SUB, S>::step(cpu, op);
    next(cpu, rest)
}

/// ADD/ADDS/SUB/SUBS (shifted register) with no shift.
pub struct AddSubReg<const SF: bool, const SUB: bool, const S: bool>;

impl<const SF: bool, const SUB: bool, const S: bool> Step for AddSubReg<SF, SUB, S> {
    const EXEC: ExecFn = exec_add_sub_reg::<SF, SUB, S>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        add_sub::<SF, SUB, S>(cpu, op.rd, cpu.r(op.rn), cpu.r(op.rm));
    }
}

fn add_sub_extended(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let imm3 = bits(insn, 10, 3);
    if imm3 > 4 || bits(insn, 22, 2) != 0 {
        return None;
    }
    let s = bits(insn, 29, 1) == 1;
    let flags = (sf as usize) << 2 | (bits(insn, 30, 1) as usize) << 1 | s as usize;
    let mut op = Op::new(ADD_SUB_EXTENDED[flags][bits(insn, 13, 3) as usize], pc);
    op.rd = if s { wzr(insn) } else { rsp(insn) };
    op.rn = rsp(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = bits(insn, 13, 3) as u8;
    op.b = imm3 as u8;
    Some(op)
}

/// `exec_add_sub_extended` by (SF, SUB, S) and then by the extend option.
macro_rules! by_option {
    ($(($sf:literal, $sub:literal, $s:literal)),*) => {
        [$([
            exec_add_sub_extended::<$sf, $sub, $s, 0> as ExecFn,
            exec_add_sub_extended::<$sf, $sub, $s, 1>,
            exec_add_sub_extended::<$sf, $sub, $s, 2>,
            exec_add_sub_extended::<$sf, $sub, $s, 3>,
            exec_add_sub_extended::<$sf, $sub, $s, 4>,
            exec_add_sub_extended::<$sf, $sub, $s, 5>,
            exec_add_sub_extended::<$sf, $sub, $s, 6>,
            exec_add_sub_extended::<$sf, $sub, $s, 7>,
        ]),*]
    };
}

static ADD_SUB_EXTENDED: [[ExecFn; 8]; 8] = by_option!(
    (false, false, false),
    (false, false, true),
    (false, true, false),
    (false, true, true),
    (true, false, false),
    (true, false, true),
    (true, true, false),
    (true, true, true)
);

fn exec_add_sub_extended<const SF: bool, const SUB: bool, const S: bool, const OPTION: u8>(
    cpu: &mut Cpu,
    op: &Op,
    rest: &[Op],
) -> Flow {
    let m = extend_value(cpu.r(op.rm), OPTION) << op.b;
    add_sub::<SF, SUB, S>(cpu, op.rd, cpu.r(op.rn), m);
    next(cpu, rest)
}

fn adc_sbc(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let mut op = Op::new(pick!(exec_adc_sbc, sf, bits(insn, 30, 1) == 1, bits(insn, 29, 1) == 1), pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    Some(op)
}

fn exec_adc_sbc<const SF: bool, const SUB: bool, const S: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let c = cpu.nzcv >> 29 & 1 == 1;
    let (n, m) = (cpu.r(op.rn), cpu.r(op.rm));
    let m = if SUB { !m } else { m };
    if SF {
        let (r, f) = add_with_carry64(n, m, c);
        if S {
            cpu.nzcv = f;
        }
        cpu.set(op.rd, r);
    } else {
        let (r, f) = add_with_carry32(n as u32, m as u32, c);
        if S {
            cpu.nzcv = f;
        }
        cpu.set_w(op.rd, r);
    }
    next(cpu, rest)
}

fn cond_compare(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let imm = bits(insn, 11, 1) == 1;
    let mut op = Op::new(pick!(exec_cond_compare, sf, bits(insn, 30, 1) == 1, imm), pc);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.imm = bits(insn, 16, 5) as u64;
    op.a = bits(insn, 12, 4) as u8;
    op.b = bits(insn, 0, 4) as u8;
    Some(op)
}

fn exec_cond_compare<const SF: bool, const SUB: bool, const IMM: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    CondCompare::<SF, SUB, IMM>::step(cpu, op);
    next(cpu, rest)
}

/// CCMP/CCMN (register and immediate).
pub struct CondCompare<const SF: bool, const SUB: bool, const IMM: bool>;

impl<const SF: bool, const SUB: bool, const IMM: bool> Step for CondCompare<SF, SUB, IMM> {
    const EXEC: ExecFn = exec_cond_compare::<SF, SUB, IMM>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        cpu.nzcv = if !cpu.cond(op.a) {
            (op.b as u32) << 28
        } else {
            let n = cpu.r(op.rn);
            let m = if IMM { op.imm } else { cpu.r(op.rm) };
            if SF {
                add_sub_flags64::<SUB>(n, m).1
            } else {
                add_sub_flags32::<SUB>(n as u32, m as u32).1
            }
        };
    }
}

fn cond_select(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let (op_, o2) = (bits(insn, 30, 1), bits(insn, 10, 1));
    let exec: ExecFn = match (op_ << 1) | o2 {
        0 => pick!(exec_csel, sf),
        1 => pick!(exec_csinc, sf),
        2 => pick!(exec_csinv, sf),
        _ => pick!(exec_csneg, sf),
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = bits(insn, 12, 4) as u8;
    Some(op)
}

macro_rules! csel_family {
    ($name:ident, $step:ident, |$m:ident| $f:expr) => {
        fn $name<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
            $step::<SF>::step(cpu, op);
            next(cpu, rest)
        }

        pub struct $step<const SF: bool>;

        impl<const SF: bool> Step for $step<SF> {
            const EXEC: ExecFn = $name::<SF>;

            #[inline(always)]
            fn step(cpu: &mut Cpu, op: &Op) {
                let r = if cpu.cond(op.a) {
                    cpu.r(op.rn)
                } else {
                    let $m = cpu.r(op.rm);
                    $f
                };
                cpu.set(op.rd, if SF { r } else { r as u32 as u64 });
            }
        }
    };
}
csel_family!(exec_csel, Csel, |m| m);
csel_family!(exec_csinc, Csinc, |m| m.wrapping_add(1));
csel_family!(exec_csinv, Csinv, |m| !m);
csel_family!(exec_csneg, Csneg, |m| m.wrapping_neg());

fn dp_3src(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let op31 = bits(insn, 21, 3);
    let o0 = bits(insn, 15, 1) == 1;
    let exec: ExecFn = match (sf, op31, o0) {
        (_, 0, o) => pick!(exec_madd, sf, o),
        (true, 1, false) => exec_smaddl::<false>,
        (true, 1, true) => exec_smaddl::<true>,
        (true, 5, false) => exec_umaddl::<false>,
        (true, 5, true) => exec_umaddl::<true>,
        (true, 2, false) => exec_smulh,
        (true, 6, false) => exec_umulh,
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.ra = rzr(bits(insn, 10, 5));
    Some(op)
}

fn exec_madd<const SF: bool, const SUB: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    Madd::<SF, SUB>::step(cpu, op);
    next(cpu, rest)
}

/// MADD/MSUB (MUL, MNEG).
pub struct Madd<const SF: bool, const SUB: bool>;

impl<const SF: bool, const SUB: bool> Step for Madd<SF, SUB> {
    const EXEC: ExecFn = exec_madd::<SF, SUB>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let p = cpu.r(op.rn).wrapping_mul(cpu.r(op.rm));
        let a = cpu.r(op.ra);
        let r = if SUB { a.wrapping_sub(p) } else { a.wrapping_add(p) };
        cpu.set(op.rd, if SF { r } else { r as u32 as u64 });
    }
}

fn exec_smaddl<const SUB: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let p = (cpu.r(op.rn) as i32 as i64).wrapping_mul(cpu.r(op.rm) as i32 as i64) as u64;
    let a = cpu.r(op.ra);
    cpu.set(op.rd, if SUB { a.wrapping_sub(p) } else { a.wrapping_add(p) });
    next(cpu, rest)
}

fn exec_umaddl<const SUB: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let p = (cpu.r(op.rn) as u32 as u64).wrapping_mul(cpu.r(op.rm) as u32 as u64);
    let a = cpu.r(op.ra);
    cpu.set(op.rd, if SUB { a.wrapping_sub(p) } else { a.wrapping_add(p) });
    next(cpu, rest)
}

fn exec_smulh(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let p = (cpu.r(op.rn) as i64 as i128) * (cpu.r(op.rm) as i64 as i128);
    cpu.set(op.rd, (p >> 64) as u64);
    next(cpu, rest)
}

fn exec_umulh(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let p = (cpu.r(op.rn) as u128) * (cpu.r(op.rm) as u128);
    cpu.set(op.rd, (p >> 64) as u64);
    next(cpu, rest)
}

fn dp_2src(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let opcode = bits(insn, 10, 6);
    let exec: ExecFn = match opcode {
        2 => pick!(exec_udiv, sf),
        3 => pick!(exec_sdiv, sf),
        8..=11 => pick!(exec_shiftv, sf),
        // CRC32B/H/W/X (sz = opcode<1:0>, X only with sf) and CRC32C*.
        16..=23 => {
            let sz = opcode & 3;
            if (sz == 3) != sf {
                return None;
            }
            if opcode & 4 == 0 {
                exec_crc32::<false>
            } else {
                exec_crc32::<true>
            }
        }
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.a = (opcode & 3) as u8;
    Some(op)
}

fn exec_udiv<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.r(op.rn), cpu.r(op.rm));
    let r = if SF { n.checked_div(m).unwrap_or(0) } else { (n as u32).checked_div(m as u32).unwrap_or(0) as u64 };
    cpu.set(op.rd, r);
    next(cpu, rest)
}

fn exec_sdiv<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (n, m) = (cpu.r(op.rn), cpu.r(op.rm));
    // Division by zero gives 0; MIN / -1 wraps, as the manual's RoundTowardsZero.
    let r = if SF {
        if m == 0 {
            0
        } else {
            (n as i64).wrapping_div(m as i64) as u64
        }
    } else if m as u32 == 0 {
        0
    } else {
        (n as i32).wrapping_div(m as i32) as u32 as u64
    };
    cpu.set(op.rd, r);
    next(cpu, rest)
}

fn exec_shiftv<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    ShiftV::<SF>::step(cpu, op);
    next(cpu, rest)
}

/// LSLV/LSRV/ASRV/RORV.
pub struct ShiftV<const SF: bool>;

impl<const SF: bool> Step for ShiftV<SF> {
    const EXEC: ExecFn = exec_shiftv::<SF>;

    #[inline(always)]
    fn step(cpu: &mut Cpu, op: &Op) {
        let (n, m) = (cpu.r(op.rn), cpu.r(op.rm));
        let r = if SF { shift64(n, op.a, (m & 63) as u32) } else { shift32(n as u32, op.a, (m & 31) as u32) as u64 };
        cpu.set(op.rd, r);
    }
}

/// CRC32 (polynomial 0x04C11DB7) or CRC32C (0x1EDC6F41), bit-reflected, over the
/// low 8 << sz bits of Rm.
fn exec_crc32<const C: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let crc = super::crc32::update::<C>(cpu.r(op.rn) as u32, cpu.r(op.rm), 1 << op.a);
    cpu.set_w(op.rd, crc);
    next(cpu, rest)
}

fn dp_1src(insn: u32, pc: u64) -> Option<Op> {
    let sf = insn >> 31 == 1;
    let opcode = bits(insn, 10, 6);
    let exec: ExecFn = match (opcode, sf) {
        (0, s) => pick!(exec_rbit, s),
        (1, s) => pick!(exec_rev16, s),
        (2, false) => exec_rev::<false>,
        (2, true) => exec_rev32,
        (3, true) => exec_rev::<true>,
        (4, s) => pick!(exec_clz, s),
        (5, s) => pick!(exec_cls, s),
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    op.rn = rzr(bits(insn, 5, 5));
    Some(op)
}

fn exec_rbit<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    cpu.set(op.rd, if SF { v.reverse_bits() } else { (v as u32).reverse_bits() as u64 });
    next(cpu, rest)
}

fn exec_rev16<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    let r = ((v & 0x00ff_00ff_00ff_00ff) << 8) | ((v >> 8) & 0x00ff_00ff_00ff_00ff);
    cpu.set(op.rd, if SF { r } else { r as u32 as u64 });
    next(cpu, rest)
}

fn exec_rev<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    cpu.set(op.rd, if SF { v.swap_bytes() } else { (v as u32).swap_bytes() as u64 });
    next(cpu, rest)
}

fn exec_rev32(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    let r = ((v as u32).swap_bytes() as u64) | (((v >> 32) as u32).swap_bytes() as u64) << 32;
    cpu.set(op.rd, r);
    next(cpu, rest)
}

fn exec_clz<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    cpu.set(op.rd, if SF { v.leading_zeros() } else { (v as u32).leading_zeros() } as u64);
    next(cpu, rest)
}

fn exec_cls<const SF: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let v = cpu.r(op.rn);
    let r =
        if SF { ((v ^ (v << 1)) | 1).leading_zeros() } else { (((v as u32) ^ ((v as u32) << 1)) | 1).leading_zeros() };
    cpu.set(op.rd, r as u64);
    next(cpu, rest)
}
