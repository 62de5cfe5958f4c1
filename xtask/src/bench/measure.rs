//! Running one command several times: wall time, peak RSS and stdout.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{testbins, Result};

/// Set by Ctrl-C or SIGTERM: the bench stops after the running program, and
/// its guards (the temporary binfmt_misc entry) still clean up.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A command line.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub argv: Vec<OsString>,
}

impl Invocation {
    pub fn new<S: Into<OsString>>(program: impl Into<OsString>, args: impl IntoIterator<Item = S>) -> Invocation {
        Invocation { argv: std::iter::once(program.into()).chain(args.into_iter().map(Into::into)).collect() }
    }

    /// The same command run by `runner` (qemu or emu), with `pre` between the
    /// runner and the program (such as `-L SYSROOT`).
    pub fn under(&self, runner: impl Into<OsString>, pre: &[OsString]) -> Invocation {
        let mut argv = vec![runner.into()];
        argv.extend(pre.iter().cloned());
        argv.extend(self.argv.iter().cloned());
        Invocation { argv }
    }
}

/// One column of a row.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Median wall time of the runs and the largest peak RSS seen.
    Done { secs: f64, rss_kib: i64 },
    /// It ran and failed, or its output was wrong.
    Failed(String),
    /// Not run, and why (not installed, not fetched, no binfmt_misc).
    Skipped(String),
}

impl Cell {
    pub fn done(&self) -> Option<(f64, i64)> {
        match *self {
            Cell::Done { secs, rss_kib } => Some((secs, rss_kib)),
            _ => None,
        }
    }
}

/// Most uncounted runs before a row's measured ones.
const WARMUP_RUNS: usize = 10;

pub struct Run {
    pub secs: f64,
    pub maxrss_kib: i64,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    /// Why the run counts as failed, if it does.
    pub fn failure(&self) -> Option<String> {
        if self.status.success() {
            return None;
        }
        let stderr = String::from_utf8_lossy(&self.stderr);
        let last = stderr.lines().last().unwrap_or("");
        Some(format!("{}; last stderr line: {last:?}", describe(self.status)))
    }
}

/// Runs each measured command through a small helper (rusage.c), which
/// reports the command's own time and peak RSS.
pub struct Meter {
    helper: PathBuf,
    /// Where the helper writes its report.
    report: PathBuf,
}

impl Meter {
    /// Compiles the helper into target/bench-tools unless it is up to date.
    pub fn build(root: &Path) -> Result<Meter> {
        let src = root.join("xtask/src/bench/rusage.c");
        let dir = root.join("target/bench-tools");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let helper = dir.join("rusage");
        if !testbins::up_to_date(&src, &helper) {
            let mut cc = Command::new(testbins::HOST_CC);
            cc.args(["-O2", "-Wall", "-o"]).arg(&helper).arg(&src);
            crate::run_cmd(&mut cc)?;
        }
        Ok(Meter { helper, report: dir.join("last-run") })
    }

    /// Runs `inv` `runs` times; returns the cell and the first run's stdout.
    /// Rows of many short runs (start-up) begin with a few runs that are not
    /// counted, as hyperfine's warm-up does: the first runs of a command pay for
    /// a cold page cache and predictors, which says nothing about the runner.
    pub fn measure(&self, inv: &Invocation, runs: usize) -> Result<(Cell, Vec<u8>)> {
        for _ in 0..(runs / 4).min(WARMUP_RUNS) {
            if let Some(why) = self.run_once(inv)?.failure() {
                return Ok((Cell::Failed(why), Vec::new()));
            }
        }
        let mut times = Vec::new();
        let mut peak_rss_kib = 0;
        let mut first_stdout: Option<Vec<u8>> = None;
        for _ in 0..runs {
            let run = self.run_once(inv)?;
            if let Some(why) = run.failure() {
                return Ok((Cell::Failed(why), Vec::new()));
            }
            if first_stdout.as_ref().is_some_and(|s| *s != run.stdout) {
                return Ok((Cell::Failed("stdout changed between runs".into()), Vec::new()));
            }
            times.push(run.secs);
            peak_rss_kib = peak_rss_kib.max(run.maxrss_kib);
            first_stdout.get_or_insert(run.stdout);
        }
        let cell = Cell::Done { secs: median(&mut times), rss_kib: peak_rss_kib };
        Ok((cell, first_stdout.unwrap_or_default()))
    }

    pub fn run_once(&self, inv: &Invocation) -> Result<Run> {
        let program = inv.argv.first().ok_or("empty command")?.to_string_lossy().into_owned();
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err("interrupted".into());
        }
        let _ = std::fs::remove_file(&self.report);
        let mut child = Command::new(&self.helper)
            .arg(&self.report)
            .args(&inv.argv)
            .env_remove("EMU_LOG")
            // The same messages and collation under every runner.
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.helper.display()))?;
        // stderr is drained on its own thread so neither pipe can fill up and stall the child.
        let stderr_pipe = child.stderr.take();
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = stderr_pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        });
        let mut stdout = Vec::new();
        if let Some(mut pipe) = child.stdout.take() {
            let _ = pipe.read_to_end(&mut stdout);
        }
        let helper_status = child.wait().map_err(|e| format!("cannot wait for {program}: {e}"))?;
        let stderr = stderr_reader.join().unwrap_or_default();
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err("interrupted".into());
        }
        let report = std::fs::read_to_string(&self.report).unwrap_or_default();
        let fields: Vec<&str> = report.split_whitespace().collect();
        match (helper_status.success(), fields.as_slice()) {
            (true, [secs, kib, status]) => Ok(Run {
                secs: secs.parse().map_err(|_| format!("bad time {secs:?} from the rusage helper"))?,
                maxrss_kib: kib.parse().map_err(|_| format!("bad RSS {kib:?} from the rusage helper"))?,
                status: ExitStatus::from_raw(status.parse().map_err(|_| format!("bad status {status:?}"))?),
                stdout,
                stderr,
            }),
            _ => Err(format!(
                "could not measure {program} ({}): {}",
                describe(helper_status),
                String::from_utf8_lossy(&stderr).trim()
            )),
        }
    }
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => format!("{status}"),
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}
