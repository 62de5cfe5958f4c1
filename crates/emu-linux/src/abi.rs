//! Guest (aarch64) ABI structs and constants that differ from the x86_64 host's.
//! Each struct has compile-time size and offset checks against the kernel's
//! asm-generic layout.

use std::mem::{offset_of, size_of};

/// `struct stat` of asm-generic (aarch64). x86_64 has its own, different layout.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct GuestStat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    pub __pad1: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    pub __pad2: i32,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: u64,
    pub st_mtime: i64,
    pub st_mtime_nsec: u64,
    pub st_ctime: i64,
    pub st_ctime_nsec: u64,
    pub __unused: [u32; 2],
}

const _: () = assert!(size_of::<GuestStat>() == 128);
const _: () = assert!(offset_of!(GuestStat, st_mode) == 16);
const _: () = assert!(offset_of!(GuestStat, st_rdev) == 32);
const _: () = assert!(offset_of!(GuestStat, st_size) == 48);
const _: () = assert!(offset_of!(GuestStat, st_blksize) == 56);
const _: () = assert!(offset_of!(GuestStat, st_blocks) == 64);
const _: () = assert!(offset_of!(GuestStat, st_atime) == 72);
const _: () = assert!(offset_of!(GuestStat, st_mtime) == 88);
const _: () = assert!(offset_of!(GuestStat, st_ctime) == 104);

impl From<&libc::stat> for GuestStat {
    fn from(s: &libc::stat) -> Self {
        GuestStat {
            st_dev: s.st_dev,
            st_ino: s.st_ino,
            st_mode: s.st_mode,
            st_nlink: s.st_nlink as u32,
            st_uid: s.st_uid,
            st_gid: s.st_gid,
            st_rdev: s.st_rdev,
            st_size: s.st_size,
            st_blksize: s.st_blksize as i32,
            st_blocks: s.st_blocks,
            st_atime: s.st_atime,
            st_atime_nsec: s.st_atime_nsec as u64,
            st_mtime: s.st_mtime,
            st_mtime_nsec: s.st_mtime_nsec as u64,
            st_ctime: s.st_ctime,
            st_ctime_nsec: s.st_ctime_nsec as u64,
            ..Default::default()
        }
    }
}

impl GuestStat {
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: a repr(C) struct of plain integers with no padding holes (checked
        // by the size assertion above) viewed as bytes.
        unsafe { std::slice::from_raw_parts(self as *const Self as *const u8, size_of::<Self>()) }
    }
}

/// Open flags whose values differ: (aarch64, x86_64). All others agree.
pub const OPEN_FLAG_MAP: [(i32, i32); 4] = [
    (0o40000, libc::O_DIRECTORY),
    (0o100000, libc::O_NOFOLLOW),
    (0o200000, libc::O_DIRECT),
    (0o400000, 0o100000), // O_LARGEFILE
];

const DIFFERING: i32 = 0o40000 | 0o100000 | 0o200000 | 0o400000;

/// aarch64 open flags to the host's.
pub fn open_flags_to_host(f: i32) -> i32 {
    OPEN_FLAG_MAP.iter().fold(f & !DIFFERING, |acc, &(g, h)| if f & g != 0 { acc | h } else { acc })
}

/// Host open flags (as F_GETFL answers) to aarch64's.
pub fn open_flags_to_guest(f: i32) -> i32 {
    OPEN_FLAG_MAP.iter().fold(f & !DIFFERING, |acc, &(g, h)| if f & h != 0 { acc | g } else { acc })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_round_trip() {
        // aarch64 O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC|O_RDONLY
        let g = 0o40000 | 0o100000 | libc::O_CLOEXEC;
        let h = open_flags_to_host(g);
        assert_eq!(h, libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC);
        assert_eq!(open_flags_to_guest(h), g);
        assert_eq!(open_flags_to_host(0o400000 | libc::O_WRONLY), 0o100000 | libc::O_WRONLY);
    }
}
