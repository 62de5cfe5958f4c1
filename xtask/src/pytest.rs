//! CPython's own regression tests (Debian's libpython3.11-testsuite, in the
//! sysroot) run by the arm64 python3 under the static emu. Their assertions were
//! written against real Linux, so they are an oracle for the syscall layer:
//! files, descriptors, processes, signals, threads, sockets, mmap, time.

use crate::{dist, run_cmd, sysroot, Result};
use std::path::Path;
use std::process::Command;

/// Test modules that pass on arm64 Linux and under emu; the default set (about
/// 25 minutes on 2 cores).
pub const MODULES: &[&str] = &[
    "test_array",
    "test_asyncio.test_events",
    "test_asyncio.test_subprocess",
    "test_builtin",
    "test_bz2",
    "test_cmath",
    "test_complex",
    "test_concurrent_futures",
    "test_datetime",
    "test_decimal",
    "test_epoll",
    "test_faulthandler",
    "test_fcntl",
    "test_fileio",
    "test_float",
    "test_format",
    "test_fstring",
    "test_glob",
    "test_hashlib",
    "test_httpservers",
    "test_int",
    "test_io",
    "test_itertools",
    "test_json",
    "test_logging",
    "test_long",
    "test_lzma",
    "test_math",
    "test_mmap",
    "test_os",
    "test_pathlib",
    "test_pickle",
    "test_platform",
    "test_poll",
    "test_posix",
    "test_pty",
    "test_pwd",
    "test_random",
    "test_re",
    "test_resource",
    "test_sched",
    "test_select",
    "test_selectors",
    "test_shutil",
    "test_signal",
    "test_socket",
    "test_stat",
    "test_strtod",
    "test_struct",
    "test_subprocess",
    "test_sys",
    "test_tarfile",
    "test_tempfile",
    "test_threading",
    "test_threadsignals",
    "test_time",
    "test_unicode",
    "test_uuid",
    "test_zipfile",
    "test_zlib",
];

/// The part CI runs: quick modules that reach descriptors, exec, signals,
/// threads, mmap and the FP and integer paths of the interpreter.
pub const SAMPLE: &[&str] =
    &["test_posix", "test_fcntl", "test_mmap", "test_select", "test_struct", "test_math", "test_threadsignals"];

/// Single tests that cannot pass in this setting, whatever the emulator: each
/// with the reason.
const IGNORED: &[(&str, &str)] = &[
    // emu -L is no chroot: a chdir("/") reaches the host's root while
    // listdir("/") lists the sysroot's, as under qemu -L.
    ("test.test_os.Pep383Tests.test_listdir", "a sysroot is not a chroot"),
    // On a host with vsock (a VM), the VSOCK stream test waits forever natively too.
    ("*VSOCK*", "hangs on the host itself"),
];

pub fn run(root: &Path, args: &[String]) -> Result {
    let mut timeout_min = 40u64;
    let mut modules: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--timeout" => {
                let v = it.next().ok_or("--timeout takes minutes")?;
                timeout_min = v.parse().map_err(|_| format!("--timeout takes minutes, not `{v}`"))?;
            }
            "--sample" => modules.extend(SAMPLE.iter().map(|m| m.to_string())),
            m if m.starts_with("test_") => modules.push(m.to_string()),
            other => {
                return Err(format!(
                    "usage: cargo xtask pytest [--sample] [--timeout MINUTES] [test_MODULE...] (not `{other}`)"
                ))
            }
        }
    }
    if modules.is_empty() {
        modules = MODULES.iter().map(|m| m.to_string()).collect();
    }
    let emu = dist::build_static_emu(root)?;
    sysroot::fetch(root)?;
    let sysroot = root.join("target/sysroot-arm64");
    if !sysroot.join("usr/lib/python3.11/test/regrtest.py").is_file() {
        return Err(format!("{} has no CPython test suite: run `cargo xtask fetch-sysroot`", sysroot.display()));
    }
    // The tests write into their working directory and the temporary one.
    let work = root.join("target/pytest");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let ignore = work.join("ignored.txt");
    let list: String = IGNORED.iter().map(|(t, _)| format!("{t}\n")).collect();
    std::fs::write(&ignore, list).map_err(|e| format!("cannot write {}: {e}", ignore.display()))?;

    let mut cmd = Command::new("timeout");
    cmd.arg(format!("{timeout_min}m"))
        .arg(&emu)
        .arg("-L")
        .arg(&sysroot)
        .arg(sysroot.join("usr/bin/python3"))
        .args(["-m", "test", "--timeout", "600", "--ignorefile"])
        .arg(&ignore)
        .args(&modules)
        .current_dir(&work)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &work)
        .env("TMPDIR", &work)
        .env("LANG", "C.UTF-8");
    println!("pytest: {} module(s) of CPython's test suite under {}", modules.len(), emu.display());
    run_cmd(&mut cmd)
}
