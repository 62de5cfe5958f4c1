//! `cargo xtask rootfs`: a Debian bookworm arm64 root filesystem made with
//! `debootstrap --foreign`, its second stage run to completion in a chroot
//! with emu registered through binfmt_misc, then real programs inside it
//! (bash, dpkg, apt-get, perl, coreutils, a pipeline of them, python3 if apt
//! can reach the mirror). The second stage is timed under emu and, in a
//! separate root filesystem, under qemu-aarch64-static registered the same way.
//! Needs root; changes to binfmt_misc and mounts are undone on every exit.

pub(crate) mod guard;

use crate::{dist, run_cmd, which, Result};
use guard::{unmount_below, Mounts, Registration};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SUITE: &str = "bookworm";
/// Where apt's sources name no bookworm mirror.
const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";
/// The guest's environment in the chroot.
const GUEST_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const USAGE: &str = "rootfs [--reuse] [--no-qemu] [--no-python] [--timeout MINUTES]";

struct Options {
    /// Keep a root filesystem whose second stage has completed.
    reuse: bool,
    qemu: bool,
    python: bool,
    /// For each long step (a second stage, an apt-get).
    timeout: Duration,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options { reuse: false, qemu: true, python: true, timeout: Duration::from_secs(90 * 60) };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--reuse" => opts.reuse = true,
            "--no-qemu" => opts.qemu = false,
            "--no-python" => opts.python = false,
            "--timeout" => {
                let minutes: u64 = it
                    .next()
                    .and_then(|m| m.parse().ok())
                    .filter(|&m| m > 0)
                    .ok_or("--timeout takes a number of minutes")?;
                opts.timeout = Duration::from_secs(minutes * 60);
            }
            other => return Err(format!("unknown rootfs option `{other}`\nusage: cargo xtask {USAGE}")),
        }
    }
    Ok(opts)
}

pub fn run(root: &Path, args: &[String]) -> Result {
    let opts = parse(args)?;
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("rootfs needs root (binfmt_misc, debootstrap, chroot): run it as root".into());
    }
    guard::survive_interrupts(&INTERRUPTED);
    ensure_debootstrap()?;
    let qemu = if opts.qemu {
        Some(
            which("qemu-aarch64-static")
                .ok_or("qemu-aarch64-static is not installed (apt-get install qemu-user-static), or pass --no-qemu")?,
        )
    } else {
        None
    };
    let mirror = apt_mirror();
    println!("rootfs: Debian mirror {mirror}");
    step("building the static emu");
    let emu = dist::build_static_emu(root)?;
    let cache = root.join("target/debs/rootfs");
    std::fs::create_dir_all(&cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;

    let emu_dir = root.join("target/rootfs-arm64");
    // debootstrap removes its own folder when the second stage completes.
    let emu_time =
        if opts.reuse && emu_dir.join("etc/debian_version").is_file() && !emu_dir.join("debootstrap").exists() {
            println!("rootfs: reusing the finished {}", emu_dir.display());
            None
        } else {
            Some(second_stage(&Runner::emu(&emu), &emu_dir, &cache, &mirror, &opts)?)
        };
    let mut notes = vec![programs_in_chroot(&emu_dir, &emu)?];
    if opts.python {
        notes.push(python_in_chroot(&emu_dir, &emu, &opts)?);
    }

    let qemu_time = match &qemu {
        Some(qemu) => {
            let dir = root.join("target/rootfs-arm64-qemu");
            let t = second_stage(&Runner::qemu(qemu), &dir, &cache, &mirror, &opts)?;
            Some(t)
        }
        None => None,
    };

    println!("\nrootfs: done; the root filesystem is {}", emu_dir.display());
    for note in notes {
        println!("  {note}");
    }
    if let Some(t) = emu_time {
        println!("  second stage under emu:                 {}", minutes(t));
    }
    if let Some(t) = qemu_time {
        println!("  second stage under qemu-aarch64-static: {}", minutes(t));
    }
    if let (Some(e), Some(q)) = (emu_time, qemu_time) {
        println!("  emu / qemu: {:.2}", e.as_secs_f64() / q.as_secs_f64().max(1e-3));
    }
    Ok(())
}

/// Set by Ctrl-C or SIGTERM: the running step is stopped and the guards clean up.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn step(what: &str) {
    println!("\n==> rootfs: {what}");
}

fn minutes(d: Duration) -> String {
    format!("{}m{:04.1}s", d.as_secs() / 60, d.as_secs_f64() % 60.0)
}

/// Who runs the arm64 programs: a binfmt_misc registration to make.
struct Runner {
    label: &'static str,
    name: String,
    interpreter: PathBuf,
    flags: &'static str,
}

impl Runner {
    fn emu(path: &Path) -> Runner {
        // The flags `emu binfmt install` uses by default.
        let name = format!("emu-rootfs-{}", std::process::id());
        Runner { label: "emu", name, interpreter: path.to_path_buf(), flags: emu_binfmt::DEFAULT_FLAGS }
    }

    fn qemu(path: &Path) -> Runner {
        let name = format!("qemu-rootfs-{}", std::process::id());
        Runner { label: "qemu-aarch64-static", name, interpreter: path.to_path_buf(), flags: "F" }
    }
}

/// debootstrap's first stage into `dir` (fresh), then its second stage in a
/// chroot under `runner`; returns how long the second stage took.
fn second_stage(runner: &Runner, dir: &Path, cache: &Path, mirror: &str, opts: &Options) -> Result<Duration> {
    step(&format!("first stage (debootstrap --foreign) into {}", dir.display()));
    unmount_below(dir);
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot remove the old {}: {e}", dir.display()))?;
    }
    let mut first = Command::new("debootstrap");
    first.args(["--foreign", "--arch=arm64"]).arg(format!("--cache-dir={}", cache.display()));
    first.arg(SUITE).arg(dir).arg(mirror);
    timed(&mut first, opts.timeout, "the first stage")?;

    step(&format!("second stage under {} (registered with binfmt_misc as {})", runner.label, runner.name));
    let _registration = Registration::new(&runner.name, &runner.interpreter, runner.flags)?;
    // Whatever the second stage leaves mounted (it mounts /proc and /sys).
    let _mounts = Mounts(dir.to_path_buf());
    let mut second = chroot(dir);
    second.args(["/debootstrap/debootstrap", "--second-stage"]);
    let took = timed(&mut second, opts.timeout, &format!("the second stage under {}", runner.label)).map_err(|e| {
        let log = dir.join("debootstrap/debootstrap.log");
        format!("{e}\nthe end of {}:\n{}", log.display(), tail(&log, 25))
    })?;
    println!("rootfs: the second stage under {} took {}", runner.label, minutes(took));
    Ok(took)
}

/// `chroot DIR` with the guest's environment.
fn chroot(dir: &Path) -> Command {
    // chroot lives in sbin, which a user's PATH may leave out.
    let chroot = ["/usr/sbin/chroot", "/sbin/chroot"].into_iter().find(|p| Path::new(p).exists()).unwrap_or("chroot");
    let mut cmd = Command::new(chroot);
    cmd.arg(dir).env_clear().env("PATH", GUEST_PATH).env("HOME", "/root").env("LC_ALL", "C");
    cmd.env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

/// Runs `cmd` with its output shown, in its own process group so that a
/// timeout or Ctrl-C stops all of it; returns how long it ran.
fn timed(cmd: &mut Command, limit: Duration, what: &str) -> Result<Duration> {
    println!("+ {}", crate::display_cmd(cmd));
    let start = Instant::now();
    let mut child = cmd.process_group(0).spawn().map_err(|e| format!("cannot start {what}: {e}"))?;
    let pgid = child.id() as libc::pid_t;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(start.elapsed()),
            Ok(Some(status)) => return Err(format!("{what} failed ({status}) after {}", minutes(start.elapsed()))),
            Ok(None) => {}
            Err(e) => return Err(format!("cannot wait for {what}: {e}")),
        }
        let stop = if INTERRUPTED.load(Ordering::Relaxed) {
            Some("interrupted")
        } else if start.elapsed() > limit {
            Some("timed out")
        } else {
            None
        };
        if let Some(why) = stop {
            // SAFETY: signals the process group we created; no memory involved.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            let _ = child.wait();
            return Err(format!("{what} {why} after {}", minutes(start.elapsed())));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs a guest shell command in the chroot; returns its stdout.
fn in_chroot(dir: &Path, script: &str) -> Result<String> {
    let out = chroot(dir)
        .args(["/bin/bash", "-c", script])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run chroot: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("`{script}` in the chroot failed ({}):\n{stdout}{stderr}", out.status));
    }
    Ok(stdout)
}

/// A host command's stdout: the native reference for a guest's output.
fn host(script: &str) -> Result<String> {
    let out = Command::new("bash").args(["-c", script]).output().map_err(|e| format!("cannot run bash: {e}"))?;
    if !out.status.success() {
        return Err(format!("`{script}` on the host failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One check: the guest's output against what it must be.
fn check(dir: &Path, what: &str, script: &str, expected: impl Fn(&str) -> bool) -> Result {
    print!("rootfs: {what}: ");
    let out = in_chroot(dir, script)?;
    if !expected(&out) {
        return Err(format!("{what}: unexpected output of `{script}`:\n{out}"));
    }
    println!("ok ({})", out.lines().next().unwrap_or_default().trim());
    Ok(())
}

/// The programs the issue lists, run through emu in the finished chroot.
fn programs_in_chroot(dir: &Path, emu: &Path) -> Result<String> {
    step("programs in the chroot, through emu");
    let runner = Runner::emu(emu);
    let _registration = Registration::new(&runner.name, emu, runner.flags)?;
    let mounts = Mounts(dir.to_path_buf());
    mounts.mount("proc", "proc")?;
    check(dir, "bash", "echo \"bash $BASH_VERSION\"; echo $((6*7))", |o| o.lines().nth(1) == Some("42"))?;
    check(dir, "uname -m", "uname -m", |o| o == "aarch64\n")?;
    check(dir, "dpkg -l | head", "dpkg -l | head -n 8", |o| o.lines().count() == 8 && o.contains("ii  "))?;
    check(dir, "apt-get --version", "apt-get --version", |o| o.starts_with("apt 2."))?;
    check(dir, "perl -e", "perl -e 'print 6*7, qq{\\n}'", |o| o == "42\n")?;
    let coreutils = "seq 1 2000 | sort -rn | head -n 3 | tr '\\n' ' '; ls / | wc -l; stat -c %s /etc/debian_version";
    let host_ls = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?.count();
    let version_len = std::fs::metadata(dir.join("etc/debian_version")).map(|m| m.len()).unwrap_or(0);
    let expect = format!("2000 1999 1998 {host_ls}\n{version_len}\n");
    check(dir, "coreutils", coreutils, |o| o == expect)?;

    // A script piping them together; every expected line comes from the host
    // (its own dpkg-query over the chroot's database, seq, sha256sum).
    let script = "#!/bin/bash\nset -eo pipefail\n\
        dpkg-query -W -f '${Package}\\n' | sort | head -n 5 | tr a-z A-Z | paste -sd,\n\
        perl -e 'print join(qq{\\n}, map { $_ * $_ } 1 .. 10), qq{\\n}' | awk '{ s += $1 } END { print s }'\n\
        seq 1 1000 | sha256sum | cut -c1-16\n\
        apt-cache policy 2>/dev/null | wc -l | xargs test 0 -lt && echo apt-cache\n";
    std::fs::write(dir.join("tmp/pipeline.sh"), script).map_err(|e| format!("cannot write the script: {e}"))?;
    let admindir = dir.join("var/lib/dpkg");
    let expected = format!(
        "{}385\n{}apt-cache\n",
        host(&format!(
            "dpkg-query --admindir={} -W -f '${{Package}}\\n' | sort | head -n 5 | tr a-z A-Z | paste -sd,",
            admindir.display()
        ))?,
        host("seq 1 1000 | sha256sum | cut -c1-16")?,
    );
    check(dir, "a script piping dpkg-query, perl, awk, coreutils", "bash /tmp/pipeline.sh", |o| o == expected)?;
    Ok("bash, dpkg -l, apt-get --version, perl -e, coreutils and a piped script: ok in the chroot".to_string())
}

/// python3 installed into the chroot by its own apt-get (through emu, from
/// the same mirror), then run.
fn python_in_chroot(dir: &Path, emu: &Path, opts: &Options) -> Result<String> {
    step("apt-get install python3 in the chroot, through emu");
    let runner = Runner::emu(emu);
    let _registration = Registration::new(&runner.name, emu, runner.flags)?;
    let mounts = Mounts(dir.to_path_buf());
    mounts.mount("proc", "proc")?;
    // The chroot shares the host's network; it needs the host's resolver.
    let resolv = dir.join("etc/resolv.conf");
    if std::fs::metadata(&resolv).map(|m| m.len() == 0).unwrap_or(true) {
        let _ = std::fs::remove_file(&resolv);
        std::fs::copy("/etc/resolv.conf", &resolv).map_err(|e| format!("cannot copy /etc/resolv.conf: {e}"))?;
    }
    let update = timed(chroot(dir).args(["apt-get", "update"]), opts.timeout, "apt-get update in the chroot")?;
    let mut install = chroot(dir);
    install.args(["apt-get", "install", "-y", "--no-install-recommends", "python3"]);
    let installed = timed(&mut install, opts.timeout, "apt-get install python3 in the chroot")?;
    let script = "import hashlib, json, sys, zlib\n\
        print(json.dumps({'sha256': hashlib.sha256(b'emu').hexdigest(), 'squares': sum(i * i for i in range(10**5)), \
        'crc': zlib.crc32(b'emu'), 'platform': sys.platform}, sort_keys=True))";
    let n: u64 = 100_000;
    let sha = host("printf emu | sha256sum | cut -c1-64")?;
    let crc = host("printf emu | gzip -c | tail -c8 | od -An -tu4 -N4 | tr -d ' '")?;
    let expected = format!(
        "{{\"crc\": {}, \"platform\": \"linux\", \"sha256\": \"{}\", \"squares\": {}}}\n",
        crc.trim(),
        sha.trim(),
        (n - 1) * n * (2 * n - 1) / 6
    );
    check(dir, "python3 -c", &format!("python3 -c \"{script}\""), |o| o == expected)?;
    Ok(format!(
        "python3: apt-get update {} and apt-get install {} under emu; python3 -c ok",
        minutes(update),
        minutes(installed)
    ))
}

/// Where apt on this machine downloads bookworm from: the same mirror is the
/// one the network lets through.
fn apt_mirror() -> String {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        files.extend(more);
    }
    files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            match f.extension().and_then(|e| e.to_str()) {
                Some("sources") => deb822_mirror(&text),
                Some("list") => one_line_mirror(&text),
                _ => None,
            }
        })
        .next()
        .unwrap_or_else(|| DEFAULT_MIRROR.to_string())
}

/// `deb [options] URI bookworm components` lines.
fn one_line_mirror(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("deb ")?.trim_start();
        // Skip the options, which may hold spaces.
        let rest = match rest.strip_prefix('[') {
            Some(options) => &options[options.find(']')? + 1..],
            None => rest,
        };
        let mut words = rest.split_whitespace();
        let uri = words.next()?;
        (words.next() == Some(SUITE)).then(|| uri.to_string())
    })
}

/// deb822 stanzas: `URIs:` and `Suites:` fields, stanzas split by blank lines.
fn deb822_mirror(text: &str) -> Option<String> {
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza.lines().find_map(|l| l.strip_prefix(name).map(|v| v.split_whitespace().collect::<Vec<_>>()))
        };
        let enabled = field("Enabled:").map_or(true, |v| v.first() != Some(&"no"));
        let types = field("Types:")?;
        let suites = field("Suites:")?;
        let uri = field("URIs:")?.first()?.to_string();
        (enabled && types.contains(&"deb") && suites.contains(&SUITE)).then_some(uri)
    })
}

/// debootstrap, installed with apt if it is missing.
fn ensure_debootstrap() -> Result {
    if which("debootstrap").is_some() || Path::new("/usr/sbin/debootstrap").is_file() {
        return Ok(());
    }
    step("installing debootstrap");
    run_cmd(Command::new("apt-get").args(["install", "-y", "debootstrap"]))
}

/// The last `lines` lines of a log file, or why there are none.
fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read it: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_from_deb822() {
        let text = "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\
                    Components: main\n\nTypes: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\n\
                    Types: deb\nURIs: http://mirror.example/debian http://other.example/debian\n\
                    Suites: bookworm bookworm-updates\nComponents: main\n";
        assert_eq!(deb822_mirror(text).as_deref(), Some("http://mirror.example/debian"));
        assert_eq!(deb822_mirror("Types: deb\nURIs: http://x/debian\nSuites: trixie\n"), None);
        assert_eq!(deb822_mirror("Enabled: no\nTypes: deb\nURIs: http://x/debian\nSuites: bookworm\n"), None);
    }

    #[test]
    fn mirror_from_one_line_format() {
        let text = "# deb http://commented/debian bookworm main\n\
                    deb http://security.debian.org/debian-security bookworm-security main\n\
                    deb [ arch=amd64,arm64 signed-by=/k.gpg ] http://mirror.example/debian bookworm main contrib\n";
        assert_eq!(one_line_mirror(text).as_deref(), Some("http://mirror.example/debian"));
        assert_eq!(one_line_mirror("deb-src http://x/debian bookworm main\n"), None);
    }
}
