//! One test case as the harness reads it, and the state it writes back.
//! The byte layouts are those of `struct case_in` / `struct case_out` in
//! harness/harness.c (little-endian, fixed size).

/// The harness's scratch memory: a fixed mapping, so addresses agree between runs.
pub const SCRATCH_ADDR: u64 = 0x1000_0000;
pub const SCRATCH_BYTES: u64 = 4096;
/// Changed scratch words the harness reports per case.
pub const MAX_MEM: usize = 16;
/// Case flag: fill the scratch memory before and diff it after.
pub const FLAG_MEM: u32 = 1;
/// Case flag: start with FPSR.IXC set, as it is in a program after its first
/// inexact operation (FP operations take a different path then).
pub const FLAG_IXC: u32 = 2;

pub const IN_SIZE: usize = 800;
pub const OUT_SIZE: usize = 1056;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseIn {
    pub insn: u32,
    pub flags: u32,
    pub nzcv: u32,
    pub fpcr: u32,
    pub x: [u64; 31],
    pub sp: u64,
    pub v: [u128; 32],
    pub mem_seed: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseOut {
    /// 0, or the signal that ended the case (only under qemu: emu is never given
    /// an encoding that would fault).
    pub status: u32,
    pub nzcv: u32,
    pub fpsr: u32,
    pub fpcr: u32,
    pub x: [u64; 31],
    pub sp: u64,
    pub v: [u128; 32],
    /// Changed scratch words: (index of the 8-byte word, new value); `mem_count`
    /// may exceed the list when more words changed than the harness reports.
    pub mem: Vec<(u64, u64)>,
    pub mem_count: u32,
}

impl CaseIn {
    pub fn to_bytes(&self, out: &mut Vec<u8>) {
        let start = out.len();
        for w in [self.insn, self.flags, self.nzcv, self.fpcr] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for x in self.x.iter().chain([&self.sp]) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for v in &self.v {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.mem_seed.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        debug_assert_eq!(out.len() - start, IN_SIZE);
    }

    /// The scratch memory the harness sets up for this case (harness.c `fill`).
    pub fn scratch(&self) -> Vec<u8> {
        let mut seed = self.mem_seed;
        (0..SCRATCH_BYTES / 8).flat_map(|_| crate::rng::splitmix(&mut seed).to_le_bytes()).collect()
    }
}

impl CaseOut {
    /// Parses one record; `b` must hold at least [`OUT_SIZE`] bytes.
    pub fn parse(b: &[u8]) -> CaseOut {
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap_or_default());
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
        let u128_at = |o: usize| u128::from_le_bytes(b[o..o + 16].try_into().unwrap_or_default());
        let mut out = CaseOut {
            status: u32_at(0),
            nzcv: u32_at(4),
            fpsr: u32_at(8),
            fpcr: u32_at(12),
            sp: u64_at(264),
            mem_count: u32_at(784),
            ..CaseOut::default()
        };
        for (i, x) in out.x.iter_mut().enumerate() {
            *x = u64_at(16 + 8 * i);
        }
        for (i, v) in out.v.iter_mut().enumerate() {
            *v = u128_at(272 + 16 * i);
        }
        let n = (out.mem_count as usize).min(MAX_MEM);
        out.mem = (0..n).map(|i| (u64_at(800 + 16 * i), u64_at(808 + 16 * i))).collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_record_has_the_harness_layout() {
        let mut c = CaseIn { insn: 0x8b02_0020, flags: FLAG_MEM, sp: 0x55, mem_seed: 7, ..CaseIn::default() };
        c.x[30] = 0x1234;
        c.v[31] = 0xabcd;
        let mut b = Vec::new();
        c.to_bytes(&mut b);
        assert_eq!(b.len(), IN_SIZE);
        assert_eq!(&b[0..4], &0x8b02_0020u32.to_le_bytes());
        assert_eq!(&b[16 + 240..16 + 248], &0x1234u64.to_le_bytes());
        assert_eq!(&b[264..272], &0x55u64.to_le_bytes());
        assert_eq!(&b[272 + 31 * 16..272 + 31 * 16 + 2], &[0xcd, 0xab]);
        assert_eq!(&b[784..792], &7u64.to_le_bytes());
    }

    #[test]
    fn scratch_fill_matches_splitmix() {
        // First SplitMix64 output for seed 0, a published reference value.
        let c = CaseIn::default();
        assert_eq!(&c.scratch()[..8], &0xe220_a839_7b1d_cdafu64.to_le_bytes());
    }
}
