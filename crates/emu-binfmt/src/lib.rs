//! Registers emu with binfmt_misc, so the kernel hands every arm64 ELF to emu:
//! `emu binfmt install|uninstall|status`.
//!
//! Owns: the registration line (magic, mask, flags), mounting binfmt_misc where it
//! is not, finding other registrations that claim arm64 programs (qemu-aarch64)
//! and replacing them only when asked, and the systemd-binfmt file for --persist.
//! Must not: run programs. How emu honours the P and O flags at start-up is the
//! CLI's business.

mod entry;

pub use entry::{registration_line, Entry, MAGIC, MASK};

use std::ffi::CString;
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub const DEFAULT_NAME: &str = "emu-aarch64";
/// What users of Docker Desktop and FEX expect: argv[0] preserved, the binary
/// opened by the kernel, credentials from the binary, and the interpreter opened
/// at registration so it works inside containers and chroots.
pub const DEFAULT_FLAGS: &str = "POCF";
/// Where binfmt_misc is mounted, as systemd and qemu-binfmt-conf.sh mount it.
pub const MOUNT_POINT: &str = "/proc/sys/fs/binfmt_misc";
/// Where --persist writes, for systemd-binfmt at boot.
pub const PERSIST_DIR: &str = "/etc/binfmt.d";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinfmtCommand {
    Install { name: String, flags: String, force: bool, persist: bool },
    Uninstall { name: String },
    Status { name: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BinfmtError {
    #[error("binfmt {0} needs root: run it as root (for example with sudo)")]
    NotRoot(&'static str),
    #[error("bad binfmt name {0:?}: use letters, digits and . _ + - (at most 64)")]
    BadName(String),
    #[error("bad binfmt flags {0:?}: use any of P, O, C, F")]
    BadFlags(String),
    #[error("the F flag needs a static emu, and {0} is dynamically linked: build one with `cargo xtask dist`, or leave F out with --flags POC")]
    NotStatic(String),
    #[error("cannot register {0}: binfmt_misc cannot take a path with ':' or a newline")]
    BadInterpreter(String),
    #[error("{} already handles arm64 programs; `emu binfmt install --force` replaces it", .0.describe())]
    Conflict(Box<Entry>),
    #[error("cannot mount binfmt_misc on {MOUNT_POINT}: {0}")]
    Mount(std::io::Error),
    #[error("{what} {}: {err}", .path.display())]
    Io { what: &'static str, path: PathBuf, err: std::io::Error },
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BinfmtError + 'a {
    move |err| BinfmtError::Io { what, path: path.to_path_buf(), err }
}

/// What a command printed and whether it means success (for `status`: whether
/// emu is registered and enabled).
pub struct Report {
    pub text: String,
    pub ok: bool,
}

/// binfmt_misc at a mount point (a parameter so tests can use a plain folder).
pub struct Binfmt {
    pub dir: PathBuf,
}

impl Default for Binfmt {
    fn default() -> Self {
        Binfmt { dir: PathBuf::from(MOUNT_POINT) }
    }
}

/// Runs `cmd`, registering `interpreter` (emu's own path) on install.
pub fn run(cmd: &BinfmtCommand, interpreter: &Path) -> Result<Report, BinfmtError> {
    let b = Binfmt::default();
    match cmd {
        BinfmtCommand::Install { name, flags, force, persist } => b.install(name, flags, *force, *persist, interpreter),
        BinfmtCommand::Uninstall { name } => b.uninstall(name),
        BinfmtCommand::Status { name } => b.status(name),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Whether an ELF file names an interpreter (PT_INTERP): a dynamically linked
/// executable cannot be opened in another root by the F flag and then run.
pub fn is_dynamic(path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(path)?;
    let mut eh = [0u8; 64];
    f.read_exact_at(&mut eh, 0)?;
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let phoff = u64::from_le_bytes(eh[32..40].try_into().unwrap_or_default());
    let (phentsize, phnum) = (u16_at(&eh, 54) as usize, u16_at(&eh, 56) as usize);
    if &eh[..4] != b"\x7fELF" || phentsize < 4 {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a 64-bit ELF file"));
    }
    let mut ph = vec![0u8; phentsize * phnum];
    f.read_exact_at(&mut ph, phoff)?;
    const PT_INTERP: u32 = 3;
    Ok(ph.chunks(phentsize).any(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]) == PT_INTERP))
}

impl Binfmt {
    fn register_path(&self) -> PathBuf {
        self.dir.join("register")
    }

    fn mounted(&self) -> bool {
        self.register_path().exists()
    }

    /// Mounts binfmt_misc at its usual place if it is not there yet.
    fn ensure_mounted(&self) -> Result<(), BinfmtError> {
        if self.mounted() {
            return Ok(());
        }
        let (Ok(src), Ok(dir)) = (CString::new("binfmt_misc"), CString::new(self.dir.as_os_str().as_bytes())) else {
            return Err(BinfmtError::Mount(std::io::ErrorKind::InvalidInput.into()));
        };
        // SAFETY: host mount(2) with NUL-terminated strings that outlive the call.
        let r = unsafe { libc::mount(src.as_ptr(), dir.as_ptr(), src.as_ptr(), 0, std::ptr::null()) };
        if r != 0 {
            return Err(BinfmtError::Mount(std::io::Error::last_os_error()));
        }
        Ok(())
    }

    /// Every registration, sorted by name.
    pub fn entries(&self) -> Vec<Entry> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out: Vec<Entry> = dir
            .filter_map(Result::ok)
            .filter_map(|d| {
                let name = d.file_name().to_str()?.to_string();
                if name == "register" || name == "status" {
                    return None;
                }
                let text = std::fs::read_to_string(d.path()).ok()?;
                Some(Entry::parse(&name, &text))
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    fn entry(&self, name: &str) -> Option<Entry> {
        self.entries().into_iter().find(|e| e.name == name)
    }

    /// Writes to a registration's file: "1" enables, "0" disables, "-1" removes.
    pub fn control(&self, name: &str, what: &str) -> Result<(), BinfmtError> {
        let path = self.dir.join(name);
        std::fs::write(&path, what).map_err(io("cannot write to", &path))
    }

    pub fn install(
        &self,
        name: &str,
        flags: &str,
        force: bool,
        persist: bool,
        interpreter: &Path,
    ) -> Result<Report, BinfmtError> {
        if !entry::valid_name(name) {
            return Err(BinfmtError::BadName(name.to_string()));
        }
        let flags = entry::normalize_flags(flags).ok_or_else(|| BinfmtError::BadFlags(flags.to_string()))?;
        let interp = interpreter.display().to_string();
        if interp.contains(':') || interp.contains('\n') {
            return Err(BinfmtError::BadInterpreter(interp));
        }
        if !is_root() {
            return Err(BinfmtError::NotRoot("install"));
        }
        if flags.contains('F') && is_dynamic(interpreter).map_err(io("cannot read", interpreter))? {
            return Err(BinfmtError::NotStatic(interp));
        }
        self.ensure_mounted()?;

        let mut text = String::new();
        let others: Vec<Entry> =
            self.entries().into_iter().filter(|e| e.name != name && e.enabled && e.handles_aarch64()).collect();
        if let (Some(first), false) = (others.first(), force) {
            return Err(BinfmtError::Conflict(Box::new(first.clone())));
        }
        for other in &others {
            self.control(&other.name, "-1")?;
            let _ = writeln!(text, "removed {}", other.describe());
        }
        if self.entry(name).is_some() {
            // Our own name: an update, e.g. to a new emu path or new flags.
            self.control(name, "-1")?;
        }
        let line = registration_line(name, &interp, &flags);
        let register = self.register_path();
        std::fs::write(&register, &line).map_err(io("cannot write to", &register))?;
        match self.entry(name) {
            Some(e) => {
                let _ = writeln!(text, "registered {}", e.describe());
            }
            None => {
                let _ = writeln!(text, "registered {name}");
            }
        }
        if persist {
            let dir = Path::new(PERSIST_DIR);
            std::fs::create_dir_all(dir).map_err(io("cannot create", dir))?;
            let file = dir.join(format!("{name}.conf"));
            let body =
                format!("# arm64 programs run through emu (written by `emu binfmt install --persist`)\n{line}\n");
            std::fs::write(&file, body).map_err(io("cannot write", &file))?;
            let _ = writeln!(text, "wrote {} (systemd-binfmt registers it at boot)", file.display());
        }
        Ok(Report { text, ok: true })
    }

    pub fn uninstall(&self, name: &str) -> Result<Report, BinfmtError> {
        if !entry::valid_name(name) {
            return Err(BinfmtError::BadName(name.to_string()));
        }
        if !is_root() {
            return Err(BinfmtError::NotRoot("uninstall"));
        }
        let mut text = String::new();
        if self.entry(name).is_some() {
            self.control(name, "-1")?;
            let _ = writeln!(text, "removed {name}");
        } else {
            let _ = writeln!(text, "{name}: not registered");
        }
        let file = Path::new(PERSIST_DIR).join(format!("{name}.conf"));
        if file.exists() {
            std::fs::remove_file(&file).map_err(io("cannot remove", &file))?;
            let _ = writeln!(text, "removed {}", file.display());
        }
        Ok(Report { text, ok: true })
    }

    pub fn status(&self, name: &str) -> Result<Report, BinfmtError> {
        if !self.mounted() {
            let text = format!("binfmt_misc is not mounted at {MOUNT_POINT}: nothing is registered\n");
            return Ok(Report { text, ok: false });
        }
        let mut text = String::new();
        let entries = self.entries();
        let ours = entries.iter().find(|e| e.name == name);
        match ours {
            Some(e) => {
                let _ = writeln!(text, "{}", e.describe());
            }
            None => {
                let _ = writeln!(text, "{name}: not registered");
            }
        }
        for other in entries.iter().filter(|e| e.name != name && e.handles_aarch64()) {
            let _ = writeln!(text, "also handling arm64: {}", other.describe());
        }
        let file = Path::new(PERSIST_DIR).join(format!("{name}.conf"));
        if file.exists() {
            let _ = writeln!(text, "persistent: {}", file.display());
        }
        Ok(Report { text, ok: ours.is_some_and(|e| e.enabled) })
    }
}
