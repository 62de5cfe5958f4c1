//! `difftest`: the command behind `cargo xtask difftest`.

use difftest::{classes, Config};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: difftest --emu PATH [options]

options:
  --count N        compared cases in all, spread over the classes (default 16000)
  --class NAME     test only this class (repeatable, or comma-separated)
  --seed S         random seed (default 1)
  --batch N        cases per harness process (default 4000)
  --show N         mismatches described per class (default 5)
  --jobs N         classes tested at once (default 1)
  --qemu-cpu CPU   qemu's -cpu (default: qemu's own)
  --work-dir DIR   where the harness is built (default target/difftest)
  --list           list the classes and their decode rows";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(cfg)) => match difftest::run(&cfg) {
            Ok(reports) => {
                print!("{}", difftest::format_report(&reports));
                if reports.iter().any(|r| r.mismatches > 0) {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("difftest: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("difftest: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<Option<Config>, String> {
    let mut emu = None;
    let mut count = 16_000u64;
    let mut names: Vec<String> = Vec::new();
    let mut cfg = Config {
        emu: PathBuf::new(),
        per_class: 0,
        classes: Vec::new(),
        seed: 1,
        work_dir: PathBuf::from("target/difftest"),
        batch: 4000,
        show: 5,
        jobs: 1,
        qemu_cpu: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| it.next().cloned().ok_or(format!("{arg} needs {what}"));
        let number = |s: String| s.parse::<u64>().map_err(|_| format!("{arg}: not a number: {s}"));
        match arg.as_str() {
            "--emu" => emu = Some(PathBuf::from(value("a path")?)),
            "--count" => count = number(value("a number")?)?,
            "--class" => names.extend(value("a class name")?.split(',').map(str::to_owned)),
            "--seed" => cfg.seed = number(value("a number")?)?,
            "--batch" => cfg.batch = number(value("a number")?)?.max(1) as usize,
            "--show" => cfg.show = number(value("a number")?)? as usize,
            "--jobs" => cfg.jobs = number(value("a number")?)?.max(1) as usize,
            "--qemu-cpu" => cfg.qemu_cpu = Some(value("a CPU name")?),
            "--work-dir" => cfg.work_dir = PathBuf::from(value("a path")?),
            "--list" => {
                for c in classes::CLASSES {
                    println!("{:<16} {}", c.name, c.rows.join(" | "));
                }
                return Ok(None);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    cfg.emu = emu.ok_or("--emu is required")?;
    cfg.classes = if names.is_empty() {
        classes::CLASSES.iter().collect()
    } else {
        let known = || classes::CLASSES.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        names
            .iter()
            .map(|n| classes::find(n).ok_or(format!("no class `{n}` (classes: {})", known())))
            .collect::<Result<_, _>>()?
    };
    cfg.per_class = count.div_ceil(cfg.classes.len() as u64);
    Ok(Some(cfg))
}
