//! Loads and stores with ordering or atomicity: load/store exclusive (register and
//! pair), load-acquire/store-release, LDAPR, compare and swap (CAS, CASP), and the
//! LSE atomic memory operations (LDADD, LDCLR, LDEOR, LDSET, LD{S,U}{MAX,MIN}, SWP).
//!
//! Exclusives are built on host compare-and-swap: LDXR remembers the value it
//! read; STXR succeeds only if memory still holds it, swapping atomically.

use crate::decode::{enc, Encoding};
use crate::state::*;
use emu_memory::atomic::{self, Rmw};
use emu_memory::*;

pub static ENCODINGS: &[Encoding] = &[
    enc(
        "LDXR/STXR/LDAXR/STLXR/LDXP/STXP/LDAR/STLR/LDLAR/STLLR/CAS/CASP",
        "ss001000xLxsssssxuuuuunnnnnttttt",
        exclusive_ordered,
    ),
    enc(
        "LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP/LDAPR",
        "ss111000AR1sssssxooo00nnnnnttttt",
        atomic_memory,
    ),
];

fn exclusive_ordered(insn: u32, pc: u64) -> Option<Op> {
    let size = bits(insn, 30, 2) as u8;
    let (o2, load, o1, o0) = (bits(insn, 23, 1), bits(insn, 22, 1) == 1, bits(insn, 21, 1), bits(insn, 15, 1));
    let (rs, rt2, rn, rt) = (bits(insn, 16, 5), bits(insn, 10, 5), bits(insn, 5, 5), bits(insn, 0, 5));
    let mut op = Op::new(exec_ldxr, pc);
    op.rn = rsp(rn);
    op.a = size;
    match (o2, o1) {
        (0, 0) => {
            if load {
                op.rd = wzr(rt);
            } else {
                op.exec = exec_stxr;
                op.rd = rzr(rt);
                op.rm = wzr(rs);
            }
        }
        (0, 1) if size >= 2 => {
            op.a = size - 2; // 0: two W registers, 1: two X registers
            if load {
                op.exec = exec_ldxp;
                op.rd = wzr(rt);
                op.ra = wzr(rt2);
            } else {
                op.exec = exec_stxp;
                op.rd = rzr(rt);
                op.ra = rzr(rt2);
                op.rm = wzr(rs);
            }
        }
        (0, 1) if rt2 == 31 => {
            // CASP: pairs of W (size 0) or X (size 1) registers, even numbered.
            if rs & 1 == 1 || rt & 1 == 1 {
                return None;
            }
            op.exec = exec_casp;
            op.a = size;
            op.rm = rs as u8; // Rs, Rs+1: compare value in, old value out
            op.rd = rt as u8; // Rt, Rt+1: new value
        }
        (1, 0) => {
            if load {
                op.exec = exec_ldar;
                op.rd = wzr(rt);
            } else {
                op.exec = if o0 == 1 { exec_stlr } else { exec_stllr };
                op.rd = rzr(rt);
            }
        }
        (1, 1) if rt2 == 31 => {
            op.exec = exec_cas;
            op.rm = rs as u8;
            op.rd = rzr(rt);
        }
        _ => return None,
    }
    Some(op)
}

fn exec_ldxr(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let v = load_u64_sized(addr, 1 << op.a);
    cpu.monitor = Monitor { addr, value: v as u128, size: op.a, valid: true };
    cpu.set(op.rd, v);
    next(cpu, rest)
}

fn exec_stxr(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let m = cpu.monitor;
    cpu.monitor.valid = false;
    let ok = m.valid
        && m.addr == addr
        && m.size == op.a
        && atomic::cas_sized(op.a, addr, m.value as u64, cpu.r(op.rd)).is_ok();
    cpu.set(op.rm, !ok as u64);
    next(cpu, rest)
}

fn exec_ldxp(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let (v, lo, hi) = if op.a == 0 {
        let v = load_u64(addr);
        (v as u128, v as u32 as u64, v >> 32)
    } else {
        let v = load_u128(addr);
        (v, v as u64, (v >> 64) as u64)
    };
    cpu.monitor = Monitor { addr, value: v, size: 4 + op.a, valid: true };
    cpu.set(op.rd, lo);
    cpu.set(op.ra, hi);
    next(cpu, rest)
}

fn exec_stxp(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let m = cpu.monitor;
    cpu.monitor.valid = false;
    let (lo, hi) = (cpu.r(op.rd), cpu.r(op.ra));
    let ok = m.valid
        && m.addr == addr
        && m.size == 4 + op.a
        && if op.a == 0 {
            atomic::cas_u64(addr, m.value as u64, (lo as u32 as u64) | (hi << 32)).is_ok()
        } else {
            atomic::cas_u128(addr, m.value, (hi as u128) << 64 | lo as u128).is_ok()
        };
    cpu.set(op.rm, !ok as u64);
    next(cpu, rest)
}

fn exec_ldar(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    // x86 loads already have acquire semantics.
    let v = load_u64_sized(cpu.r(op.rn), 1 << op.a);
    cpu.set(op.rd, v);
    next(cpu, rest)
}

fn exec_stlr(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    // A store-release followed by a load-acquire must not be reordered (RCsc);
    // x86 may let the later load pass the store, so make the store a locked swap.
    atomic::rmw_sized(op.a, cpu.r(op.rn), Rmw::Swp, cpu.r(op.rd));
    next(cpu, rest)
}

fn exec_stllr(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    store_u64_sized(cpu.r(op.rn), 1 << op.a, cpu.r(op.rd));
    next(cpu, rest)
}

fn size_mask(size: u8) -> u64 {
    if size >= 3 {
        u64::MAX
    } else {
        (1u64 << (8 << size)) - 1
    }
}

fn exec_cas(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let mask = size_mask(op.a);
    let expect = cpu.r(rzr(op.rm as u32)) & mask;
    let old = match atomic::cas_sized(op.a, addr, expect, cpu.r(op.rd)) {
        Ok(v) | Err(v) => v,
    };
    cpu.set(wzr(op.rm as u32), old);
    next(cpu, rest)
}

fn exec_casp(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let addr = cpu.r(op.rn);
    let (rs, rt) = (op.rm as u32, op.rd as u32);
    let (s0, s1) = (cpu.r(rzr(rs)), cpu.r(rzr(rs + 1)));
    let (t0, t1) = (cpu.r(rzr(rt)), cpu.r(rzr(rt + 1)));
    if op.a == 0 {
        let expect = (s0 as u32 as u64) | (s1 << 32);
        let new = (t0 as u32 as u64) | (t1 << 32);
        let old = match atomic::cas_u64(addr, expect, new) {
            Ok(v) | Err(v) => v,
        };
        cpu.set(wzr(rs), old as u32 as u64);
        cpu.set(wzr(rs + 1), old >> 32);
    } else {
        let old = match atomic::cas_u128(addr, (s1 as u128) << 64 | s0 as u128, (t1 as u128) << 64 | t0 as u128) {
            Ok(v) | Err(v) => v,
        };
        cpu.set(wzr(rs), old as u64);
        cpu.set(wzr(rs + 1), (old >> 64) as u64);
    }
    next(cpu, rest)
}

fn atomic_memory(insn: u32, pc: u64) -> Option<Op> {
    let (o3, opc) = (bits(insn, 15, 1), bits(insn, 12, 3));
    let mut op = Op::new(exec_atomic_rmw, pc);
    op.a = bits(insn, 30, 2) as u8;
    op.rn = rsp(bits(insn, 5, 5));
    op.rm = rzr(bits(insn, 16, 5));
    op.rd = wzr(insn);
    match (o3, opc) {
        (0, _) => op.b = opc as u8,
        (1, 0) => op.b = Rmw::Swp as u8,
        // LDAPR: A=1, R=0, Rs=31.
        (1, 4) if bits(insn, 22, 2) == 2 && bits(insn, 16, 5) == 31 => op.exec = exec_ldar,
        _ => return None,
    }
    Some(op)
}

const RMW_OPS: [Rmw; 9] =
    [Rmw::Add, Rmw::Clr, Rmw::Eor, Rmw::Set, Rmw::Smax, Rmw::Smin, Rmw::Umax, Rmw::Umin, Rmw::Swp];

fn exec_atomic_rmw(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let old = atomic::rmw_sized(op.a, cpu.r(op.rn), RMW_OPS[op.b as usize], cpu.r(op.rm));
    cpu.set(op.rd, old);
    next(cpu, rest)
}
