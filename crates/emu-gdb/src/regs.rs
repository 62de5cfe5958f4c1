//! The registers as GDB's aarch64 target description lays them out: the
//! `org.gnu.gdb.aarch64.core` and `org.gnu.gdb.aarch64.fpu` features, in the
//! order of the `g` packet.

use emu_cpu::Cpu;
use gdbstub::arch::{Arch, RegId, Registers};
use std::num::NonZeroUsize;
use std::sync::OnceLock;

/// AArch64 at EL0, as a user-mode debugger sees it.
pub enum A64 {}

impl Arch for A64 {
    type Usize = u64;
    type Registers = Regs;
    type RegId = Reg;
    type BreakpointKind = usize;

    fn target_description_xml() -> Option<&'static str> {
        static XML: OnceLock<String> = OnceLock::new();
        Some(XML.get_or_init(target_xml))
    }
}

/// GDB's target description: x0-x30, sp, pc, cpsr (register numbers 0-33),
/// v0-v31 (34-65), fpsr (66), fpcr (67), the order of the `g` packet. The
/// vector registers are unions of lane views, as GDB shows them natively.
fn target_xml() -> String {
    let mut x = String::from(concat!(
        r#"<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">"#,
        r#"<target version="1.0"><architecture>aarch64</architecture>"#,
        r#"<feature name="org.gnu.gdb.aarch64.core">"#,
    ));
    for i in 0..31 {
        x += &format!(r#"<reg name="x{i}" bitsize="64" type="int" regnum="{i}"/>"#);
    }
    x += r#"<reg name="sp" bitsize="64" type="data_ptr"/><reg name="pc" bitsize="64" type="code_ptr"/>"#;
    x += r#"<reg name="cpsr" bitsize="32" type="int"/></feature><feature name="org.gnu.gdb.aarch64.fpu">"#;
    // (union, lane count, float type or none, lane bits)
    let views = [("vnd", 2, Some("ieee_double"), 64), ("vns", 4, Some("ieee_single"), 32), ("vnh", 8, None, 16)];
    let views = views.into_iter().chain([("vnb", 16, None, 8), ("vnq", 1, None, 128)]);
    let mut union = String::from(r#"<union id="aarch64v">"#);
    for (id, count, float, bits) in views {
        x += &format!(r#"<vector id="{id}u" type="uint{bits}" count="{count}"/>"#);
        x += &format!(r#"<vector id="{id}s" type="int{bits}" count="{count}"/>"#);
        let mut fields = String::new();
        if let Some(f) = float {
            x += &format!(r#"<vector id="{id}f" type="{f}" count="{count}"/>"#);
            fields += &format!(r#"<field name="f" type="{id}f"/>"#);
        }
        fields += &format!(r#"<field name="u" type="{id}u"/><field name="s" type="{id}s"/>"#);
        x += &format!(r#"<union id="{id}">{fields}</union>"#);
        union += &format!(r#"<field name="{}" type="{id}"/>"#, &id[2..]);
    }
    x += &union;
    x += "</union>";
    for i in 0..32 {
        x += &format!(r#"<reg name="v{i}" bitsize="128" type="aarch64v" regnum="{}"/>"#, 34 + i);
    }
    x += r#"<reg name="fpsr" bitsize="32" type="int"/><reg name="fpcr" bitsize="32" type="int"/>"#;
    x + "</feature></target>"
}

/// A copy of a stopped thread's registers, as GDB reads and writes them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Regs {
    pub x: [u64; 31],
    pub sp: u64,
    pub pc: u64,
    /// PSTATE as an EL0 thread's CPSR: NZCV in bits 31:28, mode EL0t (0).
    pub cpsr: u32,
    pub v: [u128; 32],
    pub fpsr: u32,
    pub fpcr: u32,
}

/// Bytes of the `g` packet: 33 x 8, 4, 32 x 16, 2 x 4.
const G_LEN: usize = 33 * 8 + 4 + 32 * 16 + 8;

impl Regs {
    pub fn from_cpu(cpu: &Cpu) -> Regs {
        let mut x = [0; 31];
        x.copy_from_slice(&cpu.x[..31]);
        Regs { x, sp: cpu.sp(), pc: cpu.pc, cpsr: cpu.nzcv & 0xf000_0000, v: cpu.v, fpsr: cpu.fpsr, fpcr: cpu.fpcr }
    }

    /// Writes back what GDB may have changed.
    pub fn to_cpu(&self, cpu: &mut Cpu) {
        cpu.x[..31].copy_from_slice(&self.x);
        cpu.set_sp(self.sp);
        cpu.pc = self.pc;
        cpu.nzcv = self.cpsr & 0xf000_0000;
        cpu.v = self.v;
        cpu.fpsr = self.fpsr;
        if cpu.fpcr != self.fpcr {
            cpu.fpcr = self.fpcr;
            emu_cpu::hostfp::apply_fpcr(cpu.fpcr);
        }
    }
}

impl Registers for Regs {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        self.pc
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        let mut put = |bytes: &[u8]| bytes.iter().for_each(|&b| write_byte(Some(b)));
        self.x.iter().for_each(|r| put(&r.to_le_bytes()));
        put(&self.sp.to_le_bytes());
        put(&self.pc.to_le_bytes());
        put(&self.cpsr.to_le_bytes());
        self.v.iter().for_each(|r| put(&r.to_le_bytes()));
        put(&self.fpsr.to_le_bytes());
        put(&self.fpcr.to_le_bytes());
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if bytes.len() < G_LEN {
            return Err(());
        }
        let mut at = 0;
        let mut take = |n: usize| {
            let mut b = [0u8; 16];
            b[..n].copy_from_slice(&bytes[at..at + n]);
            at += n;
            u128::from_le_bytes(b)
        };
        self.x.iter_mut().for_each(|r| *r = take(8) as u64);
        self.sp = take(8) as u64;
        self.pc = take(8) as u64;
        self.cpsr = take(4) as u32;
        self.v.iter_mut().for_each(|r| *r = take(16));
        self.fpsr = take(4) as u32;
        self.fpcr = take(4) as u32;
        Ok(())
    }
}

/// A register by its GDB number (single-register access is not offered, so
/// GDB reads and writes them all at once; the type is still part of [`Arch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reg(pub usize);

impl RegId for Reg {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        let size = match id {
            0..=32 => 8,
            33 | 66 | 67 => 4,
            34..=65 => 16,
            _ => return None,
        };
        Some((Reg(id), NonZeroUsize::new(size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_description_numbers_registers_as_the_g_packet() {
        let xml = target_xml();
        assert!(xml.contains(r#"<reg name="x30" bitsize="64" type="int" regnum="30"/><reg name="sp""#));
        assert!(xml.contains(r#"<reg name="v0" bitsize="128" type="aarch64v" regnum="34"/>"#));
        assert!(xml.ends_with(r#"<reg name="v31" bitsize="128" type="aarch64v" regnum="65"/><reg name="fpsr" bitsize="32" type="int"/><reg name="fpcr" bitsize="32" type="int"/></feature></target>"#));
        assert!(xml.contains(r#"<union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>"#));
        assert_eq!(xml.matches("<union").count(), xml.matches("</union>").count());
        for i in 0..68 {
            assert!(Reg::from_raw_id(i).is_some(), "register {i}");
        }
        assert!(Reg::from_raw_id(68).is_none());
    }

    #[test]
    fn g_packet_round_trip_and_layout() {
        let mut cpu = Cpu::default();
        for i in 0..31 {
            cpu.x[i] = 0x1000 + i as u64;
        }
        cpu.set_sp(0x7ff0);
        cpu.pc = 0x40_0000;
        cpu.nzcv = 0x6000_0000;
        cpu.v[0] = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100;
        cpu.fpsr = 0x10;
        let regs = Regs::from_cpu(&cpu);
        let mut bytes = Vec::new();
        regs.gdb_serialize(|b| bytes.push(b.unwrap_or(0)));
        assert_eq!(bytes.len(), G_LEN);
        // pc after x0-x30 and sp; cpsr after it; v0 right after cpsr; fpsr then fpcr last.
        assert_eq!(&bytes[256..264], &0x40_0000u64.to_le_bytes());
        assert_eq!(&bytes[264..268], &0x6000_0000u32.to_le_bytes());
        assert_eq!(bytes[268..284], (0..16).collect::<Vec<u8>>()[..]);
        assert_eq!(&bytes[G_LEN - 8..G_LEN - 4], &0x10u32.to_le_bytes());
        let mut back = Regs::default();
        back.gdb_deserialize(&bytes).unwrap();
        assert_eq!(back, regs);
        let mut cpu2 = Cpu::default();
        back.to_cpu(&mut cpu2);
        assert_eq!(
            (cpu2.x[30], cpu2.sp(), cpu2.pc, cpu2.nzcv, cpu2.v[0]),
            (0x101e, 0x7ff0, 0x40_0000, 0x6000_0000, cpu.v[0])
        );
        assert!(back.gdb_deserialize(&bytes[..G_LEN - 1]).is_err());
    }
}
