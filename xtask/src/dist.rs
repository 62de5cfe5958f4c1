//! The released emu: a static executable, so that it runs as a binfmt_misc
//! interpreter inside any container or chroot whatever libc it has, and starts
//! without dynamic linking.
//!
//! It is linked against musl when the toolchain has that target, else against
//! glibc (static-pie). musl's start-up does no CPU probing, while glibc's runs
//! CPUID dozens of times to size its caches, and on a virtual machine each CPUID
//! traps to the hypervisor: a third of the start-up time of a static hello.

use crate::{cargo, run_cmd, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const MUSL: &str = "x86_64-unknown-linux-musl";
/// Naming the host triple explicitly keeps the crt-static flag off build
/// scripts and proc-macros, which must stay dynamic.
const GNU: &str = "x86_64-unknown-linux-gnu";

/// Whether the Rust toolchain has the standard library for `target`.
fn has_target(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Path::new(&sysroot).join("lib/rustlib").join(target).join("lib").is_dir()
}

/// The musl target if the toolchain has it (its programs are static without
/// further flags, so tests built for it share the release build's artifacts).
pub fn musl() -> Option<&'static str> {
    has_target(MUSL).then_some(MUSL)
}

/// Builds the static release emu, copies it to `target/dist/emu` and returns that path.
pub fn build_static_emu(root: &Path) -> Result<PathBuf> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root);
    let target = match musl() {
        Some(musl) => musl,
        None => {
            eprintln!(
                "dist: no {MUSL} target (`rustup target add {MUSL}`): linking against glibc, which starts slower"
            );
            let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
            cmd.env("RUSTFLAGS", format!("{flags} -C target-feature=+crt-static").trim());
            GNU
        }
    };
    cmd.args(["build", "--release", "-p", "emu", "--target", target]);
    run_cmd(&mut cmd)?;
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let built = dir.join(target).join("release/emu");
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;
    // Copied under another name and renamed: the old one may be running.
    let (tmp, path) = (dist.join(".emu.new"), dist.join("emu"));
    std::fs::copy(&built, &tmp).map_err(|e| format!("cannot copy {} to {}: {e}", built.display(), tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot rename {} to {}: {e}", tmp.display(), path.display()))?;
    Ok(path)
}
