//! The /proc files whose host content would give emu away: /proc/cpuinfo (an
//! arm64 one, with the features emu implements), /proc/self/auxv (the guest's
//! auxv) and /proc/self/maps (the guest's mappings only). Each is answered with a
//! memfd holding the text an arm64 kernel would show.

use crate::Process;
use std::fmt::Write;

/// Whether `path` names one of this process's own /proc entries: `/proc/self/X`,
/// `/proc/thread-self/X` or `/proc/<pid>/X`; returns X.
pub fn self_entry(path: &[u8]) -> Option<&[u8]> {
    let rest = path.strip_prefix(b"/proc/")?;
    let pid = std::process::id().to_string();
    let rest = rest
        .strip_prefix(b"self/")
        .or_else(|| rest.strip_prefix(b"thread-self/"))
        .or_else(|| rest.strip_prefix(pid.as_bytes()).and_then(|r| r.strip_prefix(b"/")))?;
    Some(rest)
}

/// Whether `path` is this process's executable link, in any of its spellings.
pub fn is_self_exe(path: &[u8]) -> bool {
    self_entry(path) == Some(&b"exe"[..])
}

/// The synthesized content of `path`, if emu answers it itself.
pub fn content(proc: &Process, path: &[u8]) -> Option<Vec<u8>> {
    if path == b"/proc/cpuinfo" {
        return Some(cpuinfo().into_bytes());
    }
    match self_entry(path)? {
        b"auxv" => Some(proc.auxv.iter().flat_map(|&(k, v)| [k.to_le_bytes(), v.to_le_bytes()]).flatten().collect()),
        b"maps" => Some(maps(proc).into_bytes()),
        _ => None,
    }
}

fn cpuinfo() -> String {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut s = String::new();
    let midr = emu_cpu::sysreg::MIDR_VALUE;
    for cpu in 0..n {
        let _ = write!(
            s,
            "processor\t: {cpu}\nBogoMIPS\t: 2000.00\nFeatures\t: {}\nCPU implementer\t: {:#04x}\n\
             CPU architecture: 8\nCPU variant\t: {:#x}\nCPU part\t: {:#05x}\nCPU revision\t: {}\n\n",
            emu_cpu::sysreg::cpuinfo_features(),
            midr >> 24,
            (midr >> 20) & 0xf,
            (midr >> 4) & 0xfff,
            midr & 0xf,
        );
    }
    s
}

/// The host's maps, keeping only ranges that belong to the guest.
fn maps(proc: &Process) -> String {
    let host = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let space = proc.space();
    let mut out = String::new();
    for line in host.lines() {
        let range = line.split(' ').next().unwrap_or("");
        let mut ends = range.split('-').map(|x| u64::from_str_radix(x, 16).unwrap_or(0));
        let (start, end) = (ends.next().unwrap_or(0), ends.next().unwrap_or(0));
        if end > start && space.all_guest(start, end - start) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A read-only descriptor holding `data`, positioned at its start.
pub fn memfd_with(data: &[u8]) -> i64 {
    // SAFETY: host syscalls on a descriptor we create; the name is NUL-terminated.
    unsafe {
        let fd = libc::memfd_create(c"emu-proc".as_ptr(), libc::MFD_CLOEXEC);
        if fd < 0 {
            return crate::neg_errno();
        }
        let mut off = 0;
        while off < data.len() {
            let n = libc::write(fd, data[off..].as_ptr().cast(), data.len() - off);
            if n <= 0 {
                libc::close(fd);
                return -(libc::EIO as i64);
            }
            off += n as usize;
        }
        libc::lseek(fd, 0, libc::SEEK_SET);
        fd as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_entries() {
        assert_eq!(self_entry(b"/proc/self/maps"), Some(&b"maps"[..]));
        let p = format!("/proc/{}/auxv", std::process::id());
        assert_eq!(self_entry(p.as_bytes()), Some(&b"auxv"[..]));
        assert_eq!(self_entry(b"/proc/1/auxv"), None);
        assert!(is_self_exe(b"/proc/thread-self/exe") && !is_self_exe(b"/proc/self/exe/x"));
        assert!(cpuinfo().contains("Features\t: fp asimd"));
    }
}
