//! Shared integer helpers, transcribed from the manual's pseudocode.

/// AddWithCarry: the result and the NZCV flags (bits 31..28), for 64 or 32 bits.
#[inline(always)]
pub fn add_with_carry64(x: u64, y: u64, carry: bool) -> (u64, u32) {
    let (r1, c1) = x.overflowing_add(y);
    let (r, c2) = r1.overflowing_add(carry as u64);
    let c = c1 | c2;
    let v = ((x ^ r) & (y ^ r)) >> 63 != 0;
    (r, nzcv64(r, c, v))
}

#[inline(always)]
pub fn add_with_carry32(x: u32, y: u32, carry: bool) -> (u32, u32) {
    let (r1, c1) = x.overflowing_add(y);
    let (r, c2) = r1.overflowing_add(carry as u32);
    let c = c1 | c2;
    let v = ((x ^ r) & (y ^ r)) >> 31 != 0;
    (r, nzcv32(r, c, v))
}

/// ADDS/SUBS (and CMP, CMN): AddWithCarry(x, y, 0) or AddWithCarry(x, NOT y, 1),
/// with the carry and overflow worked out directly (C of a subtraction is
/// "no borrow", x >= y), which takes about half the host instructions.
#[inline(always)]
pub fn add_sub_flags64<const SUB: bool>(x: u64, y: u64) -> (u64, u32) {
    // Each flag from one host operation (the overflow from the signed form),
    // which the compiler turns into one subtraction and SETcc instructions.
    let (r, c, v) = if SUB {
        let (r, borrow) = x.overflowing_sub(y);
        (r, !borrow, (x as i64).overflowing_sub(y as i64).1)
    } else {
        let (r, c) = x.overflowing_add(y);
        (r, c, (x as i64).overflowing_add(y as i64).1)
    };
    (r, nzcv64(r, c, v))
}

#[inline(always)]
pub fn add_sub_flags32<const SUB: bool>(x: u32, y: u32) -> (u32, u32) {
    let (r, c, v) = if SUB {
        let (r, borrow) = x.overflowing_sub(y);
        (r, !borrow, (x as i32).overflowing_sub(y as i32).1)
    } else {
        let (r, c) = x.overflowing_add(y);
        (r, c, (x as i32).overflowing_add(y as i32).1)
    };
    (r, nzcv32(r, c, v))
}

/// NZCV in bits 31..28 from the four flags.
#[inline(always)]
fn flags(n: bool, z: bool, c: bool, v: bool) -> u32 {
    ((n as u32) << 3 | (z as u32) << 2 | (c as u32) << 1 | v as u32) << 28
}

#[inline(always)]
pub fn nzcv64(r: u64, c: bool, v: bool) -> u32 {
    flags((r as i64) < 0, r == 0, c, v)
}

#[inline(always)]
pub fn nzcv32(r: u32, c: bool, v: bool) -> u32 {
    flags((r as i32) < 0, r == 0, c, v)
}

/// Shift types of the shifted-register forms: LSL, LSR, ASR, ROR.
#[inline(always)]
pub fn shift64(v: u64, ty: u8, amount: u32) -> u64 {
    match ty {
        0 => v << amount,
        1 => v >> amount,
        2 => ((v as i64) >> amount) as u64,
        _ => v.rotate_right(amount),
    }
}

#[inline(always)]
pub fn shift32(v: u32, ty: u8, amount: u32) -> u32 {
    match ty {
        0 => v << amount,
        1 => v >> amount,
        2 => ((v as i32) >> amount) as u32,
        _ => v.rotate_right(amount),
    }
}

/// ExtendReg without its shift: UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX.
/// With `option` a constant (a const generic at the call site) it compiles to
/// one instruction, where a runtime option costs a switch.
#[inline(always)]
pub fn extend_value(v: u64, option: u8) -> u64 {
    match option & 7 {
        0 => v as u8 as u64,
        1 => v as u16 as u64,
        2 => v as u32 as u64,
        3 => v,
        4 => v as u8 as i8 as i64 as u64,
        5 => v as u16 as i16 as i64 as u64,
        6 => v as u32 as i32 as i64 as u64,
        _ => v,
    }
}

/// DecodeBitMasks: (wmask, tmask) for logical immediates and bitfield moves, or
/// None for a reserved encoding.
pub fn decode_bit_masks(n: u32, imms: u32, immr: u32, immediate: bool, datasize: u32) -> Option<(u64, u64)> {
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 {
        return None;
    }
    let levels = (1u32 << len) - 1;
    if immediate && (imms & levels) == levels {
        return None;
    }
    let s = imms & levels;
    let r = immr & levels;
    let diff = s.wrapping_sub(r) & levels;
    let esize = 1u32 << len;
    if esize > datasize {
        return None;
    }
    let d = diff & levels;
    let ones = |k: u32| -> u64 {
        if k >= 64 {
            u64::MAX
        } else {
            (1u64 << k) - 1
        }
    };
    let welem = ones(s + 1);
    let telem = ones(d + 1);
    let emask = ones(esize);
    let ror = |v: u64, sh: u32| -> u64 {
        if sh == 0 {
            v
        } else {
            ((v >> sh) | (v << (esize - sh))) & emask
        }
    };
    let welem = ror(welem, r);
    let replicate = |v: u64| -> u64 {
        let mut out = 0u64;
        let mut i = 0;
        while i < datasize {
            out |= v << i;
            i += esize;
        }
        out
    };
    let mut w = replicate(welem);
    let mut t = replicate(telem);
    if datasize == 32 {
        w &= 0xffff_ffff;
        t &= 0xffff_ffff;
    }
    Some((w, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_of_subtraction() {
        // CMP 1, 2: 1 + !2 + 1 = -1: N set, C clear (borrow).
        let (r, f) = add_with_carry64(1, !2, true);
        assert_eq!(r, u64::MAX);
        assert_eq!(f, 0x8000_0000);
        // CMP 5, 5: Z and C.
        assert_eq!(add_with_carry64(5, !5, true).1, 0x6000_0000);
        // 0x7fffffff + 1 overflows in 32 bits: N and V.
        assert_eq!(add_with_carry32(0x7fff_ffff, 1, false).1, 0x9000_0000);
    }

    #[test]
    fn add_sub_flags_are_add_with_carry() {
        // Edges of every flag, then a walk through mixed values.
        let edges = [0u64, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 63, (1 << 63) - 1, u64::MAX, u64::MAX - 1];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut values = edges.to_vec();
        for _ in 0..200 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x);
        }
        for &a in &values {
            for &b in &values {
                assert_eq!(add_sub_flags64::<true>(a, b), add_with_carry64(a, !b, true), "SUBS {a:#x}, {b:#x}");
                assert_eq!(add_sub_flags64::<false>(a, b), add_with_carry64(a, b, false), "ADDS {a:#x}, {b:#x}");
                let (a, b) = (a as u32, b as u32);
                assert_eq!(add_sub_flags32::<true>(a, b), add_with_carry32(a, !b, true), "SUBS {a:#x}, {b:#x}");
                assert_eq!(add_sub_flags32::<false>(a, b), add_with_carry32(a, b, false), "ADDS {a:#x}, {b:#x}");
            }
        }
    }

    #[test]
    fn bit_masks_from_manual_examples() {
        // AND x0, x0, #0xff: N=1, immr=0, imms=7.
        assert_eq!(decode_bit_masks(1, 7, 0, true, 64).unwrap().0, 0xff);
        // ORR w0, wzr, #0xaaaaaaaa: N=0 immr=1 imms=0b111100.
        assert_eq!(decode_bit_masks(0, 0x3c, 1, true, 32).unwrap().0, 0xaaaa_aaaa);
        // 0x0000ffff0000ffff: element 32, 16 ones.
        assert_eq!(decode_bit_masks(0, 0x0f, 0, true, 64).unwrap().0, 0x0000_ffff_0000_ffff);
        // All ones is reserved.
        assert!(decode_bit_masks(1, 0x3f, 0, true, 64).is_none());
    }
}
