//! Pairs of simple operations run as one dispatch.
//!
//! Every operation costs an indirect jump to its semantic function, and on the
//! hosts we measured that jump, not the work, is most of an operation's cost.
//! For the commonest operations (loads and stores, LDP/STP, ADD/SUB, MOV, the
//! logical and bitfield forms, CSEL, CCMP) the semantic function's work is also
//! available as a [`Step`], without the jump. When two of them follow each other
//! in a block, the first operation gets the function that runs both
//! ([`exec_fused`]) and the second is stepped over; a Step followed by the branch
//! that ends the block calls the branch's function directly
//! ([`exec_fused_last`]). Each operation keeps its own fields, so a fault in
//! either is reported at that operation's PC. The table has a function for every
//! ordered pair, so it grows with the square of the list: the list holds what
//! counts of executed operations put first, not everything that could be a Step.

use super::branch::{BCond, BlInLine, Blr, Br, Cb, CmpBCond, Tb};
use super::dp_imm::{AddImm, AndsImm, Extr, LogicalImm, MovImm, Movk, Sbfx, Ubfiz, Ubfx};
use super::dp_reg::{
    AddSubReg, AddSubShifted, CondCompare, Csel, Csinc, LogicalPlain, LogicalShifted, Madd, MovReg, ShiftV,
};
use super::ldst::{
    Pair, Single, LDRB, LDRH, LDRSW, LDRW, LDRX, OFFSET, POST, PRE, REG, REG_SXTW, REG_UXTW, STRB, STRH, STRW, STRX,
};
use crate::state::*;
use std::sync::OnceLock;

/// A semantic function's work without the dispatch to the next operation. Each
/// family keeps its own `exec_*` function that runs its step and goes on (rather
/// than one generic one), so that profiles still name the family.
pub trait Step {
    /// The operation's own semantic function, as the decoder emits it.
    const EXEC: ExecFn;
    fn step(cpu: &mut Cpu, op: &Op);
}

/// An operation that ends its block, as the second of a pair: its own function
/// is called directly, so the pair costs one indirect jump less.
pub trait Last {
    const EXEC: ExecFn;
}

/// Runs `op` (an `A`), then the operation after it (a `B`), then goes on.
fn exec_fused<A: Step, B: Step>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    A::step(cpu, op);
    match rest.split_first() {
        Some((second, rest)) => {
            B::step(cpu, second);
            next(cpu, rest)
        }
        // Not reached: `fuse_pairs` pairs an operation only with one after it.
        None => Flow::Next,
    }
}

/// Runs `op` (an `A`), then the branch after it (a `B`).
fn exec_fused_last<A: Step, B: Last>(cpu: &mut Cpu, op: &Op, rest: &[Op]) -> Flow {
    A::step(cpu, op);
    match rest.split_first() {
        Some((second, rest)) => (B::EXEC)(cpu, second, rest),
        None => Flow::Next,
    }
}

/// The fusable operations (`steps` may come first or second in a pair, `lasts`
/// only second), and the fused function of every pair: `FUSED[a][b]` for the
/// operations at `SINGLE[a]` and `SINGLE[b]`.
macro_rules! fusable {
    (steps: [$($t:ty),* $(,)?]; lasts: [$($l:ty),* $(,)?]) => {
        const COUNT: usize = [$(<$t as Step>::EXEC),*].len();
        const ALL: usize = COUNT + [$(<$l as Last>::EXEC),*].len();
        static SINGLE: [ExecFn; ALL] = [$(<$t as Step>::EXEC,)* $(<$l as Last>::EXEC),*];
        static FUSED: [[ExecFn; ALL]; COUNT] = fusable!(@rows [$($t),*]; [$($l),*]; $($t),*);
    };
    (@rows $all:tt; $lasts:tt; $($a:ty),*) => {
        [$(fusable!(@row $a; $all; $lasts)),*]
    };
    (@row $a:ty; [$($b:ty),*]; [$($l:ty),*]) => {
        [$(exec_fused::<$a, $b> as ExecFn,)* $(exec_fused_last::<$a, $l> as ExecFn),*]
    };
}

// Chosen from counts of the operations executed by python3, lua5.4, sqlite3,
// gzip, xz and the bench programs (the kinds left unpaired that came first).
fusable!(steps: [
    Single<{ LDRX }, { OFFSET }>,
    Single<{ STRX }, { OFFSET }>,
    Single<{ LDRW }, { OFFSET }>,
    Single<{ STRW }, { OFFSET }>,
    Single<{ LDRB }, { OFFSET }>,
    Single<{ STRB }, { OFFSET }>,
    Single<{ LDRH }, { OFFSET }>,
    Single<{ LDRSW }, { OFFSET }>,
    Single<{ LDRX }, { REG }>,
    Single<{ LDRW }, { REG }>,
    Single<{ LDRB }, { REG }>,
    Single<{ LDRH }, { REG }>,
    Single<{ LDRB }, { REG_UXTW }>,
    Single<{ LDRW }, { REG_UXTW }>,
    Single<{ LDRH }, { OFFSET }>,
    Single<{ STRH }, { OFFSET }>,
    Single<{ STRB }, { REG }>,
    Single<{ STRX }, { POST }>,
    Single<{ LDRB }, { REG_SXTW }>,
    Single<{ STRH }, { REG }>,
    Single<{ LDRH }, { REG_UXTW }>,
    Pair<{ LDRX }, { OFFSET }>,
    Pair<{ STRX }, { OFFSET }>,
    Pair<{ LDRX }, { POST }>,
    Pair<{ STRX }, { PRE }>,
    Pair<{ LDRW }, { OFFSET }>,
    Pair<{ STRW }, { OFFSET }>,
    AddImm<true, false, false>,
    AddImm<true, true, false>,
    AddImm<false, false, false>,
    AddImm<false, true, false>,
    MovReg<true>,
    MovReg<false>,
    MovImm,
    AddSubReg<true, false, false>,
    AddSubReg<true, true, false>,
    AddSubReg<false, false, false>,
    AddSubReg<false, true, false>,
    AddSubReg<true, true, true>,
    AddSubShifted<true, false, false>,
    AddSubShifted<true, true, false>,
    AddSubShifted<false, false, false>,
    AddSubShifted<false, true, false>,
    Csel<true>,
    Csel<false>,
    Csinc<true>,
    Csinc<false>,
    Sbfx,
    AndsImm<true>,
    AndsImm<false>,
    Madd<true, false>,
    CondCompare<true, true, false>,
    CondCompare<false, true, false>,
    CondCompare<true, true, true>,
    CondCompare<false, true, true>,
    Ubfx,
    Ubfiz,
    LogicalPlain<0, true>,
    LogicalPlain<1, true>,
    LogicalPlain<2, true>,
    LogicalShifted<0, 0>,
    LogicalShifted<0, 1>,
    LogicalShifted<1, 0>,
    LogicalShifted<1, 1>,
    LogicalShifted<2, 0>,
    LogicalShifted<2, 1>,
    Extr<true>,
    LogicalImm<0, true>,
    LogicalImm<0, false>,
    LogicalImm<1, true>,
    LogicalImm<2, true>,
    LogicalImm<1, false>,
    LogicalImm<2, false>,
    Movk,
    ShiftV<true>,
    BlInLine,
]; lasts: [
    BCond,
    CmpBCond<true, false, true>,
    CmpBCond<true, true, true>,
    CmpBCond<false, false, true>,
    CmpBCond<false, true, true>,
    Cb<true, false>,
    Cb<true, true>,
    Cb<false, false>,
    Cb<false, true>,
    Tb<false>,
    Tb<true>,
    Br,
    Blr,
]);

/// Open-addressed map from a fusable semantic function to its index in `SINGLE`.
struct Index {
    slots: [(usize, u8); SLOTS],
}

const SLOTS: usize = 256;
const _: () = assert!(ALL < SLOTS / 2 && ALL < u8::MAX as usize);

impl Index {
    fn get() -> &'static Index {
        static I: OnceLock<Index> = OnceLock::new();
        I.get_or_init(|| {
            let mut index = Index { slots: [(0, 0); SLOTS] };
            for (i, &f) in SINGLE.iter().enumerate() {
                let s = index.slot(f as usize);
                // Two types may share one function (identical code merged by
                // the compiler): the first keeps it, and both mean the same.
                if index.slots[s].0 == 0 {
                    index.slots[s] = (f as usize, i as u8);
                }
            }
            index
        })
    }

    /// The slot that holds `f`, or else the empty slot where its probe ends.
    fn slot(&self, f: usize) -> usize {
        let mut s = ((f as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % SLOTS;
        while self.slots[s].0 != 0 && self.slots[s].0 != f {
            s = (s + 1) % SLOTS;
        }
        s
    }

    fn lookup(&self, f: ExecFn) -> Option<usize> {
        let (g, i) = self.slots[self.slot(f as usize)];
        (g != 0).then_some(i as usize)
    }
}

/// Pairs up adjacent fusable operations of a block, first come first paired.
pub fn fuse_pairs(ops: &mut [Op]) {
    let index = Index::get();
    let mut i = 0;
    while i + 1 < ops.len() {
        match (index.lookup(ops[i].exec), index.lookup(ops[i + 1].exec)) {
            (Some(a), Some(b)) if a < COUNT => {
                ops[i].exec = FUSED[a][b];
                i += 2;
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::tests::Buffer;
    use crate::cache::{build_block, BlockCache};
    use std::sync::atomic::AtomicBool;

    fn index_of(f: ExecFn) -> Option<usize> {
        Index::get().lookup(f)
    }

    #[test]
    fn every_fusable_function_is_found() {
        for &f in SINGLE.iter() {
            let i = index_of(f).expect("in the index");
            assert_eq!(SINGLE[i] as usize, f as usize);
        }
        // A Step that is not in the list.
        assert_eq!(index_of(Single::<{ super::super::ldst::LDVQ }, { OFFSET }>::EXEC), None);
    }

    /// Pairs are taken in order and do not overlap: of three fusable operations,
    /// the first two become one and the third stays as it was.
    #[test]
    fn adjacent_operations_pair_up_in_order() {
        let code: Vec<u32> = vec![
            0xd280_00a1, // mov x1, #5
            0x9100_0c22, // add x2, x1, #3
            0xaa02_03e3, // mov x3, x2
            0xd400_0001, // svc #0
        ];
        let block = build_block(code.as_ptr() as u64, &Buffer);
        let (mov, add) = (index_of(MovImm::EXEC).unwrap(), index_of(AddImm::<true, false, false>::EXEC).unwrap());
        assert_eq!(block.ops[0].exec as usize, FUSED[mov][add] as usize);
        assert_eq!(block.ops[2].exec as usize, MovReg::<true>::EXEC as usize);
    }

    /// Fused pairs compute what the two operations compute one after the other,
    /// and a memory access in the second is recorded as the second's (so a fault
    /// there is reported at its PC).
    #[test]
    fn fused_pairs_run_both_operations() {
        let mut mem = [0u64; 4];
        let code: Vec<u32> = vec![
            0xd280_00a1, // mov x1, #5
            0x9100_0c22, // add x2, x1, #3
            0xf900_0002, // str x2, [x0]
            0xf940_0003, // ldr x3, [x0]
            0xa900_8c01, // stp x1, x3, [x0, #8]
            0xf940_0804, // ldr x4, [x0, #16]
            0xd400_0001, // svc #0
        ];
        let base = code.as_ptr() as u64;
        let mut cpu = Cpu { pc: base, ..Default::default() };
        cpu.x[0] = mem.as_mut_ptr() as u64;
        // The cache outlives the run: `current_pc` reads the operation there.
        let mut cache = BlockCache::new();
        let exit = cache.run(&mut cpu, &Buffer, &AtomicBool::new(false));
        assert_eq!(exit, crate::state::Exit::Syscall);
        assert_eq!((cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4]), (5, 8, 8, 8));
        assert_eq!(mem, [8, 5, 8, 0]);
        assert_eq!(cpu.current_pc(), Some(base + 20));
    }

    /// The hash-mixing forms pair too: EOR with a shifted register, and ROR
    /// (EXTR) after it; a shift by ASR or an inverted operand does not.
    #[test]
    fn shifted_logical_and_rotate_pair() {
        let code: Vec<u32> = vec![
            0xca43_7482, // eor x2, x4, x3, lsr #29
            0x93c3_a463, // ror x3, x3, #41
            0xaa01_3c05, // orr x5, x0, x1, lsl #15
            0xca81_0c06, // eor x6, x0, x1, asr #3
            0xd400_0001, // svc #0
        ];
        let block = build_block(code.as_ptr() as u64, &Buffer);
        let (eor, ror) = (index_of(LogicalShifted::<2, 1>::EXEC).unwrap(), index_of(Extr::<true>::EXEC).unwrap());
        assert_eq!(block.ops[0].exec as usize, FUSED[eor][ror] as usize);
        assert_eq!(block.ops[2].exec as usize, LogicalShifted::<1, 0>::EXEC as usize);
        assert_eq!(index_of(block.ops[3].exec), None);
        let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
        (cpu.x[0], cpu.x[1], cpu.x[3], cpu.x[4]) = (0xf0, 3, 0x8000_0000_0000_0001, 0xff);
        let exit = BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false));
        assert_eq!(exit, crate::state::Exit::Syscall);
        // x3 >> 29 = 0x4_0000_0000; ror by 41 moves bit 63 to bit 22 and bit 0 to bit 23.
        assert_eq!((cpu.x[2], cpu.x[3]), (0x4_0000_00ff, 0xc0_0000));
        assert_eq!((cpu.x[5], cpu.x[6]), (0xf0 | 3 << 15, 0xf0));
    }
}
