//! Pre-decoded blocks, the cache that keeps them, and the dispatch loop.
//!
//! A block is the straight-line run of instructions from a guest PC up to and
//! including the first one that may change control flow (or a length limit). It is
//! decoded once; afterwards each instruction costs one indirect jump (threaded
//! dispatch, see [`crate::state::next`]).

use crate::decode::Decoder;
use crate::state::{Cpu, Exit, Flow, Op};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::shared::SharedInvalidations;

/// Longest block, in instructions: bounds decode work done ahead of need.
const MAX_BLOCK: usize = 64;
/// Most B/BL followed into one block.
const MAX_FOLLOWED: usize = 8;
/// Entries of the direct-mapped front of the cache.
const FAST_SLOTS: usize = 4096;
/// Operations and blocks per arena chunk (64 KiB and 24 KiB).
const OP_CHUNK: usize = 2048;
const HEADER_CHUNK: usize = 512;

/// What the CPU needs to know about guest memory to fetch code.
pub trait CodeMemory {
    /// Whether `addr` lies in guest memory mapped executable.
    fn is_executable(&self, addr: u64) -> bool;
}

/// A block as the cache keeps it: its operations are in the cache's arena.
#[derive(Clone)]
struct Block {
    /// Address after the last instruction: where execution goes on when the block
    /// ends without a taken branch.
    end: u64,
    ops: *const Op,
    len: usize,
    /// The last two successors (pc, block): a hot loop goes from block to block
    /// without a cache lookup. Cleared whenever any block is dropped.
    links: [Cell<(u64, *const Block)>; 2],
}

/// A block as decoded, before a cache stores it.
pub struct Decoded {
    pub ops: Vec<Op>,
    /// Address after the last instruction.
    pub end: u64,
}

/// Where the cache finds a block, and the code it was decoded from.
struct Entry {
    block: *const Block,
    /// The lowest and highest addresses of the code the block was decoded from
    /// (it may follow B and BL, so this can be more than the block's pc to `end`).
    span: (u64, u64),
}

/// Storage that hands out pointers to what it holds, valid until it is cleared
/// or dropped: chunks are filled in order and never grow past their capacity
/// (so never move). A block costs no allocation of its own, and blocks decoded
/// one after another sit side by side in host memory.
struct Arena<T> {
    chunks: Vec<Vec<T>>,
    chunk: usize,
}

impl<T: Clone> Arena<T> {
    fn new(chunk: usize) -> Self {
        Arena { chunks: Vec::new(), chunk }
    }

    /// Copies `items` in; returns where the first one is.
    fn extend(&mut self, items: &[T]) -> *const T {
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= items.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(self.chunk.max(items.len())));
        }
        match self.chunks.last_mut() {
            Some(c) => {
                // From the buffer's own pointer, not through a slice of it, so
                // that later additions to the chunk leave it valid.
                let at = c.as_ptr().wrapping_add(c.len());
                c.extend_from_slice(items);
                at
            }
            // Not reached: a chunk with room was just made.
            None => std::ptr::null(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

const NO_LINK: (u64, *const Block) = (u64::MAX, std::ptr::null());
/// An empty fast slot (its null pointer is checked, so no pc can hit it).
const EMPTY_SLOT: (u64, *const Block) = (0, std::ptr::null());

/// Decoded blocks by guest PC. Owned by one guest thread.
pub struct BlockCache {
    blocks: HashMap<u64, Entry>,
    /// Direct-mapped front: (pc, block) pairs; a null pointer is an empty slot.
    fast: Box<[(u64, *const Block)]>,
    /// What `blocks` and `fast` point to, including blocks since dropped from
    /// `blocks` (freed together once they outnumber the live ones).
    headers: Arena<Block>,
    ops: Arena<Op>,
    /// Blocks in `headers`, live or not.
    stored: usize,
    /// Where a block is decoded before it is copied into the arena.
    scratch: Vec<Op>,
    /// Guest PCs where a debugger stops execution, sorted: blocks end before
    /// them, and a block at one is a single operation that exits.
    breakpoints: Vec<u64>,
    /// A debugger's single step: each run executes one instruction, decoded
    /// into `step_op` and not cached.
    stepping: bool,
    step_op: Vec<Op>,
}

impl Default for BlockCache {
    fn default() -> Self {
        Self::new()
    }
}

fn exec_undefined(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.pc;
    cpu.exit(Exit::Undefined { pc: op.pc, insn: op.imm as u32 })
}

fn exec_fetch_fault(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.pc;
    cpu.exit(Exit::FetchFault { pc: op.pc })
}

fn exec_debug_break(cpu: &mut Cpu, op: &Op, _: &[Op]) -> Flow {
    cpu.pc = op.pc;
    cpu.exit(Exit::DebugBreak)
}

impl BlockCache {
    pub fn new() -> Self {
        BlockCache {
            blocks: HashMap::with_capacity(1024),
            // All zero, so this is one calloc rather than a fill.
            fast: vec![EMPTY_SLOT; FAST_SLOTS].into_boxed_slice(),
            headers: Arena::new(HEADER_CHUNK),
            ops: Arena::new(OP_CHUNK),
            stored: 0,
            scratch: Vec::with_capacity(MAX_BLOCK),
            breakpoints: Vec::new(),
            stepping: false,
            step_op: Vec::with_capacity(1),
        }
    }

    /// Makes execution stop before the instructions at `pcs` (a debugger's
    /// breakpoints), with [`Exit::DebugBreak`]; an empty list removes them all.
    pub fn set_breakpoints(&mut self, pcs: &[u64]) {
        let mut pcs = pcs.to_vec();
        pcs.sort_unstable();
        pcs.dedup();
        if pcs != self.breakpoints {
            self.breakpoints = pcs;
            self.clear();
        }
    }

    /// While on, each [`BlockCache::run`] executes exactly one instruction, a
    /// breakpoint there or not, and returns [`Exit::Stepped`] after it (or the
    /// exit the instruction itself asks for).
    pub fn set_stepping(&mut self, on: bool) {
        self.stepping = on;
    }

    /// Forgets every decoded block (after code may have changed).
    pub fn clear(&mut self) {
        self.fast.fill(EMPTY_SLOT);
        self.blocks.clear();
        self.headers = Arena::new(HEADER_CHUNK);
        self.ops = Arena::new(OP_CHUNK);
        self.stored = 0;
    }

    /// Forgets blocks overlapping [start, end).
    pub fn invalidate(&mut self, start: u64, end: u64) {
        let before = self.blocks.len();
        self.blocks.retain(|_, e| e.span.1 <= start || e.span.0 >= end);
        if self.blocks.len() != before {
            if self.stored > 2 * self.blocks.len() + 4096 {
                // Mostly dead blocks: start afresh rather than keep them.
                return self.clear();
            }
            self.fast.fill(EMPTY_SLOT);
            for b in self.headers.iter() {
                b.links.iter().for_each(|l| l.set(NO_LINK));
            }
        }
    }

    #[inline(always)]
    fn slot(pc: u64) -> usize {
        ((pc >> 2) as usize) & (FAST_SLOTS - 1)
    }

    /// The block at `pc`, decoding it on first use.
    #[inline(always)]
    fn lookup(&mut self, pc: u64, mem: &dyn CodeMemory) -> *const Block {
        let (tag, ptr) = self.fast[Self::slot(pc)];
        if tag == pc && !ptr.is_null() {
            return ptr;
        }
        self.lookup_slow(pc, mem)
    }

    /// The cache proper, behind the direct-mapped front; decodes on a miss.
    #[inline(never)]
    fn lookup_slow(&mut self, pc: u64, mem: &dyn CodeMemory) -> *const Block {
        let b = match self.blocks.get(&pc) {
            Some(e) => e.block,
            None => {
                let span = build_block_into(pc, mem, &mut self.scratch, &self.breakpoints);
                let ops = self.ops.extend(&self.scratch);
                let links = [Cell::new(NO_LINK), Cell::new(NO_LINK)];
                let block = Block { end: span.end, ops, len: self.scratch.len(), links };
                let block = self.headers.extend(std::slice::from_ref(&block));
                self.stored += 1;
                self.blocks.insert(pc, Entry { block, span: span.span });
                block
            }
        };
        self.fast[Self::slot(pc)] = (pc, b);
        b
    }

    /// Runs guest code until an operation asks to exit, or `stop` is raised
    /// (checked between blocks).
    pub fn run(&mut self, cpu: &mut Cpu, mem: &dyn CodeMemory, stop: &AtomicBool) -> Exit {
        cpu.current_op = 0;
        if self.stepping {
            return self.step(cpu, mem, stop);
        }
        let mut block = self.lookup(cpu.pc, mem);
        loop {
            if stop.load(Ordering::Relaxed) {
                return Exit::Interrupted;
            }
            // SAFETY: `block` came from this cache (fast slots and links point into
            // its arenas, whose chunks never move), and nothing is freed while
            // `run` executes (invalidation happens between calls). Its `ops` and
            // `len` were made from one slice in the ops arena.
            let (b, ops) = unsafe { (&*block, std::slice::from_raw_parts((*block).ops, (*block).len)) };
            let flow = crate::state::next(cpu, ops);
            match flow {
                Flow::Next => cpu.pc = b.end,
                Flow::Branch => {}
                Flow::Exit => return cpu.exit,
            }
            let pc = cpu.pc;
            let (l0, l1) = (b.links[0].get(), b.links[1].get());
            block = if l0.0 == pc {
                l0.1
            } else if l1.0 == pc {
                l1.1
            } else {
                let next = self.lookup(pc, mem);
                b.links[1].set(l0);
                b.links[0].set((pc, next));
                next
            };
        }
    }
}

impl BlockCache {
    /// Runs the one instruction at `cpu.pc`, decoded afresh (a debugger may
    /// have changed it) and not fused with any other.
    fn step(&mut self, cpu: &mut Cpu, mem: &dyn CodeMemory, stop: &AtomicBool) -> Exit {
        if stop.load(Ordering::Relaxed) {
            return Exit::Interrupted;
        }
        let pc = cpu.pc;
        self.step_op.clear();
        if !mem.is_executable(pc) {
            self.step_op.push(Op::new(exec_fetch_fault, pc));
        } else {
            let insn = emu_memory::load_u32(pc);
            if !crate::a64::is_no_op(insn) {
                let op = Decoder::get().decode(insn, pc).unwrap_or_else(|| {
                    let mut op = Op::new(exec_undefined, pc);
                    op.imm = insn as u64;
                    op
                });
                self.step_op.push(op);
            }
        }
        // The operation stays in `step_op` until the next step, so that a fault
        // in it is reported at its PC.
        match crate::state::next(cpu, &self.step_op) {
            Flow::Next => cpu.pc = pc.wrapping_add(4),
            Flow::Branch => {}
            Flow::Exit => return cpu.exit,
        }
        Exit::Stepped
    }
}

/// Decodes the block starting at `pc`. It ends after the first instruction that
/// may leave the straight line, except that B and BL to code not yet in the block
/// are followed (see [`crate::a64::branch::follow_direct`]).
pub fn build_block(pc: u64, mem: &dyn CodeMemory) -> Decoded {
    let mut ops = Vec::with_capacity(MAX_BLOCK);
    let end = build_block_into(pc, mem, &mut ops, &[]).end;
    Decoded { ops, end }
}

/// Where a block decoded into a buffer ends, and the code it came from.
struct Span {
    end: u64,
    span: (u64, u64),
}

fn build_block_into(pc: u64, mem: &dyn CodeMemory, ops: &mut Vec<Op>, breakpoints: &[u64]) -> Span {
    ops.clear();
    let decoder = Decoder::get();
    // The pieces of straight-line code decoded so far: [from, a).
    let mut from = pc;
    let mut pieces = [(0u64, 0u64); MAX_FOLLOWED + 1];
    let mut followed = 0;
    let mut a = pc;
    let mut page_ok = u64::MAX;
    // The word of the last operation pushed, while that operation may still be
    // fused with the next one.
    let mut prev_insn = None;
    // Instructions looked at, no-ops included: bounds a block of a long NOP run.
    let mut words = 0;
    while ops.len() < MAX_BLOCK && words < 4 * MAX_BLOCK {
        words += 1;
        let page = a & !0xfff;
        if page != page_ok {
            if !mem.is_executable(a) {
                ops.push(Op::new(exec_fetch_fault, a));
                a += 4;
                break;
            }
            page_ok = page;
        }
        if !breakpoints.is_empty() && breakpoints.binary_search(&a).is_ok() {
            // A breakpoint ends the block before it; a block that starts at one
            // is the operation that stops there.
            if a == pc {
                ops.push(Op::new(exec_debug_break, a));
                a += 4;
            }
            break;
        }
        let insn = emu_memory::load_u32(a);
        if let Some((target, link)) = crate::a64::branch::follow_direct(insn, a) {
            let seen = |t: u64| (from..=a).contains(&t) || pieces[..followed].iter().any(|&(s, e)| (s..e).contains(&t));
            // A target already in the block is a loop: that ends the block, so the
            // run loop sees every iteration. So does a target that is not
            // executable now (it may become so before the branch runs).
            if !seen(target) && followed < MAX_FOLLOWED && ops.len() + 1 < MAX_BLOCK && mem.is_executable(target) {
                prev_insn = None;
                ops.extend(link);
                pieces[followed] = (from, a + 4);
                followed += 1;
                from = target;
                a = target;
                page_ok = target & !0xfff;
                continue;
            }
        }
        // An instruction that does nothing costs no dispatch.
        if crate::a64::is_no_op(insn) {
            prev_insn = None;
            a += 4;
            continue;
        }
        // A block ends after anything that may leave the straight line.
        let (op, end) = match decoder.decode(insn, a) {
            Some(op) => (op, crate::a64::is_branch(insn)),
            None => {
                let mut op = Op::new(exec_undefined, a);
                op.imm = insn as u64;
                (op, true)
            }
        };
        if let (Some(prev), Some(last)) = (prev_insn, ops.last_mut()) {
            crate::a64::branch::fuse_compare_branch(prev, last, insn);
        }
        prev_insn = Some(insn);
        ops.push(op);
        a += 4;
        if end {
            break;
        }
    }
    crate::a64::fuse::fuse_pairs(ops);
    pieces[followed] = (from, a);
    let span = pieces[..=followed].iter().fold((u64::MAX, 0), |(lo, hi), &(s, e)| (lo.min(s), hi.max(e)));
    Span { end: a, span }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Code in a test's own buffer: all of it executable.
    pub(crate) struct Buffer;
    impl CodeMemory for Buffer {
        fn is_executable(&self, _: u64) -> bool {
            true
        }
    }

    #[test]
    fn loop_runs_from_cache_until_svc() {
        // add x1, x1, x0; subs x0, x0, #1; b.ne -8; svc #0
        let code: Vec<u32> = vec![0x8b00_0021, 0xf100_0400, 0x54ff_ffc1, 0xd400_0001];
        let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
        cpu.x[0] = 10;
        let mut cache = BlockCache::new();
        assert_eq!(cache.run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
        assert_eq!(cpu.x[1], 55);
        assert_eq!(cpu.pc, code.as_ptr() as u64 + 16);
        // Z set by the last SUBS.
        assert_eq!(cpu.nzcv, 0x6000_0000);
    }

    #[test]
    fn undefined_encoding_exits_at_its_pc() {
        let code: Vec<u32> = vec![0xd503_201f, 0x0000_0000]; // nop; udf #0
        let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
        let exit = BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false));
        assert_eq!(exit, Exit::Undefined { pc: code.as_ptr() as u64 + 4, insn: 0 });
    }

    #[test]
    fn b_and_bl_are_followed_in_one_block() {
        let code: Vec<u32> = vec![
            0x9400_0003, // bl +12
            0x0000_0000, // udf #0 (skipped)
            0x0000_0000, // udf #0 (skipped)
            0x9100_0421, // add x1, x1, #1
            0x1400_0002, // b +8
            0x0000_0000, // udf #0 (skipped)
            0xd400_0001, // svc #0
        ];
        let base = code.as_ptr() as u64;
        let mut cpu = Cpu { pc: base, ..Default::default() };
        let mut cache = BlockCache::new();
        assert_eq!(cache.run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
        assert_eq!((cpu.x[1], cpu.x[30], cpu.pc), (1, base + 4, base + 28));
        // SAFETY: the block was just built by this cache, which still owns it.
        let block = unsafe { &*cache.lookup(base, &Buffer) };
        // The link write of BL, the ADD and the SVC; B leaves nothing.
        assert_eq!(block.len, 3);
        assert_eq!(block.end, base + 28);
    }

    /// CMP then B.cond run as one operation: both the branch and the flags it
    /// leaves behind are those of the two instructions.
    #[test]
    fn compare_and_branch_pairs() {
        let run = |code: &[u32], x0: u64| {
            let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
            cpu.x[0] = x0;
            cpu.x[1] = 7;
            let exit = BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false));
            (exit, cpu.pc - code.as_ptr() as u64, cpu.nzcv)
        };
        // cmp x0, x1; b.lt +8; udf #0; svc #0
        let reg = [0xeb01_001f, 0x5400_004b, 0x0000_0000, 0xd400_0001];
        // 5 - 7: N, a borrow (C clear); taken.
        assert_eq!(run(&reg, 5), (Exit::Syscall, 16, 0x8000_0000));
        // 9 - 7: C; not taken, on to the UDF.
        let (exit, _, nzcv) = run(&reg, 9);
        assert_eq!((exit, nzcv), (Exit::Undefined { pc: reg.as_ptr() as u64 + 8, insn: 0 }, 0x2000_0000));
        // cmp w0, #5; b.eq +8; udf #0; svc #0 (the upper half of x0 is ignored)
        let imm = [0x7100_141f, 0x5400_0040, 0x0000_0000, 0xd400_0001];
        assert_eq!(run(&imm, 0xffff_ffff_0000_0005), (Exit::Syscall, 16, 0x6000_0000));
    }

    /// SUBS with a destination, then B.NE: a counted loop, one operation per
    /// iteration for the pair; the counter and the flags are the SUBS's.
    #[test]
    fn subs_and_branch_pairs() {
        // add x1, x1, #2; subs w0, w0, #1; b.ne -8; svc #0
        let code: Vec<u32> = vec![0x9100_0821, 0x7100_0400, 0x54ff_ffc1, 0xd400_0001];
        let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
        cpu.x[0] = 0xffff_ffff_0000_0003; // the W form ignores the upper half
        let exit = BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false));
        assert_eq!((exit, cpu.x[0], cpu.x[1], cpu.nzcv), (Exit::Syscall, 0, 6, 0x6000_0000));
        // adds x2, x2, x3; b.cs +8; udf #0; svc #0: 2^64 - 1 + 1 carries.
        let code: Vec<u32> = vec![0xab03_0042, 0x5400_0042, 0x0000_0000, 0xd400_0001];
        let mut cpu = Cpu { pc: code.as_ptr() as u64, ..Default::default() };
        (cpu.x[2], cpu.x[3]) = (u64::MAX, 1);
        let exit = BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false));
        assert_eq!((exit, cpu.x[2], cpu.nzcv), (Exit::Syscall, 0, 0x6000_0000));
    }

    /// NOP, the other hints and ISB leave no operation behind; a block may start
    /// at one (a branch target) and may consist of nothing else.
    #[test]
    fn no_ops_cost_no_operation() {
        let code: Vec<u32> = vec![
            0xd503_201f, // nop
            0x9100_0421, // add x1, x1, #1
            0xd503_233f, // paciasp (a hint: no PAC here)
            0xd503_3fdf, // isb
            0x9100_0421, // add x1, x1, #1
            0xd400_0001, // svc #0
        ];
        let base = code.as_ptr() as u64;
        let block = build_block(base, &Buffer);
        assert_eq!((block.ops.len(), block.end), (3, base + 24));
        let mut cpu = Cpu { pc: base, ..Default::default() };
        assert_eq!(BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
        assert_eq!((cpu.x[1], cpu.pc), (2, base + 24));
        // 300 NOPs and then an SVC: the block stops after 256 words.
        let mut sled = vec![0xd503_201f_u32; 300];
        sled.push(0xd400_0001);
        let block = build_block(sled.as_ptr() as u64, &Buffer);
        assert_eq!((block.ops.len(), block.end), (0, sled.as_ptr() as u64 + 4 * 4 * MAX_BLOCK as u64));
        let mut cpu = Cpu { pc: sled.as_ptr() as u64, ..Default::default() };
        assert_eq!(BlockCache::new().run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
        assert_eq!(cpu.pc, sled.as_ptr() as u64 + 4 * 301);
    }

    #[test]
    fn a_b_back_into_the_block_ends_it() {
        // add x1, x1, #1; b -4: a loop, so the B stays (not followed again and again).
        let code: Vec<u32> = vec![0x9100_0421, 0x17ff_ffff];
        let block = build_block(code.as_ptr() as u64, &Buffer);
        assert_eq!((block.ops.len(), block.end), (2, code.as_ptr() as u64 + 8));
    }

    /// Code rewritten in place runs as it was decoded until its range is
    /// invalidated, and as it now is afterwards.
    #[test]
    fn invalidated_code_is_decoded_again() {
        let mut code: Vec<u32> = vec![0xd280_00a1, 0xd400_0001]; // mov x1, #5; svc #0
        let base = code.as_ptr() as u64;
        let mut cache = BlockCache::new();
        let run = |cache: &mut BlockCache| {
            let mut cpu = Cpu { pc: base, ..Default::default() };
            assert_eq!(cache.run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
            cpu.x[1]
        };
        assert_eq!(run(&mut cache), 5);
        code[0] = 0xd280_00e1; // mov x1, #7
        assert_eq!(run(&mut cache), 5);
        cache.invalidate(base + 8, base + 16); // after the block: it stays
        assert_eq!(run(&mut cache), 5);
        cache.invalidate(base, base + 4);
        assert_eq!(run(&mut cache), 7);
    }

    /// A breakpoint stops execution before its instruction, in the middle of a
    /// block or at a branch target; a step runs one instruction whatever is
    /// there, so a debugger steps off a breakpoint and continues.
    #[test]
    fn breakpoints_and_single_steps() {
        let code: Vec<u32> = vec![
            0x9100_0421, // add x1, x1, #1
            0x9100_0842, // add x2, x2, #2
            0xf100_0400, // subs x0, x0, #1
            0x54ff_ffa1, // b.ne -12
            0xd400_0001, // svc #0
        ];
        let base = code.as_ptr() as u64;
        let stop = AtomicBool::new(false);
        let mut cpu = Cpu { pc: base, ..Default::default() };
        cpu.x[0] = 3;
        let mut cache = BlockCache::new();
        cache.set_breakpoints(&[base + 4]);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::DebugBreak);
        assert_eq!((cpu.pc, cpu.x[1], cpu.x[2]), (base + 4, 1, 0));
        // Stopped at it again until it is stepped over.
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::DebugBreak);
        cache.set_stepping(true);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Stepped);
        assert_eq!((cpu.pc, cpu.x[2]), (base + 8, 2));
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Stepped);
        assert_eq!((cpu.pc, cpu.x[0]), (base + 12, 2));
        // The taken B.NE goes back to the loop's start.
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Stepped);
        assert_eq!(cpu.pc, base);
        cache.set_stepping(false);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::DebugBreak);
        assert_eq!((cpu.pc, cpu.x[1]), (base + 4, 2));
        // Without breakpoints, the loop runs to the SVC.
        cache.set_breakpoints(&[]);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Syscall);
        assert_eq!((cpu.x[0], cpu.x[1], cpu.x[2], cpu.pc), (0, 3, 6, base + 20));
        // A breakpoint at the start of a block, and on the SVC at its end.
        let mut cpu = Cpu { pc: base, ..Default::default() };
        cpu.x[0] = 1;
        cache.set_breakpoints(&[base, base + 16]);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::DebugBreak);
        assert_eq!(cpu.pc, base);
        cache.set_stepping(true);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Stepped);
        cache.set_stepping(false);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::DebugBreak);
        assert_eq!((cpu.pc, cpu.x[0], cpu.x[1]), (base + 16, 0, 1));
        // Stepping an SVC exits for the syscall.
        cache.set_stepping(true);
        assert_eq!(cache.run(&mut cpu, &Buffer, &stop), Exit::Syscall);
        assert_eq!(cpu.pc, base + 20);
    }

    /// Once the blocks dropped by invalidations far outnumber the live ones, the
    /// arenas are freed and the cache starts afresh.
    #[test]
    fn mostly_dead_arenas_are_freed() {
        let code = vec![0xd400_0001_u32; 5000]; // svc #0, each its own block
        let base = code.as_ptr() as u64;
        let mut cache = BlockCache::new();
        for i in 0..5000 {
            cache.lookup(base + 4 * i, &Buffer);
        }
        assert_eq!((cache.stored, cache.blocks.len()), (5000, 5000));
        cache.invalidate(base, base + 4 * 100);
        assert_eq!((cache.stored, cache.blocks.len()), (5000, 4900));
        cache.invalidate(base, base + 4 * 5000);
        assert_eq!((cache.stored, cache.blocks.len(), cache.headers.chunks.len()), (0, 0, 0));
        let mut cpu = Cpu { pc: base + 8, ..Default::default() };
        assert_eq!(cache.run(&mut cpu, &Buffer, &AtomicBool::new(false)), Exit::Syscall);
        assert_eq!((cpu.pc, cache.stored), (base + 12, 1));
    }
}
