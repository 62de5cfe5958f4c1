//! What the machine is, and `--json`: every row with the machine, for
//! tracking results over time. Written by hand: a few objects do not need a
//! serialisation library.

use std::path::Path;
use std::process::Command;

use super::measure::Cell;
use super::report::{tallies, Row, Tally};
use super::workloads::Class;
use crate::Result;

pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub qemu: String,
    pub commit: String,
}

impl Machine {
    pub fn probe(root: &Path, qemu: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |s| s.trim().to_string());
        let qemu_version = first_line(Command::new(qemu).arg("--version"));
        let commit =
            first_line(Command::new("git").current_dir(root).args(["describe", "--always", "--dirty", "--abbrev=12"]));
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel,
            qemu: qemu_version,
            commit,
        }
    }

    pub fn print(&self) {
        println!("CPU: {} ({} cores available)", self.cpu, self.cores);
        println!("kernel: {}", self.kernel);
        println!("qemu: {}", self.qemu);
        println!("commit: {}", self.commit);
    }
}

fn first_line(cmd: &mut Command) -> String {
    match cmd.output() {
        Ok(out) if out.status.success() => {
            String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_string()
        }
        _ => "unknown".into(),
    }
}

/// A JSON value.
enum Json {
    Null,
    Num(f64),
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    fn num(v: Option<f64>) -> Json {
        v.filter(|v| v.is_finite()).map_or(Json::Null, Json::Num)
    }

    fn render(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Json::Null => out.push_str("null"),
            // Rust prints finite floats without an exponent: valid JSON as is.
            Json::Num(v) => out.push_str(&v.to_string()),
            Json::Int(v) => out.push_str(&v.to_string()),
            Json::Str(s) => escape(s, out),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.render(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    escape(key, out);
                    out.push_str(": ");
                    value.render(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

fn escape(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn cell(row: &Row, c: &Cell) -> Json {
    match c {
        Cell::Done { secs, rss_kib } => Json::Obj(vec![
            ("median_seconds", Json::Num(*secs)),
            ("value", Json::num(row.value(c))),
            ("peak_rss_kib", Json::Int(*rss_kib)),
        ]),
        Cell::Failed(why) => Json::Obj(vec![("failed", Json::str(why.as_str()))]),
        Cell::Skipped(why) => Json::Obj(vec![("skipped", Json::str(why.as_str()))]),
    }
}

fn row(r: &Row) -> Json {
    let class = r.workload.class;
    let metric = if class == Class::Memory { "peak RSS" } else { "wall time" };
    Json::Obj(vec![
        ("workload", Json::str(r.workload.name.as_str())),
        ("class", Json::str(class.label())),
        ("metric", Json::str(metric)),
        ("unit", Json::str(class.unit())),
        ("target_emu_over_qemu", Json::Num(class.target())),
        ("runs", Json::Int(r.workload.runs as i64)),
        ("native", cell(r, &r.native)),
        ("qemu", cell(r, &r.qemu)),
        ("emu", cell(r, &r.emu)),
        ("emu_over_qemu", Json::num(r.emu_qemu())),
        ("qemu_over_native", Json::num(r.qemu_native())),
        ("verdict", Json::str(r.verdict().label())),
        ("notes", Json::Arr(r.notes().into_iter().map(Json::Str).collect())),
    ])
}

fn tally(t: &Tally) -> Json {
    Json::Obj(vec![
        ("class", Json::str(t.class.label())),
        ("target_emu_over_qemu", Json::Num(t.class.target())),
        ("meets", Json::Int(t.meets as i64)),
        ("misses", Json::Int(t.misses as i64)),
        ("not_measured", Json::Int(t.not_measured as i64)),
        ("worst_emu_over_qemu", Json::num(t.worst.map(|w| w.0))),
        ("worst_workload", t.worst.map_or(Json::Null, |w| Json::str(w.1))),
    ])
}

pub fn write(path: &Path, machine: &Machine, runs: usize, rows: &[Row]) -> Result {
    let doc = Json::Obj(vec![
        (
            "machine",
            Json::Obj(vec![
                ("cpu", Json::str(machine.cpu.as_str())),
                ("cores", Json::Int(machine.cores as i64)),
                ("kernel", Json::str(machine.kernel.as_str())),
                ("qemu", Json::str(machine.qemu.as_str())),
                ("commit", Json::str(machine.commit.as_str())),
            ]),
        ),
        ("runs", Json::Int(runs as i64)),
        ("rows", Json::Arr(rows.iter().map(row).collect())),
        ("classes", Json::Arr(tallies(rows).iter().map(tally).collect())),
    ]);
    let mut text = String::new();
    doc.render(&mut text, 0);
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_escaped_json() {
        let doc = Json::Obj(vec![
            ("text", Json::str("q\"b\\n\n\u{1}≤")),
            ("list", Json::Arr(vec![Json::Num(0.25), Json::num(Some(f64::NAN)), Json::Int(-3)])),
            ("empty", Json::Arr(Vec::new())),
        ]);
        let mut out = String::new();
        doc.render(&mut out, 0);
        let want = "{\n  \"text\": \"q\\\"b\\\\n\\n\\u0001≤\",\n  \"list\": [\n    0.25,\n    null,\n    -3\n  ],\n  \"empty\": []\n}";
        assert_eq!(out, want);
    }
}
