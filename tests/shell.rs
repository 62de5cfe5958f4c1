//! Debian's busybox shell running scripts that fork, exec, pipe, wait, trap
//! signals and talk over loopback: the arm64 busybox under emu against the amd64
//! build of the same package run natively (qemu-user cannot exec arm64 programs
//! without binfmt_misc, so it cannot be the oracle here).

#[path = "common/mod.rs"]
mod common;

use common::{busybox, busybox_native, compare_native, Invocation};

#[track_caller]
fn script(name: &str, text: &str) -> String {
    let inv = Invocation::new(busybox()).args(["sh", "-c", text]);
    let out = compare_native(name, &inv, &busybox_native());
    assert_eq!(out.code(), Some(0), "{name} failed:\n{out}");
    out.stdout_str()
}

#[test]
fn pipelines_and_subshells() {
    let out = script(
        "pipelines",
        "x=$(echo sub | tr a-z A-Z); echo $x; (echo in subshell; exit 3); echo status=$?; \
         seq 1 1000 | sort -rn | head -3 | tr '\\n' ' '; echo; echo a b c | xargs -n1 echo | wc -l",
    );
    assert!(out.contains("SUB\nin subshell\nstatus=3\n1000 999 998 \n3\n"), "{out}");
}

#[test]
fn trap_and_background_jobs() {
    let out = script(
        "jobs",
        "trap 'echo got USR1' USR1; kill -USR1 $$; \
         (sleep 0.2; exit 4) & p=$!; sleep 0.05 & q=$!; wait $q; echo q=$?; wait $p; echo p=$?; \
         trap 'echo bye' EXIT; true",
    );
    assert_eq!(out, "got USR1\nq=0\np=4\nbye\n");
}

#[test]
fn xargs_parallel_find_exec_timeout() {
    let out = script(
        "tools",
        "d=$(mktemp -d); for i in 1 2 3 4 5 6; do echo $i > $d/f$i; done; \
         ls $d | xargs -P 3 -I{} sh -c 'cat '$d'/{}' | sort | tr '\\n' ' '; echo; \
         find $d -name 'f[12]' -exec cat {} \\; | sort | tr '\\n' ' '; echo; \
         timeout 1 sleep 5; echo timeout=$?; rm -r $d",
    );
    assert!(out.starts_with("1 2 3 4 5 6 \n1 2 \ntimeout="), "{out}");
}

#[test]
fn httpd_and_wget_on_loopback() {
    // A port derived from our pid, so parallel test runs do not collide. Whether
    // the shell reports "Terminated" for the killed server depends on how fast it
    // dies (a race in ash itself), so that report is not compared.
    let port = 20000 + std::process::id() % 20000;
    let text = format!(
        "d=$(mktemp -d); echo served-by-httpd > $d/index.html; \
         httpd -f -p 127.0.0.1:{port} -h $d & h=$!; \
         i=0; while [ $i -lt 100 ]; do i=$((i+1)); wget -q -O - http://127.0.0.1:{port}/index.html 2>/dev/null && break; sleep 0.1; done; \
         kill $h; wait $h 2>/dev/null; rm -r $d"
    );
    let out = script("httpd", &text);
    assert_eq!(out, "served-by-httpd\n");
}
