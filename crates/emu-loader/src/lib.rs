//! The emu loader: an aarch64 ELF file in, guest memory and an entry state out.
//!
//! Owns: ELF validation (with a precise error for each kind of bad input), mapping
//! PT_LOAD segments with their permissions, placing position-independent programs
//! at a random base, loading a dynamically linked program's interpreter beside it,
//! the program break's start, and the initial stack (argc, argv, envp, auxv) laid
//! out as Linux lays it out.
//! Must not: execute guest code, handle syscalls, or decide where guest paths lead
//! on the host (the caller says where the interpreter is). It reads only the ELF
//! header and program headers, and maps segments from the file, so start-up does
//! no work proportional to the binary's size.

mod elf;
mod program;
mod stack;

pub use elf::{open_elf, ElfImage, LoadError};
pub use program::{load_program, Loaded};
pub use stack::{build_stack, StackParams};
