//! The host's floating-point control (MXCSR) follows the guest's FPCR, so that
//! scalar and vector FP computed with host SSE instructions rounds and flushes as
//! the guest asked.

/// Arm FPCR.RMode (bits 23:22) to x86 MXCSR.RC (bits 14:13): Arm's order is
/// nearest, +inf, -inf, zero; x86's is nearest, -inf, +inf, zero.
const RC_FROM_RMODE: [u32; 4] = [0b00, 0b10, 0b01, 0b11];
const MXCSR_DEFAULT: u32 = 0x1f80; // all exceptions masked, round to nearest
const MXCSR_FTZ: u32 = 1 << 15;
const MXCSR_DAZ: u32 = 1 << 6;
const FPCR_FZ: u32 = 1 << 24;

/// The MXCSR value that implements `fpcr`.
pub fn mxcsr_for(fpcr: u32) -> u32 {
    let mut m = MXCSR_DEFAULT | RC_FROM_RMODE[((fpcr >> 22) & 3) as usize] << 13;
    if fpcr & FPCR_FZ != 0 {
        m |= MXCSR_FTZ | MXCSR_DAZ;
    }
    m
}

/// Makes the host thread's FP environment match `fpcr`.
pub fn apply_fpcr(fpcr: u32) {
    let m = mxcsr_for(fpcr);
    // SAFETY: loads MXCSR from a local; all exceptions stay masked, so no host FP
    // trap can result, only a different rounding and flushing behaviour.
    unsafe { std::arch::asm!("ldmxcsr [{p}]", p = in(reg) &m as *const u32, options(nostack, readonly)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_modes_map() {
        assert_eq!(mxcsr_for(0), 0x1f80);
        assert_eq!(mxcsr_for(1 << 22), 0x1f80 | 0b10 << 13); // RP -> up
        assert_eq!(mxcsr_for(2 << 22), 0x1f80 | 0b01 << 13); // RM -> down
        assert_eq!(mxcsr_for(3 << 22 | FPCR_FZ), 0x1f80 | 0b11 << 13 | MXCSR_FTZ | MXCSR_DAZ);
    }

    #[test]
    fn host_rounding_follows() {
        let third = std::hint::black_box(1.0f64) / std::hint::black_box(3.0f64);
        apply_fpcr(1 << 22);
        let up = std::hint::black_box(1.0f64) / std::hint::black_box(3.0f64);
        apply_fpcr(0);
        assert!(up > third);
    }
}
