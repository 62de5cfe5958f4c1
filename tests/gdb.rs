//! `emu -g PORT`: GDB (gdb-multiarch) debugs a guest program over the remote
//! protocol. Each script runs once against emu and once against
//! `qemu-aarch64-static -g`, and GDB must print the same (stack addresses
//! aside, which differ between the two), and the program must end the same way.
//! Where qemu cannot serve as the reference (it has no file access for GDB; its
//! stub answers an interrupt differently), the expected lines are GDB's own
//! documented messages and the program's known output.

#[path = "common/mod.rs"]
mod common;

use common::{emu, qemu, run, testbin, Outcome, TempDir};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn gdb() -> PathBuf {
    common::find_in_path("gdb-multiarch")
        .expect("gdb-multiarch not found in PATH: install it (apt-get install gdb-multiarch)")
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("cannot bind a local port");
    l.local_addr().expect("a bound socket has an address").port()
}

/// Whether some socket listens on `port` (read from the kernel's tables, so
/// that no probe connection takes the one GDB is meant to have).
fn listening(port: u16) -> bool {
    let want = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|table| {
        std::fs::read_to_string(table).unwrap_or_default().lines().skip(1).any(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            f.len() > 3 && f[1].ends_with(&want) && f[3] == "0A"
        })
    })
}

/// The program under `runner -g PORT` (with `pre` options first), and GDB
/// running `script` against it. Returns GDB's output and the program's outcome.
fn session(runner: &Path, pre: &[&str], program: &Path, args: &[&str], script: &str) -> (String, Outcome) {
    let port = free_port();
    let mut cmd = Command::new(runner);
    cmd.args(pre).arg("-g").arg(port.to_string()).arg(program).args(args);
    let guest = start_guest(cmd, port);
    let dir = TempDir::new("gdb");
    let header = format!("set pagination off\nset confirm off\ntarget remote 127.0.0.1:{port}\n");
    let file = dir.file("script.gdb", &(header + script));
    let mut cmd = Command::new(gdb());
    cmd.args(["-q", "-nx", "-batch", "-x"]).arg(&file).arg(program);
    let out = run(cmd, b"");
    let program_outcome = guest.join().expect("the guest's runner thread");
    (out.stdout_str() + &out.stderr_str(), program_outcome)
}

/// Runs `cmd` (emu or qemu waiting for GDB on `port`) on a thread, and
/// returns once it listens.
fn start_guest(cmd: Command, port: u16) -> std::thread::JoinHandle<Outcome> {
    let what = format!("{cmd:?}");
    let guest = std::thread::spawn(move || run(cmd, b""));
    wait_listening(port, &what);
    guest
}

fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !listening(port) {
        assert!(Instant::now() < deadline, "{what} never listened on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// GDB's output without what differs by design: stack addresses, thread ids,
/// qemu's notes on its virtual CPUs, the alignment of tables, and notes about
/// file transfer (emu serves GDB's file reads, qemu does not).
fn normalize(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("from remote target") && !l.contains("does not support file transfer"))
        .filter(|l| !l.starts_with("warning: File transfers from remote targets"))
        .map(|l| {
            let l = mask_number(l, "argv=0x", "ADDR", |c| c.is_ascii_hexdigit());
            let l = mask_number(&l, "Thread 1.", "TID", |c| c.is_ascii_digit());
            let l = l.replace(" [running])", ")");
            let l = mask_number(&l, " (CPU#", "", |c| c.is_ascii_digit()).replace(" (CPU#)", "");
            l.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` with the run of `digit`s after each `prefix` replaced by `mask`.
fn mask_number(line: &str, prefix: &str, mask: &str, digit: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at + prefix.len()]);
        rest = &rest[at + prefix.len()..];
        let end = rest.find(|c: char| !digit(c)).unwrap_or(rest.len());
        out.push_str(mask);
        rest = &rest[end..];
    }
    out + rest
}

/// Runs `script` under both and compares; returns emu's side.
#[track_caller]
fn compare(args: &[&str], script: &str) -> (String, Outcome) {
    let prog = testbin("static", "debuggee");
    let (emu_gdb, emu_run) = session(&emu(), &[], &prog, args, script);
    let (qemu_gdb, qemu_run) = session(&qemu(), &[], &prog, args, script);
    assert_eq!(normalize(&emu_gdb), normalize(&qemu_gdb), "GDB's view differs (left: emu, right: qemu)");
    assert_eq!(
        (emu_run.status, emu_run.stdout_str()),
        (qemu_run.status, qemu_run.stdout_str()),
        "the debugged program ended differently (left: emu, right: qemu)"
    );
    (normalize(&emu_gdb), emu_run)
}

/// Breakpoints by function and line, a backtrace, finish, next, stepi,
/// printing and setting variables, and the exit status at the end.
#[test]
fn breakpoints_steps_and_variables() {
    // The line where main, its sum printed, looks at its mode.
    let source = std::fs::read_to_string(common::root().join("testbins/debuggee.c")).expect("testbins/debuggee.c");
    let line = source.lines().position(|l| l.contains("strcmp(mode, \"segv\")")).expect("the segv test") + 1;
    let script = format!(
        "break square\ncontinue\nbt\nprint x\ninfo registers pc\nfinish\nnext\nprint sum\nstepi\n\
         info registers pc\ndelete\ntbreak debuggee.c:{line}\ncontinue\nprint sum\nprint counter\n\
         info registers x0 cpsr\nset var counter = 100\ncontinue\n"
    );
    let (gdb, run) = compare(&[], &script);
    for want in [
        "Breakpoint 1, square (x=1) at",
        "#2 0x",
        "$1 = 1",
        "Value returned is $2 = 1",
        "$4 = 385",
        "$5 = 10",
        "[Inferior 1 (process 1) exited with code 0125]",
    ] {
        assert!(gdb.contains(want), "no {want:?} in:\n{gdb}");
    }
    assert_eq!((run.code(), run.stdout_str()), (Some(85), "sum 385 counter 10\n".to_string()));
}

/// A fault stops the program in GDB at the faulting instruction; continuing
/// with the signal kills it, and emu's parent sees the same signal.
#[test]
fn a_fault_stops_then_kills() {
    let (gdb, run) = compare(&["segv"], "continue\nbt 1\ncontinue\n");
    assert!(gdb.contains("Program received signal SIGSEGV, Segmentation fault."), "{gdb}");
    assert!(gdb.contains("Program terminated with signal SIGSEGV, Segmentation fault."), "{gdb}");
    assert_eq!(run.signal(), Some(common::SIGSEGV));
}

/// A signal stops the program before its handler runs; passed on (GDB's
/// default for SIGUSR1), the handler runs.
#[test]
fn a_signal_stops_then_reaches_its_handler() {
    let (gdb, run) = compare(&["usr1"], "continue\ninfo program\ncontinue\n");
    assert!(gdb.contains("Program received signal SIGUSR1, User defined signal 1."), "{gdb}");
    assert_eq!((run.code(), run.stdout_str()), (Some(85), "sum 385 counter 10\nhandler 10\n".to_string()));
}

/// Threads: a breakpoint in a function two threads run stops the process in
/// each in turn (GDB's all-stop); `next` steps the stopped thread alone;
/// switching threads. (Where the main thread is at each stop, in clone or
/// already in pthread_join, is a race on Linux too, so it is not printed.)
#[test]
fn threads_stop_together() {
    let script = "break worker\ncontinue\nbt\nprint id\nnext\nnext\nprint results\n\
                  thread 1\nprint $_thread\nthread 2\nprint id\ncontinue\nprint $_thread\ncontinue\n";
    let (gdb, run) = compare(&["threads"], script);
    for want in [
        "Thread 2 hit Breakpoint 1, worker (arg=0x0) at",
        "$2 = {14, 0}",
        "[Switching to thread 1 (Thread 1.TID)]",
        "$3 = 1",
        "[Switching to thread 2 (Thread 1.TID)]",
        "$5 = 3",
        "Thread 3 hit Breakpoint 1, worker (arg=0x1) at",
        "[Inferior 1 (process 1) exited with code 0125]",
    ] {
        assert!(gdb.contains(want), "no {want:?} in:\n{gdb}");
    }
    assert_eq!(run.stdout_str(), "sum 385 counter 10\nworkers 14 30\n");
}

/// GDB's interrupt (Ctrl-C) stops a program spinning in guest code; GDB then
/// changes a variable and the program runs to its end.
#[test]
fn an_interrupt_stops_a_running_program() {
    let script = "python\nimport threading\n\
                  threading.Timer(1.0, lambda: gdb.post_event(lambda: gdb.execute('interrupt'))).start()\nend\n\
                  continue\nprint spinning\nset var spinning = 0\ncontinue\n";
    let (gdb, run) = session(&emu(), &[], &testbin("static", "debuggee"), &["spin"], script);
    assert!(gdb.contains("Program received signal SIGINT, Interrupt."), "{gdb}");
    assert!(gdb.contains("$1 = 1"), "{gdb}");
    assert!(gdb.contains("[Inferior 1 (process 1) exited with code 0125]"), "{gdb}");
    assert_eq!((run.code(), run.stdout_str()), (Some(85), "sum 385 counter 10\nreleased\n".to_string()));
}

/// GDB's interrupt while the program waits in a system call (read from an
/// empty pipe): it stops there, in read, and once GDB has fed the pipe and
/// continued, the read returns what was written.
#[test]
fn an_interrupt_stops_a_program_blocked_in_a_system_call() {
    let port = free_port();
    let prog = testbin("static", "debuggee");
    let child = Command::new(emu())
        .args(["-g", &port.to_string()])
        .arg(&prog)
        .arg("block")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cannot start emu");
    wait_listening(port, "emu");
    let pid = child.id();
    let script = format!(
        "set pagination off\ntarget remote 127.0.0.1:{port}\npython\nimport threading\n\
         threading.Timer(1.0, lambda: gdb.post_event(lambda: gdb.execute('interrupt'))).start()\nend\n\
         continue\nbt 2\npython\nopen('/proc/{pid}/fd/0', 'w').write('x')\nend\ncontinue\n"
    );
    let dir = TempDir::new("gdb");
    let file = dir.file("script.gdb", script);
    let mut cmd = Command::new(gdb());
    cmd.args(["-q", "-nx", "-batch", "-x"]).arg(&file).arg(&prog);
    let out = run(cmd, b"");
    let ran = child.wait_with_output().expect("emu's outcome");
    let gdb = out.stdout_str() + &out.stderr_str();
    assert!(gdb.contains("Program received signal SIGINT, Interrupt."), "{gdb}");
    assert!(gdb.contains("in read ()") && gdb.contains("in main ("), "{gdb}");
    assert!(gdb.contains("[Inferior 1 (process 1) exited with code 0125]"), "{gdb}");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "sum 385 counter 10\nread 1 x\n");
    assert_eq!(ran.status.code(), Some(85));
}

/// A dynamically linked program: GDB reads the loader and the C library from
/// the target, which finds them under -L as the guest does, so breakpoints in
/// the library work without `set sysroot`. Then `kill` ends the program.
#[test]
fn libraries_come_through_the_sysroot() {
    let prog = testbin("dynamic", "hello");
    let script = "break puts\ncontinue\nbt 2\ninfo sharedlibrary\nkill\n";
    let (gdb, run) = session(&emu(), &["-L", "/usr/aarch64-linux-gnu"], &prog, &[], script);
    assert!(gdb.contains("in puts () from target:/lib/libc.so.6"), "{gdb}");
    assert!(gdb.contains("in main ()"), "{gdb}");
    assert!(gdb.contains("target:/lib/ld-linux-aarch64.so.1"), "{gdb}");
    assert_eq!((run.signal(), run.stdout_str()), (Some(libc::SIGKILL), String::new()));
}

/// EMU_GDB=PORT (for programs started through binfmt_misc, where emu reads no
/// options) starts the same session as -g.
#[test]
fn gdb_from_the_environment() {
    let port = free_port();
    let mut cmd = Command::new(emu());
    cmd.arg(testbin("static", "debuggee")).env("EMU_GDB", port.to_string());
    let guest = start_guest(cmd, port);
    let mut gdb_cmd = Command::new(gdb());
    gdb_cmd.args(["-q", "-nx", "-batch", "-ex", &format!("target remote 127.0.0.1:{port}"), "-ex", "continue"]);
    gdb_cmd.arg(testbin("static", "debuggee"));
    let out = run(gdb_cmd, b"");
    let ran = guest.join().expect("the guest's runner thread");
    assert!(out.stdout_str().contains("exited with code 0125"), "{out}");
    assert_eq!(ran.code(), Some(85), "{ran}");
}

/// `-g` with no usable port, or a port already taken: one line, its own status.
#[test]
fn bad_gdb_addresses() {
    let hello = testbin("static", "hello");
    for bad in ["x", "0", "70000", "host:"] {
        let mut cmd = Command::new(emu());
        cmd.args(["-g", bad]).arg(&hello);
        let out = run(cmd, b"");
        assert_eq!(out.code(), Some(120), "-g {bad}: {out}");
        assert!(out.stderr_str().starts_with("emu: -g (EMU_GDB) needs a port"), "-g {bad}: {out}");
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("cannot bind a local port");
    let port = taken.local_addr().expect("a bound socket has an address").port();
    let mut cmd = Command::new(emu());
    cmd.args(["-g", &port.to_string()]).arg(&hello);
    let out = run(cmd, b"");
    assert_eq!(out.code(), Some(117), "{out}");
    assert_eq!(out.stderr_str().lines().count(), 1, "{out}");
    assert!(out.stderr_str().contains("cannot listen on 127.0.0.1:"), "{out}");
}
