//! emu registered with binfmt_misc: the kernel runs arm64 programs through it
//! directly, in chroots and in containers. Registration changes the whole
//! machine, so everything happens in one test function under a unique name,
//! and a guard always restores what was there before (other registrations for
//! arm64, such as qemu-aarch64, are disabled for the test and enabled again).
//! Runs only as root where binfmt_misc exists; says why where it does not.

#[path = "common/mod.rs"]
mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_same, busybox, qemu, root, run, testbin, Outcome, TempDir};
use emu_binfmt::{Binfmt, MOUNT_POINT};

/// `emu binfmt` failures (not root, conflicts) exit with this status.
const BINFMT_FAILED: i32 = 118;

/// The emu that `cargo xtask dist` builds: static, as the F flag needs.
fn static_emu() -> PathBuf {
    let path = root().join("target/dist/emu");
    assert!(path.is_file(), "{} is missing: run `cargo xtask dist` first", path.display());
    path
}

/// Why this machine cannot run the test, if it cannot.
fn skip_reason() -> Option<String> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("binfmt_misc registration needs root".into());
    }
    let filesystems = std::fs::read_to_string("/proc/filesystems").unwrap_or_default();
    if !filesystems.lines().any(|l| l.ends_with("binfmt_misc")) && !Path::new(MOUNT_POINT).join("register").exists() {
        return Some("this kernel has no binfmt_misc".into());
    }
    None
}

/// Undoes everything the test changed, whatever happened.
struct Guard {
    binfmt: Binfmt,
    /// Registrations the test made.
    ours: Vec<String>,
    /// Other arm64 registrations the test disabled.
    disabled: Vec<String>,
    /// binfmt_misc was not mounted before.
    unmount: bool,
    /// Docker images the test built.
    images: Vec<String>,
}

impl Guard {
    fn new(ours: &[&str]) -> Guard {
        let binfmt = Binfmt::default();
        let unmount = !binfmt.dir.join("register").exists();
        let ours = ours.iter().map(|s| s.to_string()).collect();
        Guard { binfmt, ours, disabled: Vec::new(), unmount, images: Vec::new() }
    }

    /// Disables the other registrations that would take arm64 programs.
    fn disable_others(&mut self) {
        for other in self.binfmt.entries() {
            if other.enabled && other.handles_aarch64() && !self.ours.contains(&other.name) {
                self.binfmt.control(&other.name, "0").expect("cannot disable a registration");
                self.disabled.push(other.name);
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for image in &self.images {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
        for name in &self.ours {
            if self.binfmt.dir.join(name).exists() {
                let _ = self.binfmt.control(name, "-1");
            }
        }
        for name in &self.disabled {
            let _ = self.binfmt.control(name, "1");
        }
        if self.unmount {
            let _ = Command::new("umount").arg(MOUNT_POINT).status();
        }
    }
}

fn emu_binfmt(args: &[&str]) -> Outcome {
    let mut cmd = Command::new(static_emu());
    cmd.arg("binfmt").args(args);
    run(cmd, &[])
}

/// A guest command with the fixed environment both runners get.
fn guest_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear().env("PATH", "/usr/local/bin:/usr/bin:/bin").env("LC_ALL", "C").env("EMU_TEST_VAR", "from-test")
}

/// `program` executed as a host process (through binfmt_misc) and under qemu,
/// with argv[0] `argv0` in both.
fn assert_direct_run_matches_qemu(what: &str, program: &Path, argv0: &str, args: &[&str]) -> Outcome {
    let mut direct = Command::new(program);
    guest_env(direct.arg0(argv0).args(args));
    let direct = run(direct, &[]);
    let mut reference = Command::new(qemu());
    guest_env(reference.arg("-0").arg(argv0).arg(program).args(args));
    let reference = run(reference, &[]);
    assert_same(what, &direct, &reference);
    direct
}

/// A copy of a test program that the host can execute.
fn executable_copy(dir: &TempDir, from: &Path, name: &str) -> PathBuf {
    let path = dir.file(name, std::fs::read(from).expect("cannot read test program"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("cannot chmod");
    path
}

/// A root filesystem of busybox and its applet links, as `busybox --install -s`
/// makes it.
fn busybox_rootfs(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("cannot create bin");
    std::fs::copy(busybox(), bin.join("busybox")).expect("cannot copy busybox");
    for applet in ["sh", "ls", "echo", "cat", "uname", "mkdir", "true"] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("cannot link applet");
    }
    for d in ["tmp", "proc", "etc"] {
        std::fs::create_dir_all(dir.join(d)).expect("cannot create rootfs folder");
    }
}

#[test]
fn registered_emu_runs_arm64_programs() {
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    let emu = static_emu();
    let binfmt = Binfmt::default();
    let name = format!("emu-test-{}", std::process::id());
    let decoy = format!("{name}-decoy");
    let mut guard = Guard::new(&[&name, &decoy]);

    // `install` mounts binfmt_misc itself; `status` before then reports nothing.
    if guard.unmount {
        let out = emu_binfmt(&["status", "--name", &name]);
        assert_eq!(out.code(), Some(1), "status without binfmt_misc:\n{out}");
    }

    // Other arm64 registrations (qemu-aarch64 on many machines) step aside for
    // the test. Then a decoy stands for one: it is reported, and replaced only
    // with --force.
    guard.disable_others();
    let decoyed = emu_binfmt(&["install", "--name", &decoy, "--flags", "P"]);
    assert_eq!(decoyed.code(), Some(0), "{decoyed}");
    let refused = emu_binfmt(&["install", "--name", &name]);
    assert_eq!(refused.code(), Some(BINFMT_FAILED), "install over another arm64 registration:\n{refused}");
    assert!(refused.stderr_str().contains(&decoy) && refused.stderr_str().contains("--force"), "{refused}");
    let installed = emu_binfmt(&["install", "--name", &name, "--force"]);
    assert_eq!(installed.code(), Some(0), "{installed}");
    assert!(!binfmt.dir.join(&decoy).exists(), "--force must remove {decoy}");

    let status = emu_binfmt(&["status", "--name", &name]);
    assert_eq!(status.code(), Some(0), "{status}");
    let expected = format!("{name}: enabled, interpreter {}, flags POCF\n", emu.display());
    assert!(status.stdout_str().starts_with(&expected), "status must start with {expected:?}:\n{status}");

    // arm64 programs now run as host processes: P keeps argv[0], O hands emu
    // the program as a descriptor.
    let dir = TempDir::new("binfmt");
    let hello = executable_copy(&dir, &testbin("static", "hello"), "hello");
    let out = assert_direct_run_matches_qemu("static hello", &hello, "hello", &[]);
    assert_eq!(out.stdout_str(), "Hello, world!\n");
    let args_env = executable_copy(&dir, &testbin("static", "args_env"), "args_env");
    let out = assert_direct_run_matches_qemu("argv[0] preserved", &args_env, "custom-argv0", &["a b", "c"]);
    assert!(out.stdout_str().contains("argv[0]=\"custom-argv0\""), "{out}");
    let pie = executable_copy(&dir, &testbin("pie", "hello"), "pie-hello");
    assert_direct_run_matches_qemu("static-pie hello", &pie, "pie-hello", &[]);

    // Without P the kernel puts the path in argv[0]; re-registering our own
    // name needs no --force.
    let plain = emu_binfmt(&["install", "--name", &name, "--flags", "F"]);
    assert_eq!(plain.code(), Some(0), "{plain}");
    let path = args_env.to_str().expect("temp paths are UTF-8");
    let out = assert_direct_run_matches_qemu("argv[0] without P", &args_env, path, &["x"]);
    assert!(out.stdout_str().contains(&format!("argv[0]=\"{path}\"")), "{out}");
    let again = emu_binfmt(&["install", "--name", &name]);
    assert_eq!(again.code(), Some(0), "{again}");

    chroot_busybox(&dir);

    let removed = emu_binfmt(&["uninstall", "--name", &name]);
    assert_eq!(removed.code(), Some(0), "{removed}");
    assert!(!binfmt.dir.join(&name).exists(), "uninstall left {name} registered");
    let status = emu_binfmt(&["status", "--name", &name]);
    assert_eq!(status.code(), Some(1), "status after uninstall:\n{status}");
    assert!(status.stdout_str().starts_with(&format!("{name}: not registered\n")), "{status}");
}

/// busybox's shell in a chroot: every program in it, the shell and what it
/// starts, is an arm64 ELF that the kernel hands to emu (the F flag opened emu
/// before the chroot existed).
fn chroot_busybox(dir: &TempDir) {
    let rootfs = dir.path().join("rootfs");
    busybox_rootfs(&rootfs);
    // As `debootstrap --foreign` leaves it: /proc a link to itself in the
    // chroot, so emu cannot re-execute itself through /proc/self/exe (ELOOP)
    // and must let the kernel's registration run the programs sh starts.
    std::fs::remove_dir(rootfs.join("proc")).expect("cannot remove rootfs/proc");
    std::os::unix::fs::symlink("/proc", rootfs.join("proc")).expect("cannot link rootfs/proc");
    // A program that is no busybox applet, so sh must execute it.
    let hello = rootfs.join("bin/hello");
    std::fs::copy(testbin("static", "hello"), &hello).expect("cannot copy hello");
    std::fs::set_permissions(&hello, std::fs::Permissions::from_mode(0o755)).expect("cannot chmod");
    // chroot lives in sbin, which the guest's PATH leaves out.
    let chroot = ["/usr/sbin/chroot", "/sbin/chroot"].into_iter().find(|p| Path::new(p).exists()).unwrap_or("chroot");
    let mut cmd = Command::new(chroot);
    guest_env(cmd.arg(&rootfs).args(["/bin/sh", "-c", "echo ok; ls /; hello"]));
    let out = run(cmd, &[]);
    // What the host sees in the folder is what `ls /` must list.
    let mut names: Vec<String> = std::fs::read_dir(&rootfs)
        .expect("cannot list rootfs")
        .map(|e| e.expect("cannot read rootfs entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected = format!("ok\n{}\nHello, world!\n", names.join("\n"));
    assert_eq!(out.code(), Some(0), "chroot busybox sh:\n{out}");
    assert_eq!(out.stdout_str(), expected, "chroot busybox sh:\n{out}");
}

/// `docker run --platform linux/arm64` of an image made from the busybox root
/// filesystem (no registry is needed: the image is built locally).
#[test]
fn docker_runs_arm64_images() {
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    let engine = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output();
    if !engine.as_ref().is_ok_and(|o| o.status.success()) {
        println!("skipped: no Docker engine answers");
        return;
    }
    let name = format!("emu-test-docker-{}", std::process::id());
    let mut guard = Guard::new(&[&name]);
    guard.disable_others();
    let installed = emu_binfmt(&["install", "--name", &name]);
    assert_eq!(installed.code(), Some(0), "{installed}");
    let dir = TempDir::new("docker");
    busybox_rootfs(&dir.path().join("rootfs"));
    let context = dir.path().join("docker");
    std::fs::create_dir_all(&context).expect("cannot create docker context");
    let tar = Command::new("tar")
        .arg("-C")
        .arg(dir.path().join("rootfs"))
        .arg("-cf")
        .arg(context.join("rootfs.tar"))
        .arg(".")
        .status()
        .expect("cannot run tar");
    assert!(tar.success(), "tar of the rootfs failed");
    std::fs::write(context.join("Dockerfile"), "FROM scratch\nADD rootfs.tar /\n").expect("cannot write Dockerfile");
    let image = format!("emu-test-busybox-{}", std::process::id());
    guard.images.push(image.clone());
    let mut build = Command::new("docker");
    build.env("DOCKER_BUILDKIT", "0").args(["build", "--platform", "linux/arm64", "-t", &image]).arg(&context);
    let built = run(build, &[]);
    assert_eq!(built.code(), Some(0), "docker build:\n{built}");
    let mut docker_run = Command::new("docker");
    docker_run.args(["run", "--rm", "--platform", "linux/arm64", &image, "/bin/sh", "-c", "uname -m; echo ok"]);
    let out = run(docker_run, &[]);
    assert_eq!(out.code(), Some(0), "docker run:\n{out}");
    // The kernel of an arm64 machine answers aarch64; that is the reference.
    assert_eq!(out.stdout_str(), "aarch64\nok\n", "docker run:\n{out}");
}

/// Without root, install and uninstall refuse with one line and change nothing.
#[test]
fn refuses_without_root() {
    for verb in ["install", "uninstall"] {
        let mut cmd = Command::new(static_emu());
        cmd.arg("binfmt").arg(verb).args(["--name", "emu-test-never"]);
        // SAFETY: geteuid cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            // Run as nobody.
            cmd.uid(65534).gid(65534);
        }
        let out = run(cmd, &[]);
        assert_eq!(out.code(), Some(BINFMT_FAILED), "{out}");
        let err = out.stderr_str();
        assert!(err.starts_with("emu: ") && err.contains("needs root") && err.lines().count() == 1, "{out}");
    }
}
