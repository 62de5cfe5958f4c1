//! Direct guest loads and stores. Guest addresses are host addresses.
//!
//! These are safe functions over an unsafe operation: a wrong address faults in the
//! host (caught by the runtime's SIGSEGV handler and reported to the guest), it can
//! never alias emu's own Rust objects because the address space map refuses to
//! hand emu's memory to the guest.

// Each access is one host instruction in inline assembly rather than a Rust pointer
// access: guest addresses may be null, misaligned or unmapped, which Rust forbids
// for its own pointers but which is simply a (caught) fault for the CPU.
macro_rules! load_store {
    ($load:ident, $store:ident, $t:ty, $ld:literal, $st:literal, $reg:ident) => {
        #[inline(always)]
        pub fn $load(addr: u64) -> $t {
            let v: u64;
            // SAFETY: guest memory is identity-mapped host memory; a bad address
            // faults and is turned into a guest signal by the runtime.
            unsafe {
                std::arch::asm!($ld, a = in(reg) addr, v = out(reg) v, options(nostack, preserves_flags, readonly))
            };
            v as $t
        }
        #[inline(always)]
        pub fn $store(addr: u64, v: $t) {
            // SAFETY: as above; the guest cannot address emu's own memory.
            unsafe {
                std::arch::asm!($st, a = in(reg) addr, v = in($reg) v, options(nostack, preserves_flags))
            };
        }
    };
}

load_store!(load_u8, store_u8, u8, "movzx {v:e}, byte ptr [{a}]", "mov byte ptr [{a}], {v}", reg_byte);
load_store!(load_u16, store_u16, u16, "movzx {v:e}, word ptr [{a}]", "mov word ptr [{a}], {v:x}", reg);
load_store!(load_u32, store_u32, u32, "mov {v:e}, dword ptr [{a}]", "mov dword ptr [{a}], {v:e}", reg);
load_store!(load_u64, store_u64, u64, "mov {v}, qword ptr [{a}]", "mov qword ptr [{a}], {v}", reg);

#[inline(always)]
pub fn load_u128(addr: u64) -> u128 {
    let (lo, hi): (u64, u64);
    // SAFETY: as for the loads above. Two 64-bit loads: AArch64 guarantees only
    // 64-bit single-copy atomicity for 128-bit accesses without LSE2.
    unsafe {
        std::arch::asm!(
            "mov {lo}, qword ptr [{a}]",
            "mov {hi}, qword ptr [{a} + 8]",
            a = in(reg) addr, lo = out(reg) lo, hi = out(reg) hi,
            options(nostack, preserves_flags, readonly)
        )
    };
    (hi as u128) << 64 | lo as u128
}

#[inline(always)]
pub fn store_u128(addr: u64, v: u128) {
    // SAFETY: as for the stores above.
    unsafe {
        std::arch::asm!(
            "mov qword ptr [{a}], {lo}",
            "mov qword ptr [{a} + 8], {hi}",
            a = in(reg) addr, lo = in(reg) v as u64, hi = in(reg) (v >> 64) as u64,
            options(nostack, preserves_flags)
        )
    };
}

/// Copies guest bytes into a host buffer without risking a host fault: for the
/// syscall layer, which must answer EFAULT rather than crash on a bad pointer.
/// Needs the runtime's fault handler (which calls [`crate::recover::recover_copy_fault`]).
pub fn read_bytes(addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
    if crate::recover::guarded_copy(buf.as_mut_ptr() as u64, addr, buf.len()) {
        Ok(())
    } else {
        Err(Fault { addr })
    }
}

/// Writes host bytes into guest memory, answering a fault instead of crashing.
pub fn write_bytes(addr: u64, data: &[u8]) -> Result<(), Fault> {
    if crate::recover::guarded_copy(addr, data.as_ptr() as u64, data.len()) {
        Ok(())
    } else {
        Err(Fault { addr })
    }
}

/// Reads a NUL-terminated guest string (at most `max` bytes, NUL excluded).
pub fn read_cstr(addr: u64, max: usize) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 256];
    let mut a = addr;
    while out.len() < max {
        // Never cross a page boundary in one read, so a string that ends just before
        // an unmapped page is still read.
        let to_page = (crate::PAGE_SIZE - (a % crate::PAGE_SIZE)) as usize;
        let n = chunk.len().min(to_page);
        read_bytes(a, &mut chunk[..n])?;
        if let Some(z) = chunk[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..z]);
            return Ok(out);
        }
        out.extend_from_slice(&chunk[..n]);
        a += n as u64;
    }
    Err(Fault { addr })
}

/// A guest address that could not be accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("guest memory fault at {addr:#x}")]
pub struct Fault {
    pub addr: u64,
}

/// A load of 1, 2, 4 or 8 bytes, zero-extended.
#[inline(always)]
pub fn load_u64_sized(addr: u64, size: usize) -> u64 {
    match size {
        1 => load_u8(addr) as u64,
        2 => load_u16(addr) as u64,
        4 => load_u32(addr) as u64,
        _ => load_u64(addr),
    }
}

/// A store of the low 1, 2, 4 or 8 bytes of `v`.
#[inline(always)]
pub fn store_u64_sized(addr: u64, size: usize, v: u64) {
    match size {
        1 => store_u8(addr, v as u8),
        2 => store_u16(addr, v as u16),
        4 => store_u32(addr, v as u32),
        _ => store_u64(addr, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_store_roundtrip_unaligned() {
        let mut buf = [0u8; 32];
        let a = buf.as_mut_ptr() as u64 + 3;
        store_u64(a, 0x1122_3344_5566_7788);
        assert_eq!(load_u64(a), 0x1122_3344_5566_7788);
        assert_eq!(load_u8(a), 0x88);
        store_u128(a + 1, u128::MAX - 5);
        assert_eq!(load_u128(a + 1), u128::MAX - 5);
    }

    #[test]
    fn read_bytes_reports_fault() {
        extern "C" fn on_fault(_: i32, _: *mut libc::siginfo_t, uc: *mut libc::c_void) {
            // SAFETY: the ucontext of this handler.
            if !unsafe { crate::recover::recover_copy_fault(uc) } {
                std::process::abort();
            }
        }
        // SAFETY: installing a handler that only recovers guarded copies.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_fault as *const () as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
            libc::sigaction(libc::SIGSEGV, &act, std::ptr::null_mut());
        }
        let mut b = [0u8; 8];
        assert_eq!(read_bytes(8, &mut b), Err(Fault { addr: 8 }));
        let s = b"abc\0";
        assert_eq!(read_cstr(s.as_ptr() as u64, 100).unwrap(), b"abc");
        assert_eq!(write_bytes(16, b"x"), Err(Fault { addr: 16 }));
        let mut dst = [0u8; 3];
        write_bytes(dst.as_mut_ptr() as u64, b"xyz").unwrap();
        assert_eq!(&dst, b"xyz");
    }
}
