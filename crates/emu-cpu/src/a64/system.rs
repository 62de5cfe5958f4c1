//! Exception generation and system instructions: SVC, BRK, hints, barriers,
//! CLREX, MRS/MSR of the EL0 registers, and SYS (cache maintenance, DC ZVA).

use crate::decode::{enc, Encoding};
use crate::state::*;
use crate::sysreg::{self, *};
use std::sync::atomic::{fence, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

pub static ENCODINGS: &[Encoding] = &[
    enc("SVC", "11010100000iiiiiiiiiiiiiiii00001", svc),
    enc("BRK", "11010100001iiiiiiiiiiiiiiii00000", brk),
    enc("HINT (NOP, YIELD, BTI, PACIASP...)", "11010101000000110010xxxxxxx11111", nop),
    enc("CLREX", "11010101000000110011xxxx01011111", clrex),
    enc("DSB", "11010101000000110011xxxx10011111", barrier),
    enc("DMB", "11010101000000110011xxxx10111111", barrier),
    enc("ISB", "11010101000000110011xxxx11011111", nop),
    enc("MRS", "110101010011xxxxxxxxxxxxxxxttttt", mrs),
    enc("MSR (register)", "110101010001xxxxxxxxxxxxxxxttttt", msr),
    enc("SYS (DC, IC)", "1101010100001xxxxxxxxxxxxxxttttt", sys),
];

fn svc(_: u32, pc: u64) -> Option<Op> {
    Some(Op::new(exec_svc, pc))
}

fn exec_svc(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.pc + 4;
    cpu.exit(Exit::Syscall)
}

fn brk(insn: u32, pc: u64) -> Option<Op> {
    let mut op = Op::new(exec_brk, pc);
    op.imm = bits(insn, 5, 16) as u64;
    Some(op)
}

fn exec_brk(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.pc;
    cpu.exit(Exit::Breakpoint { pc: op.pc, imm: op.imm as u16 })
}

fn nop(_: u32, pc: u64) -> Option<Op> {
    Some(Op::new(exec_nop, pc))
}

fn exec_nop(cpu: &mut Cpu, _: &Op, rest: &[Op]) -> Flow {
    next(cpu, rest)
}

fn clrex(_: u32, pc: u64) -> Option<Op> {
    Some(Op::new(exec_clrex, pc))
}

fn exec_clrex(cpu: &mut Cpu, _: &Op, rest: &[Op]) -> Flow {
    cpu.monitor.valid = false;
    next(cpu, rest)
}

fn barrier(insn: u32, pc: u64) -> Option<Op> {
    // DMB ISHLD/OSHLD/NSHLD/LD order loads only, which x86 already does.
    let crm = bits(insn, 8, 4);
    let loads_only = crm & 3 == 1;
    Some(Op::new(if loads_only { exec_nop } else { exec_full_fence }, pc))
}

fn exec_full_fence(cpu: &mut Cpu, _: &Op, rest: &[Op]) -> Flow {
    fence(Ordering::SeqCst);
    next(cpu, rest)
}

fn counter() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

fn mrs(insn: u32, pc: u64) -> Option<Op> {
    let k = bits(insn, 5, 16);
    let exec: ExecFn = match k {
        NZCV => |c, o, r| set_rt(c, o, r, c.nzcv as u64),
        FPCR => |c, o, r| set_rt(c, o, r, c.fpcr as u64),
        FPSR => |c, o, r| set_rt(c, o, r, c.fpsr as u64),
        TPIDR_EL0 => |c, o, r| set_rt(c, o, r, c.tpidr),
        TPIDRRO_EL0 => |c, o, r| set_rt(c, o, r, c.tpidrro),
        CNTVCT_EL0 | CNTVCTSS_EL0 => |c, o, r| set_rt(c, o, r, counter()),
        _ => {
            let v = match k {
                CTR_EL0 => CTR_VALUE,
                DCZID_EL0 => DCZID_VALUE,
                CNTFRQ_EL0 => CNTFRQ_VALUE,
                _ => sysreg::id_register(k)?,
            };
            let mut op = Op::new(|c, o, r| set_rt(c, o, r, o.imm), pc);
            op.imm = v;
            op.rd = wzr(insn);
            return Some(op);
        }
    };
    let mut op = Op::new(exec, pc);
    op.rd = wzr(insn);
    Some(op)
}

#[inline(always)]
fn set_rt(cpu: &mut Cpu, op: &Op, rest: &[Op], v: u64) -> Flow {
    cpu.set(op.rd, v);
    next(cpu, rest)
}

fn msr(insn: u32, pc: u64) -> Option<Op> {
    // Bits 20:19 are op0; only op0 = 3 registers are writable at EL0.
    let exec: ExecFn = match bits(insn, 5, 16) {
        NZCV => |c, o, r| {
            c.nzcv = c.r(o.rn) as u32 & 0xf000_0000;
            next(c, r)
        },
        FPCR => |c, o, r| {
            c.fpcr = c.r(o.rn) as u32;
            crate::hostfp::apply_fpcr(c.fpcr);
            next(c, r)
        },
        FPSR => |c, o, r| {
            c.fpsr = c.r(o.rn) as u32;
            next(c, r)
        },
        TPIDR_EL0 => |c, o, r| {
            c.tpidr = c.r(o.rn);
            next(c, r)
        },
        _ => return None,
    };
    let mut op = Op::new(exec, pc);
    op.rn = rzr(insn);
    Some(op)
}

fn sys(insn: u32, pc: u64) -> Option<Op> {
    // SYS op1, CRn, CRm, op2 (key without op0).
    let (op1, crn, crm, op2) = (bits(insn, 16, 3), bits(insn, 12, 4), bits(insn, 8, 4), bits(insn, 5, 3));
    let mut op = Op::new(exec_nop, pc);
    op.rn = rzr(insn);
    match (op1, crn, crm, op2) {
        (3, 7, 4, 1) => op.exec = exec_dc_zva,
        // IC IVAU: code at this address may have changed.
        (3, 7, 5, 1) => op.exec = exec_ic_ivau,
        // DC CVAU, CVAC, CVAP, CVADP, CIVAC: cache cleaning has no effect here.
        (3, 7, 11, 1) | (3, 7, 10, 1) | (3, 7, 12, 1) | (3, 7, 13, 1) | (3, 7, 14, 1) => {}
        _ => return None,
    }
    Some(op)
}

fn exec_dc_zva(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let a = cpu.r(op.rn) & !(DC_ZVA_BYTES - 1);
    for i in 0..DC_ZVA_BYTES / 16 {
        emu_memory::store_u128(a + i * 16, 0);
    }
    next(cpu, rest)
}

fn exec_ic_ivau(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    let addr = cpu.r(op.rn);
    cpu.pc = op.pc + 4;
    cpu.exit(Exit::CodeModified { addr })
}
