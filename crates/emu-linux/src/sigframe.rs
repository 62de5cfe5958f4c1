//! The aarch64 signal frame (`struct rt_sigframe` of arch/arm64/kernel/signal.c):
//! siginfo, then a ucontext whose mcontext holds fault_address, x0-x30, sp, pc,
//! pstate and a reserved area of records (fpsimd_context, esr_context, a null
//! terminator); above it a frame record {fp, lr} that x29 points at.

use emu_cpu::Cpu;
use std::mem::{offset_of, size_of};

pub const SIGINFO_SIZE: usize = 128;

#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct StackT {
    pub ss_sp: u64,
    pub ss_flags: i32,
    pub _pad: i32,
    pub ss_size: u64,
}

#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct SigContext {
    pub fault_address: u64,
    pub regs: [u64; 31],
    pub sp: u64,
    pub pc: u64,
    pub pstate: u64,
    pub _pad: u64,
    pub reserved: [u8; 4096],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct UContext {
    pub uc_flags: u64,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_sigmask: u64,
    pub _unused: [u8; 120],
    pub _align: u64,
    pub uc_mcontext: SigContext,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct RtSigframe {
    pub info: [u8; SIGINFO_SIZE],
    pub uc: UContext,
}

const _: () = assert!(size_of::<StackT>() == 24);
const _: () = assert!(size_of::<SigContext>() == 4384);
const _: () = assert!(offset_of!(SigContext, sp) == 256);
const _: () = assert!(offset_of!(SigContext, reserved) == 288);
const _: () = assert!(offset_of!(UContext, uc_sigmask) == 40);
const _: () = assert!(offset_of!(UContext, uc_mcontext) == 176);
const _: () = assert!(size_of::<UContext>() == 4560);
const _: () = assert!(size_of::<RtSigframe>() == 4688);

pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
pub const FPSIMD_SIZE: u32 = 528;
pub const ESR_MAGIC: u32 = 0x4553_5201;
pub const ESR_SIZE: u32 = 16;

impl RtSigframe {
    pub fn zeroed() -> Box<RtSigframe> {
        Box::new(RtSigframe {
            info: [0; SIGINFO_SIZE],
            uc: UContext {
                uc_flags: 0,
                uc_link: 0,
                uc_stack: StackT { ss_sp: 0, ss_flags: 0, _pad: 0, ss_size: 0 },
                uc_sigmask: 0,
                _unused: [0; 120],
                _align: 0,
                uc_mcontext: SigContext {
                    fault_address: 0,
                    regs: [0; 31],
                    sp: 0,
                    pc: 0,
                    pstate: 0,
                    _pad: 0,
                    reserved: [0; 4096],
                },
            },
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: a repr(C) struct of integers and byte arrays, viewed as bytes.
        unsafe { std::slice::from_raw_parts(self as *const Self as *const u8, size_of::<Self>()) }
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above; every byte pattern is a valid value of these fields.
        unsafe { std::slice::from_raw_parts_mut(self as *mut Self as *mut u8, size_of::<Self>()) }
    }

    /// Saves the interrupted state: registers, and the fpsimd (and, for a fault,
    /// esr) records.
    pub fn save(&mut self, cpu: &Cpu, fault: Option<(u64, u64)>) {
        let mc = &mut self.uc.uc_mcontext;
        mc.regs.copy_from_slice(&cpu.x[..31]);
        mc.sp = cpu.sp();
        mc.pc = cpu.pc;
        mc.pstate = cpu.nzcv as u64;
        let r = &mut mc.reserved;
        let mut at = 0;
        let mut put = |bytes: &[u8], at: &mut usize| {
            r[*at..*at + bytes.len()].copy_from_slice(bytes);
            *at += bytes.len();
        };
        put(&FPSIMD_MAGIC.to_le_bytes(), &mut at);
        put(&FPSIMD_SIZE.to_le_bytes(), &mut at);
        put(&cpu.fpsr.to_le_bytes(), &mut at);
        put(&cpu.fpcr.to_le_bytes(), &mut at);
        for v in &cpu.v {
            put(&v.to_le_bytes(), &mut at);
        }
        if let Some((addr, esr)) = fault {
            mc.fault_address = addr;
            put(&ESR_MAGIC.to_le_bytes(), &mut at);
            put(&ESR_SIZE.to_le_bytes(), &mut at);
            put(&esr.to_le_bytes(), &mut at);
        }
        // The null record that ends the list is already zero.
    }

    /// Restores the state a handler may have changed, as rt_sigreturn does.
    pub fn restore(&self, cpu: &mut Cpu) {
        let mc = &self.uc.uc_mcontext;
        cpu.x[..31].copy_from_slice(&mc.regs);
        cpu.set_sp(mc.sp);
        cpu.pc = mc.pc;
        cpu.nzcv = (mc.pstate as u32) & 0xf000_0000;
        // Walk the records for fpsimd_context.
        let r = &mc.reserved;
        let mut at = 0;
        while at + 8 <= r.len() {
            let magic = u32::from_le_bytes([r[at], r[at + 1], r[at + 2], r[at + 3]]);
            let size = u32::from_le_bytes([r[at + 4], r[at + 5], r[at + 6], r[at + 7]]) as usize;
            if magic == 0 || size < 8 || at + size > r.len() {
                break;
            }
            if magic == FPSIMD_MAGIC && size >= FPSIMD_SIZE as usize {
                let w = |o: usize| u32::from_le_bytes([r[at + o], r[at + o + 1], r[at + o + 2], r[at + o + 3]]);
                cpu.fpsr = w(8);
                cpu.fpcr = w(12);
                emu_cpu::hostfp::apply_fpcr(cpu.fpcr);
                for (i, v) in cpu.v.iter_mut().enumerate() {
                    let o = at + 16 + i * 16;
                    let mut b = [0u8; 16];
                    b.copy_from_slice(&r[o..o + 16]);
                    *v = u128::from_le_bytes(b);
                }
            }
            at += size;
        }
    }
}
