//! The host's floating-point control (MXCSR) follows the guest's FPCR, so that
//! scalar and vector FP computed with host SSE instructions rounds and flushes as
//! the guest asked.

use std::sync::atomic::{AtomicU8, Ordering};

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

#[inline(always)]
fn get_mxcsr() -> u32 {
    let mut m: u32 = 0;
    // SAFETY: stores MXCSR into a local.
    unsafe { std::arch::asm!("stmxcsr [{p}]", p = in(reg) &mut m as *mut u32, options(nostack)) };
    m
}

#[inline(always)]
fn set_mxcsr(m: u32) {
    // SAFETY: loads MXCSR from a local; all exceptions stay masked (the callers
    // keep bits 12:7 set), so no host FP trap can result.
    unsafe { std::arch::asm!("ldmxcsr [{p}]", p = in(reg) &m as *const u32, options(nostack, readonly)) };
}

/// Makes the host thread's FP environment match `fpcr`, keeping the sticky
/// exception flags gathered so far.
pub fn apply_fpcr(fpcr: u32) {
    set_mxcsr(mxcsr_for(fpcr) | (get_mxcsr() & 0x3f));
}

/// For the fast path of an FP operation: makes sure MXCSR's sticky precision flag
/// is clear before the operation (something else, an exact conversion say, may
/// have left it set), so that afterwards [`inexact_since`] tells whether this
/// operation was inexact. Reading MXCSR is cheap; writing it (rare) is not.
#[inline(always)]
pub fn begin_inexact_check() {
    let m = get_mxcsr();
    if m & MX_PE != 0 {
        set_mxcsr(m & !MX_PE);
    }
}

/// Whether an operation since [`begin_inexact_check`] was inexact.
#[inline(always)]
pub fn inexact_since() -> bool {
    get_mxcsr() & MX_PE != 0
}

/// Whether the host has FMA: 0 not known yet, 1 no, 2 yes. Known after the
/// first fused multiply-add, which runs the exact way ([`HostFp::fma`]).
static HOST_FMA: AtomicU8 = AtomicU8::new(0);

fn host_has_fma() -> bool {
    match HOST_FMA.load(Ordering::Relaxed) {
        0 => {
            let yes = std::arch::is_x86_feature_detected!("fma");
            HOST_FMA.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
        v => v == 2,
    }
}

/// Host FP operations that Rust has no spelling for.
pub trait HostFp: Sized {
    /// self * b + c with one rounding, on the host's FMA unit where it has one
    /// (one instruction that also raises MXCSR flags, like the other host
    /// operations); elsewhere the library's `mul_add` (a call that may compute
    /// in software).
    fn fma(self, b: Self, c: Self) -> Self;
    /// The same if the host is known to have FMA, with no call (for fast paths).
    fn fma_if_known(self, b: Self, c: Self) -> Option<Self>;
    /// The value, with the compiler unable to see how it was computed. The
    /// compiler assumes round-to-nearest and rewrites -(a * b) as (-a) * b,
    /// which rounds differently in the directed modes; FNMUL's negation of a
    /// computed product must stay a negation of that product.
    fn opaque(self) -> Self;
}

macro_rules! host_fma {
    ($t:ty, $insn:literal) => {
        impl HostFp for $t {
            #[inline(always)]
            fn fma(self, b: Self, c: Self) -> Self {
                if host_has_fma() {
                    host_fma!(@insn $insn, self, b, c)
                } else {
                    self.mul_add(b, c)
                }
            }
            #[inline(always)]
            fn fma_if_known(self, b: Self, c: Self) -> Option<Self> {
                if HOST_FMA.load(Ordering::Relaxed) == 2 {
                    Some(host_fma!(@insn $insn, self, b, c))
                } else {
                    None
                }
            }
            #[inline(always)]
            fn opaque(self) -> Self {
                let mut r = self;
                // SAFETY: an empty instruction template: no instruction runs.
                unsafe { std::arch::asm!("/* {r} */", r = inout(xmm_reg) r, options(pure, nomem, nostack, preserves_flags)) };
                r
            }
        }
    };
    (@insn $insn:literal, $a:expr, $b:expr, $c:expr) => {{
        let mut r = $c;
        // SAFETY: a register-only FMA instruction, run only once the host is known
        // to have it. Not `pure`: it must stay between the MXCSR reads around it.
        unsafe {
            std::arch::asm!($insn, r = inout(xmm_reg) r, a = in(xmm_reg) $a, b = in(xmm_reg) $b,
                options(nomem, nostack, preserves_flags))
        };
        r
    }};
}
host_fma!(f64, "vfmadd231sd {r}, {a}, {b}");
host_fma!(f32, "vfmadd231ss {r}, {a}, {b}");

/// MXCSR exception flags (bits 5:0): invalid, denormal, divide by zero,
/// overflow, underflow, precision.
pub const MX_IE: u32 = 1 << 0;
pub const MX_ZE: u32 = 1 << 2;
pub const MX_OE: u32 = 1 << 3;
pub const MX_UE: u32 = 1 << 4;
pub const MX_PE: u32 = 1 << 5;

/// Runs the host FP computation `f` on `args` and returns its result with the
/// MXCSR exception flags it raised (the FPSR cumulative flags come from these).
/// `black_box` on the arguments and the result keeps the computation between
/// the two MXCSR accesses: the compiler may not fold or move it across them.
#[inline(always)]
pub fn with_flags<A, R>(args: A, f: impl FnOnce(A) -> R) -> (R, u32) {
    let saved = get_mxcsr();
    set_mxcsr(saved & !0x3f);
    let r = std::hint::black_box(f(std::hint::black_box(args)));
    let m = get_mxcsr();
    // Put back the sticky flags that fast-path operations gathered (lazy_fpsr).
    set_mxcsr(saved);
    (r, m & 0x3f)
}

#[inline(never)]
pub fn toward_zero<A, R>(args: A, f: impl FnOnce(A) -> R) -> R {
    let mut saved: u32 = 0;
    // SAFETY: stores MXCSR into a local.
    unsafe { std::arch::asm!("stmxcsr [{p}]", p = in(reg) &mut saved as *mut u32, options(nostack)) };
    let rz = saved | 0b11 << 13;
    // SAFETY: only the rounding control changes; exceptions stay masked.
    unsafe { std::arch::asm!("ldmxcsr [{p}]", p = in(reg) &rz as *const u32, options(nostack)) };
    let r = std::hint::black_box(f(std::hint::black_box(args)));
    // SAFETY: restores the value saved above.
    unsafe { std::arch::asm!("ldmxcsr [{p}]", p = in(reg) &saved as *const u32, options(nostack)) };
    r
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
    fn flags_of_one_operation() {
        assert_eq!(with_flags((1.0f64, 3.0f64), |(a, b)| a / b).1, MX_PE);
        assert_eq!(with_flags((1.0f64, 4.0f64), |(a, b)| a / b).1, 0);
        assert_eq!(with_flags((1.0f64, 0.0f64), |(a, b)| a / b).1, MX_ZE);
        assert_eq!(with_flags((f64::MAX, 2.0f64), |(a, b)| a * b).1, MX_OE | MX_PE);
    }

    #[test]
    fn host_rounding_follows() {
        use std::hint::black_box;
        // The outer black_box keeps each division between the MXCSR writes (the
        // compiler may otherwise move it past them: it assumes one FP mode).
        let third = black_box(black_box(1.0f64) / black_box(3.0f64));
        apply_fpcr(1 << 22);
        let up = black_box(black_box(1.0f64) / black_box(3.0f64));
        apply_fpcr(0);
        assert!(up > third);
    }
}
