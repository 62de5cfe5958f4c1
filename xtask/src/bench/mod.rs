//! `cargo xtask bench`: each workload natively, under qemu-aarch64-static and
//! under emu, judged against issue 6's emu/qemu target for its class:
//! start-up, process-heavy, FP, integer and memory compute, real Debian
//! programs, and the peak RSS of a small program.
//!
//! Rows whose prerequisites are missing (busybox, the Debian sysroot) say
//! which fetch command to run rather than fetching: a bench should not
//! download.

mod binfmt;
mod data;
mod json;
mod measure;
mod report;
mod workloads;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::{testbins, Result};
use measure::{Cell, Meter, INTERRUPTED};
use report::Row;
use workloads::Workload;

pub(crate) const QEMU: &str = "qemu-aarch64-static";
const USAGE: &str = "usage: cargo xtask bench [--runs N] [--only SUBSTR] [--json PATH]";

struct Options {
    /// Runs of each row that takes a noticeable time (start-up rows take more).
    runs: usize,
    /// Only the workloads whose name or class contains this.
    only: Option<String>,
    json: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options { runs: 3, only: None, json: None };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value =
            || inline.clone().or_else(|| it.next().cloned()).ok_or(format!("{flag} needs a value; {USAGE}"));
        match flag {
            "--runs" => {
                let v = value()?;
                opts.runs =
                    v.parse().ok().filter(|&n| n > 0).ok_or(format!("--runs needs a positive integer, got `{v}`"))?;
            }
            "--only" => opts.only = Some(value()?),
            "--json" => opts.json = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown bench option `{arg}`; {USAGE}")),
        }
    }
    Ok(opts)
}

pub fn run(root: &Path, args: &[String]) -> Result {
    let opts = parse(args)?;
    let qemu =
        crate::which(QEMU).ok_or(format!("{QEMU} not found; install it with `apt-get install qemu-user-static`"))?;
    let mut selected = workloads::all(root, opts.runs)?;
    if let Some(filter) = &opts.only {
        let names: Vec<String> = selected.iter().map(|w| w.name.clone()).collect();
        selected.retain(|w| w.matches(filter));
        if selected.is_empty() {
            return Err(format!("--only {filter:?} matches no workload; they are: {}", names.join(", ")));
        }
    }
    let emu = crate::dist::build_static_emu(root)?;
    testbins::build(root)?;
    let meter = Meter::build(root)?;
    crate::rootfs::guard::survive_interrupts(&INTERRUPTED);

    let mut rows = Vec::new();
    for w in &selected {
        eprintln!("running {} ({} runs under each)", w.name, w.runs);
        rows.push(run_row(root, &meter, w, &qemu, &emu)?);
    }

    let machine = json::Machine::probe(root, &qemu);
    println!();
    machine.print();
    println!();
    report::print_table(&rows);
    println!("\nTimes are medians of wall time (start-up in ms); RSS is the largest ru_maxrss seen;");
    println!("a row meets its class target when emu/qemu is at most the target (peak RSS for the RSS class).\n");
    report::print_summary(&rows);
    let notes: Vec<String> = rows.iter().flat_map(Row::notes).collect();
    if !notes.is_empty() {
        println!();
    }
    for note in &notes {
        println!("{note}");
    }
    if let Some(path) = &opts.json {
        json::write(path, &machine, opts.runs, &rows)?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}

/// Measures one workload natively, under qemu and under emu; emu's output
/// must match qemu's to count.
fn run_row<'a>(root: &Path, meter: &Meter, w: &'a Workload, qemu: &Path, emu: &Path) -> Result<Row<'a>> {
    let skipped = |why: &str| Row {
        workload: w,
        native: Cell::Skipped(why.into()),
        qemu: Cell::Skipped(why.into()),
        emu: Cell::Skipped(why.into()),
    };
    let guest = match &w.guest {
        Ok(guest) => guest,
        Err(why) => return Ok(skipped(why)),
    };
    if let (Some(input), Some(sysroot)) = (w.input, &w.sysroot) {
        if let Err(why) = data::ensure(root, input, sysroot) {
            return Ok(skipped(&why));
        }
    }
    let pre: Vec<OsString> = match &w.sysroot {
        Some(dir) => vec!["-L".into(), dir.into()],
        None => Vec::new(),
    };
    let native = match &w.native {
        Ok(inv) => meter.measure(inv, w.runs)?.0,
        Err(why) => Cell::Skipped(why.clone()),
    };
    let under_qemu = guest.under(qemu, &pre);
    let (qemu_cell, qemu_out) = match &w.probe {
        Some(probe) => binfmt::with_qemu_entry(meter, qemu, probe, || meter.measure(&under_qemu, w.runs))?,
        None => meter.measure(&under_qemu, w.runs)?,
    };
    let (mut emu_cell, emu_out) = meter.measure(&guest.under(emu, &pre), w.runs)?;
    if qemu_cell.done().is_some() && emu_cell.done().is_some() && emu_out != qemu_out {
        emu_cell = Cell::Failed("stdout differs from qemu's".into());
    }
    Ok(Row { workload: w, native, qemu: qemu_cell, emu: emu_cell })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        let opts = parse(&args(&["--runs=5", "--only", "xz", "--json", "out.json"])).unwrap();
        assert_eq!((opts.runs, opts.only.as_deref()), (5, Some("xz")));
        assert_eq!(opts.json, Some(PathBuf::from("out.json")));
        assert_eq!(parse(&[]).unwrap().runs, 3);
        for bad in [&["--runs", "0"][..], &["--runs"], &["--fast"], &["--only=x", "extra"]] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
