//! Input files of the compression rows, made once in target/bench-data:
//! generated text that compresses about as well as prose, the same bytes on
//! every machine.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// An input file; each text is the start of the same endless text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// So many MiB of text.
    Text(usize),
    /// That text compressed with `xz -6`.
    Packed(usize),
}

/// The file's path; the generator's version is in the name, so that a change
/// to it makes new files rather than mixing old and new.
pub fn path(root: &Path, data: Data) -> PathBuf {
    let name = match data {
        Data::Text(mib) => format!("text-v1-{mib}m.txt"),
        Data::Packed(mib) => format!("text-v1-{mib}m.txt.xz"),
    };
    root.join("target/bench-data").join(name)
}

/// Makes the file unless it is there. `sysroot` has the arm64 xz, used
/// under qemu when the host has no xz of its own.
pub fn ensure(root: &Path, data: Data, sysroot: &Path) -> Result {
    let dest = path(root, data);
    if dest.is_file() {
        return Ok(());
    }
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Written under another name first: an interrupted run leaves no short file.
    let partial = dest.with_extension("partial");
    match data {
        Data::Text(mib) => write(&partial, &text(mib << 20))?,
        Data::Packed(mib) => {
            ensure(root, Data::Text(mib), sysroot)?;
            compress(&path(root, Data::Text(mib)), &partial, sysroot)?;
        }
    }
    std::fs::rename(&partial, &dest).map_err(|e| format!("cannot rename {}: {e}", partial.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn compress(src: &Path, dest: &Path, sysroot: &Path) -> Result {
    let mut cmd = match crate::which("xz") {
        Some(xz) => Command::new(xz),
        None => {
            let mut cmd = Command::new(super::QEMU);
            cmd.arg("-L").arg(sysroot).arg(sysroot.join("usr/bin/xz"));
            cmd
        }
    };
    cmd.args(["-6", "-T1", "-c"]).arg(src);
    eprintln!("compressing {} with xz -6 (once)", src.display());
    let out = std::fs::File::create(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let status = cmd.stdout(out).stderr(Stdio::inherit()).status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{} failed ({s})", crate::display_cmd(&cmd))),
        Err(e) => Err(format!("cannot run {}: {e}", crate::display_cmd(&cmd))),
    }
}

/// Lines of words from a made-up vocabulary, common words much more often
/// than rare ones, with numbers in between: text that gzip -6 shrinks to
/// about a third and xz -6 to about a quarter, as they do English prose.
fn text(bytes: usize) -> Vec<u8> {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "ve", "dan", "el", "or", "us", "qui", "zor", "ba", "fe", "gi",
        "hu", "jo",
    ];
    const VOCABULARY: u64 = 3000;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words: Vec<String> =
        (0..VOCABULARY).map(|_| (0..1 + next() % 4).map(|_| SYLLABLES[(next() % 20) as usize]).collect()).collect();
    let mut out = Vec::with_capacity(bytes + 256);
    while out.len() < bytes {
        for w in 0..4 + next() % 11 {
            // The product of two uniform choices favours small indices.
            let index = (next() % VOCABULARY) * (next() % VOCABULARY) / VOCABULARY;
            if w > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(words[index as usize].as_bytes());
        }
        let _ = writeln!(out, " {}.", next() % 100_000);
    }
    out.truncate(bytes);
    out
}
