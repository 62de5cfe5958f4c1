//! A program and, for a dynamically linked one, its interpreter (PT_INTERP):
//! where each goes and what the initial state needs from them.

use crate::elf::{map_image, read_headers, ElfImage, Headers, LoadError, Placement};
use emu_memory::AddressSpace;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A program mapped into guest memory, with its interpreter if it has one.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub program: ElfImage,
    pub interp: Option<ElfImage>,
}

impl Loaded {
    /// Where the guest starts: the interpreter's entry if there is one.
    pub fn entry(&self) -> u64 {
        self.interp.as_ref().map_or(self.program.entry, |i| i.entry)
    }

    /// AT_BASE: the interpreter's load address, 0 without one.
    pub fn interp_base(&self) -> u64 {
        self.interp.as_ref().map_or(0, |i| i.bias)
    }
}

/// Where Linux puts ET_DYN programs, scaled to the x86_64 host's 47-bit user
/// space: a third of the way up, clear of ET_EXEC programs (which sit low), of
/// emu's own image (near two thirds, or in the mmap area at the top), and of the
/// mmap area, where interpreters and libraries go.
const DYN_BASE: u64 = 0x2aaa_aaaa_a000;
/// Randomisation of that base, in pages: 2^28 pages, 1 TiB, as x86_64 Linux's
/// default mmap_rnd_bits.
const DYN_RANDOM_PAGES: u64 = 1 << 28;

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: getrandom fills our local buffer; on failure the zeros mean "no offset".
    unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    u64::from_le_bytes(b)
}

/// Maps an ET_DYN program at a random base near DYN_BASE, or wherever the host
/// has room if every try collides with something.
fn map_dyn_program(file: &File, h: &Headers, space: &mut AddressSpace) -> Result<ElfImage, LoadError> {
    for _ in 0..8 {
        let offset = (random_u64() % DYN_RANDOM_PAGES) * emu_memory::PAGE_SIZE;
        let base = (DYN_BASE + offset) & !(h.align - 1);
        if let Ok(image) = map_image(file, h, space, Placement::At(base)) {
            return Ok(image);
        }
    }
    map_image(file, h, space, Placement::Anywhere)
}

/// Loads the program at `path`, read from `exec_fd` if given (binfmt_misc's O
/// flag: the kernel opened it for us), and its interpreter, which `find_interp`
/// turns from the PT_INTERP path into the host file to open (a sysroot's copy).
pub fn load_program(
    path: &Path,
    exec_fd: Option<File>,
    space: &mut AddressSpace,
    find_interp: &dyn Fn(&[u8]) -> PathBuf,
) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let file = match exec_fd {
        Some(f) => f,
        None => crate::elf::open_elf(path)?,
    };
    let h = read_headers(&file, &name)?;

    // Open and check the interpreter before mapping anything, so a missing one is
    // reported as such and nothing is left half-mapped.
    let interp = match &h.interp {
        Some(ipath) => {
            let shown = String::from_utf8_lossy(ipath).into_owned();
            let host = find_interp(ipath);
            let ifile = match crate::elf::open_elf(&host) {
                Ok(f) => f,
                Err(LoadError::Open { err, .. }) if err.kind() == std::io::ErrorKind::NotFound => {
                    return Err(LoadError::InterpNotFound { path: name, interp: shown });
                }
                Err(e) => return Err(e),
            };
            let ih = read_headers(&ifile, &host.display().to_string())?;
            Some((ifile, ih))
        }
        None => None,
    };

    let program =
        if h.is_dyn { map_dyn_program(&file, &h, space)? } else { map_image(&file, &h, space, Placement::Fixed)? };
    let interp = match interp {
        Some((ifile, ih)) => {
            let placement = if ih.is_dyn { Placement::Anywhere } else { Placement::Fixed };
            Some(map_image(&ifile, &ih, space, placement)?)
        }
        None => None,
    };
    Ok(Loaded { program, interp })
}
