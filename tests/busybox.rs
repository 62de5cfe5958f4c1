//! Debian's static arm64 busybox, a large real-world program, run under emu
//! and under qemu-aarch64-static with the same arguments and input; both
//! must print the same and end the same way.

#[path = "common/mod.rs"]
mod common;

use std::process::Command;

use common::{assert_same, busybox, compare, emu, qemu, run, run_pipeline, Invocation, TempDir};

fn bb<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Invocation {
    Invocation::new(busybox()).args(args)
}

/// Over 64 KiB so that reading and writing it takes several system calls.
fn sample_text() -> String {
    (0..3000).map(|i| format!("line {i:04}: the quick brown fox jumps over {} lazy dogs\n", i * 7 % 13)).collect()
}

#[test]
fn echo() {
    let out = compare("echo", &bb(["echo", "hello", "world"]));
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "hello world\n");
}

#[test]
fn cat_file() {
    let dir = TempDir::new("cat");
    let text = sample_text();
    let file = dir.file("input.txt", &text);
    let out = compare("cat", &bb(["cat".as_ref(), file.as_os_str()]));
    assert_eq!(out.code(), Some(0), "{out}");
    assert!(out.stdout_str() == text, "cat changed the file's contents");
}

#[test]
fn ls_long_root() {
    let inv = bb(["ls", "-l", "/"]);
    let emu_out = run(inv.command(&emu()), &[]);
    let qemu_out = run(inv.command(&qemu()), &[]);
    assert_eq!(emu_out.code(), Some(0), "{emu_out}");
    assert!(emu_out.stdout_str().contains(" usr"), "{emu_out}");
    // Between the two runs, tests running in parallel create files in /tmp (its
    // time stamp changes) and processes come and go (the link count of /proc
    // changes); every other line must be the same.
    let without_tmp =
        |s: String| s.lines().filter(|l| !l.ends_with(" tmp") && !l.ends_with(" proc")).collect::<Vec<_>>().join("\n");
    assert_eq!(
        without_tmp(emu_out.stdout_str()),
        without_tmp(qemu_out.stdout_str()),
        "emu:\n{emu_out}\nqemu:\n{qemu_out}"
    );
    assert_eq!(emu_out.stderr_str(), qemu_out.stderr_str());
}

#[test]
fn sha256sum() {
    let dir = TempDir::new("sha256");
    let file = dir.file("input.txt", sample_text());
    let out = compare("sha256sum", &bb(["sha256sum".as_ref(), file.as_os_str()]));
    assert_eq!(out.code(), Some(0), "{out}");

    // The host's coreutils gives the expected digest.
    let host = Command::new("sha256sum").arg(&file).output().expect("cannot run the host's sha256sum");
    let expected = String::from_utf8_lossy(&host.stdout);
    let digest = |s: &str| s.split_whitespace().next().unwrap_or("").to_string();
    assert_eq!(digest(&out.stdout_str()), digest(&expected));
    assert_eq!(digest(&expected).len(), 64, "host sha256sum printed {expected:?}");
}

#[test]
fn wc_stdin() {
    let out = compare("wc", &bb(["wc"]).stdin("one two\nthree\nfour five six\n"));
    assert_eq!(out.code(), Some(0), "{out}");
    let counts: Vec<String> = out.stdout_str().split_whitespace().map(String::from).collect();
    assert_eq!(counts, ["3", "6", "28"], "{out}");
}

#[test]
fn sort_stdin() {
    // A fixed pseudo-random order of distinct words.
    let mut words: Vec<String> = (0..2000u32).map(|i| format!("w{:08x}", i.wrapping_mul(2_654_435_761))).collect();
    let input: String = words.iter().map(|w| format!("{w}\n")).collect();
    let out = compare("sort", &bb(["sort"]).stdin(input));
    assert_eq!(out.code(), Some(0), "{out}");
    words.sort();
    let expected: String = words.iter().map(|w| format!("{w}\n")).collect();
    assert!(out.stdout_str() == expected, "sort output is not sorted input");
}

#[test]
fn expr() {
    let out = compare("expr", &bb(["expr", "6", "*", "7"]));
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "42\n");
}

#[test]
fn false_exits_1() {
    let out = compare("false", &bb(["false"]));
    assert_eq!(out.code(), Some(1), "{out}");
}

#[test]
fn pipeline_seq_tail() {
    let seq = bb(["seq", "1", "100000"]);
    let tail = bb(["tail", "-1"]);
    let under = |runner: std::path::PathBuf| run_pipeline(vec![seq.command(&runner), tail.command(&runner)], &[]);
    let emu_outs = under(emu());
    let qemu_outs = under(qemu());
    for (what, (e, q)) in ["seq", "tail"].iter().zip(emu_outs.iter().zip(&qemu_outs)) {
        assert_same(what, e, q);
        assert_eq!(e.code(), Some(0), "{e}");
    }
    assert_eq!(emu_outs[1].stdout_str(), "100000\n");
}

/// `yes | head -1`: when head exits, yes writes to a pipe with no reader and
/// dies of SIGPIPE, as on arm64 Linux. emu must hand the guest the default
/// SIGPIPE disposition it was given, not one of its own.
#[test]
fn writer_to_closed_pipe_dies_of_sigpipe() {
    let yes = bb(["yes"]);
    let head = bb(["head", "-1"]);
    let under = |runner: std::path::PathBuf| run_pipeline(vec![yes.command(&runner), head.command(&runner)], &[]);
    let emu_outs = under(emu());
    let qemu_outs = under(qemu());
    assert_eq!(qemu_outs[0].signal(), Some(libc::SIGPIPE), "{}", qemu_outs[0]);
    assert_eq!(emu_outs[0].signal(), Some(libc::SIGPIPE), "{}", emu_outs[0]);
    assert_same("head", &emu_outs[1], &qemu_outs[1]);
    assert_eq!(emu_outs[1].stdout_str(), "y\n");
}
