//! Helpers shared by the integration tests: where emu, qemu and the guest
//! programs are, running them with a time limit, and comparing outcomes.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Generous because the tests may run a debug build of emu.
pub const TIMEOUT: Duration = Duration::from_secs(300);

pub const SIGABRT: i32 = 6;
pub const SIGSEGV: i32 = 11;

pub fn root() -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

pub fn emu() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_emu"))
}

/// qemu-aarch64-static is the reference the tests compare emu against.
pub fn qemu() -> PathBuf {
    static QEMU: OnceLock<Option<PathBuf>> = OnceLock::new();
    QEMU.get_or_init(|| find_in_path("qemu-aarch64-static"))
        .clone()
        .expect("qemu-aarch64-static not found in PATH: install it (apt-get install qemu-user-static)")
}

pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// A guest program built by `cargo xtask testbins`; `variant` is one of
/// static, pie, dynamic or native.
#[track_caller]
pub fn testbin(variant: &str, name: &str) -> PathBuf {
    let path = root().join("target/testbins").join(variant).join(name);
    assert!(path.is_file(), "{} is missing: run `cargo xtask testbins` first", path.display());
    path
}

#[track_caller]
pub fn busybox() -> PathBuf {
    let path = root().join("target/busybox-arm64/bin/busybox");
    assert!(path.is_file(), "{} is missing: run `cargo xtask fetch-busybox` first", path.display());
    path
}

/// The amd64 build of the same busybox package: the native oracle for scripts.
#[track_caller]
pub fn busybox_native() -> PathBuf {
    let path = root().join("target/busybox-amd64/bin/busybox");
    assert!(path.is_file(), "{} is missing: run `cargo xtask fetch-busybox` first", path.display());
    path
}

/// A guest program with its arguments, extra environment and stdin.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    pub stdin: Vec<u8>,
}

impl Invocation {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Invocation { program: program.into(), args: Vec::new(), env: Vec::new(), stdin: Vec::new() }
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = data.into();
        self
    }

    /// The command running this guest under `runner` (emu or qemu). The
    /// environment is fixed so that both runners' guests see the same one
    /// and a developer's EMU_LOG cannot leak into the comparison.
    pub fn command(&self, runner: &Path) -> Command {
        let mut cmd = Command::new(runner);
        cmd.arg(&self.program)
            .args(&self.args)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", "/root")
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

/// How a process ended and what it printed.
pub struct Outcome {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn describe_status(&self) -> String {
        match (self.code(), self.signal()) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => format!("{}", self.status),
        }
    }

    /// stderr without the line qemu adds when the guest dies from a signal.
    fn comparable_stderr(&self) -> String {
        self.stderr_str()
            .lines()
            .filter(|l| !l.starts_with("qemu: uncaught target signal"))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "  command: {}", self.command)?;
        writeln!(f, "  status:  {}", self.describe_status())?;
        writeln!(f, "  stdout:  {}", excerpt(&self.stdout))?;
        write!(f, "  stderr:  {}", excerpt(&self.stderr))
    }
}

fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 3000;
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= MAX {
        format!("{text:?}")
    } else {
        let mut cut = MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{:?}... ({} bytes in all)", &text[..cut], bytes.len())
    }
}

/// Runs `inv` under emu, and the native x86_64 build of the same source with the
/// same arguments and environment, and asserts both end the same way and print the
/// same: the oracle where qemu-user itself falls short (exec of arm64 programs
/// without binfmt_misc). Returns emu's outcome.
#[track_caller]
pub fn compare_native(what: &str, inv: &Invocation, native: &Path) -> Outcome {
    let emu_out = run(inv.command(&emu()), &inv.stdin);
    let mut cmd = inv.command(native);
    // The native program is the command itself, not a runner of the guest.
    let args: Vec<OsString> = cmd.get_args().skip(1).map(|a| a.to_owned()).collect();
    cmd = {
        let mut c = Command::new(native);
        c.args(args)
            .env_clear()
            .envs(inv.command(native).get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))));
        c
    };
    let native_out = run(cmd, &inv.stdin);
    if let Some(problem) = difference(&emu_out, &native_out) {
        panic!("{what}: {problem} (the second is the native build)\nemu:\n{emu_out}\nnative:\n{native_out}");
    }
    emu_out
}

/// Runs `inv` under emu and under qemu and asserts that both end the same
/// way and print the same. Returns emu's outcome for further checks.
#[track_caller]
pub fn compare(what: &str, inv: &Invocation) -> Outcome {
    let emu_out = run(inv.command(&emu()), &inv.stdin);
    let qemu_out = run(inv.command(&qemu()), &inv.stdin);
    assert_same(what, &emu_out, &qemu_out);
    emu_out
}

#[track_caller]
pub fn assert_same(what: &str, emu_out: &Outcome, qemu_out: &Outcome) {
    if let Some(problem) = difference(emu_out, qemu_out) {
        panic!("{what}: {problem}\nemu:\n{emu_out}\nqemu:\n{qemu_out}");
    }
}

/// None when the two outcomes match, else what differs.
pub fn difference(emu_out: &Outcome, qemu_out: &Outcome) -> Option<String> {
    if emu_out.code() != qemu_out.code() || emu_out.signal() != qemu_out.signal() {
        return Some(format!("emu ended with {}, qemu with {}", emu_out.describe_status(), qemu_out.describe_status()));
    }
    if emu_out.stdout != qemu_out.stdout {
        return Some(format!("stdout differs{}", first_difference(&emu_out.stdout, &qemu_out.stdout)));
    }
    let (e, q) = (emu_out.comparable_stderr(), qemu_out.comparable_stderr());
    if e != q {
        return Some(format!("stderr differs{}", first_difference(e.as_bytes(), q.as_bytes())));
    }
    None
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let mut a_lines = a.lines();
    let mut b_lines = b.lines();
    for n in 1.. {
        match (a_lines.next(), b_lines.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => return format!(" first at line {n}:\n  emu:  {x:?}\n  qemu: {y:?}"),
        }
    }
    " (only in line endings)".to_string()
}

/// Runs one command, feeding it `stdin`; panics if it outlives TIMEOUT.
pub fn run(cmd: Command, stdin: &[u8]) -> Outcome {
    run_pipeline(vec![cmd], stdin).pop().expect("a pipeline of one command has one outcome")
}

/// Runs commands connected like a shell pipeline: `stdin` goes to the
/// first, each one's stdout to the next. Every outcome has its command's
/// stderr; only the last one has stdout.
pub fn run_pipeline(cmds: Vec<Command>, stdin: &[u8]) -> Vec<Outcome> {
    let count = cmds.len();
    let mut children = Vec::new();
    let mut descriptions = Vec::new();
    let mut previous_stdout = None;
    for (i, mut cmd) in cmds.into_iter().enumerate() {
        let description = format!("{cmd:?}");
        cmd.stdin(match previous_stdout.take() {
            Some(out) => Stdio::from(out),
            None => Stdio::piped(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {description}: {e}"));
        if i + 1 < count {
            previous_stdout = child.stdout.take();
        }
        children.push(child);
        descriptions.push(description);
        // Dropping `cmd` here closes our copy of the pipe just handed over,
        // so the next command sees end-of-file when this one exits.
    }

    let writer = children[0].stdin.take().map(|mut pipe| {
        let data = stdin.to_vec();
        // A guest that exits without reading its input is not an error.
        std::thread::spawn(move || drop(pipe.write_all(&data)))
    });
    let readers: Vec<(Reader, Reader)> =
        children.iter_mut().map(|c| (c.stdout.take().map(drain), c.stderr.take().map(drain))).collect();

    let deadline = Instant::now() + TIMEOUT;
    let mut statuses: Vec<Option<ExitStatus>> = vec![None; count];
    while statuses.iter().any(Option::is_none) {
        for (child, status) in children.iter_mut().zip(statuses.iter_mut()) {
            if status.is_none() {
                *status = child.try_wait().expect("cannot wait for a child");
            }
        }
        if Instant::now() > deadline {
            for child in &mut children {
                let _ = child.kill();
                let _ = child.wait();
            }
            panic!("timed out after {TIMEOUT:?}: {}", descriptions.join(" | "));
        }
        std::thread::sleep(Duration::from_millis(5));
    }

    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let join = |h: Reader| h.map(|h| h.join().unwrap_or_default()).unwrap_or_default();
    readers
        .into_iter()
        .zip(statuses)
        .zip(descriptions)
        .map(|(((stdout, stderr), status), command)| Outcome {
            command,
            status: status.expect("every child has exited"),
            stdout: join(stdout),
            stderr: join(stderr),
        })
        .collect()
}

/// Collects one pipe's output; None where the pipe went to the next command.
type Reader = Option<JoinHandle<Vec<u8>>>;

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// A directory under the system temp dir, removed when dropped. The name
/// holds the pid and a counter so parallel tests never share one.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("emu-test-{}-{n}-{label}", std::process::id()));
        // Left over from an earlier process that had the same pid.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to a file in this directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
