//! The sysroot (`-L DIR`, EMU_LD_PREFIX, QEMU_LD_PREFIX): absolute paths the guest
//! names resolve under DIR first, where they exist there, as qemu-user does, so an
//! arm64 root filesystem's libraries and loader are found while /proc, /dev and
//! everything the sysroot lacks still come from the host. The one place that
//! decides this: the path syscalls and the interpreter lookup all ask here.

use std::borrow::Cow;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Fixed for the life of the emu process, as qemu's: a guest's execve keeps it.
static SYSROOT: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Sets the sysroot; only the first call counts. A relative DIR is taken from
/// emu's working directory at start-up, so a guest's chdir cannot move it.
pub fn set_sysroot(dir: Option<&Path>) {
    let dir = dir.filter(|d| !d.as_os_str().is_empty());
    let _ = SYSROOT.set(dir.map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf())));
}

/// The sysroot, if one was given.
pub fn sysroot() -> Option<&'static Path> {
    SYSROOT.get().and_then(|d| d.as_deref())
}

/// The host path for the guest path `guest`: the sysroot's entry where that name
/// exists there (a final symlink counts as existing, as in a chroot), else `guest`
/// itself. Relative paths are the guest's business and pass unchanged.
pub fn host_path(guest: &[u8]) -> Cow<'_, [u8]> {
    match under_sysroot(guest) {
        Some(full) => Cow::Owned(full),
        None => Cow::Borrowed(guest),
    }
}

fn under_sysroot(guest: &[u8]) -> Option<Vec<u8>> {
    let root = sysroot()?;
    if guest.first() != Some(&b'/') {
        return None;
    }
    let mut full = root.as_os_str().as_bytes().to_vec();
    full.extend_from_slice(guest);
    exists(&full).then_some(full)
}

fn exists(path: &[u8]) -> bool {
    let Ok(c) = CString::new(path) else { return false };
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: host syscall with our own NUL-terminated string and struct.
    unsafe { libc::fstatat(libc::AT_FDCWD, c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) == 0 }
}

/// [`host_path`] as a host path, for the interpreter lookup.
pub fn host_path_buf(guest: &[u8]) -> PathBuf {
    PathBuf::from(std::ffi::OsStr::from_bytes(&host_path(guest)))
}

/// Calls `f` with the address of the host path for `guest`, the path the guest
/// gave at `addr`: `addr` itself unless the sysroot has that path.
pub(crate) fn with_host_path_of(addr: u64, guest: &[u8], f: impl FnOnce(u64) -> i64) -> i64 {
    match under_sysroot(guest).and_then(|p| CString::new(p).ok()) {
        Some(c) => f(c.as_ptr() as u64),
        None => f(addr),
    }
}
