//! AdvSIMD load/store structures: LD1-LD4/ST1-ST4 (multiple structures and
//! single lane), LD1R-LD4R, each with optional post-index.

use super::float::dup_lane;
use super::*;
use crate::state::*;
use emu_memory::*;

// op fields: rd = first register, rn = base, rm = post-index register,
// a = structure elements, b = registers per element (LD1/ST1 multi) or lane
// index, c = post-index kind (0 none, 1 immediate, 2 register), ra = log2 esize,
// imm = bytes transferred (the immediate post-index), d = 64 for 64-bit vectors.
const POST_IMM: u8 = 1;
const POST_REG: u8 = 2;

fn post_index(insn: u32, op: &mut Op, bytes: u64) {
    op.imm = bytes;
    if bits(insn, 23, 1) == 1 {
        let m = bits(insn, 16, 5);
        op.c = if m == 31 { POST_IMM } else { POST_REG };
        op.rm = rzr(m);
    }
}

#[inline(always)]
fn write_back(cpu: &mut Cpu, op: &Op, base: u64) {
    match op.c {
        POST_IMM => cpu.set(op.rn, base.wrapping_add(op.imm)),
        POST_REG => {
            let off = cpu.r(op.rm);
            cpu.set(op.rn, base.wrapping_add(off));
        }
        _ => {}
    }
}

pub fn decode_multiple(insn: u32, pc: u64) -> Option<Op> {
    let (q, l, opc, size) = (bits(insn, 30, 1) == 1, bits(insn, 22, 1) == 1, bits(insn, 12, 4), bits(insn, 10, 2));
    let (selem, rpt) = match opc {
        0 => (4, 1),
        2 => (1, 4),
        4 => (3, 1),
        6 => (1, 3),
        7 => (1, 1),
        8 => (2, 1),
        10 => (1, 2),
        _ => return None,
    };
    if size == 3 && !q && selem > 1 {
        return None;
    }
    let exec: ExecFn = match (l, selem == 1) {
        (true, true) => exec_multi1::<true>,
        (false, true) => exec_multi1::<false>,
        (true, false) => exec_multi::<true>,
        (false, false) => exec_multi::<false>,
    };
    let mut op = vop(exec, insn, pc);
    op.rn = rsp(bits(insn, 5, 5));
    op.a = selem;
    op.b = rpt;
    op.ra = size as u8;
    let regbytes = if q { 16 } else { 8 };
    post_index(insn, &mut op, (selem as u64) * (rpt as u64) * regbytes);
    Some(op)
}

/// LD1/ST1 of 1-4 whole registers: element order is memory order.
fn exec_multi1<const L: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let base = cpu.r(op.rn);
    let mut addr = base;
    for r in 0..op.b {
        let t = op.rd.wrapping_add(r) & 31;
        if op.d == 0 {
            if L {
                cpu.set_vreg(t, load_u128(addr));
            } else {
                store_u128(addr, cpu.vreg(t));
            }
            addr = addr.wrapping_add(16);
        } else {
            if L {
                cpu.set_vreg(t, load_u64(addr) as u128);
            } else {
                store_u64(addr, cpu.vreg(t) as u64);
            }
            addr = addr.wrapping_add(8);
        }
    }
    write_back(cpu, op, base);
    next(cpu, rest)
}

/// One element of 1 << size bytes.
#[inline(always)]
fn load_elem(addr: u64, size: u8) -> u64 {
    load_u64_sized(addr, 1 << size)
}

#[inline(always)]
fn store_elem(addr: u64, size: u8, v: u64) {
    store_u64_sized(addr, 1 << size, v)
}

#[inline(always)]
fn set_lane(v: u128, i: u32, e: u32, x: u64) -> u128 {
    let m = (emask(e) as u128) << (i * e);
    (v & !m) | ((x as u128) << (i * e) & m)
}

/// LD2-LD4/ST2-ST4: interleaved structures.
fn exec_multi<const L: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    cpu.mark_access(op);
    let base = cpu.r(op.rn);
    let (size, selem) = (op.ra, op.a as u32);
    let e = 8u32 << size;
    let els = (128 - op.d as u32) / e;
    let mut addr = base;
    let mut regs = [0u128; 4];
    for (s, r) in regs.iter_mut().enumerate().take(selem as usize) {
        *r = if L { 0 } else { cpu.vreg(op.rd.wrapping_add(s as u8) & 31) };
    }
    for i in 0..els {
        for (s, r) in regs.iter_mut().enumerate().take(selem as usize) {
            let _ = s;
            if L {
                *r = set_lane(*r, i, e, load_elem(addr, size));
            } else {
                store_elem(addr, size, lane(*r, i, e));
            }
            addr = addr.wrapping_add(1 << size);
        }
    }
    if L {
        for (s, r) in regs.iter().enumerate().take(selem as usize) {
            cpu.set_vreg(op.rd.wrapping_add(s as u8) & 31, *r);
        }
    }
    write_back(cpu, op, base);
    next(cpu, rest)
}

pub fn decode_single(insn: u32, pc: u64) -> Option<Op> {
    let (q, l, r) = (bits(insn, 30, 1), bits(insn, 22, 1) == 1, bits(insn, 21, 1));
    let (opc, s, size) = (bits(insn, 13, 3), bits(insn, 12, 1), bits(insn, 10, 2));
    let selem = ((opc & 1) << 1 | r) + 1;
    let (scale, index) = match opc >> 1 {
        0 => (0, q << 3 | s << 2 | size),
        1 if size & 1 == 0 => (1, q << 2 | s << 1 | size >> 1),
        2 if size == 0 => (2, q << 1 | s),
        2 if size == 1 && s == 0 => (3, q),
        3 if l && s == 0 => (size, 0),
        _ => return None,
    };
    let replicate = opc >> 1 == 3;
    let exec: ExecFn = match (l, replicate) {
        (true, true) => exec_replicate,
        (true, false) => exec_single::<true>,
        (false, _) => exec_single::<false>,
    };
    let mut op = vop(exec, insn, pc);
    op.rn = rsp(bits(insn, 5, 5));
    op.a = selem as u8;
    op.b = index as u8;
    op.ra = scale as u8;
    post_index(insn, &mut op, (selem as u64) << scale);
    Some(op)
}

/// The walk the single-structure forms share: element s of the structure goes
/// with register Vt+s at consecutive addresses; then the write-back.
#[inline(always)]
fn each_element(cpu: &mut Cpu, op: &Op, rest: &[Op], mut f: impl FnMut(&mut Cpu, u8, u64)) -> Flow {
    cpu.mark_access(op);
    let base = cpu.r(op.rn);
    let mut addr = base;
    for s in 0..op.a {
        f(cpu, op.rd.wrapping_add(s) & 31, addr);
        addr = addr.wrapping_add(1 << op.ra);
    }
    write_back(cpu, op, base);
    next(cpu, rest)
}

/// LD1-LD4/ST1-ST4 (single structure): one lane of 1-4 registers; the other
/// lanes are kept.
fn exec_single<const L: bool>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (size, e) = (op.ra, 8u32 << op.ra);
    each_element(cpu, op, rest, |cpu, t, addr| {
        if L {
            let v = set_lane(cpu.vreg(t), op.b as u32, e, load_elem(addr, size));
            cpu.set_vreg(t, v);
        } else {
            store_elem(addr, size, lane(cpu.vreg(t), op.b as u32, e));
        }
    })
}

/// LD1R-LD4R: one structure, each element replicated across its register.
fn exec_replicate(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    let (size, e) = (op.ra, 8u32 << op.ra);
    each_element(cpu, op, rest, |cpu, t, addr| {
        let v = dup_lane(load_elem(addr, size), e) & (u128::MAX >> op.d);
        cpu.set_vreg(t, v);
    })
}

#[cfg(test)]
mod tests {
    use crate::a64::fp::testutil::run;
    use crate::state::Cpu;

    #[test]
    fn ld1_st1_multiple_and_post_index() {
        let mut buf: Vec<u8> = (0u8..64).collect();
        let addr = buf.as_mut_ptr() as u64;
        let mut c = Cpu::default();
        c.x[0] = addr;
        run(&mut c, 0x4c407000); // ld1 {v0.16b}, [x0]
        assert_eq!(c.v[0], u128::from_le_bytes(core::array::from_fn(|i| i as u8)));
        run(&mut c, 0x4cdfa001); // ld1 {v1.16b, v2.16b}, [x0], #32
        assert_eq!((c.v[1] as u8, c.v[2] as u8, c.x[0]), (0, 16, addr + 32));
        c.x[0] = addr;
        c.v[3] = u128::MAX;
        run(&mut c, 0x0c407403); // ld1 {v3.4h}, [x0]: the top half is cleared
        assert_eq!(c.v[3], 0x0706_0504_0302_0100);
        c.x[2] = 48;
        c.v[4] = 0xaa;
        run(&mut c, 0x0c827004); // st1 {v4.8b}, [x0], x2
        assert_eq!((buf[0], buf[1], c.x[0]), (0xaa, 0, addr + 48));
    }

    #[test]
    fn ld2_st2_interleave_and_lanes() {
        let mut buf: Vec<u8> = (0u8..64).collect();
        let addr = buf.as_mut_ptr() as u64;
        let mut c = Cpu::default();
        c.x[0] = addr;
        run(&mut c, 0x4c408000); // ld2 {v0.16b, v1.16b}, [x0]: even bytes, odd bytes
        assert_eq!(c.v[0] as u32, 0x0604_0200);
        assert_eq!(c.v[1] as u32, 0x0705_0301);
        run(&mut c, 0x4c400802); // ld4 {v2.4s-v5.4s}, [x0]
        assert_eq!(c.v[2] as u64, 0x1312_1110_0302_0100);
        c.v[6] = 0x1122_3344 << 32;
        run(&mut c, 0x0d009006); // st1 {v6.s}[1], [x0]
        assert_eq!(&buf[..4], &[0x44, 0x33, 0x22, 0x11]);
        run(&mut c, 0x4d40c407); // ld1r {v7.8h}, [x0]
        assert_eq!(c.v[7], 0x3344_3344_3344_3344_3344_3344_3344_3344);
        c.v[8] = 0;
        run(&mut c, 0x0d400408); // ld1 {v8.b}[1], [x0]
        assert_eq!(c.v[8], 0x4400);
        run(&mut c, 0x4c008000); // st2 {v0.16b, v1.16b}, [x0]: the inverse of ld2
        assert_eq!(&buf[..8], &[0, 1, 2, 3, 4, 5, 6, 7]);
    }
}
