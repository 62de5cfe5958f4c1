//! The `emu` command: `emu [options] PROGRAM [ARGS...]`.
//!
//! Owns: the command line and its environment-variable equivalents, and the
//! mapping from load errors to one-line messages with distinct exit statuses.
//! Must not: know how programs are loaded or run (the runtime does).

mod cli;

use emu_loader::LoadError;
use std::os::unix::ffi::OsStringExt;

/// Exit statuses for emu's own failures, distinct from each other so scripts can
/// tell them apart. The guest's own status passes through unchanged.
pub mod status {
    pub const USAGE: i32 = 120;
    pub const OPEN: i32 = 121;
    pub const NOT_ELF: i32 = 122;
    pub const ELF32: i32 = 123;
    pub const WRONG_MACHINE: i32 = 124;
    pub const MALFORMED: i32 = 125;
    pub const DYNAMIC: i32 = 126;
    pub const MAP: i32 = 119;
}

fn exit_status(e: &LoadError) -> i32 {
    match e {
        LoadError::Open { .. } | LoadError::IsDirectory(_) => status::OPEN,
        LoadError::NotElf(_) => status::NOT_ELF,
        LoadError::Elf32(_) => status::ELF32,
        LoadError::WrongMachine { .. } | LoadError::BigEndian(_) => status::WRONG_MACHINE,
        LoadError::Truncated { .. } => status::MALFORMED,
        LoadError::Dynamic { .. } => status::DYNAMIC,
        LoadError::Map { .. } => status::MAP,
    }
}

fn main() {
    let args: Vec<Vec<u8>> = std::env::args_os().map(OsStringExt::into_vec).collect();
    let env: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os().map(|(k, v)| (k.into_vec(), v.into_vec())).collect();
    let config = match cli::parse(&args, env) {
        Ok(cli::Action::Run(c)) => c,
        Ok(cli::Action::Print(text)) => {
            print!("{text}");
            return;
        }
        Err(msg) => {
            eprintln!("emu: {msg}");
            std::process::exit(status::USAGE);
        }
    };
    let Err(e) = emu_runtime::run(config);
    eprintln!("emu: {e}");
    std::process::exit(exit_status(&e));
}
