//! Command-line parsing. The options follow qemu-user's, which users already know,
//! including its single-dash long forms and environment variables, so scripts and
//! binfmt setups that pass them keep working.

use emu_runtime::Config;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

pub enum Action {
    Run(Config),
    Print(String),
}

const USAGE: &str = "\
usage: emu [options] PROGRAM [ARGS...]
Runs an aarch64 Linux program on this machine.

options:
  -d, --log          report unimplemented instructions and syscalls on stderr
                     (also EMU_LOG=1)
  -0 ARGV0           pass ARGV0 as the program's argv[0]
  -E VAR=VALUE       set VAR in the program's environment
  -U VAR             remove VAR from the program's environment
  -s SIZE            stack size in bytes (k/M suffixes allowed; default 8M)
  -h, --help         this text
  -version, --version
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

/// Parses `args` (with args[0] being emu itself) and the host environment.
pub fn parse(args: &[Vec<u8>], mut env: Vec<(Vec<u8>, Vec<u8>)>) -> Result<Action, String> {
    let flag = |k: &[u8]| env.iter().any(|(n, v)| n == k && !v.is_empty() && v != b"0");
    let mut log = flag(b"EMU_LOG");
    let mut argv0: Option<Vec<u8>> = None;
    let mut stack_size: u64 = 8 << 20;
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
            b"-0" => argv0 = Some(value()?),
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
    let envp = env
        .into_iter()
        .map(|(mut k, v)| {
            k.push(b'=');
            k.extend_from_slice(&v);
            k
        })
        .collect();
    Ok(Action::Run(Config { program: PathBuf::from(OsString::from_vec(program.clone())), argv, envp, log, stack_size }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_before_program_only() {
        let Ok(Action::Run(c)) = parse(&args(&["emu", "-0", "zero", "./prog", "-d", "x"]), vec![]) else {
            panic!("expected a run")
        };
        assert_eq!(c.program, PathBuf::from("./prog"));
        assert_eq!(c.argv, args(&["zero", "-d", "x"]));
        assert!(!c.log);
    }

    #[test]
    fn environment_edits() {
        let env = vec![(b"A".to_vec(), b"1".to_vec()), (b"B".to_vec(), b"2".to_vec())];
        let Ok(Action::Run(c)) = parse(&args(&["emu", "-U", "A", "-E", "C=3", "p"]), env) else {
            panic!("expected a run")
        };
        assert_eq!(c.envp, args(&["B=2", "C=3"]));
    }

    #[test]
    fn usage_errors() {
        assert!(parse(&args(&["emu"]), vec![]).is_err());
        assert!(parse(&args(&["emu", "-x", "p"]), vec![]).is_err());
        assert!(parse(&args(&["emu", "-s", "12q", "p"]), vec![]).is_err());
    }
}
