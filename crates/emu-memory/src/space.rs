//! The guest address space: which host ranges belong to the guest.
//!
//! Guest and emu share one host address space. This map is what keeps them apart:
//! a guest `mmap(MAP_FIXED)`, `munmap` or `mprotect` may only touch ranges that the
//! guest owns (or that nobody owns), never emu's image, heap or thread stacks.

use std::collections::BTreeMap;

pub const PAGE_SIZE: u64 = 4096;

/// Page protections, in the host's (and aarch64's: they agree) PROT_* encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prot(pub i32);

impl Prot {
    pub const NONE: Prot = Prot(libc::PROT_NONE);
    pub const R: Prot = Prot(libc::PROT_READ);
    pub const RW: Prot = Prot(libc::PROT_READ | libc::PROT_WRITE);
    pub fn exec(self) -> bool {
        self.0 & libc::PROT_EXEC != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The host refused, with this errno.
    #[error("host mmap failed: errno {0}")]
    Host(i32),
    /// The range overlaps memory that emu itself uses.
    #[error("range overlaps emulator memory")]
    NotGuest,
}

impl MapError {
    /// The errno a guest sees for this failure.
    pub fn errno(self) -> i32 {
        match self {
            MapError::Host(e) => e,
            MapError::NotGuest => libc::ENOMEM,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Region {
    end: u64,
    prot: Prot,
}

/// The guest's mappings and its program break.
#[derive(Debug, Default)]
pub struct AddressSpace {
    regions: BTreeMap<u64, Region>,
    brk_start: u64,
    brk_cur: u64,
}

pub fn page_down(a: u64) -> u64 {
    a & !(PAGE_SIZE - 1)
}

pub fn page_up(a: u64) -> u64 {
    a.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL)
}

impl AddressSpace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps memory for the guest. `flags` are host MAP_* flags. With MAP_FIXED the
    /// range may replace only guest memory; without it, `addr` is a hint.
    pub fn mmap(&mut self, addr: u64, len: u64, prot: Prot, flags: i32, fd: i32, offset: i64) -> Result<u64, MapError> {
        if len == 0 {
            return Err(MapError::Host(libc::EINVAL));
        }
        let len = page_up(len);
        let fixed = flags & libc::MAP_FIXED != 0;
        let noreplace = flags & libc::MAP_FIXED_NOREPLACE != 0;
        let base_flags = flags & !(libc::MAP_FIXED | libc::MAP_FIXED_NOREPLACE);
        let got = if fixed && self.all_guest(addr, len) {
            // Replacing guest memory only (the loader's segments over its
            // reservation, ld.so's libraries): one host call.
            host_mmap(addr, len, prot, base_flags | libc::MAP_FIXED, fd, offset).map_err(MapError::Host)?
        } else if fixed {
            // Not all the guest's: allowed only where nothing at all is mapped.
            match host_mmap(addr, len, prot, base_flags | libc::MAP_FIXED_NOREPLACE, fd, offset) {
                Ok(a) => a,
                Err(libc::EEXIST) => return Err(MapError::NotGuest),
                Err(e) => return Err(MapError::Host(e)),
            }
        } else if noreplace {
            host_mmap(addr, len, prot, flags, fd, offset).map_err(MapError::Host)?
        } else {
            host_mmap(addr, len, prot, base_flags, fd, offset).map_err(MapError::Host)?
        };
        self.insert(got, got + len, prot);
        Ok(got)
    }

    /// Turns [addr, addr + len) of the guest's memory into a reservation that is
    /// no longer the guest's: inaccessible, so that a guest access faults, and
    /// kept, so that nothing else is placed there (Linux's stack guard gap).
    pub fn guard(&mut self, addr: u64, len: u64) -> Result<(), MapError> {
        let end = addr.checked_add(page_up(len)).ok_or(MapError::Host(libc::EINVAL))?;
        if !addr.is_multiple_of(PAGE_SIZE) || !self.all_guest(addr, end - addr) {
            return Err(MapError::Host(libc::EINVAL));
        }
        // SAFETY: host syscall on guest-owned pages, which stop being the guest's.
        if unsafe { libc::mprotect(addr as usize as *mut libc::c_void, (end - addr) as usize, libc::PROT_NONE) } != 0 {
            return Err(MapError::Host(errno()));
        }
        self.remove(addr, end);
        Ok(())
    }

    /// Unmaps the guest's parts of a range; parts that are not the guest's are left
    /// alone (to the guest they were never mapped).
    pub fn munmap(&mut self, addr: u64, len: u64) -> Result<(), MapError> {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(MapError::Host(libc::EINVAL));
        }
        let end = addr.checked_add(page_up(len)).ok_or(MapError::Host(libc::EINVAL))?;
        for (s, e) in self.guest_parts(addr, end) {
            // SAFETY: host syscall on a range the guest owns; emu holds no references
            // into guest memory.
            unsafe { libc::munmap(s as usize as *mut libc::c_void, (e - s) as usize) };
        }
        self.remove(addr, end);
        Ok(())
    }

    /// Changes protection of guest memory; ENOMEM if any part is not the guest's.
    pub fn mprotect(&mut self, addr: u64, len: u64, prot: Prot) -> Result<(), MapError> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(MapError::Host(libc::EINVAL));
        }
        let end = addr.checked_add(page_up(len)).ok_or(MapError::Host(libc::EINVAL))?;
        if !self.all_guest(addr, end - addr) {
            return Err(MapError::Host(libc::ENOMEM));
        }
        // SAFETY: host syscall on guest-owned pages.
        let r = unsafe { libc::mprotect(addr as usize as *mut libc::c_void, (end - addr) as usize, prot.0) };
        if r != 0 {
            return Err(MapError::Host(errno()));
        }
        self.remove(addr, end);
        self.insert(addr, end, prot);
        Ok(())
    }

    /// Records a range mapped by someone else on the guest's behalf (the loader).
    pub fn insert(&mut self, start: u64, end: u64, prot: Prot) {
        self.remove(start, end);
        self.regions.insert(start, Region { end, prot });
    }

    /// True when every byte of [addr, addr+len) belongs to the guest.
    pub fn all_guest(&self, addr: u64, len: u64) -> bool {
        let end = addr.saturating_add(len);
        let mut cur = addr;
        // Walk forward from the region containing `cur`.
        while cur < end {
            match self.regions.range(..=cur).next_back() {
                Some((_, r)) if r.end > cur => cur = r.end,
                _ => return false,
            }
        }
        true
    }

    /// Whether `addr` is in guest memory that may hold code.
    pub fn is_executable(&self, addr: u64) -> bool {
        matches!(self.regions.range(..=addr).next_back(), Some((_, r)) if r.end > addr && r.prot.exec())
    }

    /// The guest-owned sub-ranges of [start, end).
    fn guest_parts(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let first = self.regions.range(..=start).next_back().map(|(&s, _)| s).unwrap_or(start);
        for (&s, r) in self.regions.range(first..end) {
            let (a, b) = (s.max(start), r.end.min(end));
            if a < b {
                out.push((a, b));
            }
        }
        out
    }

    /// Forgets [start, end), splitting regions that straddle its edges.
    fn remove(&mut self, start: u64, end: u64) {
        let first = self.regions.range(..=start).next_back().map(|(&s, _)| s).unwrap_or(start);
        let keys: Vec<u64> = self.regions.range(first..end).map(|(&s, _)| s).collect();
        for s in keys {
            let Some(r) = self.regions.remove(&s) else { continue };
            if r.end <= start {
                self.regions.insert(s, r);
                continue;
            }
            if s < start {
                self.regions.insert(s, Region { end: start, prot: r.prot });
            }
            if r.end > end {
                self.regions.insert(end, Region { end: r.end, prot: r.prot });
            }
        }
    }

    /// Sets where the program break starts (just past the highest loaded segment).
    pub fn init_brk(&mut self, start: u64) {
        self.brk_start = page_up(start);
        self.brk_cur = self.brk_start;
    }

    /// The brk syscall: grows or shrinks the break, answering the new (or, on
    /// failure, the old) break as Linux does.
    pub fn brk(&mut self, new: u64) -> u64 {
        if new < self.brk_start {
            return self.brk_cur;
        }
        let (old_top, new_top) = (page_up(self.brk_cur), page_up(new));
        if new_top > old_top {
            let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE;
            match host_mmap(old_top, new_top - old_top, Prot::RW, flags, -1, 0) {
                Ok(a) if a == old_top => self.insert(old_top, new_top, Prot::RW),
                _ => return self.brk_cur,
            }
        } else if new_top < old_top {
            let _ = self.munmap(new_top, old_top - new_top);
        }
        self.brk_cur = new;
        new
    }
}

/// Host mmap returning the address or the errno.
pub fn host_mmap(addr: u64, len: u64, prot: Prot, flags: i32, fd: i32, offset: i64) -> Result<u64, i32> {
    // SAFETY: host syscall; callers ensure MAP_FIXED is only used on guest ranges.
    let p = unsafe { libc::mmap(addr as usize as *mut libc::c_void, len as usize, prot.0, flags, fd, offset) };
    if p == libc::MAP_FAILED {
        Err(errno())
    } else {
        Ok(p as u64)
    }
}

impl AddressSpace {
    /// Protection of the guest page holding `addr`.
    pub fn prot_at(&self, addr: u64) -> Option<Prot> {
        match self.regions.range(..=addr).next_back() {
            Some((_, r)) if r.end > addr => Some(r.prot),
            _ => None,
        }
    }

    /// The mremap syscall on guest memory. `flags` are MREMAP_* (same on both ABIs).
    pub fn mremap(&mut self, old: u64, old_len: u64, new_len: u64, flags: i32, new_addr: u64) -> Result<u64, MapError> {
        if !old.is_multiple_of(PAGE_SIZE) || new_len == 0 {
            return Err(MapError::Host(libc::EINVAL));
        }
        let (old_len, new_len) = (page_up(old_len), page_up(new_len));
        if !self.all_guest(old, old_len.max(1)) {
            return Err(MapError::Host(libc::EFAULT));
        }
        let prot = self.prot_at(old).unwrap_or(Prot::NONE);
        if flags & libc::MREMAP_FIXED != 0 && !self.all_guest(new_addr, new_len) {
            // Claim the target first, so the move cannot replace emu's memory.
            let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE;
            host_mmap(new_addr, new_len, Prot::NONE, anon, -1, 0).map_err(|_| MapError::NotGuest)?;
        }
        // SAFETY: host syscall on guest-owned memory; the target, if fixed, is the
        // guest's or was just claimed for it.
        let r = unsafe {
            libc::mremap(
                old as usize as *mut libc::c_void,
                old_len as usize,
                new_len as usize,
                flags,
                new_addr as usize,
            )
        };
        if r == libc::MAP_FAILED {
            return Err(MapError::Host(errno()));
        }
        let r = r as u64;
        if r == old {
            if new_len < old_len {
                self.remove(old + new_len, old + old_len);
            } else {
                self.insert(old, old + new_len, prot);
            }
        } else {
            if flags & libc::MREMAP_DONTUNMAP == 0 {
                self.remove(old, old + old_len);
            }
            self.insert(r, r + new_len, prot);
        }
        Ok(r)
    }

    /// madvise on guest memory only (MADV_DONTNEED on emu's heap would zero it).
    pub fn madvise(&self, addr: u64, len: u64, advice: i32) -> Result<(), MapError> {
        if !self.all_guest(addr, page_up(len).max(1)) {
            return Err(MapError::Host(libc::ENOMEM));
        }
        // SAFETY: host syscall on guest-owned pages.
        let r = unsafe { libc::madvise(addr as usize as *mut libc::c_void, len as usize, advice) };
        if r != 0 {
            return Err(MapError::Host(errno()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_map_refuses_emulator_memory() {
        let mut s = AddressSpace::new();
        let mine = Box::new([0u8; 8192]);
        let a = page_up(mine.as_ptr() as u64);
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED;
        // The heap page is emu's: replacing it must be refused.
        assert_eq!(s.mmap(a, 4096, Prot::RW, flags, -1, 0), Err(MapError::NotGuest));
    }

    #[test]
    fn map_split_and_unmap() {
        let mut s = AddressSpace::new();
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        let a = s.mmap(0, 4 * PAGE_SIZE, Prot::RW, flags, -1, 0).unwrap();
        assert!(s.all_guest(a, 4 * PAGE_SIZE));
        s.munmap(a + PAGE_SIZE, PAGE_SIZE).unwrap();
        assert!(!s.all_guest(a, 4 * PAGE_SIZE));
        assert!(s.all_guest(a + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
        // Re-mapping the hole with MAP_FIXED is allowed: nobody owns it.
        let b = s.mmap(a + PAGE_SIZE, PAGE_SIZE, Prot::RW, flags | libc::MAP_FIXED, -1, 0).unwrap();
        assert_eq!(b, a + PAGE_SIZE);
        assert!(s.all_guest(a, 4 * PAGE_SIZE));
        s.munmap(a, 4 * PAGE_SIZE).unwrap();
    }
}
