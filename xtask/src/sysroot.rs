//! `cargo xtask fetch-sysroot`: Debian's arm64 packages of some real dynamically
//! linked programs (bash, coreutils, and the libraries they need), unpacked into
//! target/sysroot-arm64 for `emu -L` and the dynamic-program tests. Downloaded
//! with apt, never committed.

use crate::fetch::check_arm64_enabled;
use crate::{run_cmd, Result};
use std::path::Path;
use std::process::Command;

/// The programs, then every library they load (their Depends that ship
/// shared objects).
pub const PACKAGES: &[&str] =
    &["libc6", "bash", "coreutils", "libtinfo6", "libacl1", "libattr1", "libgmp10", "libselinux1", "libpcre2-8-0"];

pub fn fetch(root: &Path) -> Result {
    let dest = root.join("target/sysroot-arm64");
    let stamp = dest.join(".packages");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        println!("sysroot: {} already has {}", dest.display(), PACKAGES.join(" "));
        return Ok(());
    }
    check_arm64_enabled()?;
    let debs = root.join("target/debs/sysroot");
    let _ = std::fs::remove_dir_all(&debs);
    std::fs::create_dir_all(&debs).map_err(|e| format!("cannot create {}: {e}", debs.display()))?;
    let mut download = Command::new("apt-get");
    download.arg("download").args(PACKAGES.iter().map(|p| format!("{p}:arm64"))).current_dir(&debs);
    run_cmd(&mut download).map_err(|e| format!("{e}\nif apt does not know a package, run `apt-get update` first"))?;

    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let entries = std::fs::read_dir(&debs).map_err(|e| format!("cannot read {}: {e}", debs.display()))?;
    let mut count = 0;
    for deb in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if deb.extension().is_some_and(|x| x == "deb") {
            run_cmd(Command::new("dpkg").arg("-x").arg(&deb).arg(&dest))?;
            count += 1;
        }
    }
    if count != PACKAGES.len() {
        return Err(format!("expected {} packages in {}, found {count}", PACKAGES.len(), debs.display()));
    }
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    println!("sysroot: unpacked {count} packages into {}", dest.display());
    Ok(())
}
