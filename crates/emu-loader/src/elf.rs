//! ELF validation and segment mapping for one file (a program or its interpreter).

use emu_memory::space::{page_down, page_up};
use emu_memory::{AddressSpace, Prot, PAGE_SIZE};
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EM_AARCH64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{ProgramHeader, PF_R, PF_W, PF_X, PT_INTERP, PT_LOAD, PT_PHDR};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;

/// Why a file cannot be run. Each variant has its own exit status in the CLI.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot open {path}: {err}")]
    Open { path: String, err: std::io::Error },
    #[error("{0}: is a directory")]
    IsDirectory(String),
    #[error("{0}: not an ELF file")]
    NotElf(String),
    #[error("{0}: 32-bit ELF; emu runs 64-bit aarch64 programs")]
    Elf32(String),
    #[error("{path}: ELF for another machine ({machine}), not aarch64")]
    WrongMachine { path: String, machine: &'static str },
    #[error("{0}: big-endian ELF; emu runs little-endian aarch64 programs")]
    BigEndian(String),
    #[error("{path}: truncated or malformed ELF: {what}")]
    Truncated { path: String, what: String },
    #[error(
        "{path}: interpreter {interp} not found; give an arm64 root filesystem with -L DIR \
         (or EMU_LD_PREFIX=DIR)"
    )]
    InterpNotFound { path: String, interp: String },
    #[error("{path}: cannot map segment at {addr:#x}: {err}")]
    Map { path: String, addr: u64, err: emu_memory::MapError },
}

/// Where an ELF ended up in guest memory.
#[derive(Debug, Clone)]
pub struct ElfImage {
    /// Entry point, relocated.
    pub entry: u64,
    /// Load bias (0 for ET_EXEC): what was added to every p_vaddr.
    pub bias: u64,
    /// Address of the program headers in guest memory (AT_PHDR).
    pub phdr: u64,
    pub phnum: u64,
    /// Just past the highest segment: where the program break starts.
    pub end: u64,
}

/// A validated ELF's headers, read without mapping anything.
pub(crate) struct Headers {
    pub name: String,
    pub is_dyn: bool,
    pub entry: u64,
    pub phoff: u64,
    pub phdrs: Vec<ProgramHeader>,
    /// PT_INTERP's path, without its NUL.
    pub interp: Option<Vec<u8>>,
    /// Lowest and just past the highest page of the PT_LOAD segments.
    pub lo: u64,
    pub hi: u64,
    /// The largest PT_LOAD alignment (at least a page, at most 1 GiB).
    pub align: u64,
}

/// Where to put an image.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Placement {
    /// At its link-time addresses (ET_EXEC).
    Fixed,
    /// With its lowest page at this address, which must be free.
    At(u64),
    /// Wherever the host has room.
    Anywhere,
}

const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;

fn machine_name(m: u16) -> &'static str {
    match m {
        3 => "x86",
        62 => "x86-64",
        40 => "arm",
        8 => "mips",
        20 => "powerpc",
        21 => "powerpc64",
        243 => "riscv",
        22 => "s390",
        _ => "unknown",
    }
}

/// Opens `path` for loading, refusing directories with their own error.
pub fn open_elf(path: &std::path::Path) -> Result<File, LoadError> {
    let p = path.display().to_string();
    let file = File::open(path).map_err(|err| LoadError::Open { path: p.clone(), err })?;
    let meta = file.metadata().map_err(|err| LoadError::Open { path: p.clone(), err })?;
    if meta.is_dir() {
        return Err(LoadError::IsDirectory(p));
    }
    Ok(file)
}

/// Reads and validates an aarch64 ELF executable's headers (ET_EXEC or ET_DYN).
pub(crate) fn read_headers(file: &File, name: &str) -> Result<Headers, LoadError> {
    let p = name.to_string();
    let meta = file.metadata().map_err(|err| LoadError::Open { path: p.clone(), err })?;
    if meta.is_dir() {
        return Err(LoadError::IsDirectory(p));
    }
    let size = meta.len();
    let truncated = |what: &str| LoadError::Truncated { path: p.clone(), what: what.to_string() };

    let mut ident = [0u8; EHDR_SIZE];
    let n = file.read_at(&mut ident, 0).map_err(|err| LoadError::Open { path: p.clone(), err })?;
    if n < 4 || &ident[..4] != b"\x7fELF" {
        return Err(LoadError::NotElf(p));
    }
    if n < 6 {
        return Err(truncated("header"));
    }
    if ident[4] == 1 {
        return Err(LoadError::Elf32(p));
    }
    if ident[5] == 2 {
        return Err(LoadError::BigEndian(p));
    }
    if n < EHDR_SIZE {
        return Err(truncated("ELF header"));
    }
    let header = goblin::elf::Elf::parse_header(&ident).map_err(|e| truncated(&e.to_string()))?;
    if header.e_machine != EM_AARCH64 {
        return Err(LoadError::WrongMachine { path: p, machine: machine_name(header.e_machine) });
    }
    if header.e_type != ET_EXEC && header.e_type != ET_DYN {
        return Err(truncated("not an executable (e_type)"));
    }
    let phnum = header.e_phnum as usize;
    let phoff = header.e_phoff;
    if header.e_phentsize as usize != PHDR_SIZE || phnum == 0 || phnum > 256 {
        return Err(truncated("program header table"));
    }
    let ph_bytes_len = phnum * PHDR_SIZE;
    if phoff.checked_add(ph_bytes_len as u64).is_none_or(|e| e > size) {
        return Err(truncated("program headers beyond end of file"));
    }
    let mut ph_bytes = vec![0u8; ph_bytes_len];
    file.read_exact_at(&mut ph_bytes, phoff).map_err(|_| truncated("program headers"))?;
    let ctx = Ctx::new(Container::Big, Endian::Little);
    let phdrs = ProgramHeader::parse(&ph_bytes, 0, phnum, ctx).map_err(|e| truncated(&e.to_string()))?;

    let interp = match phdrs.iter().find(|ph| ph.p_type == PT_INTERP) {
        Some(ph) => {
            // Linux refuses interpreter paths of more than a page, or empty ones.
            if ph.p_filesz < 2
                || ph.p_filesz > PAGE_SIZE
                || ph.p_offset.checked_add(ph.p_filesz).is_none_or(|e| e > size)
            {
                return Err(truncated("PT_INTERP"));
            }
            let mut buf = vec![0u8; ph.p_filesz as usize];
            file.read_exact_at(&mut buf, ph.p_offset).map_err(|_| truncated("PT_INTERP"))?;
            let path = buf.split(|&b| b == 0).next().unwrap_or_default().to_vec();
            if path.is_empty() {
                return Err(truncated("PT_INTERP"));
            }
            Some(path)
        }
        None => None,
    };

    let loads: Vec<&ProgramHeader> = phdrs.iter().filter(|ph| ph.p_type == PT_LOAD).collect();
    if loads.is_empty() {
        return Err(truncated("no loadable segment"));
    }
    for ph in &loads {
        if ph.p_offset.checked_add(ph.p_filesz).is_none_or(|e| e > size) {
            return Err(truncated("segment beyond end of file"));
        }
        if ph.p_filesz > ph.p_memsz || ph.p_offset % PAGE_SIZE != ph.p_vaddr % PAGE_SIZE {
            return Err(truncated("inconsistent segment"));
        }
    }
    let lo = loads.iter().map(|ph| page_down(ph.p_vaddr)).min().unwrap_or(0);
    let hi = loads.iter().map(|ph| page_up(ph.p_vaddr.saturating_add(ph.p_memsz))).max().unwrap_or(0);
    if hi <= lo || hi - lo > (1 << 40) {
        return Err(truncated("segment addresses"));
    }
    let align = loads
        .iter()
        .map(|ph| ph.p_align)
        .filter(|a| a.is_power_of_two())
        .max()
        .unwrap_or(PAGE_SIZE)
        .clamp(PAGE_SIZE, 1 << 30);
    Ok(Headers { name: p, is_dyn: header.e_type == ET_DYN, entry: header.e_entry, phoff, phdrs, interp, lo, hi, align })
}

fn prot_of(flags: u32) -> i32 {
    let mut prot = 0;
    if flags & PF_R != 0 {
        prot |= libc::PROT_READ;
    }
    if flags & PF_W != 0 {
        prot |= libc::PROT_WRITE;
    }
    if flags & PF_X != 0 {
        prot |= libc::PROT_EXEC;
    }
    prot
}

/// Maps the PT_LOAD segments of `file` as `h` describes them.
pub(crate) fn map_image(
    file: &File,
    h: &Headers,
    space: &mut AddressSpace,
    placement: Placement,
) -> Result<ElfImage, LoadError> {
    let span = h.hi - h.lo;
    // Reserve the whole span first, so segments land at fixed distances from each
    // other and nothing else is placed in the gaps.
    let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    let map_err = |addr: u64, err| LoadError::Map { path: h.name.clone(), addr, err };
    let base = match placement {
        Placement::Fixed => {
            space.mmap(h.lo, span, Prot::NONE, anon | libc::MAP_FIXED_NOREPLACE, -1, 0).map_err(|e| map_err(h.lo, e))?
        }
        Placement::At(addr) => {
            let got = space
                .mmap(addr, span, Prot::NONE, anon | libc::MAP_FIXED_NOREPLACE, -1, 0)
                .map_err(|e| map_err(addr, e))?;
            if got != addr {
                // A kernel without MAP_FIXED_NOREPLACE took it as a hint.
                let _ = space.munmap(got, span);
                return Err(map_err(addr, emu_memory::MapError::Host(libc::EEXIST)));
            }
            got
        }
        Placement::Anywhere => space.mmap(0, span, Prot::NONE, anon, -1, 0).map_err(|e| map_err(0, e))?,
    };
    let bias = base.wrapping_sub(h.lo);
    let fd = file.as_raw_fd();
    for ph in h.phdrs.iter().filter(|ph| ph.p_type == PT_LOAD) {
        let prot = prot_of(ph.p_flags);
        let vaddr = ph.p_vaddr.wrapping_add(bias);
        let start = page_down(vaddr);
        let file_end = vaddr + ph.p_filesz;
        let mem_end = vaddr + ph.p_memsz;
        let fixed = libc::MAP_PRIVATE | libc::MAP_FIXED;
        if ph.p_filesz > 0 {
            // Writable while we zero the partial page after the file contents.
            let tmp = if mem_end > file_end { prot | libc::PROT_WRITE } else { prot };
            space
                .mmap(start, file_end - start, Prot(tmp), fixed, fd, page_down(ph.p_offset) as i64)
                .map_err(|e| map_err(start, e))?;
            if mem_end > file_end {
                // The rest of the page, past the bss too, as Linux's padzero: ld.so's
                // early allocator hands out that tail as zeroed memory.
                let zero_end = page_up(file_end);
                if zero_end > file_end {
                    emu_memory::write_bytes(file_end, &vec![0u8; (zero_end - file_end) as usize])
                        .map_err(|_| map_err(file_end, emu_memory::MapError::Host(libc::EFAULT)))?;
                }
                if tmp != prot {
                    space.mprotect(start, page_up(file_end) - start, Prot(prot)).map_err(|e| map_err(start, e))?;
                }
            }
        }
        let anon_start = if ph.p_filesz > 0 { page_up(file_end) } else { start };
        if page_up(mem_end) > anon_start {
            space
                .mmap(anon_start, page_up(mem_end) - anon_start, Prot(prot), anon | libc::MAP_FIXED, -1, 0)
                .map_err(|e| map_err(anon_start, e))?;
        }
    }

    let phdr = match h.phdrs.iter().find(|ph| ph.p_type == PT_PHDR) {
        Some(ph) => ph.p_vaddr.wrapping_add(bias),
        None => h
            .phdrs
            .iter()
            .filter(|ph| ph.p_type == PT_LOAD)
            .find(|ph| ph.p_offset <= h.phoff && h.phoff < ph.p_offset + ph.p_filesz)
            .map(|ph| (ph.p_vaddr + (h.phoff - ph.p_offset)).wrapping_add(bias))
            .unwrap_or(0),
    };
    Ok(ElfImage {
        entry: h.entry.wrapping_add(bias),
        bias,
        phdr,
        phnum: h.phdrs.len() as u64,
        end: h.hi.wrapping_add(bias),
    })
}
