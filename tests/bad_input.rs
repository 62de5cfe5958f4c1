//! emu must reject what it cannot run with one line on stderr starting
//! with "emu: " and the exit status the CLI documents for that case.

#[path = "common/mod.rs"]
mod common;

use std::ffi::OsStr;
use std::process::Command;

use common::{emu, run, testbin, TempDir};

const USAGE: i32 = 120;
const CANNOT_READ: i32 = 121;
const NOT_ELF: i32 = 122;
const WRONG_CLASS: i32 = 123;
const WRONG_MACHINE: i32 = 124;
const MALFORMED: i32 = 125;
const DYNAMIC: i32 = 126;

#[track_caller]
fn assert_rejected(args: &[&OsStr], expected: i32) {
    let mut cmd = Command::new(emu());
    cmd.args(args).env_remove("EMU_LOG");
    let out = run(cmd, &[]);
    let stderr = out.stderr_str();
    assert_eq!(out.code(), Some(expected), "expected exit status {expected}:\n{out}");
    assert!(stderr.starts_with("emu: "), "stderr must start with \"emu: \":\n{out}");
    assert!(stderr.ends_with('\n') && stderr.matches('\n').count() == 1, "stderr must be exactly one line:\n{out}");
    assert!(!stderr.contains("panicked"), "{out}");
    assert!(out.stdout.is_empty(), "nothing belongs on stdout:\n{out}");
}

/// A complete little ELF32 executable whose only fault is its class: it
/// claims AArch64 (as the ILP32 ABI does), one PT_LOAD and a `ret`.
fn elf32_aarch64() -> Vec<u8> {
    const EHSIZE: u16 = 52;
    const PHENTSIZE: u16 = 32;
    let total = u32::from(EHSIZE + PHENTSIZE) + 4;
    let mut elf = Vec::new();
    elf.extend_from_slice(b"\x7fELF");
    elf.extend_from_slice(&[1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // ELFCLASS32, LSB, version 1
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
    elf.extend_from_slice(&1u32.to_le_bytes()); // e_version
    elf.extend_from_slice(&(0x10000 + total - 4).to_le_bytes()); // e_entry
    elf.extend_from_slice(&u32::from(EHSIZE).to_le_bytes()); // e_phoff
    elf.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    elf.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    elf.extend_from_slice(&EHSIZE.to_le_bytes());
    elf.extend_from_slice(&PHENTSIZE.to_le_bytes());
    elf.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    elf.extend_from_slice(&40u16.to_le_bytes()); // e_shentsize
    elf.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    elf.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    assert_eq!(elf.len(), usize::from(EHSIZE));
    for word in [1, 0, 0x10000, 0x10000, total, total, 5, 0x1000] {
        // PT_LOAD: type, offset, vaddr, paddr, filesz, memsz, R+X, align
        elf.extend_from_slice(&u32::to_le_bytes(word));
    }
    elf.extend_from_slice(&0xd65f03c0u32.to_le_bytes()); // ret
    assert_eq!(elf.len(), total as usize);
    elf
}

#[test]
fn no_arguments_is_a_usage_error() {
    assert_rejected(&[], USAGE);
}

#[test]
fn option_without_program_is_a_usage_error() {
    assert_rejected(&["-d".as_ref()], USAGE);
}

#[test]
fn missing_file() {
    let dir = TempDir::new("missing");
    let path = dir.path().join("no-such-program");
    assert_rejected(&[path.as_os_str()], CANNOT_READ);
}

#[test]
fn directory() {
    let dir = TempDir::new("directory");
    assert_rejected(&[dir.path().as_os_str()], CANNOT_READ);
}

#[test]
fn text_file() {
    let dir = TempDir::new("text");
    let path = dir.file("notes.txt", "This is plain text, not a program.\n");
    assert_rejected(&[path.as_os_str()], NOT_ELF);
}

#[test]
fn elf32() {
    let dir = TempDir::new("elf32");
    let path = dir.file("ilp32", elf32_aarch64());
    assert_rejected(&[path.as_os_str()], WRONG_CLASS);
}

#[test]
fn host_x86_64_binary() {
    let path = std::path::Path::new("/bin/true");
    let header = std::fs::read(path).expect("cannot read /bin/true");
    // ELFCLASS64 and EM_X86_64, so only the machine is wrong.
    assert!(
        header.len() > 20 && header[4] == 2 && header[18..20] == 62u16.to_le_bytes(),
        "/bin/true is not an x86-64 ELF64 here"
    );
    assert_rejected(&[path.as_os_str()], WRONG_MACHINE);
}

#[test]
fn truncated_elf() {
    let hello = std::fs::read(testbin("static", "hello")).expect("cannot read hello");
    let dir = TempDir::new("truncated");
    // The ELF header and part of the first program header.
    let path = dir.file("hello-100-bytes", &hello[..100]);
    assert_rejected(&[path.as_os_str()], MALFORMED);
}

#[test]
fn dynamically_linked_elf() {
    assert_rejected(&[testbin("dynamic", "hello").as_os_str()], DYNAMIC);
}
