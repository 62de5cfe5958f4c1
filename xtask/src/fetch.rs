//! Fetches Debian's statically linked busybox: the arm64 one is a large
//! real-world guest program that needs no dynamic loader; the amd64 build of
//! the same package is the native oracle for shell scripts whose applets exec
//! other programs (which qemu-user cannot do without binfmt_misc).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run_cmd, Result};

pub fn busybox(root: &Path) -> Result {
    fetch_arch(root, "arm64")?;
    fetch_arch(root, "amd64")
}

fn fetch_arch(root: &Path, arch: &str) -> Result {
    let package = format!("busybox-static:{arch}");
    let dest = root.join(format!("target/busybox-{arch}"));
    let binary = dest.join("bin/busybox");
    if binary.is_file() {
        println!("busybox: {} already present", binary.display());
        return Ok(());
    }

    let debs = root.join("target/debs");
    std::fs::create_dir_all(&debs).map_err(|e| format!("cannot create {}: {e}", debs.display()))?;
    let deb = match find_deb(&debs, arch)? {
        Some(deb) => deb,
        None => {
            if arch == "arm64" {
                check_arm64_enabled()?;
            }
            run_cmd(Command::new("apt-get").args(["download", &package]).current_dir(&debs))
                .map_err(|e| format!("{e}\nif apt does not know {package}, run `apt-get update` first"))?;
            find_deb(&debs, arch)?
                .ok_or_else(|| format!("apt-get download left no busybox .deb in {}", debs.display()))?
        }
    };

    run_cmd(Command::new("dpkg").arg("-x").arg(&deb).arg(&dest))?;
    if !binary.is_file() {
        return Err(format!("{} has no bin/busybox", deb.display()));
    }
    println!("busybox: unpacked to {}", binary.display());
    Ok(())
}

fn find_deb(dir: &Path, arch: &str) -> Result<Option<PathBuf>> {
    let suffix = format!("_{arch}.deb");
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut debs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("busybox-static_") && n.ends_with(&suffix))
        })
        .collect();
    debs.sort();
    Ok(debs.pop())
}

/// apt can only download arm64 packages once dpkg knows the architecture.
pub(crate) fn check_arm64_enabled() -> Result {
    let query = |arg: &str| -> Result<String> {
        let out = Command::new("dpkg")
            .arg(arg)
            .output()
            .map_err(|e| format!("cannot run dpkg ({e}); fetch-busybox needs a Debian-based system"))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let native = query("--print-architecture")?;
    let foreign = query("--print-foreign-architectures")?;
    if native.trim() == "arm64" || foreign.lines().any(|l| l.trim() == "arm64") {
        Ok(())
    } else {
        Err("apt does not have the arm64 architecture enabled; run \
             `dpkg --add-architecture arm64 && apt-get update` (as root)"
            .into())
    }
}
