//! What `cargo xtask rootfs` (and the bench's process-heavy row) changes on
//! the machine, undone whatever happens: a temporary binfmt_misc registration
//! (emu's or qemu's), other arm64 registrations disabled meanwhile, and file
//! systems mounted in the chroot.

use crate::Result;
use emu_binfmt::{Binfmt, MOUNT_POINT};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A temporary registration of `interpreter` for arm64 programs.
pub struct Registration {
    binfmt: Binfmt,
    pub name: String,
    /// Other arm64 registrations (qemu-aarch64 on many machines), disabled
    /// while ours is in place and enabled again afterwards.
    disabled: Vec<String>,
    unmount: bool,
}

impl Registration {
    pub fn new(name: &str, interpreter: &Path, flags: &str) -> Result<Registration> {
        let binfmt = Binfmt::default();
        let unmount = !binfmt.dir.join("register").exists();
        let mut reg = Registration { binfmt, name: name.to_string(), disabled: Vec::new(), unmount };
        for other in reg.binfmt.entries() {
            if other.enabled && other.handles_aarch64() && other.name != name {
                reg.binfmt.control(&other.name, "0").map_err(|e| format!("cannot disable {}: {e}", other.name))?;
                println!("binfmt: disabled the binfmt_misc registration {} for now", other.name);
                reg.disabled.push(other.name);
            }
        }
        let report = reg
            .binfmt
            .install(name, flags, false, false, interpreter)
            .map_err(|e| format!("cannot register {} with binfmt_misc: {e}", interpreter.display()))?;
        print!("binfmt: {}", report.text);
        Ok(reg)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.binfmt.dir.join(&self.name).exists() {
            match self.binfmt.control(&self.name, "-1") {
                Ok(()) => println!("binfmt: removed the binfmt_misc registration {}", self.name),
                Err(e) => eprintln!(
                    "binfmt: cannot remove {}: {e}; run `emu binfmt uninstall --name {}`",
                    self.name, self.name
                ),
            }
        }
        for name in &self.disabled {
            if let Err(e) = self.binfmt.control(name, "1") {
                eprintln!("binfmt: cannot enable {name} again: {e}");
            }
        }
        if self.unmount {
            let _ = Command::new("umount").arg(MOUNT_POINT).status();
        }
    }
}

/// File systems mounted under a root filesystem; unmounted when dropped.
pub struct Mounts(pub PathBuf);

impl Mounts {
    pub fn mount(&self, fstype: &str, at: &str) -> Result {
        let target = self.0.join(at);
        let status = Command::new("mount").args(["-t", fstype, fstype]).arg(&target).status();
        match status {
            Ok(s) if s.success() => Ok(()),
            _ => Err(format!("cannot mount {fstype} on {}", target.display())),
        }
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        unmount_below(&self.0);
    }
}

/// Unmounts everything mounted at or below `dir`, deepest first (the second
/// stage mounts /proc and /sys, and leaves them if it is killed).
pub fn unmount_below(dir: &Path) {
    let Ok(dir) = dir.canonicalize() else { return };
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut below: Vec<PathBuf> = mounts
        .lines()
        .filter_map(|l| l.split(' ').nth(1))
        // /proc/mounts escapes spaces as \040; our paths have none.
        .map(PathBuf::from)
        .filter(|p| p.starts_with(&dir))
        .collect();
    below.sort();
    for path in below.iter().rev() {
        if !Command::new("umount").arg(path).status().is_ok_and(|s| s.success()) {
            let _ = Command::new("umount").arg("-l").arg(path).status();
        }
    }
}

/// Ctrl-C and SIGTERM set `flag` instead of ending xtask, so that the
/// running step is stopped and the guards above still run. A handler rather
/// than SIG_IGN: handlers do not survive exec into the children.
pub fn survive_interrupts(flag: &'static AtomicBool) {
    static FLAG: OnceLock<&'static AtomicBool> = OnceLock::new();
    let _ = FLAG.set(flag);
    extern "C" fn note(_: libc::c_int) {
        if let Some(flag) = FLAG.get() {
            flag.store(true, Ordering::Relaxed);
        }
    }
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::signal(sig, note as extern "C" fn(libc::c_int) as libc::sighandler_t) };
    }
}
