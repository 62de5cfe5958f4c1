//! The `emu` command: `emu [options] PROGRAM [ARGS...]`, and `emu binfmt ...`.
//!
//! Owns: the command line and its environment-variable equivalents, how the
//! kernel started emu (binfmt_misc's P and O flags, from emu's own auxv), and the
//! mapping from load errors to one-line messages with distinct exit statuses.
//! Must not: know how programs are loaded or run (the runtime does), or how
//! binfmt_misc registrations are written (emu-binfmt does).
//!
//! No `fn main`: Rust's start-up code would set SIGPIPE to ignored (which the
//! guest, and every program it execs, would then inherit), reopen closed standard
//! descriptors, and read /proc/self/maps to place a stack guard. emu keeps the
//! dispositions and descriptors it was given, as the kernel would hand them to
//! the program, and starts faster.
#![cfg_attr(not(test), no_main)]

mod cli;

use emu_loader::LoadError;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStringExt;

/// Exit statuses for emu's own failures, distinct from each other so scripts can
/// tell them apart. The guest's own status passes through unchanged.
pub mod status {
    pub const GDB: i32 = 117;
    pub const BINFMT: i32 = 118;
    pub const MAP: i32 = 119;
    pub const USAGE: i32 = 120;
    pub const OPEN: i32 = 121;
    pub const NOT_ELF: i32 = 122;
    pub const ELF32: i32 = 123;
    pub const WRONG_MACHINE: i32 = 124;
    pub const MALFORMED: i32 = 125;
    pub const NO_INTERPRETER: i32 = 126;
}

fn exit_status(e: &LoadError) -> i32 {
    match e {
        LoadError::Open { .. } | LoadError::IsDirectory(_) => status::OPEN,
        LoadError::NotElf(_) => status::NOT_ELF,
        LoadError::Elf32(_) => status::ELF32,
        LoadError::WrongMachine { .. } | LoadError::BigEndian(_) => status::WRONG_MACHINE,
        LoadError::Truncated { .. } => status::MALFORMED,
        LoadError::InterpNotFound { .. } => status::NO_INTERPRETER,
        LoadError::Map { .. } => status::MAP,
    }
}

/// One entry of emu's own auxv, if the kernel gave it.
fn auxv(key: libc::c_ulong) -> Option<u64> {
    // SAFETY: getauxval reads emu's auxv; errno is thread-local and reset first so
    // that a 0 value can be told apart from a missing entry.
    unsafe {
        *libc::__errno_location() = 0;
        let v = libc::getauxval(key);
        (v != 0 || *libc::__errno_location() != libc::ENOENT).then_some(v as u64)
    }
}

/// How the kernel started emu: through binfmt_misc with P and/or O, or not.
fn start() -> cli::Start {
    const AT_FLAGS_PRESERVE_ARGV0: u64 = 1;
    let exec_fd = auxv(libc::AT_EXECFD).and_then(|fd| i32::try_from(fd).ok()).filter(|&fd| fd >= 0).map(|fd| {
        // SAFETY: the kernel opened this descriptor for emu (the O flag) and
        // nothing else in emu owns it.
        unsafe { std::fs::File::from_raw_fd(fd) }
    });
    cli::Start {
        preserve_argv0: auxv(libc::AT_FLAGS).is_some_and(|f| f & AT_FLAGS_PRESERVE_ARGV0 != 0),
        exec_fd,
        secure: auxv(libc::AT_SECURE).is_some_and(|s| s != 0),
    }
}

fn binfmt(cmd: &emu_binfmt::BinfmtCommand) -> ! {
    // Register the emu that is running, by its real path.
    let exe = std::env::current_exe().and_then(std::fs::canonicalize);
    let result = exe
        .map_err(|e| format!("cannot find emu's own path: {e}"))
        .and_then(|exe| emu_binfmt::run(cmd, &exe).map_err(|e| e.to_string()));
    match result {
        Ok(report) => {
            print!("{}", report.text);
            std::process::exit(if report.ok { 0 } else { 1 });
        }
        Err(msg) => {
            eprintln!("emu: {msg}");
            std::process::exit(status::BINFMT);
        }
    }
}

/// The C runtime's entry point. The arguments are read from `argv` here: without
/// Rust's start-up code only some C libraries (glibc) hand them to `std::env`.
// SAFETY: the one `main` symbol of the program, with the C signature.
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let args: Vec<Vec<u8>> = (0..argc.max(0) as usize)
        .map(|i| {
            // SAFETY: the C runtime passes argc valid, NUL-terminated strings in argv.
            unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }.to_bytes().to_vec()
        })
        .collect();
    // A panic must not unwind into C: exit as Rust's own start-up would.
    match std::panic::catch_unwind(|| emu_main(args)) {
        Ok(()) => 0,
        Err(_) => 101,
    }
}

/// The unit tests' harness brings its own entry point and wants a `main` to set aside.
#[cfg(test)]
fn main() {
    emu_main(std::env::args_os().map(OsStringExt::into_vec).collect())
}

fn emu_main(args: Vec<Vec<u8>>) {
    let start = start();
    let env: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os().map(|(k, v)| (k.into_vec(), v.into_vec())).collect();
    let config = match cli::parse(&args, env, start) {
        Ok(cli::Action::Run(c)) => c,
        Ok(cli::Action::Print(text)) => {
            print!("{text}");
            let _ = std::io::Write::flush(&mut std::io::stdout());
            return;
        }
        Ok(cli::Action::Binfmt(cmd)) => binfmt(&cmd),
        Err(msg) => {
            eprintln!("emu: {msg}");
            std::process::exit(status::USAGE);
        }
    };
    let Err(e) = emu_runtime::run(config);
    eprintln!("emu: {e}");
    std::process::exit(match &e {
        emu_runtime::Error::Load(e) => exit_status(e),
        emu_runtime::Error::Gdb(_) => status::GDB,
    });
}
