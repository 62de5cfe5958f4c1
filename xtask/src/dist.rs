//! The released emu: a static executable, so that it runs as a binfmt_misc
//! interpreter inside any container or chroot whatever libc it has, and starts
//! without dynamic linking.

use crate::{cargo, run_cmd, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The host triple the static build targets: naming it explicitly keeps the
/// crt-static flag off build scripts and proc-macros, which must stay dynamic.
const HOST: &str = "x86_64-unknown-linux-gnu";

/// Builds `target/x86_64-unknown-linux-gnu/release/emu` (static-pie) and returns its path.
pub fn build_static_emu(root: &Path) -> Result<PathBuf> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["build", "--release", "-p", "emu", "--target", HOST]);
    let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    cmd.env("RUSTFLAGS", format!("{flags} -C target-feature=+crt-static").trim());
    run_cmd(&mut cmd)?;
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    Ok(dir.join(HOST).join("release/emu"))
}
