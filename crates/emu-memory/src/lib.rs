//! Guest memory for emu.
//!
//! Owns: every `unsafe` access to guest memory (guest addresses are host addresses,
//! identity-mapped), and the map of which address ranges belong to the guest.
//! Must not: decode instructions, make policy about syscalls, or know about ELF.
//!
//! A guest load is a host load: [`access`] compiles to one unaligned host access.
//! A bad guest address therefore faults in the host; the runtime's host signal
//! handler turns that into a guest signal.

pub mod access;
pub mod atomic;
pub mod recover;
pub mod space;

pub use access::*;
pub use space::{AddressSpace, MapError, Prot, PAGE_SIZE};
