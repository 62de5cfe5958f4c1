//! Guest register state and the pre-decoded operation format.

/// Register index of SP in [`Cpu::x`]; the decoder maps encoding 31 to it where the
/// manual says "SP".
pub const SP: u8 = 31;
/// Where reads of XZR/WZR go: a slot that is always zero.
pub const ZR: u8 = 32;
/// Where writes to XZR/WZR go: a slot nobody reads.
pub const ZR_SINK: u8 = 33;

/// Why execution stopped and the runtime must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// SVC #0: x8 holds the syscall number; `pc` already points after the SVC.
    Syscall,
    /// An encoding we do not implement or that is unallocated: SIGILL at `pc`.
    Undefined { pc: u64, insn: u32 },
    /// BRK #imm: SIGTRAP at `pc`.
    Breakpoint { pc: u64, imm: u16 },
    /// Instruction fetch from memory that is not mapped executable: SIGSEGV.
    FetchFault { pc: u64 },
    /// IC IVAU or similar: decoded code for `addr` may be stale.
    CodeModified { addr: u64 },
    /// The stop flag was raised (a host signal arrived): `pc` is the next block.
    Interrupted,
    /// A debugger's breakpoint: `pc` is its address, the instruction not yet run.
    DebugBreak,
    /// Single-stepping: one instruction ran and `pc` is the next one.
    Stepped,
}

/// What an operation tells the dispatch loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next operation of the block.
    Next,
    /// `cpu.pc` was set: look up the block there.
    Branch,
    /// Stop: `cpu.exit` says why.
    Exit,
}

/// One pre-decoded instruction: its semantic function and its fields, extracted
/// once at decode time. Register fields are already mapped to [`Cpu::x`] indices
/// (SP, ZR or ZR_SINK resolved), immediates already expanded.
/// 32 bytes: two to a host cache line. (Not aligned to 32: an aligned allocation
/// per block cost more at start-up, in malloc, than it bought in dispatch.)
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Op {
    pub exec: ExecFn,
    pub pc: u64,
    pub imm: u64,
    pub rd: u8,
    pub rn: u8,
    pub rm: u8,
    pub ra: u8,
    /// Family-specific small fields (shift type, amount, condition, size...).
    pub a: u8,
    pub b: u8,
    pub c: u8,
    pub d: u8,
}

const _: () = assert!(std::mem::size_of::<Op>() == 32);

/// A semantic function: executes `op`, then (threaded dispatch) the operations
/// after it in its block, `rest`, by tail-calling [`next`]. Only the operation
/// that leaves the straight line returns to the block loop.
pub type ExecFn = fn(&mut Cpu, &Op, &[Op]) -> Flow;

/// Goes on with the rest of the block. In an optimised build this call compiles
/// to a jump (a sibling call: same signature, tail position), so each semantic
/// function ends in an indirect jump of its own, which the host's branch
/// predictor learns per instruction kind; without that optimisation the depth
/// of calls is still bounded by the block length.
#[inline(always)]
pub fn next(cpu: &mut Cpu, rest: &[Op]) -> Flow {
    match rest.split_first() {
        Some((op, rest)) => (op.exec)(cpu, op, rest),
        None => Flow::Next,
    }
}

impl Op {
    /// An operation with all fields zero; decoders fill in what they use.
    pub fn new(exec: ExecFn, pc: u64) -> Op {
        Op { exec, pc, imm: 0, rd: 0, rn: 0, rm: 0, ra: 0, a: 0, b: 0, c: 0, d: 0 }
    }
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Op({:#x})", self.pc)
    }
}

/// The exclusive monitor: what LDXR saw, so STXR can compare-and-swap against it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Monitor {
    pub addr: u64,
    pub value: u128,
    pub size: u8,
    pub valid: bool,
}

/// Guest architectural state of one thread.
#[repr(C)]
pub struct Cpu {
    /// x0..x30, SP (31), the zero slot (32), the write sink (33); padded to 256 so
    /// that any u8 index is in bounds: an operand costs one load, no mask and
    /// no bounds check. (The slots above 33 are never used.)
    pub x: [u64; 256],
    pub v: [u128; 32],
    pub pc: u64,
    /// N, Z, C, V in bits 31..28, as in the NZCV system register.
    pub nzcv: u32,
    pub fpcr: u32,
    pub fpsr: u32,
    pub tpidr: u64,
    pub tpidrro: u64,
    pub monitor: Monitor,
    pub exit: Exit,
    /// The last operation that accessed memory (set by each one before it does,
    /// see [`Cpu::mark_access`]), so a host fault in it is reported at the right
    /// guest PC.
    pub current_op: usize,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu {
            x: [0; 256],
            v: [0; 32],
            pc: 0,
            nzcv: 0,
            fpcr: 0,
            fpsr: 0,
            tpidr: 0,
            tpidrro: 0,
            monitor: Monitor::default(),
            exit: Exit::Syscall,
            current_op: 0,
        }
    }
}

impl Cpu {
    /// The state a new thread starts from: a copy of this one, with no exclusive
    /// reservation.
    pub fn clone_state(&self) -> Cpu {
        Cpu {
            x: self.x,
            v: self.v,
            pc: self.pc,
            nzcv: self.nzcv,
            fpcr: self.fpcr,
            fpsr: self.fpsr,
            tpidr: self.tpidr,
            tpidrro: self.tpidrro,
            monitor: Monitor::default(),
            exit: self.exit,
            current_op: 0,
        }
    }

    #[inline(always)]
    pub fn r(&self, i: u8) -> u64 {
        self.x[i as usize]
    }
    #[inline(always)]
    pub fn set(&mut self, i: u8, v: u64) {
        self.x[i as usize] = v;
    }
    /// Writes a W register: the upper 32 bits are cleared, as the manual says.
    #[inline(always)]
    pub fn set_w(&mut self, i: u8, v: u32) {
        self.x[i as usize] = v as u64;
    }
    #[inline(always)]
    pub fn sp(&self) -> u64 {
        self.x[SP as usize]
    }
    #[inline(always)]
    pub fn set_sp(&mut self, v: u64) {
        self.x[SP as usize] = v;
    }
    #[inline(always)]
    pub fn vreg(&self, i: u8) -> u128 {
        self.v[(i & 31) as usize]
    }
    #[inline(always)]
    pub fn set_vreg(&mut self, i: u8, v: u128) {
        self.v[(i & 31) as usize] = v;
    }
    /// Every operation that accesses guest memory calls this first: a host fault
    /// during the access is then reported at this operation's guest PC. (Only
    /// memory operations pay for it; no other operation can fault.)
    #[inline(always)]
    pub fn mark_access(&mut self, op: &Op) {
        self.current_op = op as *const Op as usize;
    }

    /// The guest PC of the operation that was executing (after a host fault).
    pub fn current_pc(&self) -> Option<u64> {
        if self.current_op == 0 {
            return None;
        }
        // SAFETY: `current_op` is set by the dispatch loop to an `Op` of a block that
        // is still cached: blocks are only dropped between runs, and the field is
        // cleared whenever a run starts.
        Some(unsafe { (*(self.current_op as *const Op)).pc })
    }

    /// Stops execution with `e`.
    #[inline(always)]
    pub fn exit(&mut self, e: Exit) -> Flow {
        self.exit = e;
        Flow::Exit
    }
    /// Evaluates a condition code (ConditionHolds in the manual): one lookup in
    /// a table of the 16 conditions by the 16 NZCV values, no branches.
    #[inline(always)]
    pub fn cond(&self, cond: u8) -> bool {
        COND_TABLE[(cond & 15) as usize] >> (self.nzcv >> 28) & 1 != 0
    }
}

/// ConditionHolds for every condition (index) and NZCV value (bit), computed
/// from the manual's definition at compile time.
const COND_TABLE: [u16; 16] = {
    let mut t = [0u16; 16];
    let mut cond = 0;
    while cond < 16 {
        let mut f = 0;
        while f < 16 {
            let (n, z, c, v) = (f & 8 != 0, f & 4 != 0, f & 2 != 0, f & 1 != 0);
            let r = match cond >> 1 {
                0 => z,
                1 => c,
                2 => n,
                3 => v,
                4 => c && !z,
                5 => n == v,
                6 => n == v && !z,
                _ => true,
            };
            let holds = if cond & 1 == 1 && cond != 15 { !r } else { r };
            if holds {
                t[cond] |= 1 << f;
            }
            f += 1;
        }
        cond += 1;
    }
    t
};

/// Maps a register field to the index used for reads where 31 means XZR.
#[inline(always)]
pub fn rzr(n: u32) -> u8 {
    let n = (n & 31) as u8;
    if n == 31 {
        ZR
    } else {
        n
    }
}

/// Maps a register field for writes where 31 means XZR.
#[inline(always)]
pub fn wzr(n: u32) -> u8 {
    let n = (n & 31) as u8;
    if n == 31 {
        ZR_SINK
    } else {
        n
    }
}

/// Maps a register field where 31 means SP (reads and writes alike).
#[inline(always)]
pub fn rsp(n: u32) -> u8 {
    (n & 31) as u8
}

/// Extracts `len` bits of `insn` starting at bit `lo`.
#[inline(always)]
pub fn bits(insn: u32, lo: u32, len: u32) -> u32 {
    (insn >> lo) & ((1u32 << len) - 1)
}

/// Sign-extends the low `len` bits of `v`.
#[inline(always)]
pub fn sext(v: u64, len: u32) -> u64 {
    let s = 64 - len;
    (((v << s) as i64) >> s) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_codes() {
        let mut c = Cpu { nzcv: 0x4000_0000, ..Default::default() }; // Z
        assert!(c.cond(0)); // EQ
        assert!(!c.cond(1)); // NE
        assert!(c.cond(9)); // LS: !C || Z
        assert!(!c.cond(8)); // HI
        assert!(c.cond(0xe) && c.cond(0xf)); // AL and NV both always
        c.nzcv = 0x9000_0000; // N, V
        assert!(c.cond(10)); // GE: N == V
        assert!(c.cond(12)); // GT
    }

    #[test]
    fn sign_extension() {
        assert_eq!(sext(0x1ff, 9), u64::MAX);
        assert_eq!(sext(0x0ff, 9), 0xff);
    }
}
