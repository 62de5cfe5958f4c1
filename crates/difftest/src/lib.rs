//! A RISU-style random differential tester: random encodings of each instruction
//! class (generated from emu's own decode table) on random register, flag, FPCR
//! and memory states, each run once in a small arm64 harness under
//! qemu-aarch64-static and under emu, all results compared field by field.
//!
//! Per candidate encoding: objdump's opinion, emu's decoder and qemu's run decide
//! what it is. qemu runs it and emu decodes it: a compared case. qemu runs it, emu
//! does not decode it: unimplemented. emu decodes it, qemu raises SIGILL: a
//! mismatch (emu accepts an unallocated encoding). Neither: skipped.

pub mod case;
pub mod classes;
pub mod compare;
pub mod coverage;
pub mod harness;
pub mod objdump;
pub mod quirks;
pub mod rng;
pub mod values;

use case::CaseIn;
use classes::Class;
use emu_cpu::decode::{compile_pattern, Decoder};
use rng::Rng;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const SIGILL: u32 = 4;

pub struct Config {
    /// The emu binary to test.
    pub emu: PathBuf,
    /// Compared cases wanted per class.
    pub per_class: u64,
    pub classes: Vec<&'static Class>,
    pub seed: u64,
    /// Where the harness is built and temporary files go.
    pub work_dir: PathBuf,
    /// Cases per harness process.
    pub batch: usize,
    /// Mismatches described per class.
    pub show: usize,
    /// Classes tested at once.
    pub jobs: usize,
    /// qemu's -cpu (default: its own, "max").
    pub qemu_cpu: Option<String>,
}

#[derive(Default)]
pub struct ClassReport {
    pub name: &'static str,
    /// Cases run under both and compared.
    pub cases: u64,
    pub mismatches: u64,
    /// Encodings qemu runs and emu does not decode, by objdump mnemonic.
    pub unimplemented: BTreeMap<String, u64>,
    /// Encodings emu decodes and qemu rejects with SIGILL (counted as mismatches).
    pub accepts_undefined: u64,
    /// Cases qemu ended with another signal (e.g. an alignment fault): not run under emu.
    pub faulted: u64,
    /// Mismatches explained by a known qemu deviation from the manual.
    pub quirks: u64,
    pub time: Duration,
    pub examples: Vec<String>,
    /// A few faulted cases: encoding, disassembly, signal.
    pub fault_examples: Vec<String>,
}

impl ClassReport {
    pub fn unimplemented_total(&self) -> u64 {
        self.unimplemented.values().sum()
    }

    /// Counts a mismatch, keeping its description if fewer than `show` are kept.
    fn mismatch(&mut self, show: usize, describe: impl FnOnce() -> String) {
        self.mismatches += 1;
        if self.examples.len() < show {
            self.examples.push(describe());
        }
    }
}

/// Runs every class of `cfg`; an Err is a setup problem (missing tools...).
pub fn run(cfg: &Config) -> Result<Vec<ClassReport>, String> {
    let harness = harness::build(&cfg.work_dir)?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..cfg.jobs.max(1).min(cfg.classes.len()) {
            s.spawn(|| {
                while let Some(class) = cfg.classes.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                    let r = run_class(cfg, class, &harness);
                    if let Ok(r) = &r {
                        eprintln!(
                            "difftest: {:<16} {} cases, {} mismatches, {:.1}s",
                            r.name,
                            r.cases,
                            r.mismatches,
                            r.time.as_secs_f64()
                        );
                    }
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((class.name, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(name, _)| cfg.classes.iter().position(|c| c.name == *name));
    results.into_iter().map(|(_, r)| r).collect()
}

/// The seed of one class depends only on the run seed and the class name, so a
/// class reproduces alone with `--class`.
fn class_seed(seed: u64, name: &str) -> u64 {
    name.bytes().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

fn timeout(n: usize) -> Duration {
    Duration::from_secs(60) + Duration::from_millis(20) * n as u32
}

fn run_class(cfg: &Config, class: &'static Class, harness: &std::path::Path) -> Result<ClassReport, String> {
    let start = Instant::now();
    let mut rng = Rng::new(class_seed(cfg.seed, class.name));
    let mut report = ClassReport { name: class.name, ..ClassReport::default() };
    let rows: Vec<_> =
        class.rows.iter().filter_map(|name| emu_cpu::decode::all_encodings().find(|e| e.name == *name)).collect();
    let mut qemu: Vec<OsString> = vec![harness::QEMU.into()];
    if let Some(cpu) = &cfg.qemu_cpu {
        qemu.extend(["-cpu".into(), cpu.into()]);
    }
    let emu = vec![cfg.emu.clone().into_os_string()];
    let mut candidates_tried = 0u64;
    while report.cases < cfg.per_class && candidates_tried < cfg.per_class * 40 + 1000 {
        let want = ((cfg.per_class - report.cases) as usize).min(cfg.batch);
        // Oversample: part of every pattern is unallocated or unimplemented.
        let mut cands = Vec::with_capacity(want * 2);
        while cands.len() < want * 2 {
            candidates_tried += 1;
            let row = *rng.pick(&rows);
            let (mask, value) = compile_pattern(row.pattern);
            let insn = value | (rng.next_u32() & !mask);
            let mut c = values::state(&mut rng, insn);
            if let Some(insn) = (class.prepare)(&mut rng, row, insn, &mut c) {
                c.insn = insn;
                cands.push(c);
            }
        }
        let words: Vec<u32> = cands.iter().map(|c| c.insn).collect();
        let asm = objdump::disassemble(&words, &cfg.work_dir)?;
        let mut to_qemu = Vec::new();
        for c in cands {
            let decodes = decodes(c.insn);
            if decodes.is_err() {
                report.mismatch(cfg.show, || format!("[{}] {:08x}  emu's decoder panicked\n", class.name, c.insn));
            } else if decodes == Ok(true) || asm.contains_key(&c.insn) {
                to_qemu.push((c, decodes == Ok(true)));
            }
        }
        let inputs: Vec<CaseIn> = to_qemu.iter().map(|(c, _)| c.clone()).collect();
        let run = harness::run(&qemu, harness, &inputs, timeout(inputs.len()))?;
        if let Some(how) = run.died {
            return Err(format!("the harness failed under qemu ({how})"));
        }
        let asm_of = |insn: u32| asm.get(&insn).cloned().unwrap_or_else(|| "(undefined per objdump)".into());
        let mut to_emu = Vec::new();
        for ((c, decodes), q) in to_qemu.into_iter().zip(run.outs) {
            match (q.status, decodes) {
                (0, true) => to_emu.push((c, q)),
                (0, false) => {
                    let mnemonic = asm_of(c.insn).split(' ').next().unwrap_or("?").to_owned();
                    *report.unimplemented.entry(mnemonic).or_default() += 1;
                }
                (SIGILL, true) => {
                    report.accepts_undefined += 1;
                    let text = format!("{}\n    qemu raises SIGILL; emu decodes it\n", asm_of(c.insn));
                    report.mismatch(cfg.show, || format!("[{}] {:08x}  {text}", class.name, c.insn));
                }
                (SIGILL, false) => {}
                (sig, _) => {
                    report.faulted += 1;
                    if report.fault_examples.len() < 3 {
                        report.fault_examples.push(format!("{:08x} {} (signal {sig})", c.insn, asm_of(c.insn)));
                    }
                }
            }
        }
        to_emu.truncate((cfg.per_class - report.cases) as usize);
        compare_under_emu(cfg, &emu, harness, class, &to_emu, &asm_of, &mut report)?;
    }
    report.time = start.elapsed();
    Ok(report)
}

/// Whether emu's decoder accepts `insn`; Err if it panics.
fn decodes(insn: u32) -> Result<bool, ()> {
    std::panic::catch_unwind(|| Decoder::get().decode(insn, 0).is_some()).map_err(|_| ())
}

/// Runs the cases qemu finished under emu and compares. A case that kills emu's
/// harness is a mismatch; the run resumes after it in a new process.
fn compare_under_emu(
    cfg: &Config,
    emu: &[OsString],
    harness: &std::path::Path,
    class: &Class,
    cases: &[(CaseIn, case::CaseOut)],
    asm_of: &dyn Fn(u32) -> String,
    report: &mut ClassReport,
) -> Result<(), String> {
    let mut start = 0;
    while start < cases.len() {
        let inputs: Vec<CaseIn> = cases[start..].iter().map(|(c, _)| c.clone()).collect();
        let run = harness::run(emu, harness, &inputs, timeout(inputs.len()))?;
        let done = run.outs.len();
        for ((c, q), e) in cases[start..].iter().zip(&run.outs) {
            report.cases += 1;
            let diffs = compare::diff(q, e);
            if diffs.is_empty() {
                continue;
            }
            if quirks::find(c, q, e).is_some() {
                report.quirks += 1;
                continue;
            }
            report.mismatch(cfg.show, || compare::describe(class.name, c, &asm_of(c.insn), &diffs));
        }
        if let Some(how) = run.died {
            let Some((c, _)) = cases.get(start + done) else {
                return Err(format!("the harness failed under emu after its last case ({how})"));
            };
            report.cases += 1;
            let text = format!("{}\n    emu died: {how}\n", asm_of(c.insn));
            report.mismatch(cfg.show, || format!("[{}] {:08x}  {text}", class.name, c.insn));
        }
        start += done + 1;
    }
    Ok(())
}

/// The per-class table and mismatch descriptions.
pub fn format_report(reports: &[ClassReport]) -> String {
    let mut s = String::new();
    for r in reports {
        for e in &r.examples {
            s.push_str(e);
            s.push('\n');
        }
    }
    s.push_str(&format!(
        "{:<16} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8}\n",
        "class", "cases", "mismatch", "unimpl", "faulted", "quirks", "time(s)"
    ));
    let mut total = ClassReport::default();
    for r in reports {
        s.push_str(&format!(
            "{:<16} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8.1}\n",
            r.name,
            r.cases,
            r.mismatches,
            r.unimplemented_total(),
            r.faulted,
            r.quirks,
            r.time.as_secs_f64()
        ));
        total.cases += r.cases;
        total.mismatches += r.mismatches;
        total.faulted += r.faulted;
        total.quirks += r.quirks;
        total.time += r.time;
        *total.unimplemented.entry(String::new()).or_default() += r.unimplemented_total();
    }
    s.push_str(&format!(
        "{:<16} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8.1}\n",
        "total",
        total.cases,
        total.mismatches,
        total.unimplemented_total(),
        total.faulted,
        total.quirks,
        total.time.as_secs_f64()
    ));
    for r in reports.iter().filter(|r| !r.unimplemented.is_empty()) {
        let mut top: Vec<_> = r.unimplemented.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1));
        let list: Vec<String> = top.iter().take(12).map(|(m, n)| format!("{m}:{n}")).collect();
        s.push_str(&format!("unimplemented in {}: {}\n", r.name, list.join(" ")));
    }
    for r in reports.iter().filter(|r| !r.fault_examples.is_empty()) {
        s.push_str(&format!("faulted under qemu in {}: {}\n", r.name, r.fault_examples.join("; ")));
    }
    s
}
