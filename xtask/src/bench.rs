//! Wall time and peak memory of the `testbins/bench_*` programs run
//! natively, under qemu-aarch64-static and under emu, plus startup latency.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::{have_program, testbins, Result};

const QEMU: &str = "qemu-aarch64-static";
const STARTUP_RUNS: usize = 20;

/// One column of the table: the median of several runs, or why it failed.
struct Measured {
    median_secs: f64,
    peak_rss_kib: i64,
    stdout: Vec<u8>,
    failure: Option<String>,
}

struct Run {
    secs: f64,
    maxrss_kib: i64,
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

pub fn run(root: &Path, args: &[String]) -> Result {
    let runs = parse_runs(args)?;
    let emu = crate::dist::build_static_emu(root)?;
    testbins::build(root)?;
    if !have_program(QEMU, "--version") {
        return Err(format!("{QEMU} not found; install it with `apt-get install qemu-user-static`"));
    }
    let bins = root.join("target/testbins");

    let mut rows = vec![header()];
    let mut notes = Vec::new();
    for name in workloads(&root.join("testbins"))? {
        eprintln!("running {name} ({runs} runs under each)");
        let static_bin = bins.join("static").join(&name);
        let cells = compare(&bins.join("native").join(&name), &static_bin, &emu, runs, &mut notes)?;
        rows.push(row(&name, &cells, 1.0, 3));
    }
    eprintln!("running hello ({STARTUP_RUNS} runs under each)");
    let hello = bins.join("static/hello");
    let cells = compare(&bins.join("native/hello"), &hello, &emu, STARTUP_RUNS, &mut notes)?;
    rows.push(row("hello startup (ms)", &cells, 1000.0, 2));

    println!();
    print_table(&rows);
    println!("\nTimes are medians of wall time; RSS is the largest ru_maxrss seen.");
    for note in &notes {
        println!("{note}");
    }
    Ok(())
}

fn parse_runs(args: &[String]) -> Result<usize> {
    let value = match args {
        [] => return Ok(3),
        [flag, n] if flag == "--runs" => n.as_str(),
        [flag] if flag.starts_with("--runs=") => &flag["--runs=".len()..],
        _ => return Err(format!("usage: cargo xtask bench [--runs N] (got `{}`)", args.join(" "))),
    };
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("--runs needs a positive integer, got `{value}`")),
    }
}

/// `bench_*` sources in testbins/, by program name.
fn workloads(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".c").map(str::to_owned))
        .filter(|n| n.starts_with("bench_"))
        .collect();
    names.sort();
    Ok(names)
}

/// Measures one program natively, under qemu and under emu; emu's output
/// must match qemu's to count.
fn compare(
    native_bin: &Path,
    guest_bin: &Path,
    emu: &Path,
    runs: usize,
    notes: &mut Vec<String>,
) -> Result<[Measured; 3]> {
    let name = guest_bin.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let native = measure(&[native_bin.as_os_str()], runs)?;
    let qemu = measure(&[OsStr::new(QEMU), guest_bin.as_os_str()], runs)?;
    let mut emu = measure(&[emu.as_os_str(), guest_bin.as_os_str()], runs)?;
    if emu.failure.is_none() && qemu.failure.is_none() && emu.stdout != qemu.stdout {
        emu.failure = Some("stdout differs from qemu's".into());
    }
    for (who, m) in [("native", &native), ("qemu", &qemu), ("emu", &emu)] {
        if let Some(why) = &m.failure {
            notes.push(format!("FAIL {name} under {who}: {why}"));
        }
    }
    Ok([native, qemu, emu])
}

fn measure(argv: &[&OsStr], runs: usize) -> Result<Measured> {
    let mut times = Vec::new();
    let mut peak_rss_kib = 0;
    let mut first_stdout: Option<Vec<u8>> = None;
    let mut failure = None;
    for _ in 0..runs {
        let run = run_once(argv)?;
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            let last = stderr.lines().last().unwrap_or("");
            failure = Some(format!("{}; last stderr line: {last:?}", describe(run.status)));
            break;
        }
        if first_stdout.as_ref().is_some_and(|s| *s != run.stdout) {
            failure = Some("stdout changed between runs".into());
            break;
        }
        times.push(run.secs);
        peak_rss_kib = peak_rss_kib.max(run.maxrss_kib);
        first_stdout.get_or_insert(run.stdout);
    }
    Ok(Measured { median_secs: median(&mut times), peak_rss_kib, stdout: first_stdout.unwrap_or_default(), failure })
}

fn run_once(argv: &[&OsStr]) -> Result<Run> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env_remove("EMU_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.to_string_lossy()))?;
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
    let (status, usage) = wait4(child.id())?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = stderr_reader.join().unwrap_or_default();
    Ok(Run { secs, maxrss_kib: usage.ru_maxrss, status, stdout, stderr })
}

/// std's wait() does not report resource usage, so reap the child directly.
fn wait4(pid: u32) -> Result<(ExitStatus, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| format!("pid {pid} out of range"))?;
    let mut status = 0;
    // SAFETY: rusage is plain old data, for which all-zero bytes are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, not yet reaped; both pointers are
        // valid for writes for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((ExitStatus::from_raw(status), usage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4({pid}) failed: {err}"));
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

fn header() -> Vec<String> {
    ["workload", "native s", "qemu s", "emu s", "emu/qemu", "qemu/native", "qemu RSS MiB", "emu RSS MiB"]
        .map(String::from)
        .to_vec()
}

/// `scale` converts seconds to the row's unit.
fn row(label: &str, [native, qemu, emu]: &[Measured; 3], scale: f64, digits: usize) -> Vec<String> {
    let time = |m: &Measured| match m.failure {
        Some(_) => "FAIL".to_string(),
        None => format!("{:.*}", digits, m.median_secs * scale),
    };
    let ratio = |a: &Measured, b: &Measured| match (&a.failure, &b.failure) {
        (None, None) => format!("{:.2}", a.median_secs / b.median_secs),
        _ => "-".to_string(),
    };
    let rss = |m: &Measured| match m.failure {
        Some(_) => "-".to_string(),
        None => format!("{:.1}", m.peak_rss_kib as f64 / 1024.0),
    };
    vec![
        label.to_string(),
        time(native),
        time(qemu),
        time(emu),
        ratio(emu, qemu),
        ratio(qemu, native),
        rss(qemu),
        rss(emu),
    ]
}

fn print_table(rows: &[Vec<String>]) {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| if c == 0 { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
            .collect();
        println!("| {} |", cells.join(" | "));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            println!("|-{}-|", rule.join("-|-"));
        }
    }
}
