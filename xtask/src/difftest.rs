//! `cargo xtask difftest`: the random differential instruction tester
//! (crates/difftest) on the release emu against qemu-aarch64-static.

use std::path::Path;
use std::process::Command;

use crate::{cargo, run_cmd, Result};

/// Builds the release emu and the tester, then runs the tester with `args`
/// (`--count N`, `--class NAME`, `--seed S`...; see `difftest --help`).
pub fn run(root: &Path, args: &[String]) -> Result {
    run_cmd(Command::new(cargo()).current_dir(root).args(["build", "--release", "-p", "emu", "-p", "difftest"]))?;
    let release = root.join("target/release");
    run_cmd(
        Command::new(release.join("difftest"))
            .current_dir(root)
            .arg("--emu")
            .arg(release.join("emu"))
            .arg("--work-dir")
            .arg(root.join("target/difftest"))
            .args(args),
    )
}
