//! Builds the guest programs in `testbins/` with the aarch64 cross compiler
//! (static and static-PIE; hello also dynamically linked) and natively with
//! the host compiler, for benchmark baselines.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::{have_program, Result};

const CROSS_CC: &str = "aarch64-linux-gnu-gcc";
pub(crate) const HOST_CC: &str = "cc";

struct Job {
    cc: &'static str,
    args: Vec<OsString>,
    src: PathBuf,
    out: PathBuf,
    label: String,
}

pub fn build(root: &Path) -> Result {
    if !have_program(CROSS_CC, "--version") {
        return Err(format!("{CROSS_CC} not found; install it with `apt-get install gcc-aarch64-linux-gnu`"));
    }
    let sources = sources(&root.join("testbins"))?;
    let out_root = root.join("target/testbins");

    let mut jobs = Vec::new();
    for src in &sources {
        let name = stem(src)?;
        // Assembly programs bring their own _start and use no libc.
        let is_asm = src.extension().is_some_and(|e| e == "S");
        let libs: &[&str] = if is_asm { &["-nostdlib"] } else { &["-lm"] };
        let extra = extra_cflags(src)?;
        let mut add = |cc, variant: &str, flags: &[&str]| {
            let out = out_root.join(variant).join(&name);
            let mut args: Vec<OsString> = ["-O2", "-Wall"].iter().map(Into::into).collect();
            if cc == CROSS_CC {
                args.extend(extra.iter().map(Into::into));
            }
            args.extend(flags.iter().map(Into::into));
            args.extend(["-o".into(), out.clone().into(), src.clone().into()]);
            args.extend(libs.iter().map(Into::into));
            let label = format!("{variant}/{name}");
            jobs.push(Job { cc, args, src: src.clone(), out, label });
        };
        add(CROSS_CC, "static", &["-static"]);
        add(CROSS_CC, "pie", &["-static-pie"]);
        if name == "hello" {
            // The loader's "dynamically linked" error path needs one.
            add(CROSS_CC, "dynamic", &[]);
        }
        // Arm-specific flags (and the intrinsics they enable) have no native build.
        if !is_asm && extra.is_empty() {
            add(HOST_CC, "native", &[]);
        }
    }

    jobs.retain(|j| !up_to_date(&j.src, &j.out));
    if jobs.is_empty() {
        println!("testbins: {} programs up to date", sources.len());
        return Ok(());
    }
    if jobs.iter().any(|j| j.cc == HOST_CC) && !have_program(HOST_CC, "--version") {
        return Err(format!("host C compiler `{HOST_CC}` not found; install gcc"));
    }
    for dir in ["static", "pie", "dynamic", "native"] {
        let dir = out_root.join(dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    compile_all(&jobs)?;
    println!("testbins: built {} outputs in {}", jobs.len(), out_root.display());
    Ok(())
}

/// `testbins/*.c` and `testbins/*.S`, sorted by name.
fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut sources = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "c" || e == "S") {
            sources.push(path);
        }
    }
    sources.sort();
    if sources.is_empty() {
        return Err(format!("no *.c or *.S files in {}", dir.display()));
    }
    // foo.c and foo.S would both build target/testbins/*/foo.
    let mut names = BTreeSet::new();
    for src in &sources {
        if !names.insert(stem(src)?) {
            return Err(format!("two sources would build {}", stem(src)?));
        }
    }
    Ok(sources)
}

/// A first line `// cflags: FLAGS...` adds FLAGS to the cross builds of a C
/// program (e.g. `-O3 -march=armv8.2-a+crypto`), after the defaults.
fn extra_cflags(src: &Path) -> Result<Vec<String>> {
    if src.extension().and_then(|e| e.to_str()) != Some("c") {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let first = text.lines().next().unwrap_or_default();
    Ok(first.strip_prefix("// cflags:").map(|f| f.split_whitespace().map(str::to_owned).collect()).unwrap_or_default())
}

fn stem(path: &Path) -> Result<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("unusable file name {}", path.display()))
}

pub(crate) fn up_to_date(src: &Path, out: &Path) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(src), mtime(out)) {
        (Some(s), Some(o)) => o > s,
        _ => false,
    }
}

/// Runs the compilers in parallel; gcc's static links dominate the time.
fn compile_all(jobs: &[Job]) -> Result {
    let next = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len()) {
            s.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = compile(job) {
                        errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn compile(job: &Job) -> Result {
    let output = Command::new(job.cc).args(&job.args).output().map_err(|e| format!("cannot run {}: {e}", job.cc))?;
    // One print per job keeps parallel output readable.
    let mut report = format!("  {:<22} {}", job.cc, job.label);
    let diagnostics = String::from_utf8_lossy(&output.stderr);
    if !diagnostics.trim().is_empty() {
        report = format!("{report}\n{}", diagnostics.trim_end());
    }
    println!("{report}");
    if output.status.success() {
        Ok(())
    } else {
        // A failed link can leave a partial output that would look up to date.
        let _ = std::fs::remove_file(&job.out);
        Err(format!("{} failed for {}", job.cc, job.src.display()))
    }
}
