//! Runs each program from testbins/ (static and static-PIE builds) under
//! emu and under qemu-aarch64-static, and requires the same stdout, stderr
//! and exit status or signal. Each test also checks what the program is
//! known to print, so a bug shared with qemu, or a broken build, shows too.

#[path = "common/mod.rs"]
mod common;

use common::{compare, compare_native, root, testbin, Invocation, Outcome, SIGABRT, SIGSEGV};

const VARIANTS: [&str; 2] = ["static", "pie"];

/// Every program in testbins/ must have a test in this file.
const COVERED: &[&str] = &[
    "abort",
    "args_env",
    "atomic_threads",
    "bench_branch",
    "bench_fp",
    "bench_int",
    "bench_mem",
    "bench_string",
    "debuggee",
    "exit_code",
    "files",
    "fork_exec",
    "fork_threads",
    "hello",
    "int_ops",
    "ipc",
    "malloc",
    "printf_float",
    "raw_syscalls",
    "segv",
    "signals",
    "simd_kernels",
    "stress",
    "strings",
    "threads",
];

/// Compares emu with qemu on both builds of `name`, set up by `configure`.
fn check(name: &str, configure: impl Fn(Invocation) -> Invocation) -> Vec<Outcome> {
    VARIANTS
        .iter()
        .map(|variant| {
            let inv = configure(Invocation::new(testbin(variant, name)));
            compare(&format!("{variant}/{name}"), &inv)
        })
        .collect()
}

#[track_caller]
fn assert_exit(out: &Outcome, code: i32) {
    assert_eq!(out.code(), Some(code), "expected exit status {code}:\n{out}");
}

#[track_caller]
fn assert_lines(out: &Outcome, lines: &[&str]) {
    let stdout = out.stdout_str();
    for line in lines {
        assert!(stdout.lines().any(|l| l == *line), "missing line {line:?}:\n{out}");
    }
}

#[test]
fn every_testbin_is_covered() {
    let dir = root().join("testbins");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".c").or_else(|| n.strip_suffix(".S")).map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names, COVERED, "testbins/ and the tests in tests/programs.rs are out of step");
}

#[test]
fn hello() {
    for out in check("hello", |i| i) {
        assert_exit(&out, 0);
        assert_eq!(out.stdout_str(), "Hello, world!\n");
        assert!(out.stderr.is_empty(), "{out}");
    }
}

/// The program tests/gdb.rs debugs, run without a debugger: each mode ends
/// as it should on its own.
#[test]
fn debuggee() {
    for out in check("debuggee", |i| i) {
        assert_exit(&out, 85);
        assert_eq!(out.stdout_str(), "sum 385 counter 10\n");
    }
    for out in check("debuggee", |i| i.args(["usr1"])) {
        assert_exit(&out, 85);
        assert_lines(&out, &["handler 10"]);
    }
    for out in check("debuggee", |i| i.args(["threads"])) {
        assert_exit(&out, 85);
        assert_lines(&out, &["workers 14 30"]);
    }
    for out in check("debuggee", |i| i.args(["block"]).stdin("y")) {
        assert_exit(&out, 85);
        assert_lines(&out, &["read 1 y"]);
    }
    for out in check("debuggee", |i| i.args(["segv"])) {
        assert_eq!(out.signal(), Some(SIGSEGV), "{out}");
    }
}

#[test]
fn exit_code() {
    for out in check("exit_code", |i| i) {
        assert_exit(&out, 42);
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn raw_syscalls() {
    for out in check("raw_syscalls", |i| i) {
        assert_exit(&out, 7);
        assert_eq!(out.stdout_str(), "Hello from raw syscalls\n");
    }
}

#[test]
fn args_env() {
    let outs = check("args_env", |i| {
        i.args(["one", "two words", "", "ünïcödé", "--flag=x"]).env("EMU_TEST_VAR", "some value")
    });
    for out in outs {
        assert_exit(&out, 0);
        assert_lines(
            &out,
            &[
                "argc=6",
                "argv[1]=\"one\"",
                "argv[2]=\"two words\"",
                "argv[3]=\"\"",
                "argv[4]=\"ünïcödé\"",
                "argv[5]=\"--flag=x\"",
                "EMU_TEST_VAR=some value",
                "AT_PAGESZ=4096 ok",
                "AT_PLATFORM=aarch64",
                "failures=0",
            ],
        );
    }
}

#[test]
fn args_env_without_args_or_var() {
    for out in check("args_env", |i| i) {
        assert_exit(&out, 0);
        assert_lines(&out, &["argc=1", "EMU_TEST_VAR=(unset)", "failures=0"]);
    }
}

#[test]
fn printf_float() {
    for out in check("printf_float", |i| i) {
        assert_exit(&out, 0);
        assert_lines(
            &out,
            &[
                // AArch64's default NaN is positive, unlike x86's.
                "inf=inf ninf=-inf nan=nan nanbits=7ff8000000000000",
                "negzero=-0.000000 signbit=1 bits=8000000000000000",
                "newton sqrt2=1.4142135623730949 libm sqrt2=1.4142135623730951",
                // The FPCR rounding mode must be honoured.
                "upward: 1/3=0.33333333333333337 -1/3=-0.33333333333333331 rint(2.5)=3",
                "downward: 1/3=0.33333333333333331 -1/3=-0.33333333333333337 rint(2.5)=2",
            ],
        );
    }
}

#[test]
fn strings() {
    for out in check("strings", |i| i) {
        assert_exit(&out, 0);
        assert_lines(&out, &["mismatches: 0"]);
    }
}

#[test]
fn files() {
    for out in check("files", |i| i) {
        assert_exit(&out, 0);
        assert_lines(
            &out,
            &[
                "fstat size: 10000 regular: 1 mode: 600",
                "directory entries: 4",
                "  alpha file size 5",
                "  beta file size 4",
                "  gamma file size 5",
                "  sub dir size 0",
                "failures: 0",
            ],
        );
    }
}

#[test]
fn int_ops() {
    for out in check("int_ops", |i| i) {
        assert_exit(&out, 0);
        // From the manual: 0 + 0 sets Z (0b0100); subtractions without borrow, 0
        // from 0 and 0xff - 0x7f set C (0b0110, 0b0010); UDIV by zero gives 0 and leaves the flags alone.
        assert_lines(&out, &["adds_x 0 0 -> 0 4", "subs_x 0 0 -> 0 6", "subs_x ff 7f -> 80 2", "udiv_x 0 0 -> 0 0"]);
    }
}

/// -O3 auto-vectorised kernels (SDOT/UDOT among them) and the crypto, dot
/// product and RDM intrinsics; the digests are FIPS 197 / FIPS 180 known answers.
#[test]
fn simd_kernels() {
    for out in check("simd_kernels", |i| i) {
        assert_exit(&out, 0);
        assert_lines(
            &out,
            &[
                "aes128 3925841d02dc09fbdc118597196a0b32",
                "aes128 decrypt ok=1",
                "sha256(abc) ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "sha1(abc) a9993e364706816aba3e25717850c26c9cd0d89d",
                "crc32c(123456789) e3069283",
                "qsort ok=1 min -49980 median -515 max 49957",
            ],
        );
        assert!(out.stdout_str().contains("pmull64 ok=1 "), "PMULL differs from a scalar carry-less multiply:\n{out}");
    }
}

/// Exclusives, LSE atomics, CAS/CASP and a SWP lock from six threads: exact totals.
#[test]
fn atomic_threads() {
    for out in check("atomic_threads", |i| i) {
        assert_exit(&out, 0);
        for line in out.stdout_str().lines() {
            let (got, want) = line.split_once(" (want ").unwrap_or_else(|| panic!("unexpected line {line:?}:\n{out}"));
            let got = got.split_once(' ').map_or("", |(_, v)| v);
            assert_eq!(got, want.trim_end_matches(')'), "{line}\n{out}");
        }
        assert_eq!(out.stdout_str().lines().count(), 9, "{out}");
    }
}

#[test]
fn malloc() {
    for out in check("malloc", |i| i) {
        assert_exit(&out, 0);
        assert_lines(&out, &["failures=0"]);
    }
}

#[test]
fn segv() {
    for out in check("segv", |i| i) {
        assert_eq!(out.signal(), Some(SIGSEGV), "expected SIGSEGV:\n{out}");
        assert_eq!(out.stdout_str(), "before fault\n");
    }
}

/// A stack overflow faults below the stack (a gap nothing else is mapped in),
/// and a handler on an alternate stack catches it; a mapping made before is
/// untouched. Without the gap, the overflow wrote into whatever lay below.
#[test]
fn stack_overflow() {
    for out in check("segv", |i| i.args(["overflow"])) {
        assert_exit(&out, 0);
        assert_eq!(out.stdout_str(), "stack overflow caught: yes\nmapping made first intact: yes\n");
    }
}

#[test]
fn abort() {
    for out in check("abort", |i| i) {
        assert_eq!(out.signal(), Some(SIGABRT), "expected SIGABRT:\n{out}");
        assert_eq!(out.stdout_str(), "before abort\n");
    }
}

// The bench programs take a size argument; small sizes keep these quick.

#[test]
fn bench_int() {
    for out in check("bench_int", |i| i.args(["2"])) {
        assert_exit(&out, 0);
        assert!(out.stdout_str().starts_with("passes=2 "), "{out}");
    }
}

#[test]
fn bench_mem() {
    for out in check("bench_mem", |i| i.args(["30000"])) {
        assert_exit(&out, 0);
        assert!(out.stdout_str().starts_with("n=30000 "), "{out}");
    }
}

#[test]
fn bench_branch() {
    for out in check("bench_branch", |i| i.args(["2"])) {
        assert_exit(&out, 0);
        // Known values: the Collatz steps of 1..2000, and pi(200000).
        assert_lines(&out, &["collatz steps up to 2000: 134100", "primes up to 200000: 17984"]);
    }
}

#[test]
fn bench_fp() {
    for out in check("bench_fp", |i| i.args(["5"])) {
        assert_exit(&out, 0);
        // The well-known starting energy of the five-body system.
        assert_lines(&out, &["energy before: -0.169075164"]);
    }
}

#[test]
fn bench_string() {
    for out in check("bench_string", |i| i.args(["2"])) {
        assert_exit(&out, 0);
        // The checksum of the x86_64 build of the same source.
        assert_eq!(out.stdout_str(), "passes=2 checksum=42f28e153f08cac3\n", "{out}");
    }
}

#[test]
fn signals() {
    for out in check("signals", |i| i) {
        assert_exit(&out, 0);
        // Handler results the program computes from the manual's and Linux's
        // semantics: SIGSEGV is 11, its ucontext agrees with siginfo (+100), and
        // so on; see testbins/signals.c.
        assert_lines(
            &out,
            &[
                "usr1: 10001",
                "unblocked: 10001",
                "segv: 111 addr_ok=1 alt=1",
                "segv pc_ok=1",
                "rt queued: count=3 order=123",
                "ppoll: r=-1 errno=EINTR got=12 still_blocked=1",
                "sigill: 104 x0=1234",
                "sigtrap: 105 x0=1234",
                "read: n=-1 errno=EINTR got=14",
                "restarted read: n=1 c=x got=14",
            ],
        );
    }
}

#[test]
fn threads() {
    for out in check("threads", |i| i) {
        assert_exit(&out, 0);
        // 8 threads x 20000 increments; the join values are 10 x (0 + ... + 7).
        assert_lines(&out, &["counter=160000 atomic=160000 sum=280", "waiter=42 tls=0", "signal on target thread: 1"]);
    }
}

/// fork, wait, pipes and execve of an arm64 program (by path and by a
/// close-on-exec descriptor): qemu-user cannot exec an arm64 program without
/// binfmt_misc, so the oracle is the native build.
#[test]
fn fork_exec() {
    for variant in VARIANTS {
        let inv = Invocation::new(testbin(variant, "fork_exec"));
        let out = compare_native(&format!("{variant}/fork_exec"), &inv, &testbin("native", "fork_exec"));
        assert_exit(&out, 0);
        assert_lines(
            &out,
            &[
                "child exit: 3",
                "child signal: 11",
                "exec'd: argv0=renamed arg2=two env=yes sighup=ignored sigusr1=default",
                "exec child exit: 7",
                "fexecve: same descriptors as the parent: yes, exe fork_exec",
                "fexecve child exit: 9",
                "/proc/self/fd: same descriptors as the parent: yes, exe fork_exec",
                "/proc/self/fd child exit: 9",
                "script exit: 5",
            ],
        );
    }
}

/// fork from a thread while two others map, unmap and drop code: the child
/// inherits no lock one of them held, and ends with the thread-exit syscall as
/// the last thread of its process.
#[test]
fn fork_threads() {
    for out in check("fork_threads", |i| i.args(["60"])) {
        assert_exit(&out, 0);
        assert_eq!(out.stdout_str(), "forks from a thread: 60 exited with 0, 0 hung\n");
    }
}

/// 64 threads on futex-based mutexes and condition variables while signals hit
/// the process and single threads; `cargo xtask stress` repeats it 100 times.
#[test]
fn stress() {
    for _ in 0..3 {
        for out in check("stress", |i| i.args(["300"])) {
            assert_exit(&out, 0);
            assert_lines(&out, &["passes=19200 expected=19200 signals_ok=1"]);
        }
    }
}

/// --strace: one line per syscall with the aarch64 name, decoded arguments and
/// result; the program's own output is unchanged.
#[test]
fn strace_lines() {
    let hello = testbin("static", "hello");
    let mut cmd = std::process::Command::new(common::emu());
    cmd.arg("-strace").arg(&hello);
    let out = common::run(cmd, b"");
    assert_exit(&out, 0);
    assert_eq!(out.stdout_str(), "Hello, world!\n");
    let err = out.stderr_str();
    // "Hello, world!\n" is 14 bytes, written to descriptor 1.
    assert!(err.lines().any(|l| l.contains(" write(1, 0x") && l.ends_with(", 14) = 14")), "{err}");
    assert!(err.lines().any(|l| l.ends_with(" exit_group(0) = ?")), "{err}");
    assert!(
        err.lines().any(|l| l.contains(" rseq(") && l.ends_with("= -1 ENOSYS (Function not implemented)")),
        "{err}"
    );
}

/// Descriptors and events: SCM_RIGHTS, epoll (whose event struct differs between
/// the ABIs), timerfd, eventfd, signalfd, inotify, poll, TCP and netlink.
#[test]
fn ipc() {
    for out in check("ipc", |i| i) {
        assert_exit(&out, 0);
        // The values follow from the program: 3 + 4 in the eventfd, SIGUSR1 is
        // 10, IN_CREATE is 0x100, the epoll data word comes back unchanged.
        assert_lines(
            &out,
            &[
                "scm_rights: byte=x n=19 'through a passed fd' new_fd_differs=1",
                "epoll: before=0 after=1 events=0x1 data=0x1122334455667788",
                "timerfd: n=8 expirations=1",
                "eventfd: n=8 value=7",
                "signalfd: n=128 signo=10 pid_ok=1 code=0",
                "inotify: poll=1 revents=0x1 n>0=1 mask=0x100 name=newfile",
                "tcp: connect=0 accepted=1 recv=9 'hello tcp'",
                "netlink: done=1 has_links=1",
            ],
        );
    }
}

/// --strace-file: the trace goes to a file, and follows the processes the guest
/// forks and execs (they append to the same file).
#[test]
fn strace_file_follows_children() {
    let dir = common::TempDir::new("strace-file");
    let trace = dir.path().join("trace.txt");
    let mut cmd = std::process::Command::new(common::emu());
    cmd.arg("--strace-file").arg(&trace).arg(testbin("static", "fork_exec"));
    let out = common::run(cmd, b"");
    assert_exit(&out, 0);
    assert!(!out.stderr_str().contains("write(1,"), "the trace must not go to stderr:\n{out}");
    let text = std::fs::read_to_string(&trace).unwrap_or_default();
    let pids: std::collections::BTreeSet<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
    assert!(pids.len() >= 3, "parent and children trace into one file:\n{text}");
    assert!(text.lines().any(|l| l.contains(" execve(\"/proc/self/exe\", ")), "{text}");
    assert!(text.lines().any(|l| l.contains(" wait4(")), "{text}");
}
