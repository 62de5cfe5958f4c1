//! Disassembly by `aarch64-linux-gnu-objdump`, a second opinion on which
//! encodings are allocated, and readable text for mismatch reports.

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

pub const OBJDUMP: &str = "aarch64-linux-gnu-objdump";

/// Disassembles `words` in one objdump run. The map holds every word objdump
/// decodes; words it calls undefined are absent.
pub fn disassemble(words: &[u32], tmp_dir: &std::path::Path) -> Result<HashMap<u32, String>, String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = tmp_dir.join(format!("difftest-words-{}-{n}.bin", std::process::id()));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let output = Command::new(OBJDUMP)
        .args(["-D", "-b", "binary", "-m", "aarch64"])
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run {OBJDUMP} (apt-get install binutils-aarch64-linux-gnu): {e}"));
    let _ = std::fs::remove_file(&path);
    let output = output?;
    if !output.status.success() {
        return Err(format!("{OBJDUMP} failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

/// Lines look like `   4:\t8b020020 \tadd\tx0, x1, x2`.
fn parse(text: &str) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(addr), Some(word), Some(asm)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if !addr.trim_end().ends_with(':') {
            continue;
        }
        let Ok(word) = u32::from_str_radix(word.trim(), 16) else { continue };
        if asm.contains("undefined") {
            continue;
        }
        map.insert(word, asm.replace('\t', " ").trim().to_owned());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objdump_lines() {
        let text = "   0:\t8b020020 \tadd\tx0, x1, x2\n   4:\tffffffff \t.inst\t0xffffffff ; undefined\n";
        let map = parse(text);
        assert_eq!(map.get(&0x8b02_0020).map(String::as_str), Some("add x0, x1, x2"));
        assert!(!map.contains_key(&0xffff_ffff));
    }
}
