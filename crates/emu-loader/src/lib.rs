//! The emu loader: an aarch64 ELF file in, guest memory and an entry state out.
//!
//! Owns: ELF validation (with a precise error for each kind of bad input), mapping
//! PT_LOAD segments with their permissions, the program break's start, and the
//! initial stack (argc, argv, envp, auxv) laid out as Linux lays it out.
//! Must not: execute guest code or handle syscalls. It reads only the ELF header
//! and program headers, and maps segments from the file, so start-up does no work
//! proportional to the binary's size.

mod elf;
mod stack;

pub use elf::{load_elf, ElfImage, LoadError};
pub use stack::{build_stack, StackParams};
