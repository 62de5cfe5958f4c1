//! Dynamically linked arm64 programs: emu loads the program's interpreter
//! (glibc's ld.so) from a sysroot given with -L, and ld.so loads the rest.
//! Each program runs under emu and under qemu-aarch64-static, both with the
//! same -L, and must print the same and end the same way.
//!
//! Two sysroots: the cross toolchain's (/usr/aarch64-linux-gnu, for the
//! testbins) and Debian's arm64 packages unpacked by `cargo xtask fetch-sysroot`
//! into target/sysroot-arm64 (bash, coreutils and the libraries they need).

#[path = "common/mod.rs"]
mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_same, emu, qemu, root, run, testbin, Invocation, Outcome, TempDir};

/// Where Debian's gcc-aarch64-linux-gnu puts the arm64 glibc.
const CROSS_SYSROOT: &str = "/usr/aarch64-linux-gnu";

#[track_caller]
fn debian_sysroot() -> PathBuf {
    let dir = root().join("target/sysroot-arm64");
    assert!(dir.join("bin/bash").is_file(), "{} is missing: run `cargo xtask fetch-sysroot` first", dir.display());
    dir
}

/// Runs `inv` under emu and qemu, each given `sysroot` in its own way.
#[track_caller]
fn compare_with(what: &str, sysroot: &Path, inv: &Invocation, how: Sysroot) -> Outcome {
    let command = |runner: &Path| -> Command {
        let mut cmd = inv.command(runner);
        match how {
            Sysroot::Option => {
                // -L goes before the program: rebuild the argument list.
                let mut args: Vec<OsString> = vec!["-L".into(), sysroot.into()];
                args.extend(cmd.get_args().map(|a| a.to_owned()));
                let envs: Vec<(OsString, Option<OsString>)> =
                    cmd.get_envs().map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned()))).collect();
                let mut c = Command::new(runner);
                c.args(args).env_clear();
                for (k, v) in envs {
                    if let Some(v) = v {
                        c.env(k, v);
                    }
                }
                c
            }
            Sysroot::Env(var) => {
                cmd.env(var, sysroot);
                cmd
            }
        }
    };
    let emu_out = run(command(&emu()), &inv.stdin);
    // qemu reads only its own variable.
    let mut qemu_cmd = command(&qemu());
    if let Sysroot::Env(_) = how {
        qemu_cmd.env("QEMU_LD_PREFIX", sysroot);
    }
    let qemu_out = run(qemu_cmd, &inv.stdin);
    assert_same(what, &emu_out, &qemu_out);
    emu_out
}

#[derive(Clone, Copy)]
enum Sysroot {
    Option,
    Env(&'static str),
}

#[track_caller]
fn compare_in(what: &str, sysroot: &Path, inv: &Invocation) -> Outcome {
    compare_with(what, sysroot, inv, Sysroot::Option)
}

#[test]
fn hello_with_cross_sysroot() {
    let inv = Invocation::new(testbin("dynamic", "hello"));
    let out = compare_in("dynamic hello", Path::new(CROSS_SYSROOT), &inv);
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "Hello, world!\n");
}

#[test]
fn sysroot_from_environment() {
    let inv = Invocation::new(testbin("dynamic", "hello"));
    for var in ["EMU_LD_PREFIX", "QEMU_LD_PREFIX"] {
        let out = compare_with(var, Path::new(CROSS_SYSROOT), &inv, Sysroot::Env(var));
        assert_eq!(out.stdout_str(), "Hello, world!\n", "{var}");
    }
}

/// Without a sysroot the interpreter is missing: one line naming it and -L.
#[test]
fn missing_interpreter_names_it() {
    let mut cmd = Command::new(emu());
    cmd.arg(testbin("dynamic", "hello")).env_remove("EMU_LD_PREFIX").env_remove("QEMU_LD_PREFIX");
    let out = run(cmd, &[]);
    assert_eq!(out.code(), Some(126), "{out}");
    let err = out.stderr_str();
    assert!(err.contains("/lib/ld-linux-aarch64.so.1") && err.contains("-L"), "{out}");
}

/// ld.so run as the program, loading the program itself: the ET_DYN
/// interpreter at a random base, with the program mapped by ld.so.
#[test]
fn loader_run_directly() {
    let ld = Path::new(CROSS_SYSROOT).join("lib/ld-linux-aarch64.so.1");
    let inv = Invocation::new(ld).args([testbin("dynamic", "hello")]);
    let out = compare_in("ld.so hello", Path::new(CROSS_SYSROOT), &inv);
    assert_eq!(out.stdout_str(), "Hello, world!\n");
}

/// Position-independent programs land at a different base each run (as with
/// Linux's ASLR): ld.so --list prints where each object went.
#[test]
fn pie_base_is_randomised() {
    let dir = TempDir::new("aslr");
    let ld = Path::new(CROSS_SYSROOT).join("lib/ld-linux-aarch64.so.1");
    let base = |_: usize| {
        // ld.so --list prints each object's load address.
        let mut cmd = Command::new(emu());
        cmd.args(["-L", CROSS_SYSROOT]).arg(&ld).arg("--list").arg(testbin("dynamic", "hello")).current_dir(dir.path());
        let out = run(cmd, &[]);
        assert_eq!(out.code(), Some(0), "{out}");
        out.stdout_str()
    };
    let runs: Vec<String> = (0..3).map(base).collect();
    assert!(runs[0] != runs[1] || runs[1] != runs[2], "three runs loaded at the same addresses:\n{}", runs[0]);
}

// Debian's arm64 programs, from target/sysroot-arm64.

fn debian(program: &str) -> Invocation {
    // The path the guest sees; emu and qemu find it under the sysroot.
    Invocation::new(debian_sysroot().join(program.trim_start_matches('/')))
}

#[track_caller]
fn compare_debian(what: &str, inv: &Invocation) -> Outcome {
    let out = compare_in(what, &debian_sysroot(), inv);
    assert_eq!(out.code(), Some(0), "{out}");
    out
}

#[test]
fn bash_builtins() {
    let inv =
        debian("/bin/bash").args(["-c", "echo $((6*7)); for i in 1 2 3; do echo $i; done; printf '%s-%d\\n' x 5"]);
    let out = compare_debian("bash builtins", &inv);
    assert_eq!(out.stdout_str(), "42\n1\n2\n3\nx-5\n");
}

#[test]
fn coreutils() {
    let dir = TempDir::new("coreutils");
    let text: String = (0..500).map(|i| format!("{} line {i}\n", (i * 7919) % 1000)).collect();
    let file = dir.file("input.txt", &text);
    let f = file.to_str().expect("temp paths are UTF-8");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("cat", vec!["/bin/cat", f]),
        ("sha256sum", vec!["/usr/bin/sha256sum", f]),
        ("sort", vec!["/usr/bin/sort", "-n", f]),
        ("wc", vec!["/usr/bin/wc", f]),
        ("date", vec!["/bin/date", "-d", "@0", "-u"]),
        ("expr", vec!["/usr/bin/expr", "6", "*", "7"]),
        ("ls", vec!["/bin/ls", "-la", "--time-style=+", dir.path().to_str().expect("UTF-8")]),
    ];
    for (what, argv) in cases {
        compare_debian(what, &debian(argv[0]).args(&argv[1..]));
    }
}

/// Pipes, subshells and command substitution in bash fork the guest (no exec).
#[test]
fn bash_fork() {
    let script =
        "echo hello world | while read a b; do echo \"$b $a\"; done; x=$(echo sub); echo $x; (exit 3); echo $?";
    let out = compare_debian("bash fork", &debian("/bin/bash").args(["-c", script]));
    assert_eq!(out.stdout_str(), "world hello\nsub\n3\n");
}

/// Programs that bash starts come from the sysroot too and run through emu: an
/// arm64 uname says aarch64. (qemu cannot be the reference here: without
/// binfmt_misc it hands a guest's execve to the host, which runs the host's
/// programs.)
#[test]
fn bash_runs_sysroot_programs() {
    let mut cmd = Command::new(emu());
    cmd.arg("-L").arg(debian_sysroot()).arg(debian_sysroot().join("bin/bash"));
    cmd.args(["-c", "/bin/uname -m; /usr/bin/expr 6 '*' 7 | /usr/bin/wc -c"]).env_clear().env("PATH", "/usr/bin:/bin");
    let out = run(cmd, &[]);
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "aarch64\n3\n", "{out}");
}
