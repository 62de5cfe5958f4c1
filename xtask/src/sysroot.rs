//! `cargo xtask fetch-sysroot`: Debian's arm64 packages of some real dynamically
//! linked programs (bash, coreutils, python3, perl, lua5.4, xz, gzip, sqlite3,
//! go, node, java, and the libraries they load), unpacked into target/sysroot-arm64 for
//! `emu -L` and the dynamic-program tests. Downloaded with apt into
//! target/debs/sysroot, where they stay as a cache; never committed.

use crate::fetch::check_arm64_enabled;
use crate::{run_cmd, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The programs, then every library they load (the Depends that ship shared
/// objects; python's only as far as the tests' modules need them).
pub const PACKAGES: &[&str] = &[
    // bash and coreutils; libgcc_s, which glibc's pthread_exit and
    // pthread_cancel load to unwind the thread
    "libc6",
    "libgcc-s1",
    "bash",
    "coreutils",
    "libtinfo6",
    "libacl1",
    "libattr1",
    "libgmp10",
    "libselinux1",
    "libpcre2-8-0",
    // /bin/sh, so that what a guest runs through the shell (system(), popen,
    // subprocess with shell=True) is an arm64 program too
    "dash",
    // python3: the interpreter, its stdlib, and what _hashlib, zlib, lzma,
    // bz2, pyexpat, ctypes and sqlite3 load
    "python3-minimal",
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "libssl3",
    "zlib1g",
    "libexpat1",
    "libffi8",
    "libbz2-1.0",
    "liblzma5",
    "libuuid1",
    "libcrypt1",
    // CPython's own regression tests (`cargo xtask pytest`)
    "libpython3.11-testsuite:all",
    // perl, lua, xz, gzip, sqlite3
    "perl-base",
    "lua5.4",
    "libreadline8",
    "xz-utils",
    "gzip",
    "sqlite3",
    "libsqlite3-0",
    // the Go toolchain: a Go runtime (many threads, signals for preemption)
    // that execs its own compiler and linker
    "golang-1.19-go",
    "golang-1.19-src:all",
    // two JIT compilers: Node.js (V8) and the JVM (HotSpot), which write and
    // flush code, and the JVM also turns faults into null-pointer exceptions
    "nodejs",
    "libnode108",
    "libuv1",
    "libbrotli1",
    "libc-ares2",
    "libicu72",
    "libnghttp2-14",
    "libstdc++6",
    // the JavaScript modules Debian's node loads from /usr/share/nodejs
    "node-cjs-module-lexer:all",
    "node-acorn:all",
    "node-undici:all",
    "node-busboy:all",
    "node-xtend:all",
    "openjdk-17-jre-headless",
];

pub fn fetch(root: &Path) -> Result {
    let dest = root.join("target/sysroot-arm64");
    let stamp = dest.join(".packages");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        println!("sysroot: {} already has {}", dest.display(), PACKAGES.join(" "));
        return Ok(());
    }
    let debs = download(root, "sysroot", PACKAGES)?;
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    for deb in &debs {
        run_cmd(Command::new("dpkg").arg("-x").arg(deb).arg(&dest))?;
    }
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    println!("sysroot: unpacked {} packages into {}", debs.len(), dest.display());
    Ok(())
}

/// The arm64 .deb of each package in target/debs/`cache`, downloading only
/// those not there yet.
pub fn download(root: &Path, cache: &str, packages: &[&str]) -> Result<Vec<PathBuf>> {
    let dir = root.join("target/debs").join(cache);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // An entry is NAME (an arm64 package) or NAME:all (architecture-independent).
    let missing: Vec<String> = packages
        .iter()
        .filter(|p| cached(&dir, p).is_none())
        .map(|p| match p.strip_suffix(":all") {
            Some(name) => name.to_string(),
            None => format!("{p}:arm64"),
        })
        .collect();
    if !missing.is_empty() {
        check_arm64_enabled()?;
        let mut download = Command::new("apt-get");
        download.arg("download").args(&missing).current_dir(&dir);
        run_cmd(&mut download)
            .map_err(|e| format!("{e}\nif apt does not know a package, run `apt-get update` first"))?;
    }
    packages
        .iter()
        .map(|p| {
            cached(&dir, p).ok_or_else(|| format!("apt-get download left no arm64 .deb of {p} in {}", dir.display()))
        })
        .collect()
}

/// A downloaded `package_VERSION_arm64.deb` in `dir`.
fn cached(dir: &Path, package: &str) -> Option<PathBuf> {
    let (name, arch) = match package.strip_suffix(":all") {
        Some(name) => (name, "_all.deb"),
        None => (package, "_arm64.deb"),
    };
    let prefix = format!("{name}_");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix) && n.ends_with(arch)))
}
