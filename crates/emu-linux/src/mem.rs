//! Memory: brk, mmap, munmap, mprotect, mremap, madvise. Every change goes through
//! the guest address space map, which keeps emu's own memory out of reach.

use crate::{Outcome, SyscallCtx};
use emu_memory::space::page_up;
use emu_memory::{MapError, Prot};

/// aarch64-only protection bits (BTI, MTE) the x86_64 host would reject.
const PROT_ARM_ONLY: i32 = 0x10 | 0x20;

fn err(e: MapError) -> Outcome {
    Outcome::Return(-(e.errno() as i64))
}

pub fn brk(ctx: &mut SyscallCtx) -> Outcome {
    let r = ctx.proc.space().brk(ctx.arg(0));
    Outcome::Return(r as i64)
}

pub fn mmap(ctx: &mut SyscallCtx) -> Outcome {
    let (addr, len) = (ctx.arg(0), ctx.arg(1));
    let prot = Prot(ctx.arg(2) as i32 & !PROT_ARM_ONLY);
    let flags = ctx.arg(3) as i32;
    let (fd, off) = (ctx.arg(4) as i32, ctx.arg(5) as i64);
    match ctx.proc.space().mmap(addr, len, prot, flags, fd, off) {
        // New mappings at a fixed address may replace code we decoded.
        Ok(a) if flags & libc::MAP_FIXED != 0 => Outcome::ReturnInvalidate(a as i64, a, a + page_up(len)),
        Ok(a) => Outcome::Return(a as i64),
        Err(e) => err(e),
    }
}

pub fn munmap(ctx: &mut SyscallCtx) -> Outcome {
    let (addr, len) = (ctx.arg(0), ctx.arg(1));
    match ctx.proc.space().munmap(addr, len) {
        Ok(()) => Outcome::ReturnInvalidate(0, addr, addr.saturating_add(page_up(len))),
        Err(e) => err(e),
    }
}

pub fn mprotect(ctx: &mut SyscallCtx) -> Outcome {
    let (addr, len) = (ctx.arg(0), ctx.arg(1));
    let prot = Prot(ctx.arg(2) as i32 & !PROT_ARM_ONLY);
    match ctx.proc.space().mprotect(addr, len, prot) {
        Ok(()) => Outcome::ReturnInvalidate(0, addr, addr.saturating_add(page_up(len))),
        Err(e) => err(e),
    }
}

pub fn mremap(ctx: &mut SyscallCtx) -> Outcome {
    let (old, old_len, new_len) = (ctx.arg(0), ctx.arg(1), ctx.arg(2));
    match ctx.proc.space().mremap(old, old_len, new_len, ctx.arg(3) as i32, ctx.arg(4)) {
        // Both the old and the new range may hold decoded code: forget all of it.
        Ok(a) => Outcome::ReturnInvalidate(a as i64, 0, u64::MAX),
        Err(e) => err(e),
    }
}

pub fn madvise(ctx: &mut SyscallCtx) -> Outcome {
    match ctx.proc.space().madvise(ctx.arg(0), ctx.arg(1), ctx.arg(2) as i32) {
        Ok(()) => Outcome::Return(0),
        Err(e) => err(e),
    }
}
