//! execve and execveat. An arm64 ELF is run by emu again (so a guest shell runs
//! arm64 programs even without binfmt_misc), a `#!` script by its interpreter
//! (itself run by emu if it is an arm64 ELF), anything else natively by the host.

use crate::{Outcome, SyscallCtx};
use emu_memory::{read_bytes, read_cstr};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

const PATH_MAX: usize = 4096;
const ARG_MAX: usize = 1 << 21;
/// Nested `#!` interpreters allowed, as Linux's BINPRM_MAX_RECURSION.
const MAX_SCRIPT_DEPTH: usize = 4;
const EM_AARCH64: u16 = 183;

fn err(e: i32) -> Outcome {
    Outcome::Return(-(e as i64))
}

/// Reads a NULL-terminated array of guest string pointers.
fn read_string_array(addr: u64) -> Result<Vec<Vec<u8>>, i32> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    let mut total = 0;
    for i in 0.. {
        let mut p = [0u8; 8];
        read_bytes(addr + i * 8, &mut p).map_err(|_| libc::EFAULT)?;
        let p = u64::from_le_bytes(p);
        if p == 0 {
            break;
        }
        let s = read_cstr(p, ARG_MAX).map_err(|_| libc::EFAULT)?;
        total += s.len() + 1;
        if total > ARG_MAX {
            return Err(libc::E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

fn cstrings(v: &[Vec<u8>]) -> Result<Vec<CString>, i32> {
    v.iter().map(|s| CString::new(s.clone()).map_err(|_| libc::EINVAL)).collect()
}

/// Host execve; returns only on failure, with the errno.
fn host_execve(path: &[u8], argv: &[Vec<u8>], envp: &[Vec<u8>]) -> i32 {
    let (Ok(path), Ok(argv), Ok(envp)) = (CString::new(path.to_vec()), cstrings(argv), cstrings(envp)) else {
        return libc::EINVAL;
    };
    let mut av: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    av.push(std::ptr::null());
    let mut ev: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    ev.push(std::ptr::null());
    // SAFETY: NUL-terminated strings and NULL-terminated arrays that outlive the call.
    unsafe { libc::execve(path.as_ptr(), av.as_ptr(), ev.as_ptr()) };
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::ENOEXEC)
}

/// What kind of program a file is, from its first bytes.
enum Kind {
    Arm64Elf,
    Script { interp: Vec<u8>, arg: Option<Vec<u8>> },
    Other,
}

fn classify(path: &[u8]) -> Result<Kind, i32> {
    let cpath = CString::new(path.to_vec()).map_err(|_| libc::EINVAL)?;
    // SAFETY: access() on a NUL-terminated path.
    if unsafe { libc::access(cpath.as_ptr(), libc::X_OK) } != 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EACCES));
    }
    let f =
        std::fs::File::open(std::ffi::OsStr::from_bytes(path)).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(libc::EACCES);
    }
    let mut head = [0u8; 256];
    let n = std::os::unix::fs::FileExt::read_at(&f, &mut head, 0).unwrap_or(0);
    let head = &head[..n];
    if head.len() >= 20 && head.starts_with(b"\x7fELF") && u16::from_le_bytes([head[18], head[19]]) == EM_AARCH64 {
        return Ok(Kind::Arm64Elf);
    }
    if let Some(rest) = head.strip_prefix(b"#!") {
        // The interpreter line, split as Linux does: the name, then one optional
        // argument that is the whole rest of the line, trimmed.
        let line = rest.split(|&c| c == b'\n').next().unwrap_or_default();
        let trim = |s: &[u8]| -> Vec<u8> {
            let s: &[u8] = s.strip_prefix(b" ").map_or(s, |x| x);
            let start = s.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(s.len());
            let end = s.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(start, |e| e + 1);
            s[start..end.max(start)].to_vec()
        };
        let line = trim(line);
        if line.is_empty() {
            return Err(libc::ENOEXEC);
        }
        let split = line.iter().position(|&c| c == b' ' || c == b'\t');
        let (interp, arg) = match split {
            Some(i) => (line[..i].to_vec(), Some(trim(&line[i..])).filter(|a| !a.is_empty())),
            None => (line, None),
        };
        return Ok(Kind::Script { interp, arg });
    }
    Ok(Kind::Other)
}

/// The descriptor that a path of the form /proc/self/fd/N or /dev/fd/N names.
fn named_fd(path: &[u8]) -> Option<i32> {
    let n = path.strip_prefix(b"/proc/self/fd/").or_else(|| path.strip_prefix(b"/dev/fd/"))?;
    std::str::from_utf8(n).ok()?.parse().ok().filter(|&fd: &i32| fd >= 0)
}

/// A program named by a descriptor (fexecve; execveat with AT_EMPTY_PATH): a
/// copy of the descriptor that survives the exec of emu, which the guest's own
/// need not (Python opens every file close-on-exec, and the kernel reads the
/// program before it closes those), and the file's own path, for
/// /proc/self/exe.
fn hand_on(fd: i32, path: &[u8]) -> Option<(i32, Vec<u8>)> {
    // SAFETY: F_DUPFD makes a new descriptor (without close-on-exec) or fails.
    let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD, 0) };
    if copy < 0 {
        return None;
    }
    let target = std::fs::read_link(format!("/proc/self/fd/{copy}"));
    Some((copy, target.map_or_else(|_| path.to_vec(), |t| t.into_os_string().into_encoded_bytes())))
}

/// Runs `path` as the new program image of this process; returns only on failure.
pub fn exec_program(ctx: &SyscallCtx, mut path: Vec<u8>, mut argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> i32 {
    if crate::procfs::is_self_exe(&path) {
        path = ctx.proc.exe().as_os_str().as_bytes().to_vec();
    }
    for _ in 0..=MAX_SCRIPT_DEPTH {
        // Absolute paths resolve under the sysroot first, as for open.
        let host = crate::path::host_path(&path).into_owned();
        match classify(&host) {
            Err(e) => return e,
            Ok(Kind::Other) => return host_execve(&host, &argv, &envp),
            Ok(Kind::Script { interp, arg }) => {
                let mut a = vec![interp.clone()];
                a.extend(arg);
                a.push(path);
                a.extend(argv.into_iter().skip(1));
                argv = a;
                path = interp;
            }
            Ok(Kind::Arm64Elf) => {
                // emu again, with the same options, the guest's argv[0] and the path.
                let mut a: Vec<Vec<u8>> = vec![b"emu".to_vec()];
                a.extend(ctx.proc.exec_options.iter().cloned());
                if let Some(root) = crate::path::sysroot() {
                    a.push(b"-L".to_vec());
                    a.push(root.as_os_str().as_bytes().to_vec());
                }
                if let Some(a0) = argv.first() {
                    a.push(b"-0".to_vec());
                    a.push(a0.clone());
                }
                let (program, handed) = match named_fd(&host).and_then(|fd| hand_on(fd, &host)) {
                    Some((copy, target)) => {
                        a.push(b"--exec-fd".to_vec());
                        a.push(copy.to_string().into_bytes());
                        (target, Some(copy))
                    }
                    None => (host.clone(), None),
                };
                a.push(b"--".to_vec());
                a.push(program);
                a.extend(argv.iter().skip(1).cloned());
                let e = exec_emu(ctx, &a, &envp);
                if let Some(copy) = handed {
                    // SAFETY: closes the copy made above, which nothing else uses.
                    unsafe { libc::close(copy) };
                }
                if let Some(e) = e {
                    return e;
                }
                return host_execve(&host, &argv, &envp);
            }
        }
    }
    libc::ELOOP
}

/// Starts emu again with the arguments `a`; the errno if that failed for a
/// reason the program's own exec would not fix, None if emu was not found.
fn exec_emu(ctx: &SyscallCtx, a: &[Vec<u8>], envp: &[Vec<u8>]) -> Option<i32> {
    // In a chroot, /proc/self/exe is missing (ENOENT) or points outside the
    // root (ELOOP), and emu's own path is not there: then the kernel's
    // binfmt_misc registration must run it.
    let e = host_execve(b"/proc/self/exe", a, envp);
    if !matches!(e, libc::ENOENT | libc::ELOOP | libc::EACCES) {
        return Some(e);
    }
    let e = host_execve(ctx.proc.emu_path().as_os_str().as_bytes(), a, envp);
    (!matches!(e, libc::ENOENT | libc::ELOOP | libc::EACCES | libc::ENOEXEC)).then_some(e)
}

pub fn execve(ctx: &mut SyscallCtx) -> Outcome {
    let Ok(path) = read_cstr(ctx.arg(0), PATH_MAX) else { return err(libc::EFAULT) };
    exec_with_arrays(ctx, path, ctx.arg(1), ctx.arg(2))
}

/// Reads the guest's argv and envp arrays and executes `path` with them.
fn exec_with_arrays(ctx: &SyscallCtx, path: Vec<u8>, argv: u64, envp: u64) -> Outcome {
    let argv = match read_string_array(argv) {
        Ok(a) => a,
        Err(e) => return err(e),
    };
    let envp = match read_string_array(envp) {
        Ok(a) => a,
        Err(e) => return err(e),
    };
    err(exec_program(ctx, path, argv, envp))
}

pub fn execveat(ctx: &mut SyscallCtx) -> Outcome {
    let (dirfd, flags) = (ctx.arg(0) as i32, ctx.arg(4) as i32);
    let Ok(mut path) = read_cstr(ctx.arg(1), PATH_MAX) else { return err(libc::EFAULT) };
    if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 {
        path = format!("/proc/self/fd/{dirfd}").into_bytes();
    } else if !path.starts_with(b"/") && dirfd != libc::AT_FDCWD {
        let mut p = format!("/proc/self/fd/{dirfd}/").into_bytes();
        p.extend_from_slice(&path);
        path = p;
    }
    exec_with_arrays(ctx, path, ctx.arg(2), ctx.arg(3))
}
