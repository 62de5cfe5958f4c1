//! Command-line parsing. The options follow qemu-user's, which users already know,
//! including its single-dash long forms and environment variables, so scripts and
//! binfmt setups that pass them keep working.

use emu_binfmt::BinfmtCommand;
use emu_runtime::Config;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

pub enum Action {
    Run(Config),
    Print(String),
    Binfmt(BinfmtCommand),
}

/// How the kernel started emu, from emu's own auxv.
#[derive(Default)]
pub struct Start {
    /// binfmt_misc's P flag: argv is [emu, /full/path, original argv0, args...].
    pub preserve_argv0: bool,
    /// binfmt_misc's O flag: the program, opened by the kernel.
    pub exec_fd: Option<std::fs::File>,
    /// Started with other credentials than the caller's (setuid through the C
    /// flag): the caller's environment must not steer emu.
    pub secure: bool,
}

const USAGE: &str = "\
usage: emu [options] PROGRAM [ARGS...]
       emu binfmt install|uninstall|status [binfmt options]
Runs an aarch64 Linux program on this machine.

options:
  -L DIR             look for absolute paths under DIR first: an arm64 root
                     filesystem with the dynamic loader and libraries
                     (also EMU_LD_PREFIX or QEMU_LD_PREFIX)
  -d, --log          report unimplemented instructions and syscalls on stderr
                     (also EMU_LOG=1)
  -strace, --strace  trace the program's syscalls on stderr (also EMU_STRACE=1)
  --strace-file FILE append the trace to FILE instead (also EMU_STRACE_FILE)
  -0 ARGV0           pass ARGV0 as the program's argv[0]
  -E VAR=VALUE       set VAR in the program's environment
  -U VAR             remove VAR from the program's environment
  -s SIZE            stack size in bytes (k/M suffixes allowed; default 8M)
  -g PORT            wait for GDB on PORT (HOST:PORT: on that address) and run
                     the program under it: gdb-multiarch, `target remote :PORT`
                     (also EMU_GDB, which the program and its children do not see)
  --exec-fd N        run the program open as descriptor N (PROGRAM names it);
                     emu passes this to itself when a guest execs a descriptor
  -h, --help         this text
  -version, --version

binfmt (as root): let the kernel run every arm64 program through emu
  emu binfmt install [--flags POCF] [--name emu-aarch64] [--force] [--persist]
      --flags        binfmt_misc flags from P, O, C, F (default POCF); F needs
                     a static emu (`cargo xtask dist`)
      --force        replace another registration for arm64 (e.g. qemu-aarch64)
      --persist      also write /etc/binfmt.d/NAME.conf for systemd-binfmt
  emu binfmt uninstall [--name NAME]
  emu binfmt status [--name NAME]
";

fn parse_size(s: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(s).ok()?;
    let (num, mul) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1024),
        'm' | 'M' => (&s[..s.len() - 1], 1024 * 1024),
        'g' | 'G' => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The value of a variable in `env`, if set and not empty.
fn var<'a>(env: &'a [(Vec<u8>, Vec<u8>)], key: &[u8]) -> Option<&'a [u8]> {
    env.iter().find(|(n, v)| n == key && !v.is_empty()).map(|(_, v)| v.as_slice())
}

fn path_of(b: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(b.to_vec()))
}

fn envp_of(env: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<Vec<u8>> {
    env.into_iter()
        .map(|(mut k, v)| {
            k.push(b'=');
            k.extend_from_slice(&v);
            k
        })
        .collect()
}

/// Parses `args` (with args[0] being emu itself) and the host environment.
pub fn parse(args: &[Vec<u8>], mut env: Vec<(Vec<u8>, Vec<u8>)>, start: Start) -> Result<Action, String> {
    // The environment may name a sysroot, except for a setuid program, whose
    // caller must not choose which files it reads.
    let env_sysroot = if start.secure {
        None
    } else {
        var(&env, b"EMU_LD_PREFIX").or_else(|| var(&env, b"QEMU_LD_PREFIX")).map(path_of)
    };
    let log = !start.secure && var(&env, b"EMU_LOG").is_some_and(|v| v != b"0");
    // EMU_GDB is for this process alone: the programs it starts do not see it
    // (each would wait for GDB on the same port).
    let env_gdb = var(&env, b"EMU_GDB").map(gdb_address).transpose()?.filter(|_| !start.secure);
    env.retain(|(k, _)| k != b"EMU_GDB");
    if start.preserve_argv0 {
        // Started by binfmt_misc with the P flag: no options of ours are here.
        let (Some(program), Some(rest)) = (args.get(1), args.get(2..).filter(|r| !r.is_empty())) else {
            return Err("started by binfmt_misc (P flag) without the program and its argv[0]".to_string());
        };
        let config = Config {
            program: path_of(program),
            argv: rest.to_vec(),
            envp: envp_of(env),
            log,
            stack_size: DEFAULT_STACK,
            exec_fd: start.exec_fd,
            sysroot: env_sysroot,
            gdb: env_gdb,
        };
        return Ok(Action::Run(config));
    }
    if args.get(1).map(Vec::as_slice) == Some(b"binfmt") {
        return parse_binfmt(&args[2..]).map(Action::Binfmt);
    }
    let mut log = log;
    let mut sysroot = env_sysroot;
    let mut argv0: Option<Vec<u8>> = None;
    let mut stack_size: u64 = DEFAULT_STACK;
    let mut exec_fd = start.exec_fd;
    let mut gdb = env_gdb;
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_slice();
        let mut value = || -> Result<Vec<u8>, String> {
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("option {} needs a value", lossy(a)))
        };
        match a {
            b"--" => {
                i += 1;
                break;
            }
            b"-h" | b"--help" | b"-help" => return Ok(Action::Print(USAGE.to_string())),
            b"-version" | b"--version" => {
                return Ok(Action::Print(format!("emu {}\n", env!("CARGO_PKG_VERSION"))));
            }
            b"-d" | b"--log" => log = true,
            // The syscall layer reads EMU_STRACE (and passes -strace on to the
            // programs the guest execs).
            b"-strace" | b"--strace" => std::env::set_var("EMU_STRACE", "1"),
            b"-strace-file" | b"--strace-file" => {
                std::env::set_var("EMU_STRACE_FILE", std::ffi::OsStr::from_bytes(&value()?))
            }
            b"-L" => sysroot = Some(path_of(&value()?)),
            b"--exec-fd" => exec_fd = Some(inherited_fd(&value()?)?),
            b"-0" => argv0 = Some(value()?),
            b"-g" => gdb = Some(gdb_address(&value()?)?),
            b"-E" => {
                let kv = value()?;
                let eq = kv.iter().position(|&c| c == b'=').ok_or("-E needs VAR=VALUE")?;
                let (k, v) = (kv[..eq].to_vec(), kv[eq + 1..].to_vec());
                env.retain(|(n, _)| *n != k);
                env.push((k, v));
            }
            b"-U" => {
                let k = value()?;
                env.retain(|(n, _)| *n != k);
            }
            b"-s" => {
                let v = value()?;
                stack_size = parse_size(&v).filter(|&s| s >= 65536).ok_or(format!("bad stack size {}", lossy(&v)))?;
            }
            _ if a.starts_with(b"-") && a.len() > 1 => {
                return Err(format!("unknown option {} (emu --help lists them)", lossy(a)))
            }
            _ => break,
        }
        i += 1;
    }
    let Some(program) = args.get(i) else {
        return Err("no program given (usage: emu [options] PROGRAM [ARGS...])".to_string());
    };
    let mut argv: Vec<Vec<u8>> = args[i..].to_vec();
    if let Some(a0) = argv0 {
        argv[0] = a0;
    }
    let envp = envp_of(env);
    let program = path_of(program);
    Ok(Action::Run(Config { program, argv, envp, log, stack_size, exec_fd, sysroot, gdb }))
}

/// `-g`'s value: a port, or a host and a port.
fn gdb_address(v: &[u8]) -> Result<String, String> {
    let s = std::str::from_utf8(v).unwrap_or("");
    let port = s.rsplit(':').next().unwrap_or("");
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(s.to_string()),
        _ => Err(format!("-g (EMU_GDB) needs a port (or HOST:PORT), not {}", lossy(v))),
    }
}

/// The program as a descriptor that the emu which started this one left open
/// (`--exec-fd N`, when a guest execs a descriptor): PROGRAM is then only its name.
fn inherited_fd(v: &[u8]) -> Result<std::fs::File, String> {
    use std::os::fd::FromRawFd;
    let fd = std::str::from_utf8(v).ok().and_then(|s| s.parse::<i32>().ok()).filter(|&fd| fd > 2);
    let fd = fd.ok_or_else(|| format!("--exec-fd needs a descriptor number above 2, not {}", lossy(v)))?;
    // SAFETY: F_GETFD only reads the descriptor's flags.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(format!("--exec-fd {fd}: not an open descriptor"));
    }
    // SAFETY: the descriptor is open, and nothing else in this process owns it: it
    // was left for emu alone, which closes it once the program is loaded.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

const DEFAULT_STACK: u64 = 8 << 20;

/// `emu binfmt install|uninstall|status` and their options.
fn parse_binfmt(args: &[Vec<u8>]) -> Result<BinfmtCommand, String> {
    let verb = args.first().map(|v| lossy(v)).unwrap_or_default();
    let mut name = emu_binfmt::DEFAULT_NAME.to_string();
    let mut flags = emu_binfmt::DEFAULT_FLAGS.to_string();
    let (mut force, mut persist) = (false, false);
    let mut i = 1;
    while i < args.len() {
        let a = lossy(&args[i]);
        let mut value = || -> Result<String, String> {
            i += 1;
            args.get(i).map(|v| lossy(v)).ok_or_else(|| format!("option {a} needs a value"))
        };
        match (verb.as_str(), a.as_str()) {
            (_, "--name") => name = value()?,
            ("install", "--flags") => flags = value()?,
            ("install", "--force") => force = true,
            ("install", "--persist") => persist = true,
            _ => return Err(format!("binfmt {verb}: unknown option {a} (emu --help lists them)")),
        }
        i += 1;
    }
    match verb.as_str() {
        "install" => Ok(BinfmtCommand::Install { name, flags, force, persist }),
        "uninstall" => Ok(BinfmtCommand::Uninstall { name }),
        "status" => Ok(BinfmtCommand::Status { name }),
        "" => Err("binfmt needs a command: install, uninstall or status".to_string()),
        other => Err(format!("unknown binfmt command {other} (install, uninstall or status)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_before_program_only() {
        let Ok(Action::Run(c)) = parse(&args(&["emu", "-0", "zero", "./prog", "-d", "x"]), vec![], Start::default())
        else {
            panic!("expected a run")
        };
        assert_eq!(c.program, PathBuf::from("./prog"));
        assert_eq!(c.argv, args(&["zero", "-d", "x"]));
        assert!(!c.log);
    }

    #[test]
    fn environment_edits() {
        let env = vec![(b"A".to_vec(), b"1".to_vec()), (b"B".to_vec(), b"2".to_vec())];
        let Ok(Action::Run(c)) = parse(&args(&["emu", "-U", "A", "-E", "C=3", "p"]), env, Start::default()) else {
            panic!("expected a run")
        };
        assert_eq!(c.envp, args(&["B=2", "C=3"]));
    }

    fn run_config(a: &[&str], env: &[(&str, &str)], start: Start) -> Config {
        let env = env.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
        match parse(&args(a), env, start) {
            Ok(Action::Run(c)) => c,
            _ => panic!("expected a run of {a:?}"),
        }
    }

    /// EMU_GDB asks for GDB as -g does, and the program's environment loses it;
    /// -g wins; a setuid program's caller cannot ask.
    #[test]
    fn gdb_from_option_and_environment() {
        let env = [("EMU_GDB", "1234"), ("A", "1")];
        let c = run_config(&["emu", "p"], &env, Start::default());
        assert_eq!((c.gdb.as_deref(), c.envp), (Some("1234"), args(&["A=1"])));
        let c = run_config(&["emu", "-g", "0.0.0.0:99", "p"], &env, Start::default());
        assert_eq!(c.gdb.as_deref(), Some("0.0.0.0:99"));
        let c = run_config(&["emu", "/p", "argv0"], &env, Start { preserve_argv0: true, ..Start::default() });
        assert_eq!(c.gdb.as_deref(), Some("1234"));
        let c = run_config(&["emu", "p"], &env, Start { secure: true, ..Start::default() });
        assert_eq!((c.gdb, c.envp), (None, args(&["A=1"])));
        let bad = vec![(b"EMU_GDB".to_vec(), b"port".to_vec())];
        assert!(matches!(parse(&args(&["emu", "p"]), bad, Start::default()), Err(e) if e.contains("EMU_GDB")));
    }

    #[test]
    fn sysroot_from_option_and_environment() {
        let c = run_config(&["emu", "-L", "/opt/arm64", "p"], &[("QEMU_LD_PREFIX", "/q")], Start::default());
        assert_eq!(c.sysroot, Some(PathBuf::from("/opt/arm64")));
        let c = run_config(&["emu", "p"], &[("QEMU_LD_PREFIX", "/q"), ("EMU_LD_PREFIX", "/e")], Start::default());
        assert_eq!(c.sysroot, Some(PathBuf::from("/e")));
        let c = run_config(&["emu", "p"], &[("QEMU_LD_PREFIX", "/q")], Start::default());
        assert_eq!(c.sysroot, Some(PathBuf::from("/q")));
        // A setuid start ignores what the caller's environment says.
        let secure = Start { secure: true, ..Start::default() };
        let c = run_config(&["emu", "p"], &[("EMU_LD_PREFIX", "/e"), ("EMU_LOG", "1")], secure);
        assert_eq!(c.sysroot, None);
        assert!(!c.log);
    }

    #[test]
    fn preserved_argv0_takes_no_options() {
        let start = Start { preserve_argv0: true, ..Start::default() };
        let c = run_config(&["/usr/bin/emu", "/bin/prog", "-L", "-d"], &[("EMU_LD_PREFIX", "/e")], start);
        assert_eq!(c.program, PathBuf::from("/bin/prog"));
        assert_eq!(c.argv, args(&["-L", "-d"]));
        assert_eq!(c.sysroot, Some(PathBuf::from("/e")));
        let start = Start { preserve_argv0: true, ..Start::default() };
        assert!(parse(&args(&["emu", "/bin/prog"]), vec![], start).is_err());
    }

    #[test]
    fn binfmt_commands() {
        let parsed = parse(&args(&["emu", "binfmt", "install", "--flags", "PF", "--force"]), vec![], Start::default());
        let Ok(Action::Binfmt(cmd)) = parsed else { panic!("expected a binfmt command") };
        let expected =
            BinfmtCommand::Install { name: "emu-aarch64".into(), flags: "PF".into(), force: true, persist: false };
        assert_eq!(cmd, expected);
        assert!(parse(&args(&["emu", "binfmt", "status", "--force"]), vec![], Start::default()).is_err());
        assert!(parse(&args(&["emu", "binfmt"]), vec![], Start::default()).is_err());
    }

    #[test]
    fn usage_errors() {
        assert!(parse(&args(&["emu"]), vec![], Start::default()).is_err());
        assert!(parse(&args(&["emu", "-x", "p"]), vec![], Start::default()).is_err());
        assert!(parse(&args(&["emu", "-s", "12q", "p"]), vec![], Start::default()).is_err());
        // Standard descriptors, non-numbers and closed descriptors are refused.
        for bad in ["1", "x", "-3", "999999"] {
            let parsed = parse(&args(&["emu", "--exec-fd", bad, "p"]), vec![], Start::default());
            assert!(matches!(parsed, Err(ref e) if e.starts_with("--exec-fd")), "--exec-fd {bad}");
        }
    }
}
