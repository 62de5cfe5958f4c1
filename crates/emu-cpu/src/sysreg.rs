//! The EL0 view of system registers, and the HWCAP bits that describe what this
//! CPU implements. HWCAP, the ID registers and /proc/cpuinfo must agree; all three
//! are derived from [`FEATURES`].

/// A system register key: op0:op1:CRn:CRm:op2, as bits 20:5 of MRS/MSR.
pub const fn key(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2
}

pub const NZCV: u32 = key(3, 3, 4, 2, 0);
pub const FPCR: u32 = key(3, 3, 4, 4, 0);
pub const FPSR: u32 = key(3, 3, 4, 4, 1);
pub const TPIDR_EL0: u32 = key(3, 3, 13, 0, 2);
pub const TPIDRRO_EL0: u32 = key(3, 3, 13, 0, 3);
pub const CTR_EL0: u32 = key(3, 3, 0, 0, 1);
pub const DCZID_EL0: u32 = key(3, 3, 0, 0, 7);
pub const CNTFRQ_EL0: u32 = key(3, 3, 14, 0, 0);
pub const CNTVCT_EL0: u32 = key(3, 3, 14, 0, 2);
pub const CNTVCTSS_EL0: u32 = key(3, 3, 14, 0, 6);
pub const MIDR_EL1: u32 = key(3, 0, 0, 0, 0);
pub const MPIDR_EL1: u32 = key(3, 0, 0, 0, 5);
pub const REVIDR_EL1: u32 = key(3, 0, 0, 0, 6);
pub const ID_AA64PFR0_EL1: u32 = key(3, 0, 0, 4, 0);
pub const ID_AA64ISAR0_EL1: u32 = key(3, 0, 0, 6, 0);
pub const ID_AA64ISAR1_EL1: u32 = key(3, 0, 0, 6, 1);

/// CTR_EL0 as a typical Armv8 core reports it: 64-byte lines, PIPT I-cache.
pub const CTR_VALUE: u64 = 0x8444_c004;
/// DCZID_EL0: DC ZVA allowed, 2^4 words = 64-byte blocks.
pub const DCZID_VALUE: u64 = 4;
pub const DC_ZVA_BYTES: u64 = 64;
/// The generic timer counts nanoseconds.
pub const CNTFRQ_VALUE: u64 = 1_000_000_000;
/// An Arm Cortex-A72 r0p3: a plain Armv8.0 core glibc has no special paths for.
pub const MIDR_VALUE: u64 = 0x410f_d083;

/// One implemented feature: its AT_HWCAP or AT_HWCAP2 bit, its /proc/cpuinfo
/// name, and the ID register field that says the same.
pub struct Feature {
    pub hwcap: u64,
    pub hwcap2: u64,
    pub name: &'static str,
    pub id_reg: u32,
    pub field_shift: u32,
    pub field_value: u64,
}

/// What emu implements. Adding a feature here advertises it everywhere at once.
pub static FEATURES: &[Feature] = &[
    Feature { hwcap: 1 << 0, hwcap2: 0, name: "fp", id_reg: ID_AA64PFR0_EL1, field_shift: 16, field_value: 0 },
    Feature { hwcap: 1 << 1, hwcap2: 0, name: "asimd", id_reg: ID_AA64PFR0_EL1, field_shift: 20, field_value: 0 },
    // AES = 2 in ISAR0 means AES and PMULL (64-bit) both: the two share the field.
    Feature { hwcap: 1 << 3, hwcap2: 0, name: "aes", id_reg: ID_AA64ISAR0_EL1, field_shift: 4, field_value: 2 },
    Feature { hwcap: 1 << 4, hwcap2: 0, name: "pmull", id_reg: ID_AA64ISAR0_EL1, field_shift: 4, field_value: 2 },
    Feature { hwcap: 1 << 5, hwcap2: 0, name: "sha1", id_reg: ID_AA64ISAR0_EL1, field_shift: 8, field_value: 1 },
    // SHA2 = 2 in ISAR0 means SHA-256 and SHA-512 both: the two share the field.
    Feature { hwcap: 1 << 6, hwcap2: 0, name: "sha2", id_reg: ID_AA64ISAR0_EL1, field_shift: 12, field_value: 2 },
    Feature { hwcap: 1 << 7, hwcap2: 0, name: "crc32", id_reg: ID_AA64ISAR0_EL1, field_shift: 16, field_value: 1 },
    Feature { hwcap: 1 << 8, hwcap2: 0, name: "atomics", id_reg: ID_AA64ISAR0_EL1, field_shift: 20, field_value: 2 },
    Feature { hwcap: 1 << 11, hwcap2: 0, name: "cpuid", id_reg: 0, field_shift: 0, field_value: 0 },
    Feature { hwcap: 1 << 12, hwcap2: 0, name: "asimdrdm", id_reg: ID_AA64ISAR0_EL1, field_shift: 28, field_value: 1 },
    Feature { hwcap: 1 << 13, hwcap2: 0, name: "jscvt", id_reg: ID_AA64ISAR1_EL1, field_shift: 12, field_value: 1 },
    // FCMLA, FCADD (FEAT_FCMA), single and double precision.
    Feature { hwcap: 1 << 14, hwcap2: 0, name: "fcma", id_reg: ID_AA64ISAR1_EL1, field_shift: 16, field_value: 1 },
    // LDAPR/LDAPRB/LDAPRH (FEAT_LRCPC).
    Feature { hwcap: 1 << 15, hwcap2: 0, name: "lrcpc", id_reg: ID_AA64ISAR1_EL1, field_shift: 20, field_value: 1 },
    // DC CVAP (FEAT_DPB): cache cleaning, a no-op on this memory.
    Feature { hwcap: 1 << 16, hwcap2: 0, name: "dcpop", id_reg: ID_AA64ISAR1_EL1, field_shift: 0, field_value: 1 },
    // EOR3, BCAX, RAX1, XAR (FEAT_SHA3).
    Feature { hwcap: 1 << 17, hwcap2: 0, name: "sha3", id_reg: ID_AA64ISAR0_EL1, field_shift: 32, field_value: 1 },
    Feature { hwcap: 1 << 20, hwcap2: 0, name: "asimddp", id_reg: ID_AA64ISAR0_EL1, field_shift: 44, field_value: 1 },
    // SHA512H, SHA512H2, SHA512SU0, SHA512SU1 (FEAT_SHA512).
    Feature { hwcap: 1 << 21, hwcap2: 0, name: "sha512", id_reg: ID_AA64ISAR0_EL1, field_shift: 12, field_value: 2 },
    // FMLAL, FMLAL2, FMLSL, FMLSL2 (FEAT_FHM).
    Feature { hwcap: 1 << 23, hwcap2: 0, name: "asimdfhm", id_reg: ID_AA64ISAR0_EL1, field_shift: 48, field_value: 1 },
    // AT_HWCAP2, listed after AT_HWCAP's as /proc/cpuinfo does.
    // FRINT32Z, FRINT32X, FRINT64Z, FRINT64X (FEAT_FRINTTS).
    Feature { hwcap: 0, hwcap2: 1 << 8, name: "frint", id_reg: ID_AA64ISAR1_EL1, field_shift: 32, field_value: 1 },
    // SMMLA, UMMLA, USMMLA, USDOT, SUDOT (FEAT_I8MM).
    Feature { hwcap: 0, hwcap2: 1 << 13, name: "i8mm", id_reg: ID_AA64ISAR1_EL1, field_shift: 52, field_value: 1 },
];

/// AT_HWCAP.
pub fn hwcap() -> u64 {
    FEATURES.iter().fold(0, |h, f| h | f.hwcap)
}

/// AT_HWCAP2.
pub fn hwcap2() -> u64 {
    FEATURES.iter().fold(0, |h, f| h | f.hwcap2)
}

/// The /proc/cpuinfo "Features" line.
pub fn cpuinfo_features() -> String {
    FEATURES.iter().map(|f| f.name).collect::<Vec<_>>().join(" ")
}

/// The value of a read-only identification register as Linux exposes it to EL0
/// (it traps and emulates MRS of the ID space), or None if `key` is not one.
pub fn id_register(k: u32) -> Option<u64> {
    match k {
        MIDR_EL1 => Some(MIDR_VALUE),
        MPIDR_EL1 => Some(0x8000_0000),
        REVIDR_EL1 => Some(0),
        // The feature-ID space: op0=3, op1=0, CRn=0, CRm=1..7. Unlisted ones read 0.
        _ if k & !0x7f == key(3, 0, 0, 0, 0) && (k >> 3) & 0xf != 0 => {
            let base = if k == ID_AA64PFR0_EL1 { 0x11 } else { 0 };
            Some(FEATURES.iter().filter(|f| f.id_reg == k).fold(base, |v, f| v | f.field_value << f.field_shift))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_registers_agree_with_hwcap() {
        let isar0 = id_register(ID_AA64ISAR0_EL1).unwrap();
        assert_eq!((isar0 >> 20) & 0xf, 2, "LSE atomics");
        assert_eq!((isar0 >> 16) & 0xf, 1, "CRC32");
        assert_eq!((isar0 >> 4) & 0xf, 2, "AES with PMULL");
        assert_eq!((isar0 >> 8) & 0xf, 1, "SHA1");
        assert_eq!((isar0 >> 12) & 0xf, 2, "SHA2 with SHA512");
        assert_eq!((isar0 >> 32) & 0xf, 1, "SHA3");
        let isar1 = id_register(ID_AA64ISAR1_EL1).unwrap();
        assert_eq!((isar1 >> 20) & 0xf, 1, "LRCPC");
        assert_eq!(isar1 & 0xf, 1, "DPB");
        assert_eq!(hwcap() & 0xa3_c000, 0xa3_c000, "fcma lrcpc dcpop sha3 sha512 asimdfhm");
        assert_eq!((isar0 >> 48) & 0xf, 1, "FHM");
        assert_eq!((isar1 >> 16) & 0xf, 1, "FCMA");
        assert_eq!((isar0 >> 28) & 0xf, 1, "RDM");
        assert_eq!((isar0 >> 44) & 0xf, 1, "DotProd");
        assert_eq!(hwcap() & 0x10_1078, 0x10_1078, "aes pmull sha1 sha2 asimdrdm asimddp");
        // The kernel's order: AT_HWCAP bits, then AT_HWCAP2's as if they came after bit 63.
        let order = |f: &Feature| if f.hwcap2 != 0 { 64 + f.hwcap2.trailing_zeros() } else { f.hwcap.trailing_zeros() };
        assert!(FEATURES.iter().all(|f| (f.hwcap == 0) != (f.hwcap2 == 0)), "one bit in one word each");
        assert!(FEATURES.windows(2).all(|w| order(&w[0]) < order(&w[1])), "cpuinfo lists features in HWCAP order");
        assert_eq!(hwcap2(), 1 << 13 | 1 << 8, "i8mm frint");
        assert_eq!((isar1 >> 32) & 0xf, 1, "FRINTTS");
        assert_eq!((isar1 >> 52) & 0xf, 1, "I8MM");
        assert_ne!(hwcap() & (1 << 8), 0);
        assert_eq!(id_register(MIDR_EL1), Some(MIDR_VALUE));
        assert_eq!(id_register(key(3, 0, 0, 7, 0)), Some(0));
        assert_eq!(id_register(TPIDR_EL0), None);
    }
}
