//! Project automation, run as `cargo xtask <command>`.

mod bench;
mod difftest;
mod dist;
mod fetch;
mod pytest;
mod rootfs;
mod stress;
mod sysroot;
mod testbins;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Errors are messages for the person at the terminal.
type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  testbins        build testbins/*.{c,S} into target/testbins/{static,pie,dynamic,native}
  fetch-busybox   download and unpack busybox-static:arm64 into target/busybox-arm64
  fetch-sysroot   download and unpack arm64 bash, coreutils, python3 (with its test suite),
                  perl, lua5.4, xz, gzip, sqlite3, dash, Go, node, java and their libraries into
                  target/sysroot-arm64 (for emu -L and the dynamic-program tests)
  bench [--runs N] [--only SUBSTR] [--json PATH]
                  time workloads natively, under qemu-aarch64-static and under emu,
                  judged against issue 6's targets (see README: Benchmarks)
  difftest [--count N] [--class NAME] [--seed S]
                  random instructions under emu and qemu-aarch64-static, compared
  pytest [--sample] [--timeout MINUTES] [test_MODULE...]
                  CPython's regression tests (from the sysroot) under the static emu:
                  the modules that pass on arm64 Linux and under emu, or those named
  dist            build the static release emu (for binfmt_misc, containers, chroots)
  rootfs [--reuse] [--no-qemu] [--no-python] [--timeout MINUTES]
                  (root) debootstrap a Debian bookworm arm64 chroot into target/rootfs-arm64,
                  run its second stage and programs in it through emu (binfmt_misc),
                  then time the second stage under qemu-aarch64-static too
  stress [--runs N]
                  64 threads, futexes and signals under emu, N times (default 100)
  ci              testbins + fetch-busybox + fetch-sysroot + dist + the workspace's tests
                  + pytest --sample";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result {
    let root = workspace_root();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("testbins") => no_args("testbins", rest).and_then(|()| testbins::build(&root)),
        Some("fetch-busybox") => no_args("fetch-busybox", rest).and_then(|()| fetch::busybox(&root)),
        Some("fetch-sysroot") => no_args("fetch-sysroot", rest).and_then(|()| sysroot::fetch(&root)),
        Some("bench") => bench::run(&root, rest),
        Some("difftest") => difftest::run(&root, rest),
        Some("dist") => {
            no_args("dist", rest).and_then(|()| dist::build_static_emu(&root).map(|p| println!("{}", p.display())))
        }
        Some("rootfs") => rootfs::run(&root, rest),
        Some("stress") => stress::run(&root, rest),
        Some("pytest") => pytest::run(&root, rest),
        Some("ci") => no_args("ci", rest).and_then(|()| ci(&root)),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(format!("no command given\n\n{USAGE}")),
    }
}

fn no_args(command: &str, rest: &[String]) -> Result {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!("`{command}` takes no arguments (got `{arg}`)")),
    }
}

fn ci(root: &Path) -> Result {
    testbins::build(root)?;
    fetch::busybox(root)?;
    sysroot::fetch(root)?;
    // The static emu that tests/binfmt.rs registers with binfmt_misc.
    dist::build_static_emu(root)?;
    let nextest = Command::new(cargo()).args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    if !nextest {
        println!("cargo-nextest not found; using cargo test");
    }
    let suite = |extra: &[&str]| {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(root);
        if nextest {
            cmd.args(["nextest", "run", "--no-fail-fast"]);
        } else {
            cmd.args(["test", "--no-fail-fast"]);
        }
        cmd.args(extra);
        run_cmd(&mut cmd)
    };
    suite(&["--workspace"])?;
    // The programs again under the optimised emu that users run (`cargo xtask
    // dist`'s, with its C library): code generation differs (register allocation
    // around inline assembly, tail calls), and a bug may show in one build only.
    // With the CPU's unit tests: the compiler's FP assumptions bite in
    // optimised code only.
    match dist::musl() {
        Some(musl) => suite(&["-p", "emu", "-p", "emu-cpu", "--release", "--target", musl])?,
        None => suite(&["-p", "emu", "-p", "emu-cpu", "--release"])?,
    }
    // A bounded part of CPython's regression tests (all of them: `cargo xtask pytest`).
    pytest::run(root, &["--sample".to_string()])
}

/// The workspace root is fixed at build time: xtask lives in `<root>/xtask`.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The cargo that invoked us, so toolchain overrides carry through.
fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Echoes and runs a command, failing unless it exits successfully.
fn run_cmd(cmd: &mut Command) -> Result {
    println!("+ {}", display_cmd(cmd));
    let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", display_cmd(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", display_cmd(cmd)))
    }
}

fn display_cmd(cmd: &Command) -> String {
    std::iter::once(cmd.get_program()).chain(cmd.get_args()).map(OsStr::to_string_lossy).collect::<Vec<_>>().join(" ")
}

/// `program`'s path in PATH (or in /usr/sbin, which a user's PATH may leave out).
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin")]).map(|d| d.join(program)).find(|p| p.is_file())
}

/// Whether `program` can be found and started at all.
fn have_program(program: &str, version_arg: &str) -> bool {
    Command::new(program).arg(version_arg).output().is_ok_and(|o| o.status.success())
}
