//! The rows of the bench: what each runs natively and as an arm64 program,
//! and the class (with its target) it is judged by.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::data::Data;
use super::measure::Invocation;
use crate::Result;

/// Runs of each start-up row: single runs of a few milliseconds are noisy.
const STARTUP_RUNS: usize = 50;
/// Processes the process-heavy row starts.
const EXECS: usize = 500;
/// What qemu reports as the kernel release when a probe child really ran
/// under it (qemu-user reads QEMU_UNAME; emu and the host kernel do not).
pub const PROBE_RELEASE: &str = "qemu-bench-probe";

const NO_BUSYBOX: &str = "not fetched: run `cargo xtask fetch-busybox`";
const NO_SYSROOT: &str = "not fetched: run `cargo xtask fetch-sysroot`";

/// Issue 6's workload classes, in the order the table shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Startup,
    Process,
    Fp,
    Compute,
    Real,
    Memory,
}

impl Class {
    pub const ALL: [Class; 6] = [Class::Startup, Class::Process, Class::Fp, Class::Compute, Class::Real, Class::Memory];

    pub fn label(self) -> &'static str {
        match self {
            Class::Startup => "start-up",
            Class::Process => "process-heavy",
            Class::Fp => "FP-heavy",
            Class::Compute => "integer/memory",
            Class::Real => "real programs",
            Class::Memory => "peak RSS",
        }
    }

    /// The largest emu/qemu ratio that meets the class's target (of wall
    /// time; of peak RSS for the memory class).
    pub fn target(self) -> f64 {
        match self {
            Class::Startup => 0.15,
            Class::Process => 0.3,
            Class::Fp => 1.0,
            Class::Compute | Class::Real => 2.0,
            Class::Memory => 0.5,
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Class::Startup => "ms",
            Class::Memory => "MiB",
            _ => "s",
        }
    }
}

pub struct Workload {
    pub name: String,
    pub class: Class,
    pub runs: usize,
    /// The x86_64 program, or why there is none.
    pub native: std::result::Result<Invocation, String>,
    /// The arm64 program as emu and qemu run it, or the missing prerequisite.
    pub guest: std::result::Result<Invocation, String>,
    /// Given to emu and qemu as `-L`.
    pub sysroot: Option<PathBuf>,
    /// The input file, made before the row runs.
    pub input: Option<Data>,
    /// The arm64 program execs arm64 children, which qemu runs only through a
    /// binfmt_misc entry; this guest command shows whether that entry is
    /// qemu's: its child prints PROBE_RELEASE under qemu.
    pub probe: Option<Invocation>,
}

impl Workload {
    /// `--only`: a part of the name or of the class label.
    pub fn matches(&self, filter: &str) -> bool {
        let filter = filter.to_lowercase();
        self.name.to_lowercase().contains(&filter) || self.class.label().to_lowercase().contains(&filter)
    }

    fn new(
        name: impl Into<String>,
        class: Class,
        runs: usize,
        native: std::result::Result<Invocation, String>,
        guest: std::result::Result<Invocation, String>,
    ) -> Workload {
        Workload { name: name.into(), class, runs, native, guest, sysroot: None, input: None, probe: None }
    }
}

/// Where the prerequisites live.
struct Paths {
    bins: PathBuf,
    busybox_arm64: PathBuf,
    busybox_amd64: PathBuf,
    sysroot: PathBuf,
}

impl Paths {
    /// A static testbins program, natively and as arm64.
    fn testbin_row(&self, name: &str, class: Class, runs: usize, label: &str) -> Workload {
        let build = |variant: &str| Invocation::new(self.bins.join(variant).join(name), std::iter::empty::<&str>());
        Workload::new(label, class, runs, Ok(build("native")), Ok(build("static")))
    }

    fn busybox(path: &Path, args: &[&str]) -> std::result::Result<Invocation, String> {
        match path.is_file() {
            true => Ok(Invocation::new(path, args)),
            false => Err(NO_BUSYBOX.into()),
        }
    }

    fn busybox_row(&self, label: &str, class: Class, runs: usize, native: &[&str], guest: &[&str]) -> Workload {
        let native = Self::busybox(&self.busybox_amd64, native);
        Workload::new(label, class, runs, native, Self::busybox(&self.busybox_arm64, guest))
    }

    /// A Debian arm64 program from the sysroot (`program` as the guest sees
    /// it), and the host's own build of it as the native column; `input` is
    /// a file name appended to `args`.
    fn debian_row(
        &self,
        root: &Path,
        label: &str,
        runs: usize,
        program: &str,
        args: &[&str],
        input: Option<Data>,
    ) -> Workload {
        let mut args: Vec<OsString> = args.iter().map(OsString::from).collect();
        args.extend(input.map(|d| super::data::path(root, d).into_os_string()));
        let path = self.sysroot.join(program.trim_start_matches('/'));
        let guest = match path.is_file() {
            true => Ok(Invocation::new(path, args.clone())),
            false => Err(NO_SYSROOT.into()),
        };
        let name = program.rsplit('/').next().unwrap_or(program);
        let native = match crate::which(name) {
            Some(host) => Ok(Invocation::new(host, args)),
            None => Err(format!("no {name} installed on this machine")),
        };
        let mut w = Workload::new(label, Class::Real, runs, native, guest);
        w.sysroot = Some(self.sysroot.clone());
        w.input = input;
        w
    }
}

/// A busybox sh loop that starts `program` EXECS times: a real fork and exec
/// each time, as the program is named by path and is no shell builtin.
fn exec_loop(program: &Path) -> String {
    format!("i=0; while [ $i -lt {EXECS} ]; do {}; i=$((i + 1)); done; echo $i", quote(program))
}

/// `path` as one sh word.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Every workload; `runs` for those that take a noticeable time.
pub fn all(root: &Path, runs: usize) -> Result<Vec<Workload>> {
    let target = root.join("target");
    let paths = Paths {
        bins: target.join("testbins"),
        busybox_arm64: target.join("busybox-arm64/bin/busybox"),
        busybox_amd64: target.join("busybox-amd64/bin/busybox"),
        sysroot: target.join("sysroot-arm64"),
    };
    let mut list = vec![
        paths.testbin_row("hello", Class::Startup, STARTUP_RUNS, "hello (static)"),
        paths.busybox_row("busybox true", Class::Startup, STARTUP_RUNS, &["true"], &["true"]),
        paths.testbin_row("hello", Class::Memory, STARTUP_RUNS, "hello peak RSS"),
    ];

    let native_loop = exec_loop(&paths.bins.join("native/hello"));
    let guest_loop = exec_loop(&paths.bins.join("static/hello"));
    let label = format!("busybox sh: {EXECS} fork+exec");
    let mut execs =
        paths.busybox_row(&label, Class::Process, runs, &["sh", "-c", &native_loop], &["sh", "-c", &guest_loop]);
    let probe = format!("QEMU_UNAME={PROBE_RELEASE} {} uname -r", quote(&paths.busybox_arm64));
    execs.probe = Paths::busybox(&paths.busybox_arm64, &["sh", "-c", &probe]).ok();
    list.push(execs);

    for name in bench_programs(&root.join("testbins"))? {
        let class = if name == "bench_fp" { Class::Fp } else { Class::Compute };
        list.push(paths.testbin_row(&name, class, runs, &name));
    }

    list.extend(real_programs(root, &paths, runs));
    list.sort_by_key(|w| w.class);
    Ok(list)
}

/// Debian's arm64 builds of real programs, each sized so that qemu takes
/// about one to three seconds.
fn real_programs(root: &Path, paths: &Paths, runs: usize) -> Vec<Workload> {
    let row = |label: &str, program: &str, args: &[&str], input: Option<Data>| {
        paths.debian_row(root, label, runs, program, args, input)
    };
    vec![
        row("xz -6 compress (1 MiB)", "/usr/bin/xz", &["-6", "-T1", "-c"], Some(Data::Text(1))),
        row("xz decompress (16 MiB)", "/usr/bin/xz", &["-d", "-T1", "-c"], Some(Data::Packed(16))),
        row("gzip -6 compress (4 MiB)", "/bin/gzip", &["-6", "-c"], Some(Data::Text(4))),
        row("python3 loop", "/usr/bin/python3", &["-c", PYTHON], None),
        row("lua5.4 loop", "/usr/bin/lua5.4", &["-e", LUA], None),
        row("sqlite3 queries", "/usr/bin/sqlite3", &[":memory:", SQL], None),
    ]
}

/// `bench_*` sources in testbins/, by program name.
fn bench_programs(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".c").map(str::to_owned))
        .filter(|n| n.starts_with("bench_"))
        .collect();
    names.sort();
    Ok(names)
}

/// Dictionary, string and integer work.
const PYTHON: &str = r#"
d = {}
s = 0
for i in range(200000):
    k = "k%d" % (i % 5000)
    d[k] = d.get(k, 0) + i
    s = (s * 31 + len(k) + i) % 1000000007
text = " ".join(sorted(d, key=lambda k: (d[k] % 977, k)))
print(len(d), s, sum(d.values()) % 1000003, text.count("k1"), len(text.upper().split("K2")))
"#;

/// The same kind of work in Lua: tables, string building, a sort.
const LUA: &str = r#"
local t, s = {}, 0
for i = 1, 500000 do
  local k = "k" .. (i % 5000)
  t[k] = (t[k] or 0) + i
  s = (s * 31 + #k + i) % 1000000007
end
local keys = {}
for k in pairs(t) do keys[#keys + 1] = k end
table.sort(keys, function(a, b)
  local x, y = t[a] % 977, t[b] % 977
  return x < y or (x == y and a < b)
end)
local text = table.concat(keys, " ")
print(#keys, s, #text, select(2, text:gsub("k1", "")))
"#;

/// An in-memory database: rows from a recursive CTE, an index, GROUP BY and
/// ORDER BY queries.
const SQL: &str = "
CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, val REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO t SELECT x, x % 97, 'name' || (x * 7919 % 100003), (x * 37 % 1000) / 10.0 FROM c;
CREATE INDEX t_name ON t(name);
SELECT grp, count(*), sum(val), min(name) FROM t GROUP BY grp ORDER BY sum(val) DESC, grp LIMIT 5;
SELECT count(*) FROM t WHERE name BETWEEN 'name1' AND 'name2';
SELECT name, val FROM t ORDER BY val DESC, name LIMIT 5;
SELECT count(DISTINCT name) FROM t;
";
