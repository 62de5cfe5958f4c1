//! Atomic guest memory operations: the host's own atomics on the guest address,
//! so that exclusives and LSE atomics are atomic between guest threads that run on
//! different host threads.

use std::sync::atomic::*;

/// Read-modify-write operations of the LSE atomics, in the manual's `opc` order,
/// then SWP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Rmw {
    Add = 0,
    Clr = 1,
    Eor = 2,
    Set = 3,
    Smax = 4,
    Smin = 5,
    Umax = 6,
    Umin = 7,
    Swp = 8,
}

macro_rules! atomics {
    ($cas:ident, $rmw:ident, $t:ty, $a:ty, $s:ty, $as:ty) => {
        /// Compare-and-swap: Ok(old) if `old` was there and `new` is now, else Err(found).
        #[inline]
        pub fn $cas(addr: u64, old: $t, new: $t) -> Result<$t, $t> {
            let p = addr as usize as *mut $t;
            if (p as usize) % std::mem::align_of::<$t>() != 0 {
                // Misaligned: the host's atomic types need alignment; fall back to a
                // plain access (arm64 without LSE2 would fault here anyway).
                let cur = crate::access::load_u64_sized(addr, std::mem::size_of::<$t>()) as $t;
                if cur == old {
                    crate::access::store_u64_sized(addr, std::mem::size_of::<$t>(), new as u64);
                    return Ok(cur);
                }
                return Err(cur);
            }
            // SAFETY: aligned guest address; guest memory is host memory and may be
            // shared with other threads, which is why it is accessed atomically.
            let a = unsafe { <$a>::from_ptr(p) };
            a.compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst)
        }

        /// Atomic read-modify-write; returns the old value.
        #[inline]
        pub fn $rmw(addr: u64, op: Rmw, v: $t) -> $t {
            let p = addr as usize as *mut $t;
            if (p as usize) % std::mem::align_of::<$t>() != 0 {
                let size = std::mem::size_of::<$t>();
                let cur = crate::access::load_u64_sized(addr, size) as $t;
                let new = match op {
                    Rmw::Add => cur.wrapping_add(v),
                    Rmw::Clr => cur & !v,
                    Rmw::Eor => cur ^ v,
                    Rmw::Set => cur | v,
                    Rmw::Smax => (cur as $s).max(v as $s) as $t,
                    Rmw::Smin => (cur as $s).min(v as $s) as $t,
                    Rmw::Umax => cur.max(v),
                    Rmw::Umin => cur.min(v),
                    Rmw::Swp => v,
                };
                crate::access::store_u64_sized(addr, size, new as u64);
                return cur;
            }
            // SAFETY: as in the compare-and-swap above.
            let a = unsafe { <$a>::from_ptr(p) };
            let o = Ordering::SeqCst;
            match op {
                Rmw::Add => a.fetch_add(v, o),
                Rmw::Clr => a.fetch_and(!v, o),
                Rmw::Eor => a.fetch_xor(v, o),
                Rmw::Set => a.fetch_or(v, o),
                // SAFETY: same address, same size, signed view.
                Rmw::Smax => unsafe { <$as>::from_ptr(p as *mut $s) }.fetch_max(v as $s, o) as $t,
                // SAFETY: as above.
                Rmw::Smin => unsafe { <$as>::from_ptr(p as *mut $s) }.fetch_min(v as $s, o) as $t,
                Rmw::Umax => a.fetch_max(v, o),
                Rmw::Umin => a.fetch_min(v, o),
                Rmw::Swp => a.swap(v, o),
            }
        }
    };
}

atomics!(cas_u8, rmw_u8, u8, AtomicU8, i8, AtomicI8);
atomics!(cas_u16, rmw_u16, u16, AtomicU16, i16, AtomicI16);
atomics!(cas_u32, rmw_u32, u32, AtomicU32, i32, AtomicI32);
atomics!(cas_u64, rmw_u64, u64, AtomicU64, i64, AtomicI64);

/// Size-dispatched forms (size = log2 bytes) for the decoder's generic paths.
#[inline(always)]
pub fn cas_sized(size: u8, addr: u64, old: u64, new: u64) -> Result<u64, u64> {
    match size {
        0 => cas_u8(addr, old as u8, new as u8).map(u64::from).map_err(u64::from),
        1 => cas_u16(addr, old as u16, new as u16).map(u64::from).map_err(u64::from),
        2 => cas_u32(addr, old as u32, new as u32).map(u64::from).map_err(u64::from),
        _ => cas_u64(addr, old, new),
    }
}

#[inline(always)]
pub fn rmw_sized(size: u8, addr: u64, op: Rmw, v: u64) -> u64 {
    match size {
        0 => rmw_u8(addr, op, v as u8) as u64,
        1 => rmw_u16(addr, op, v as u16) as u64,
        2 => rmw_u32(addr, op, v as u32) as u64,
        _ => rmw_u64(addr, op, v),
    }
}

/// 128-bit compare-and-swap (LDXP/STXP and CASP of two X registers), with the
/// host's CMPXCHG16B. `addr` must be 16-byte aligned, as on arm64.
pub fn cas_u128(addr: u64, old: u128, new: u128) -> Result<u128, u128> {
    let (mut lo, mut hi) = (old as u64, (old >> 64) as u64);
    let ok: u8;
    // SAFETY: CMPXCHG16B on a guest address; a misaligned or unmapped address
    // faults like any guest access and is reported to the guest. rbx cannot be
    // named as an operand, so the new low half is swapped into it; the address
    // is in a fixed register, since the allocator may otherwise give it rbx.
    unsafe {
        std::arch::asm!(
            "xchg rbx, {nlo}",
            "lock cmpxchg16b [rdi]",
            "xchg rbx, {nlo}",
            "sete {ok}",
            in("rdi") addr,
            nlo = inout(reg) new as u64 => _,
            ok = out(reg_byte) ok,
            in("rcx") (new >> 64) as u64,
            inout("rax") lo,
            inout("rdx") hi,
        );
    }
    let found = (hi as u128) << 64 | lo as u128;
    if ok != 0 {
        Ok(found)
    } else {
        Err(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmw_and_cas() {
        let mut x: u64 = 5;
        let a = &mut x as *mut u64 as u64;
        assert_eq!(rmw_sized(3, a, Rmw::Add, 3), 5);
        assert_eq!(rmw_sized(3, a, Rmw::Smax, u64::MAX), 8); // -1 < 8
        assert_eq!(rmw_sized(3, a, Rmw::Umax, u64::MAX), 8);
        assert_eq!(cas_sized(3, a, u64::MAX, 1), Ok(u64::MAX));
        assert_eq!(cas_sized(3, a, 7, 2), Err(1));
        assert_eq!(rmw_sized(0, a, Rmw::Clr, 1), 1);
        assert_eq!(x, 0);
    }

    #[test]
    fn cas_128() {
        #[repr(align(16))]
        struct A(u128);
        let mut v = A(7);
        let a = &mut v.0 as *mut u128 as u64;
        assert_eq!(cas_u128(a, 7, u128::MAX - 1), Ok(7));
        assert_eq!(cas_u128(a, 7, 1), Err(u128::MAX - 1));
        assert_eq!(v.0, u128::MAX - 1);
    }
}
