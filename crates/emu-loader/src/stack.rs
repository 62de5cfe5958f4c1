//! The initial process stack, as Linux's `create_elf_tables` lays it out:
//! argc, argv[], NULL, envp[], NULL, auxv pairs ending in AT_NULL, then the
//! strings and AT_RANDOM bytes above them.

use crate::ElfImage;
use emu_memory::{AddressSpace, MapError, Prot};

const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_HWCAP2: u64 = 26;
const AT_EXECFN: u64 = 31;
const AT_MINSIGSTKSZ: u64 = 51;

/// What goes on the initial stack besides the image.
pub struct StackParams<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// AT_EXECFN: the path the program was started as.
    pub execfn: &'a [u8],
    pub hwcap: u64,
    pub hwcap2: u64,
    /// AT_RANDOM's 16 bytes.
    pub random: [u8; 16],
    pub stack_size: u64,
    /// AT_BASE: the interpreter's load address, 0 without one.
    pub interp_base: u64,
}

/// Linux's default stack_guard_gap: 256 pages.
const STACK_GUARD: u64 = 256 * 4096;

/// Maps the stack and writes the initial frame; returns the initial SP and the
/// auxv as written (for /proc/self/auxv).
pub fn build_stack(
    space: &mut AddressSpace,
    image: &ElfImage,
    params: &StackParams,
) -> Result<(u64, Vec<(u64, u64)>), MapError> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK;
    // Below the stack a guard that nothing else is placed in, as Linux keeps a
    // gap below a stack: an overflow faults at the overflowing access instead of
    // writing into whatever the host mapped next (emu's own memory among it).
    let guard = space.mmap(0, STACK_GUARD + params.stack_size, Prot::RW, flags, -1, 0)?;
    space.guard(guard, STACK_GUARD)?;
    let base = guard + STACK_GUARD;
    let top = base + params.stack_size;

    // Strings and bytes at the top, growing down.
    let mut blob: Vec<u8> = Vec::new();
    let mut push = |bytes: &[u8], nul: bool| -> u64 {
        let off = blob.len() as u64;
        blob.extend_from_slice(bytes);
        if nul {
            blob.push(0);
        }
        off
    };
    let execfn_off = push(params.execfn, true);
    let platform_off = push(b"aarch64", true);
    let random_off = push(&params.random, false);
    let argv_off: Vec<u64> = params.argv.iter().map(|a| push(a, true)).collect();
    let envp_off: Vec<u64> = params.envp.iter().map(|e| push(e, true)).collect();
    let blob_start = (top - blob.len() as u64 - 16) & !15;
    let at = |off: u64| blob_start + off;

    let (uid, euid, gid, egid) = host_ids();
    let auxv: Vec<(u64, u64)> = vec![
        (AT_PHDR, image.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, image.phnum),
        (AT_PAGESZ, 4096),
        (AT_BASE, params.interp_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, image.entry),
        (AT_UID, uid),
        (AT_EUID, euid),
        (AT_GID, gid),
        (AT_EGID, egid),
        (AT_SECURE, host_secure()),
        (AT_HWCAP, params.hwcap),
        (AT_HWCAP2, params.hwcap2),
        (AT_CLKTCK, 100),
        (AT_RANDOM, at(random_off)),
        (AT_EXECFN, at(execfn_off)),
        (AT_PLATFORM, at(platform_off)),
        (AT_MINSIGSTKSZ, 5120),
        (AT_NULL, 0),
    ];

    let mut words: Vec<u64> = Vec::new();
    words.push(params.argv.len() as u64);
    words.extend(argv_off.iter().map(|&o| at(o)));
    words.push(0);
    words.extend(envp_off.iter().map(|&o| at(o)));
    words.push(0);
    for &(k, v) in &auxv {
        words.push(k);
        words.push(v);
    }
    let sp = (blob_start - words.len() as u64 * 8) & !15;
    if sp < base + 65536 {
        return Err(MapError::Host(libc::E2BIG));
    }
    let mut frame: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    frame.resize((blob_start - sp) as usize, 0);
    emu_memory::write_bytes(sp, &frame).map_err(|_| MapError::Host(libc::EFAULT))?;
    emu_memory::write_bytes(blob_start, &blob).map_err(|_| MapError::Host(libc::EFAULT))?;
    Ok((sp, auxv))
}

fn host_ids() -> (u64, u64, u64, u64) {
    // SAFETY: these calls cannot fail and touch no memory.
    unsafe { (libc::getuid() as u64, libc::geteuid() as u64, libc::getgid() as u64, libc::getegid() as u64) }
}

/// AT_SECURE as the kernel gave it to emu: set when emu runs with other
/// credentials than its caller's (a setuid binary through binfmt_misc's C flag),
/// so the guest's loader and libc ignore its environment as they would natively.
fn host_secure() -> u64 {
    // SAFETY: getauxval reads emu's own auxiliary vector and touches no memory of ours.
    u64::from(unsafe { libc::getauxval(libc::AT_SECURE) } != 0)
}
