//! Where qemu-aarch64-static contradicts the Arm manual, the manual wins: a
//! mismatch matching one of these is reported as a known qemu quirk, not as a
//! failure. Each entry cites the pseudocode, and emu-cpu has a unit test pinning
//! the manual's result.

use crate::case::{CaseIn, CaseOut};

pub struct Quirk {
    pub name: &'static str,
    /// Whether a mismatch on this case (qemu's output, emu's) is this quirk.
    pub applies: fn(&CaseIn, &CaseOut, &CaseOut) -> bool,
}

pub static QUIRKS: &[Quirk] = &[];

pub fn find(c: &CaseIn, q: &CaseOut, e: &CaseOut) -> Option<&'static Quirk> {
    QUIRKS.iter().find(|k| (k.applies)(c, q, e))
}
