//! The long stress run: testbins/stress under emu, many times in a row; any hang
//! (a lost wakeup) hits the time limit, any lost update shows in the totals.

use crate::{testbins, Result};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(120);

pub fn run(root: &Path, args: &[String]) -> Result {
    let runs = match args {
        [] => 100,
        [flag, n] if flag == "--runs" => n.parse().map_err(|_| format!("--runs takes a number, not `{n}`"))?,
        _ => return Err("usage: cargo xtask stress [--runs N]".into()),
    };
    let emu = crate::dist::build_static_emu(root)?;
    testbins::build(root)?;
    let prog = root.join("target/testbins/static/stress");
    let start = Instant::now();
    for i in 1..=runs {
        let mut child = Command::new(&emu)
            .arg(&prog)
            .arg("2000")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", emu.display()))?;
        let t = Instant::now();
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                let mut out = String::new();
                if let Some(mut o) = child.stdout.take() {
                    use std::io::Read;
                    let _ = o.read_to_string(&mut out);
                }
                if !status.success() || !out.contains("passes=128000 expected=128000 signals_ok=1") {
                    return Err(format!("run {i}: {status}: {out}"));
                }
                break;
            }
            if t.elapsed() > LIMIT {
                let _ = child.kill();
                return Err(format!("run {i} hung for {}s", LIMIT.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    println!("stress: {runs} runs passed in {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}
