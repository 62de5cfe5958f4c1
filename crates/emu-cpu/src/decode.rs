//! The decode table: data, like the encoding diagrams of the Arm manual.
//!
//! Each row is a mnemonic (or family), a 32-character bit pattern written most
//! significant bit first (`0`/`1` fixed, any other character a field), and the
//! function that extracts the fields into an [`Op`]. A decode function returns
//! `None` for an unallocated or unimplemented variant within its pattern; the next
//! matching row is then tried, and when none is left the encoding is UNDEFINED.

use crate::a64;
use crate::state::Op;
use std::sync::OnceLock;

pub type DecodeFn = fn(insn: u32, pc: u64) -> Option<Op>;

/// One row of the decode table.
pub struct Encoding {
    pub name: &'static str,
    pub pattern: &'static str,
    pub decode: DecodeFn,
    /// The fixed bits of `pattern` and their values, computed when emu is
    /// compiled: start-up does no pattern parsing.
    pub mask: u32,
    pub value: u32,
}

/// Shorthand for table rows. Evaluated at compile time for the static tables, so
/// a malformed pattern fails the build.
pub const fn enc(name: &'static str, pattern: &'static str, decode: DecodeFn) -> Encoding {
    let (mask, value) = compile_pattern(pattern);
    Encoding { name, pattern, decode, mask, value }
}

struct Row {
    mask: u32,
    value: u32,
    enc: &'static Encoding,
}

/// The compiled table: rows bucketed by op0 (bits 28:25), the manual's top-level
/// split, so a lookup scans only the rows of one group.
pub struct Decoder {
    buckets: Vec<Vec<Row>>,
}

/// (mask, value) of a pattern (`_` and spaces are separators); panics on a
/// malformed pattern, which for the static tables is a compile-time error.
pub const fn compile_pattern(p: &str) -> (u32, u32) {
    let p = p.as_bytes();
    let (mut mask, mut value) = (0u32, 0u32);
    let (mut i, mut bits) = (0, 0u32);
    while i < p.len() {
        let c = p[i];
        i += 1;
        if c == b'_' || c == b' ' {
            continue;
        }
        assert!(bits < 32, "decode pattern has more than 32 bits");
        let bit = 1 << (31 - bits);
        bits += 1;
        match c {
            b'0' => mask |= bit,
            b'1' => {
                mask |= bit;
                value |= bit;
            }
            _ => {}
        }
    }
    assert!(bits == 32, "decode pattern has fewer than 32 bits");
    (mask, value)
}

/// Every table of every instruction group, in the order they are tried.
pub fn all_encodings() -> impl Iterator<Item = &'static Encoding> {
    a64::TABLES.iter().flat_map(|t| t.iter())
}

impl Decoder {
    fn build() -> Decoder {
        let mut buckets: Vec<Vec<Row>> = (0..16).map(|_| Vec::new()).collect();
        for enc in all_encodings() {
            let (mask, value) = (enc.mask, enc.value);
            for (op0, bucket) in buckets.iter_mut().enumerate() {
                let op0 = (op0 as u32) << 25;
                if (op0 & mask & (0xf << 25)) == (value & (0xf << 25)) {
                    bucket.push(Row { mask, value, enc });
                }
            }
        }
        Decoder { buckets }
    }

    /// The shared decoder, built on first use.
    pub fn get() -> &'static Decoder {
        static D: OnceLock<Decoder> = OnceLock::new();
        D.get_or_init(Decoder::build)
    }

    /// Decodes one instruction; `None` means UNDEFINED.
    pub fn decode(&self, insn: u32, pc: u64) -> Option<Op> {
        let bucket = &self.buckets[((insn >> 25) & 0xf) as usize];
        bucket.iter().filter(|r| insn & r.mask == r.value).find_map(|r| (r.enc.decode)(insn, pc))
    }

    /// The name of the first row whose pattern matches (for diagnostics and tests).
    pub fn name(&self, insn: u32) -> Option<&'static str> {
        let bucket = &self.buckets[((insn >> 25) & 0xf) as usize];
        bucket.iter().find(|r| insn & r.mask == r.value).map(|r| r.enc.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_well_formed() {
        for e in all_encodings() {
            let p = e.pattern.bytes().filter(|&c| c != b'_' && c != b' ').count();
            assert_eq!(p, 32, "{} has a pattern of {} bits", e.name, p);
        }
    }

    #[test]
    fn pattern_compiles() {
        assert_eq!(compile_pattern("1x0x_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx_xxx1"), (0xa000_0001, 0x8000_0001));
    }
}
