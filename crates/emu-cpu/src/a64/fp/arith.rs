//! Floating-point helpers shared by the scalar FP and AdvSIMD groups: the Arm NaN
//! rules, min/max, compare, and rounding in the FPCR modes.
//!
//! Arithmetic runs on the host's IEEE operations, in the rounding mode and
//! flush-to-zero setting that MXCSR takes from FPCR (hostfp.rs); only a NaN
//! result takes the slow path that applies Arm's NaN selection. The FPSR flags
//! of arithmetic come from the host's exception flags ([`host`]); inputs are
//! flushed here, in software, so IDC is exact.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// FPSR cumulative flags.
pub const IOC: u32 = 1 << 0;
pub const DZC: u32 = 1 << 1;
pub const OFC: u32 = 1 << 2;
pub const UFC: u32 = 1 << 3;
pub const IXC: u32 = 1 << 4;
pub const IDC: u32 = 1 << 7;
/// FPCR.FZ: denormal inputs and tiny results are flushed to zero.
pub const FPCR_FZ: u32 = 1 << 24;
/// FPCR.DN: NaN results are the default NaN.
pub const FPCR_DN: u32 = 1 << 25;

/// Rounding modes, as encoded in FPCR.RMode, plus ties-away (FCVTA*, FRINTA).
pub const RN: u8 = 0;
pub const RP: u8 = 1;
pub const RM: u8 = 2;
pub const RZ: u8 = 3;
pub const RA: u8 = 4;

/// The rounding mode FPCR selects.
#[inline(always)]
pub fn fpcr_mode(fpcr: u32) -> u8 {
    ((fpcr >> 22) & 3) as u8
}

/// What the FP semantic functions need of f32 and f64.
pub trait Float:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + crate::hostfp::HostFp
    + 'static
{
    const BITS: u32;
    const DEFAULT_NAN: u64;
    const QUIET: u64;
    const SIGN: u64;
    /// The bits of the largest finite value.
    const MAX_FINITE: u64;
    /// The bits of the smallest positive normal value.
    const MIN_NORMAL: u64;
    fn from_u64(b: u64) -> Self;
    fn to_u64(self) -> u64;
    fn nan(self) -> bool;
    fn infinite(self) -> bool;
    fn sqrt_(self) -> Self;
    fn to_f64(self) -> f64;
    /// Converts an f64 that is exactly representable (rounded integers).
    fn from_f64(x: f64) -> Self;
    fn zero(self) -> bool;
    fn subnormal(self) -> bool;
}

macro_rules! impl_float {
    ($t:ty, $u:ty, $bits:expr, $dn:expr) => {
        impl Float for $t {
            const BITS: u32 = $bits;
            const DEFAULT_NAN: u64 = $dn;
            const QUIET: u64 = 1 << ($bits - 10 - if $bits == 64 { 3 } else { 0 });
            const SIGN: u64 = 1 << ($bits - 1);
            const MAX_FINITE: u64 = <$t>::MAX.to_bits() as u64;
            const MIN_NORMAL: u64 = <$t>::MIN_POSITIVE.to_bits() as u64;
            #[inline(always)]
            fn from_u64(b: u64) -> Self {
                <$t>::from_bits(b as $u)
            }
            #[inline(always)]
            fn to_u64(self) -> u64 {
                self.to_bits() as u64
            }
            #[inline(always)]
            fn nan(self) -> bool {
                self.is_nan()
            }
            #[inline(always)]
            fn infinite(self) -> bool {
                self.is_infinite()
            }
            #[inline(always)]
            fn sqrt_(self) -> Self {
                self.sqrt()
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn zero(self) -> bool {
                self == 0.0
            }
            #[inline(always)]
            fn subnormal(self) -> bool {
                self.is_subnormal()
            }
        }
    };
}
impl_float!(f32, u32, 32, 0x7fc0_0000);
impl_float!(f64, u64, 64, 0x7ff8_0000_0000_0000);

#[inline(always)]
pub fn is_snan<F: Float>(x: F) -> bool {
    x.nan() && x.to_u64() & F::QUIET == 0
}

/// FPNeg/FPAbs: sign-bit operations, no NaN processing.
#[inline(always)]
pub fn neg<F: Float>(x: F) -> F {
    F::from_u64(x.to_u64() ^ F::SIGN)
}

#[inline(always)]
pub fn abs<F: Float>(x: F) -> F {
    F::from_u64(x.to_u64() & !F::SIGN)
}

#[inline(always)]
pub fn default_nan<F: Float>() -> F {
    F::from_u64(F::DEFAULT_NAN)
}

/// FPProcessNaNs for any number of operands, when the result is known to be a NaN:
/// the first signalling NaN (quietened), else the first quiet NaN, else the
/// default NaN of an invalid operation.
#[cold]
pub fn propagate<F: Float>(fpcr: u32, fpsr: &mut u32, ops: &[F]) -> F {
    let r = if let Some(&s) = ops.iter().find(|&&x| is_snan(x)) {
        *fpsr |= IOC;
        F::from_u64(s.to_u64() | F::QUIET)
    } else if let Some(&q) = ops.iter().find(|&&x| x.nan()) {
        q
    } else {
        *fpsr |= IOC;
        return default_nan();
    };
    if fpcr & FPCR_DN != 0 {
        default_nan()
    } else {
        r
    }
}

/// FPUnpack's flush: with FPCR.FZ a denormal input counts as a zero of the same
/// sign, and raises IDC.
#[inline(always)]
pub fn flush_in<F: Float>(fpcr: u32, fpsr: &mut u32, x: F) -> F {
    if fpcr & FPCR_FZ != 0 && x.subnormal() {
        *fpsr |= IDC;
        F::from_u64(x.to_u64() & F::SIGN)
    } else {
        x
    }
}

/// Runs the host operation `f` on (flushed) `ops` and adds the exceptions it
/// raised to FPSR. Differences from x86: a result flushed by FZ is not inexact
/// on Arm (FPRound sets only UFC), and x86's denormal-operand flag has no
/// counterpart (IDC is raised by [`flush_in`]).
#[inline(always)]
pub fn host<A: Copy, F: Float>(fpcr: u32, fpsr: &mut u32, ops: A, f: impl Fn(A) -> F) -> F {
    use crate::hostfp::*;
    let min_normal = F::from_u64(F::MIN_NORMAL);
    // Fast path: a finite result above the smallest normal and below the largest
    // finite value raised at most Inexact. Once FPSR.IXC is set (it is cumulative)
    // nothing needs checking; before, MXCSR's precision flag says, without the
    // costly MXCSR writes of the exact path. Everything else (NaN, infinity,
    // overflow to MAX under round-towards-zero, underflow, zero) takes the exact path.
    let ixc_known = *fpsr & IXC != 0;
    if !ixc_known {
        begin_inexact_check();
    }
    let r = f(ops);
    let mag = abs(r).to_u64();
    if mag > min_normal.to_u64() && mag < F::MAX_FINITE {
        if !ixc_known && inexact_since() {
            *fpsr |= IXC;
        }
        return r;
    }
    let (r, m) = with_flags(ops, &f);
    if m & (MX_PE | MX_UE) == MX_PE && abs(r).to_u64() == min_normal.to_u64() {
        // Arm detects tininess before rounding, x86 after: an inexact result
        // rounded up to the smallest normal underflowed if, rounded towards zero,
        // it stays below it. FZ then flushes it, raising only UFC.
        if abs(toward_zero(ops, &f)).to_u64() < min_normal.to_u64() {
            if fpcr & FPCR_FZ != 0 {
                *fpsr |= UFC;
                return F::from_u64(r.to_u64() & F::SIGN);
            }
            *fpsr |= UFC;
        }
    }
    if m != 0 {
        let mut flags = 0;
        for (mx, arm) in [(MX_IE, IOC), (MX_ZE, DZC), (MX_OE, OFC), (MX_UE, UFC), (MX_PE, IXC)] {
            if m & mx != 0 {
                flags |= arm;
            }
        }
        if fpcr & FPCR_FZ != 0 && r.zero() && m & MX_UE != 0 {
            flags &= !IXC;
        }
        *fpsr |= flags;
    }
    r
}

/// Fixes up a host result of a two-operand operation when it is a NaN.
#[inline(always)]
pub fn check2<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F, r: F) -> F {
    if r.nan() {
        propagate(fpcr, fpsr, &[a, b])
    } else {
        r
    }
}

#[cold]
#[inline(never)]
fn fadd_exact<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let r = host(fpcr, fpsr, [a, b], |[a, b]| a + b);
    check2(fpcr, fpsr, a, b, r)
}

#[cold]
#[inline(never)]
fn fsub_exact<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let r = host(fpcr, fpsr, [a, b], |[a, b]| a - b);
    check2(fpcr, fpsr, a, b, r)
}

#[cold]
#[inline(never)]
fn fmul_exact<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let r = host(fpcr, fpsr, [a, b], |[a, b]| a * b);
    check2(fpcr, fpsr, a, b, r)
}

#[cold]
#[inline(never)]
fn fdiv_exact<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let r = host(fpcr, fpsr, [a, b], |[a, b]| a / b);
    check2(fpcr, fpsr, a, b, r)
}

#[cold]
#[inline(never)]
fn fsqrt_exact<F: Float>(fpcr: u32, fpsr: &mut u32, a: F) -> F {
    let a = flush_in(fpcr, fpsr, a);
    let r = host(fpcr, fpsr, [a], |[a]| a.sqrt_());
    if r.nan() {
        propagate(fpcr, fpsr, &[a])
    } else {
        r
    }
}

#[cold]
#[inline(never)]
fn fmuladd_exact<F: Float>(fpcr: u32, fpsr: &mut u32, addend: F, a: F, b: F) -> F {
    let (addend, a, b) = (flush_in(fpcr, fpsr, addend), flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let r = host(fpcr, fpsr, [addend, a, b], |[c, a, b]| a.fma(b, c));
    if r.nan() {
        // A quiet NaN addend with an invalid product gives the default NaN.
        let inf_zero = (a.infinite() && b.zero()) || (a.zero() && b.infinite());
        if addend.nan() && !is_snan(addend) && inf_zero && !is_snan(a) && !is_snan(b) {
            *fpsr |= IOC;
            return default_nan();
        }
        return propagate(fpcr, fpsr, &[addend, a, b]);
    }
    r
}

/// The common case of an arithmetic operation, inline: FPSR.IXC already set (it
/// is cumulative, so after the first inexact operation it stays set), FPCR.FZ
/// clear, and a host result that is a finite normal number. Then there is nothing
/// to record and nothing to fix up: a normal result means no NaN, no infinity, no
/// overflow or underflow, and Inexact is already recorded. `None` for everything
/// else, which the `*_exact` functions handle out of line; a semantic function
/// that tail-calls its own exact version when this fails needs no stack frame.
#[inline(always)]
pub fn fast<A, F: Float>(fpcr: u32, fpsr: u32, ops: A, f: impl Fn(A) -> Option<F>) -> Option<F> {
    if fpsr & IXC != 0 && fpcr & FPCR_FZ == 0 {
        // Opaque: a caller's negation must not move into the operation.
        let r = f(ops)?.opaque();
        let mag = abs(r).to_u64();
        if mag > F::MIN_NORMAL && mag < F::MAX_FINITE {
            return Some(r);
        }
    }
    None
}

/// The fast paths of the two-operand operations, by their `opcode` field (FMUL,
/// FDIV, FADD, FSUB, FNMUL); `None` for the others.
#[inline(always)]
pub fn fast_op2<F: Float, const OPC: u8>(fpcr: u32, fpsr: u32, a: F, b: F) -> Option<F> {
    match OPC {
        0 => fast(fpcr, fpsr, (a, b), |(a, b)| Some(a * b)),
        1 => fast(fpcr, fpsr, (a, b), |(a, b)| Some(a / b)),
        2 => fast(fpcr, fpsr, (a, b), |(a, b)| Some(a + b)),
        3 => fast(fpcr, fpsr, (a, b), |(a, b)| Some(a - b)),
        8 => fast(fpcr, fpsr, (a, b), |(a, b)| Some(a * b)).map(neg),
        _ => None,
    }
}

/// The fast path of FPMulAdd.
#[inline(always)]
pub fn fast_muladd<F: Float>(fpcr: u32, fpsr: u32, addend: F, a: F, b: F) -> Option<F> {
    fast(fpcr, fpsr, (addend, a, b), |(c, a, b)| a.fma_if_known(b, c))
}

macro_rules! fast_or_exact {
    ($(#[$doc:meta])* $name:ident, $exact:ident, ($($arg:ident),*), $f:expr) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name<F: Float>(fpcr: u32, fpsr: &mut u32, $($arg: F),*) -> F {
            match fast(fpcr, *fpsr, ($($arg,)*), $f) {
                Some(r) => r,
                None => $exact(fpcr, fpsr, $($arg),*),
            }
        }
    };
}

fast_or_exact!(fadd, fadd_exact, (a, b), |(a, b): (F, F)| Some(a + b));
fast_or_exact!(fsub, fsub_exact, (a, b), |(a, b): (F, F)| Some(a - b));
fast_or_exact!(fmul, fmul_exact, (a, b), |(a, b): (F, F)| Some(a * b));
fast_or_exact!(fdiv, fdiv_exact, (a, b), |(a, b): (F, F)| Some(a / b));
fast_or_exact!(fsqrt, fsqrt_exact, (a), |(a,): (F,)| Some(a.sqrt_()));
fast_or_exact!(
    /// FPMulAdd(addend, op1, op2): addend + op1 * op2 with one rounding.
    fmuladd, fmuladd_exact, (addend, a, b), |(c, a, b): (F, F, F)| a.fma_if_known(b, c)
);

/// FPMax/FPMin: NaNs propagate; +0 is larger than -0.
#[inline(always)]
pub fn fmax<F: Float, const MIN: bool>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    if a.nan() || b.nan() {
        return propagate(fpcr, fpsr, &[a, b]);
    }
    if a.zero() && b.zero() {
        // Equal zeros differ only in sign: min prefers -0, max +0.
        let bits = if MIN { a.to_u64() | b.to_u64() } else { a.to_u64() & b.to_u64() };
        return F::from_u64(bits);
    }
    if (a > b) != MIN {
        a
    } else {
        b
    }
}

/// FPMaxNum/FPMinNum: a single quiet NaN operand loses against a number.
#[inline(always)]
pub fn fmaxnm<F: Float, const MIN: bool>(fpcr: u32, fpsr: &mut u32, a: F, b: F) -> F {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    let qa = a.nan() && !is_snan(a);
    let qb = b.nan() && !is_snan(b);
    if qa && !b.nan() {
        return b;
    }
    if qb && !a.nan() {
        return a;
    }
    fmax::<F, MIN>(fpcr, fpsr, a, b)
}

/// FPCompare as NZCV: equal 0110, less 1000, greater 0010, unordered 0011.
/// `signal`: FCMPE, where any NaN is an invalid operation (else only SNaNs).
#[inline(always)]
pub fn fcmp<F: Float>(fpcr: u32, fpsr: &mut u32, a: F, b: F, signal: bool) -> u32 {
    let (a, b) = (flush_in(fpcr, fpsr, a), flush_in(fpcr, fpsr, b));
    if a.nan() || b.nan() {
        if signal || is_snan(a) || is_snan(b) {
            *fpsr |= IOC;
        }
        return 0x3000_0000;
    }
    if a == b {
        0x6000_0000
    } else if a < b {
        0x8000_0000
    } else {
        0x2000_0000
    }
}

/// Rounds to an integral value in `mode`; the sign of a zero result is kept.
/// Only exact operations: the host's rint and round may follow MXCSR, which
/// follows FPCR.RMode, but FCVTNS, FRINTA and the like have their own modes.
#[inline(always)]
pub fn round_f64(x: f64, mode: u8) -> f64 {
    // From 2^52 up every double is an integer (NaN and infinities pass too).
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = x.trunc();
    let frac = (x - t).abs();
    let away = match mode {
        RN => frac > 0.5 || (frac == 0.5 && t % 2.0 != 0.0),
        RA => frac >= 0.5,
        RP => frac != 0.0 && x > 0.0,
        RM => frac != 0.0 && x < 0.0,
        _ => false,
    };
    if away {
        t + x.signum()
    } else {
        t
    }
}

/// FPRoundInt: FRINT*. `exact`: FRINTX, which raises IXC when the value changes.
#[inline(always)]
pub fn round_int<F: Float>(fpcr: u32, fpsr: &mut u32, x: F, mode: u8, exact: bool) -> F {
    let x = flush_in(fpcr, fpsr, x);
    if x.nan() {
        return propagate(fpcr, fpsr, &[x]);
    }
    let r = F::from_f64(round_f64(x.to_f64(), mode));
    if exact && r.to_u64() != x.to_u64() && !x.zero() {
        *fpsr |= IXC;
    }
    r
}

/// FPRoundIntN (FEAT_FRINTTS): FRINT32Z/X and FRINT64Z/X round to an integral
/// value that fits a `bits`-bit signed integer. NaN, infinity and values out
/// of that range give -2^(bits-1), with IOC; an inexact result raises IXC.
pub fn round_int_n<F: Float>(fpcr: u32, fpsr: &mut u32, x: F, mode: u8, bits: u32) -> F {
    let x = flush_in(fpcr, fpsr, x);
    let min = -((1u64 << (bits - 1)) as f64);
    if x.nan() || x.infinite() {
        *fpsr |= IOC;
        return F::from_f64(min);
    }
    let r = round_f64(x.to_f64(), mode);
    // -min is 2^(bits-1), one above the largest value that fits.
    if r < min || r >= -min {
        *fpsr |= IOC;
        return F::from_f64(min);
    }
    if r != x.to_f64() {
        *fpsr |= IXC;
    }
    F::from_f64(r)
}

/// FPToFixed: converts to a `bits`-bit signed or unsigned integer scaled by
/// 2^fbits, rounding in `mode`. NaN gives 0 and overflow saturates, both IOC.
pub fn fp_to_fixed<F: Float>(fpcr: u32, fpsr: &mut u32, x: F, fbits: u32, unsigned: bool, bits: u32, mode: u8) -> u64 {
    let x = flush_in(fpcr, fpsr, x);
    if x.nan() {
        *fpsr |= IOC;
        return 0;
    }
    // Exact: f32 widens exactly, and a power-of-two scale only moves the exponent.
    let v = x.to_f64() * f64::powi(2.0, fbits as i32);
    let r = round_f64(v, mode);
    let (lo, hi): (f64, f64) = if unsigned {
        (0.0, f64::powi(2.0, bits as i32))
    } else {
        (-f64::powi(2.0, bits as i32 - 1), f64::powi(2.0, bits as i32 - 1))
    };
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    if r >= hi {
        *fpsr |= IOC;
        return if unsigned { mask } else { mask >> 1 };
    }
    if r < lo {
        *fpsr |= IOC;
        return if unsigned { 0 } else { (lo as i64 as u64) & mask };
    }
    if r != v {
        *fpsr |= IXC;
    }
    let i = if unsigned { r as u64 } else { r as i64 as u64 };
    i & mask
}

/// The next float towards +inf (`up`) or -inf from a non-NaN value.
fn step<F: Float>(x: F, up: bool) -> F {
    let b = x.to_u64();
    if x.zero() {
        let tiny = F::from_u64(1);
        return if up { tiny } else { neg(tiny) };
    }
    let positive = b & F::SIGN == 0;
    // Away from zero is +1 on the magnitude bits; towards zero is -1.
    if positive == up {
        F::from_u64(b + 1)
    } else {
        F::from_u64(b - 1)
    }
}

/// Corrects a round-to-nearest result `r` of the exact value whose comparison
/// with `r` is `cmp` (r - exact) to `mode` (FPCR-directed rounding).
pub fn adjust_rounding<F: Float>(r: F, cmp: std::cmp::Ordering, mode: u8) -> F {
    use std::cmp::Ordering::*;
    let negative = r.to_u64() & F::SIGN != 0;
    match (mode, cmp) {
        (RP, Less) => step(r, true),
        (RM, Greater) => step(r, false),
        (RZ, Greater) if !negative => step(r, false),
        (RZ, Less) if negative => step(r, true),
        _ => r,
    }
}

/// FixedToFP: a signed or unsigned integer scaled by 2^-fbits, rounded in `mode`.
pub fn fixed_to_fp<F: Float>(fpsr: &mut u32, x: i128, fbits: u32, mode: u8) -> F {
    // Zero is +0 in every mode (the conversion below may give -0 rounding down).
    if x == 0 {
        return F::from_u64(0);
    }
    // Host integer-to-float conversion rounds to nearest even.
    let (r, back): (F, i128) = if F::BITS == 64 {
        let r = x as f64;
        (F::from_u64(r.to_bits()), r as i128)
    } else {
        let r = x as f32;
        (F::from_u64(r.to_bits() as u64), r as i128)
    };
    let cmp = back.cmp(&x);
    let r = if cmp != std::cmp::Ordering::Equal {
        *fpsr |= IXC;
        if mode == RN || mode == RA {
            r
        } else {
            adjust_rounding(r, cmp, mode)
        }
    } else {
        r
    };
    if fbits == 0 {
        r
    } else {
        // Exact: no result of a 64-bit integer scaled by 2^-64 is subnormal.
        r * F::from_f64(f64::powi(2.0, -(fbits as i32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FRINT32*/FRINT64*: in range, rounded (IXC when inexact); out of range,
    /// NaN or infinite, the most negative integer of the size (IOC).
    #[test]
    fn round_to_sized_integers() {
        let run = |x: f64, mode: u8, bits: u32| {
            let mut fpsr = 0;
            let r = round_int_n(0, &mut fpsr, x, mode, bits);
            (r, fpsr)
        };
        assert_eq!(run(2147483647.5, RZ, 32), (2147483647.0, IXC));
        assert_eq!(run(2147483647.5, RN, 32), (-2147483648.0, IOC));
        assert_eq!(run(-2147483648.0, RN, 32), (-2147483648.0, 0));
        assert_eq!(run(-2147483648.5, RZ, 32), (-2147483648.0, IXC));
        assert_eq!(run(2147483648.0, RZ, 64), (2147483648.0, 0));
        assert_eq!(run(9.3e18, RZ, 64), (-9223372036854775808.0, IOC));
        assert_eq!(run(f64::NAN, RZ, 32), (-2147483648.0, IOC));
        assert_eq!(run(f64::NEG_INFINITY, RZ, 64), (-9223372036854775808.0, IOC));
        let (r, fpsr) = run(-0.25, RN, 64);
        assert_eq!((r.to_bits(), fpsr), ((-0.0f64).to_bits(), IXC));
        let mut fpsr = 0;
        assert_eq!(round_int_n(0, &mut fpsr, 2.5f32, RN, 32), 2.0);
        assert_eq!(fpsr, IXC);
    }
}
