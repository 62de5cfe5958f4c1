//! Building the arm64 harness and running a batch of cases in it, under
//! qemu-aarch64-static or under emu.

use crate::case::{CaseIn, CaseOut, IN_SIZE, OUT_SIZE};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CROSS_CC: &str = "aarch64-linux-gnu-gcc";
pub const QEMU: &str = "qemu-aarch64-static";

fn sources() -> [PathBuf; 2] {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("harness");
    [dir.join("harness.c"), dir.join("run_case.S")]
}

/// Builds the harness into `out_dir` unless it is newer than its sources.
pub fn build(out_dir: &Path) -> Result<PathBuf, String> {
    let out = out_dir.join("difftest_harness");
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest_src = sources().iter().filter_map(|s| mtime(s)).max();
    if let (Some(o), Some(s)) = (mtime(&out), newest_src) {
        if o > s {
            return Ok(out);
        }
    }
    std::fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    // Built under a private name and renamed, so concurrent runs never see half a file.
    let tmp = out_dir.join(format!("difftest_harness.{}", std::process::id()));
    let output = Command::new(CROSS_CC)
        .args(["-O2", "-Wall", "-static", "-o"])
        .arg(&tmp)
        .args(sources())
        .output()
        .map_err(|e| format!("cannot run {CROSS_CC} (apt-get install gcc-aarch64-linux-gnu): {e}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{CROSS_CC} failed building the harness:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    std::fs::rename(&tmp, &out).map_err(|e| format!("cannot rename to {}: {e}", out.display()))?;
    Ok(out)
}

/// How one process run of the harness went.
pub struct Run {
    /// One record per case the harness finished, in order.
    pub outs: Vec<CaseOut>,
    /// Set when the harness did not finish every case: how it ended, and its stderr.
    pub died: Option<String>,
}

/// Runs `cases` through `harness` under `runner` (e.g. `[qemu-aarch64-static]`).
pub fn run(runner: &[OsString], harness: &Path, cases: &[CaseIn], timeout: Duration) -> Result<Run, String> {
    let (program, args) = runner.split_first().ok_or("empty runner command")?;
    let mut child = Command::new(program)
        .args(args)
        .arg(harness)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.to_string_lossy()))?;
    let mut input = Vec::with_capacity(cases.len() * IN_SIZE);
    for c in cases {
        c.to_bytes(&mut input);
    }
    let mut stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut stderr = child.stderr.take().ok_or("no stderr pipe")?;
    // A harness that dies early stops reading: the write error is expected then.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let err_reader = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = stderr.read_to_end(&mut err);
        err
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(|e| format!("wait: {e}"))? {
            Some(status) => break Some(status),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let _ = writer.join();
    let bytes = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let outs: Vec<CaseOut> = bytes.chunks_exact(OUT_SIZE).map(CaseOut::parse).collect();
    let died = match status {
        Some(s) if s.success() && outs.len() == cases.len() => None,
        Some(s) => Some(format!("{s}; stderr: {}", String::from_utf8_lossy(&err).trim())),
        None => Some(format!("timed out after {timeout:?}")),
    };
    Ok(Run { outs, died })
}
