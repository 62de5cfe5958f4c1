//! The emu CPU: A64 decode, the pre-decoded block cache, and execution.
//!
//! Owns: guest register state ([`Cpu`]), the decode tables (one row per encoding,
//! as in the Arm manual's encoding index), one semantic function per instruction
//! family, and the block cache that lets an instruction be decoded once and run
//! many times (with a debugger's breakpoints and single steps, which cost a run
//! without them nothing).
//! Must not: call the OS. Anything that needs the kernel (SVC, an undefined
//! encoding, BRK, a fetch from non-code memory) ends execution with an [`Exit`]
//! that the runtime turns into a syscall, a signal or a resume.
//! `unsafe` lives in the block cache's run loop (a block pointer it owns) and
//! at the host-instruction boundary: [`hostfp`] (MXCSR, FMA) and [`hostcrypto`]
//! (AES-NI, PCLMULQDQ, CRC32), each host instruction behind a run-time check
//! that the host has it. Guest memory is reached through `emu_memory`.

#[macro_use]
mod macros;
pub mod a64;
pub mod cache;
pub mod decode;
pub mod hostcrypto;
pub mod hostfp;
mod shared;
pub mod state;
pub mod sysreg;

pub use cache::{BlockCache, CodeMemory};
pub use state::{Cpu, Exit, Flow, Op};
