//! Dynamically linked arm64 programs: emu loads the program's interpreter
//! (glibc's ld.so) from a sysroot given with -L, and ld.so loads the rest.
//! Each program runs under emu and under qemu-aarch64-static, both with the
//! same -L, and must print the same and end the same way.
//!
//! Two sysroots: the cross toolchain's (/usr/aarch64-linux-gnu, for the
//! testbins) and Debian's arm64 packages unpacked by `cargo xtask fetch-sysroot`
//! into target/sysroot-arm64 (bash, coreutils and the libraries they need).

#[path = "common/mod.rs"]
mod common;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_same, emu, qemu, root, run, testbin, Invocation, Outcome, TempDir};

/// Where Debian's gcc-aarch64-linux-gnu puts the arm64 glibc.
const CROSS_SYSROOT: &str = "/usr/aarch64-linux-gnu";

#[track_caller]
fn debian_sysroot() -> PathBuf {
    let dir = root().join("target/sysroot-arm64");
    assert!(dir.join("bin/bash").is_file(), "{} is missing: run `cargo xtask fetch-sysroot` first", dir.display());
    dir
}

/// Runs `inv` under emu and qemu, each given `sysroot` in its own way.
#[track_caller]
fn compare_with(what: &str, sysroot: &Path, inv: &Invocation, how: Sysroot) -> Outcome {
    let command = |runner: &Path| -> Command {
        let mut cmd = inv.command(runner);
        match how {
            Sysroot::Option => {
                // -L goes before the program: rebuild the argument list.
                let mut args: Vec<OsString> = vec!["-L".into(), sysroot.into()];
                args.extend(cmd.get_args().map(|a| a.to_owned()));
                let envs: Vec<(OsString, Option<OsString>)> =
                    cmd.get_envs().map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned()))).collect();
                let mut c = Command::new(runner);
                c.args(args).env_clear();
                for (k, v) in envs {
                    if let Some(v) = v {
                        c.env(k, v);
                    }
                }
                c
            }
            Sysroot::Env(var) => {
                cmd.env(var, sysroot);
                cmd
            }
        }
    };
    let emu_out = run(command(&emu()), &inv.stdin);
    // qemu reads only its own variable.
    let mut qemu_cmd = command(&qemu());
    if let Sysroot::Env(_) = how {
        qemu_cmd.env("QEMU_LD_PREFIX", sysroot);
    }
    let qemu_out = run(qemu_cmd, &inv.stdin);
    assert_same(what, &emu_out, &qemu_out);
    emu_out
}

#[derive(Clone, Copy)]
enum Sysroot {
    Option,
    Env(&'static str),
}

#[track_caller]
fn compare_in(what: &str, sysroot: &Path, inv: &Invocation) -> Outcome {
    compare_with(what, sysroot, inv, Sysroot::Option)
}

#[test]
fn hello_with_cross_sysroot() {
    let inv = Invocation::new(testbin("dynamic", "hello"));
    let out = compare_in("dynamic hello", Path::new(CROSS_SYSROOT), &inv);
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "Hello, world!\n");
}

#[test]
fn sysroot_from_environment() {
    let inv = Invocation::new(testbin("dynamic", "hello"));
    for var in ["EMU_LD_PREFIX", "QEMU_LD_PREFIX"] {
        let out = compare_with(var, Path::new(CROSS_SYSROOT), &inv, Sysroot::Env(var));
        assert_eq!(out.stdout_str(), "Hello, world!\n", "{var}");
    }
}

/// Without a sysroot the interpreter is missing: one line naming it and -L.
#[test]
fn missing_interpreter_names_it() {
    let mut cmd = Command::new(emu());
    cmd.arg(testbin("dynamic", "hello")).env_remove("EMU_LD_PREFIX").env_remove("QEMU_LD_PREFIX");
    let out = run(cmd, &[]);
    assert_eq!(out.code(), Some(126), "{out}");
    let err = out.stderr_str();
    assert!(err.contains("/lib/ld-linux-aarch64.so.1") && err.contains("-L"), "{out}");
}

/// ld.so run as the program, loading the program itself: the ET_DYN
/// interpreter at a random base, with the program mapped by ld.so.
#[test]
fn loader_run_directly() {
    let ld = Path::new(CROSS_SYSROOT).join("lib/ld-linux-aarch64.so.1");
    let inv = Invocation::new(ld).args([testbin("dynamic", "hello")]);
    let out = compare_in("ld.so hello", Path::new(CROSS_SYSROOT), &inv);
    assert_eq!(out.stdout_str(), "Hello, world!\n");
}

/// Position-independent programs land at a different base each run (as with
/// Linux's ASLR): ld.so --list prints where each object went.
#[test]
fn pie_base_is_randomised() {
    let dir = TempDir::new("aslr");
    let ld = Path::new(CROSS_SYSROOT).join("lib/ld-linux-aarch64.so.1");
    let base = |_: usize| {
        // ld.so --list prints each object's load address.
        let mut cmd = Command::new(emu());
        cmd.args(["-L", CROSS_SYSROOT]).arg(&ld).arg("--list").arg(testbin("dynamic", "hello")).current_dir(dir.path());
        let out = run(cmd, &[]);
        assert_eq!(out.code(), Some(0), "{out}");
        out.stdout_str()
    };
    let runs: Vec<String> = (0..3).map(base).collect();
    assert!(runs[0] != runs[1] || runs[1] != runs[2], "three runs loaded at the same addresses:\n{}", runs[0]);
}

// Debian's arm64 programs, from target/sysroot-arm64.

fn debian(program: &str) -> Invocation {
    // The path the guest sees; emu and qemu find it under the sysroot.
    Invocation::new(debian_sysroot().join(program.trim_start_matches('/')))
}

#[track_caller]
fn compare_debian(what: &str, inv: &Invocation) -> Outcome {
    let out = compare_in(what, &debian_sysroot(), inv);
    assert_eq!(out.code(), Some(0), "{out}");
    out
}

#[test]
fn bash_builtins() {
    let inv =
        debian("/bin/bash").args(["-c", "echo $((6*7)); for i in 1 2 3; do echo $i; done; printf '%s-%d\\n' x 5"]);
    let out = compare_debian("bash builtins", &inv);
    assert_eq!(out.stdout_str(), "42\n1\n2\n3\nx-5\n");
}

#[test]
fn coreutils() {
    let dir = TempDir::new("coreutils");
    let text: String = (0..500).map(|i| format!("{} line {i}\n", (i * 7919) % 1000)).collect();
    let file = dir.file("input.txt", &text);
    let f = file.to_str().expect("temp paths are UTF-8");
    // ls lists a directory whose parent (its `..`) is this test's own: other
    // tests add and remove directories in the system's temporary directory.
    let listed = dir.path().join("listed");
    std::fs::create_dir(&listed).expect("cannot create a directory in the test's own");
    std::fs::write(listed.join("a.txt"), "a").expect("cannot write a file in the test's own directory");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("cat", vec!["/bin/cat", f]),
        ("sha256sum", vec!["/usr/bin/sha256sum", f]),
        ("sort", vec!["/usr/bin/sort", "-n", f]),
        ("wc", vec!["/usr/bin/wc", f]),
        ("date", vec!["/bin/date", "-d", "@0", "-u"]),
        ("expr", vec!["/usr/bin/expr", "6", "*", "7"]),
        ("ls", vec!["/bin/ls", "-la", "--time-style=+", listed.to_str().expect("UTF-8")]),
    ];
    for (what, argv) in cases {
        compare_debian(what, &debian(argv[0]).args(&argv[1..]));
    }
}

/// Pipes, subshells and command substitution in bash fork the guest (no exec).
#[test]
fn bash_fork() {
    let script =
        "echo hello world | while read a b; do echo \"$b $a\"; done; x=$(echo sub); echo $x; (exit 3); echo $?";
    let out = compare_debian("bash fork", &debian("/bin/bash").args(["-c", script]));
    assert_eq!(out.stdout_str(), "world hello\nsub\n3\n");
}

/// Programs that bash starts come from the sysroot too and run through emu: an
/// arm64 uname says aarch64. (qemu cannot be the reference here: without
/// binfmt_misc it hands a guest's execve to the host, which runs the host's
/// programs.)
#[test]
fn bash_runs_sysroot_programs() {
    let mut cmd = emu_in_sysroot("bin/bash");
    cmd.args(["-c", "/bin/uname -m; /usr/bin/expr 6 '*' 7 | /usr/bin/wc -c"]);
    let out = run(cmd, &[]);
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), "aarch64\n3\n", "{out}");
}

/// `emu -L SYSROOT SYSROOT/program` alone: for programs that start others,
/// and for steps whose result is checked afterwards.
fn emu_in_sysroot(program: &str) -> Command {
    emu_in_sysroot_args(program, &[])
}

fn emu_in_sysroot_args(program: &str, args: &[&OsStr]) -> Command {
    let mut cmd = Command::new(emu());
    cmd.arg("-L").arg(debian_sysroot()).arg(debian_sysroot().join(program)).args(args);
    cmd.env_clear().env("PATH", "/usr/bin:/bin").env("LC_ALL", "C");
    cmd
}

// Interpreters and tools from Debian's arm64 packages, with their own scripts.

/// Text that compresses and hashes like real data, the same on every run.
fn generated_text(words: usize) -> String {
    const WORDS: [&str; 8] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::new();
    for i in 0..words {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let word = WORDS[(state % 8) as usize];
        out.push_str(word);
        out.push_str(&(state >> 40).to_string());
        out.push(if i % 12 == 11 { '\n' } else { ' ' });
    }
    out
}

/// Python's stdlib: hashes (OpenSSL's and Python's own), zlib, bz2, lzma,
/// json, re, big integers, decimal, fractions, floats and threads.
const PYTHON_STDLIB: &str = r#"
import bz2, hashlib, json, lzma, math, re, struct, sys, threading, zlib
from decimal import Decimal, getcontext
from fractions import Fraction

text = open(sys.argv[1], "rb").read()
print("len", len(text))
for name in ["md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b", "blake2s"]:
    print(name, hashlib.new(name, text).hexdigest())
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", 1000).hex())

packed = zlib.compress(text, 9)
print("zlib", len(packed), zlib.crc32(text), zlib.adler32(text), zlib.decompress(packed) == text)
print("bz2", len(bz2.compress(text)), bz2.decompress(bz2.compress(text)) == text)
print("lzma", lzma.decompress(lzma.compress(text)) == text)

counts = {}
for m in re.finditer(rb"([a-z]+)(\d+)", text):
    counts[m.group(1).decode()] = counts.get(m.group(1).decode(), 0) + int(m.group(2)) % 1000
doc = json.dumps({"counts": counts, "floats": [1 / 3, 2.5e-300, -0.0, 1e22], "nested": [[1, [2, [3]]], {"k": None}]},
                 sort_keys=True)
print(doc)
print(json.loads(doc)["counts"] == counts)
print(re.sub(r"(\w+)a(\d)", r"<\2\1>", text[:200].decode()))

print("factorial digits", sum(int(d) for d in str(math.factorial(1000))))
print("pow", pow(3, 10**5, 10**40 + 39))
getcontext().prec = 60
print("decimal", Decimal(2).sqrt(), Decimal(1) / Decimal(7))
print("fraction", sum(Fraction(1, n) for n in range(1, 60)))
print("float", sum(x * 0.1 for x in range(10000)), 2.0 ** 0.5, math.sin(1e6), struct.pack("<d", 1 / 3).hex())

total = [0]
lock = threading.Lock()
def work(k):
    s = 0
    for i in range(k, 100000, 8):
        s += i * i % 97
    with lock:
        total[0] += s
threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", total[0])
sys.exit(3)
"#;

/// `interpreter SCRIPT DATA` under emu and qemu, DATA holding `words` of
/// generated text; the script must end with `status`.
#[track_caller]
fn compare_script(interpreter: &str, script: &str, words: usize, status: i32) -> Outcome {
    let dir = TempDir::new("script");
    let script = dir.file("script", script);
    let data = dir.file("data.txt", generated_text(words));
    let inv = debian(interpreter).args([&script, &data]).env("TZ", "UTC");
    let out = compare_in(interpreter, &debian_sysroot(), &inv);
    assert_eq!(out.code(), Some(status), "{out}");
    out
}

#[test]
fn python_stdlib() {
    let out = compare_script("/usr/bin/python3", PYTHON_STDLIB, 8000, 3);
    assert!(out.stdout_str().contains("\nzlib ") && out.stdout_str().contains("\nthreads "), "{out}");
}

/// subprocess starts arm64 programs: qemu cannot be the reference (without
/// binfmt_misc it hands them to the host), so the expected values come from
/// what the script means, and the hash from the host's sha256sum.
#[test]
fn python_subprocess() {
    let script = r#"
import subprocess, sys
r = subprocess.run(["/bin/uname", "-m"], capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)
r = subprocess.run([sys.executable, "-c", "import sys; print(sum(range(101))); sys.exit(4)"], capture_output=True, text=True)
print(r.stdout.strip(), r.returncode)
data = sys.stdin.buffer.read()
packed = subprocess.run(["/usr/bin/xz", "-T1", "-c"], input=data, capture_output=True, check=True).stdout
print(subprocess.run(["/usr/bin/xz", "-d", "-c"], input=packed, capture_output=True).stdout == data)
sha = subprocess.Popen(["/usr/bin/sha256sum"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
cut = subprocess.Popen(["/usr/bin/cut", "-c1-64"], stdin=sha.stdout, stdout=subprocess.PIPE)
sha.stdout.close()
sha.stdin.write(data)
sha.stdin.close()
print(cut.communicate()[0].decode().strip(), sha.wait(), cut.wait())
"#;
    let data = generated_text(3000);
    let host_sha = {
        let mut cmd = Command::new("sha256sum");
        cmd.arg("-");
        let out = run(cmd, data.as_bytes());
        assert_eq!(out.code(), Some(0), "{out}");
        out.stdout_str()[..64].to_string()
    };
    let mut cmd = emu_in_sysroot("usr/bin/python3");
    cmd.args(["-c", script]);
    let out = run(cmd, data.as_bytes());
    assert_eq!(out.code(), Some(0), "{out}");
    assert_eq!(out.stdout_str(), format!("aarch64 0\n5050 4\nTrue\n{host_sha} 0 0\n"), "{out}");
}

const PERL_SCRIPT: &str = r#"
use strict;
use warnings;
my %sum;
$sum{$_ % 37} += $_ * $_ for 1 .. 5000;
print join(",", map { "$_=$sum{$_}" } sort { $a <=> $b } keys %sum), "\n";
my @primes = grep { my $n = $_; !grep { $n % $_ == 0 } 2 .. int(sqrt $n) } 2 .. 3000;
print scalar(@primes), " $primes[-1]\n";
(my $title = "the quick brown fox jumps over the lazy dog") =~ s/(\w+)/\u\L$1/g;
print "$title\n";
printf "%.12f %e %x %o %s %05.1f\n", atan2(1, 1) * 4, 1 / 7, 255, 8, scalar reverse("abc"), 3.14159;
print unpack("H*", pack("NnCa4", 0xdeadbeef, 513, 7, "xy")), "\n";
sub fib { my $n = shift; $n < 2 ? $n : fib($n - 1) + fib($n - 2) }
print fib(20), "\n";
my $r = eval { die { code => 42 } };
print "caught $@->{code}\n";
open(my $fh, "<", $ARGV[0]) or die "cannot open: $!";
my (%words, $lines);
while (my $line = <$fh>) {
    $lines++;
    $words{$1}++ while $line =~ /([a-z]+)\d+/g;
}
print "$lines lines; ", join(" ", map { "$_:$words{$_}" } sort keys %words), "\n";
my @sorted = sort { length($a) <=> length($b) or $b cmp $a } keys %words;
print "@sorted\n";
print join(" ", map { sprintf "%.3g", $_ ** 0.5 } 1 .. 8), "\n";
exit 2;
"#;

#[test]
fn perl_script() {
    compare_script("/usr/bin/perl", PERL_SCRIPT, 3000, 2);
    // A one-liner, and perl reading its program from stdin.
    let out = compare_debian("perl -e", &debian("/usr/bin/perl").args(["-e", "print 6*7, qq{\\n}"]));
    assert_eq!(out.stdout_str(), "42\n");
    let dir = TempDir::new("perl");
    let data = dir.file("data.txt", generated_text(1000));
    let inv = debian("/usr/bin/perl").args([OsStr::new("-"), data.as_os_str()]).stdin(PERL_SCRIPT);
    assert_eq!(compare_in("perl stdin", &debian_sysroot(), &inv).code(), Some(2));
}

const LUA_SCRIPT: &str = r##"
local t = {}
for i = 1, 2000 do t[i] = (i * 7919) % 2000 end
table.sort(t, function(a, b) return a > b end)
print(t[1], t[1000], t[2000], #t)
print(string.format("%.14g %d %x %5.2f %q %s", math.pi, math.maxinteger, 255, 1 / 3, "a\nb", tostring(nil)))
local co = coroutine.wrap(function() for i = 1, 4 do coroutine.yield(i * i) end end)
print(co(), co(), co(), co())
print(("hello world from lua"):gsub("(%w+)", "<%1>"))
print(string.pack("<i4d", 100, 0.5):byte(1, -1))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(22))
print(7 // 2, 7 % -3, 2 ^ 53, 1e300 * 1e10, -0.0, math.tointeger(3.0), 10 / 4, 3 | 5, ~0 >> 60)
print(utf8.char(72, 228, 8364, 128512), utf8.len("häl€"))
print(os.time({ year = 2000, month = 1, day = 1, hour = 0 }), os.date("!%Y-%m-%d %H:%M:%S", 1e9))
local words, lines = {}, 0
for line in io.lines(arg[1]) do
  lines = lines + 1
  for w in line:gmatch("(%a+)%d+") do words[w] = (words[w] or 0) + 1 end
end
local keys = {}
for k in pairs(words) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, "=", words[k], " ") end
print(lines)
local ok, err = pcall(error, { code = 7 })
print(ok, err.code, select("#", 1, nil, 3), setmetatable({}, { __index = function(_, k) return k * 2 end })[21])
os.exit(5)
"##;

#[test]
fn lua_script() {
    compare_script("/usr/bin/lua5.4", LUA_SCRIPT, 3000, 5);
    let out = compare_debian("lua -e", &debian("/usr/bin/lua5.4").args(["-e", "print(6 * 7)"]));
    assert_eq!(out.stdout_str(), "42\n");
}

/// xz compresses to the same bytes as under qemu (one thread and two), and
/// decompresses back to the input.
#[test]
fn xz_round_trip() {
    let input = generated_text(12000).into_bytes();
    for threads in ["-T1", "-T2"] {
        for level in ["-1", "-6"] {
            let what = format!("xz {threads} {level}");
            let inv = debian("/usr/bin/xz").args([threads, level, "-c"]).stdin(input.clone());
            let packed = compare_debian(&what, &inv).stdout;
            assert!(packed.starts_with(b"\xfd7zXZ\0") && packed.len() < input.len() / 2, "{what}: not xz output");
            let inv = debian("/usr/bin/xz").args(["-d", "-c"]).stdin(packed.clone());
            let unpacked = compare_debian(&format!("{what} -d"), &inv).stdout;
            assert!(unpacked == input, "{what}: the round trip changed the data");
            compare_debian(&format!("{what} -t"), &debian("/usr/bin/xz").args(["-t", "-v"]).stdin(packed));
        }
    }
    // A file: compressed in place, listed, then decompressed in place.
    let dir = TempDir::new("xz");
    let file = dir.file("data.txt", &input);
    let out = run(emu_in_sysroot_args("usr/bin/xz", &["-T1".as_ref(), file.as_os_str()]), &[]);
    assert_eq!(out.code(), Some(0), "{out}");
    let packed = file.with_extension("txt.xz");
    assert!(!file.exists() && packed.is_file(), "xz must replace data.txt with data.txt.xz");
    compare_debian("xz -l", &debian("/usr/bin/xz").args(["-l", "--robot"]).args([&packed]));
    let out = run(emu_in_sysroot_args("usr/bin/unxz", &[packed.as_os_str()]), &[]);
    assert_eq!(out.code(), Some(0), "{out}");
    assert!(std::fs::read(&file).is_ok_and(|d| d == input), "unxz must give the original back");
}

const SQL: &str = "
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, grp INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO t(name, score, grp) SELECT printf('item%04d', i), (i * 7919 % 1000) / 7.0, i % 13 FROM n;
CREATE INDEX t_grp ON t(grp, score);
SELECT grp, count(*), round(sum(score), 6), min(name), max(score) FROM t GROUP BY grp ORDER BY grp;
SELECT name, score, rank() OVER (PARTITION BY grp ORDER BY score DESC) AS r FROM t WHERE grp = 3 ORDER BY r, name LIMIT 5;
SELECT json_object('n', count(*), 'avg', avg(score)), hex(zeroblob(4)), upper('abc') || lower('DEF') FROM t;
SELECT substr(group_concat(name, ','), 1, 60) FROM (SELECT name FROM t WHERE name GLOB '*7?' ORDER BY name DESC);
UPDATE t SET score = score * 2 WHERE id % 100 = 0;
DELETE FROM t WHERE grp = 5;
SELECT count(*), total(score), typeof(1.5), 1e308 * 10, 9223372036854775807 + 0, 7 / 2, 7 % 3 FROM t;
";

#[test]
fn sqlite3_queries() {
    let out = compare_debian("sqlite3 :memory:", &debian("/usr/bin/sqlite3").args([":memory:"]).stdin(SQL));
    assert!(out.stdout_str().lines().count() > 20, "{out}");
    // A database file written under emu (with its locks and journal), read by qemu.
    let dir = TempDir::new("sqlite");
    let db = dir.path().join("test.db");
    let out = run(emu_in_sysroot_args("usr/bin/sqlite3", &[db.as_os_str(), SQL.as_ref()]), &[]);
    assert_eq!(out.code(), Some(0), "{out}");
    let query = "PRAGMA integrity_check; SELECT count(*), sum(score), max(name) FROM t;";
    let out = compare_debian("sqlite3 file", &debian("/usr/bin/sqlite3").args([db.as_os_str(), query.as_ref()]));
    assert!(out.stdout_str().starts_with("ok\n"), "{out}");
    // An error: one message and status 1, as under qemu.
    let inv = debian("/usr/bin/sqlite3").args([":memory:", "SELECT * FROM missing;"]);
    let out = compare_in("sqlite3 error", &debian_sysroot(), &inv);
    assert_eq!(out.code(), Some(1), "{out}");
}

/// The Go toolchain from Debian: `go build` under emu (the go command runs its
/// arm64 compiler and linker, which emu runs again; the Go runtime uses many
/// threads and signals for preemption), then the static program it built, under
/// emu and under qemu. qemu cannot run the build itself without binfmt_misc, so
/// `go version` is compared with qemu and the program's output is also checked
/// against its known answer.
#[test]
fn go_builds_and_runs_a_program() {
    let sysroot = debian_sysroot();
    let goroot = sysroot.join("usr/lib/go-1.19");
    let go = goroot.join("bin/go");
    assert!(go.is_file(), "{} is missing: run `cargo xtask fetch-sysroot` first", go.display());
    let version = compare_in("go version", &sysroot, &Invocation::new(&go).args(["version"]));
    assert_eq!(version.stdout_str(), "go version go1.19.8 linux/arm64\n");

    let dir = TempDir::new("go");
    let src = dir.file(
        "main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n\t\"sync\"\n)\n\n\
         func main() {\n\tvar wg sync.WaitGroup\n\tvar mu sync.Mutex\n\ttotal := 0\n\
         \tfor i := 0; i < 16; i++ {\n\t\twg.Add(1)\n\t\tgo func(n int) {\n\t\t\tdefer wg.Done()\n\
         \t\t\ts := 0\n\t\t\tfor j := 0; j < 200000; j++ {\n\t\t\t\ts += j % (n + 1)\n\t\t\t}\n\
         \t\t\tmu.Lock()\n\t\t\ttotal += s\n\t\t\tmu.Unlock()\n\t\t}(i)\n\t}\n\twg.Wait()\n\
         \tfmt.Println(\"total\", total, runtime.GOARCH)\n}\n",
    );
    let out = dir.path().join("prog");
    let mut build = Command::new(emu());
    build
        .arg("-L")
        .arg(&sysroot)
        .arg(&go)
        .args(["build", "-o"])
        .arg(&out)
        .arg(&src)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("GOROOT", &goroot)
        .env("GOCACHE", dir.path().join("cache"))
        .env("GO111MODULE", "off")
        .env("CGO_ENABLED", "0");
    let built = run(build, b"");
    assert_eq!(built.code(), Some(0), "go build under emu:\n{built}");
    // The sum over n = 0..15 of the sum over j < 200000 of j mod (n + 1).
    let ran = common::compare("go program", &Invocation::new(&out));
    assert_eq!(ran.stdout_str(), "total 11999892 arm64\n");
}

/// Node.js (V8): JavaScript compiled to arm64 code at run time, optimised
/// when hot (code written, made executable, flushed), a worker thread, a
/// child process, ICU, zlib and OpenSSL. Known answers from the host's Python
/// for the loops, the table, the power of 3 and the hash.
#[test]
fn node_runs_jit_compiled_javascript() {
    let dir = TempDir::new("node");
    let script = dir.file(
        "main.js",
        r#"const zlib = require('zlib'), crypto = require('crypto'), cp = require('child_process');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s; }
if (!isMainThread) {
  parentPort.postMessage(hot(100000 * workerData));
} else {
  console.log('jit', hot(3e6));
  const o = {};
  for (let i = 0; i < 20000; i++) o['k' + (i % 977)] = (o['k' + (i % 977)] || 0) + i;
  console.log('objects', Object.keys(o).length, o.k5);
  try { null.x; } catch (e) { console.log('error', e.constructor.name); }
  console.log('json', JSON.stringify(JSON.parse('{"a":[1,2.5,{"b":null}],"c":"\\u00e9"}')));
  console.log('regexp', 'abc123def45'.replace(/\d+/g, m => `<${m.length}>`));
  console.log('bigint', (3n ** 100n).toString(16));
  console.log('float', Math.sin(1).toFixed(15), 0.1 + 0.2, (1e21).toString(), (123.456).toExponential(2));
  console.log('intl', new Intl.NumberFormat('de-DE').format(1234567.891));
  console.log('sha256', crypto.createHash('sha256').update('emu'.repeat(1000)).digest('hex'));
  console.log('zlib', zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(100000, 'ab'))).length);
  console.log('child', cp.execFileSync('/bin/sh', ['-c', 'echo $((6*7))']).toString().trim());
  const w = new Worker(__filename, { workerData: 3 });
  w.on('message', m => console.log('worker', m));
  w.on('exit', c => console.log('worker exit', c));
  Promise.resolve(1).then(v => console.log('promise', v));
}
"#,
    );
    let out = compare_debian("node", &debian("/usr/bin/node").args([&script]));
    let text = out.stdout_str();
    for want in [
        "jit 999718\n",
        "objects 977 205275\n",
        "error TypeError\n",
        "regexp abc<3>def<2>\n",
        "bigint 5a4653ca673768565b41f775d6947d55cf3813d1\n",
        "sha256 e39aeec4656422f0ba6781c79c4155579abd2dda74aac1f4c9630656075d30d3\n",
        "zlib 100000\n",
        "child 42\n",
        "worker 266000\n",
        "worker exit 0\n",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{out}");
    }
}

/// The JVM (HotSpot): bytecode interpreted, then compiled by C1 and C2;
/// null checks and array bounds in compiled code are faults the JVM's own
/// SIGSEGV handler turns into exceptions (so the signal frame, PC and fault
/// address must be right); a thread pool; string formatting and SHA-256 in
/// Java. The class is compiled by the host's javac. Known answers for the loop
/// and the hash from the host's Python.
#[test]
fn java_runs_jit_compiled_code() {
    let dir = TempDir::new("java");
    let src = dir.file(
        "Jit.java",
        r#"import java.util.*;
import java.util.concurrent.*;
public class Jit {
  static int get(int[] a, int i) { return a[i]; }
  public static void main(String[] args) throws Exception {
    long s = 0;
    for (int i = 0; i < 10_000_000; i++) s += (i ^ (i >>> 3)) % 7;
    System.out.println("loop " + s);
    int npe = 0;
    for (int i = 0; i < 20000; i++) {
      try { Object o = (i % 2 == 0) ? null : "x"; o.hashCode(); } catch (NullPointerException e) { npe++; }
    }
    System.out.println("npe " + npe);
    int oob = 0;
    int[] a = new int[4];
    for (int i = 0; i < 20000; i++) {
      try { get(a, i % 8); } catch (ArrayIndexOutOfBoundsException e) { oob++; }
    }
    System.out.println("bounds " + oob);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Long>> parts = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      final int k = t + 1;
      parts.add(pool.submit(() -> { long x = 0; for (int i = 0; i < 200000; i++) x += i % k; return x; }));
    }
    long total = 0;
    for (Future<Long> f : parts) total += f.get();
    pool.shutdown();
    System.out.println("threads " + total);
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < 100000; i++) m.put("k" + i, i);
    System.out.println("map " + m.size() + " " + m.get("k12345"));
    System.out.println(String.format("format %.5f %s", Math.PI, Arrays.toString(new double[] {1.5, -0.0, 1e-300})));
    byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest("emu".getBytes("UTF-8"));
    System.out.println("sha " + HexFormat.of().formatHex(d));
  }
}
"#,
    );
    let mut javac = Command::new("javac");
    javac.arg("-d").arg(dir.path()).arg(&src);
    let built = run(javac, b"");
    assert_eq!(built.code(), Some(0), "javac (install openjdk-17-jdk-headless):\n{built}");
    let java = "/usr/lib/jvm/java-17-openjdk-arm64/bin/java";
    let out =
        compare_debian("java", &debian(java).args([OsStr::new("-cp"), dir.path().as_os_str(), OsStr::new("Jit")]));
    // The sum over k = 1..8 of the sum over i < 200000 of i mod k.
    let threads: u64 = (1..=8u64).map(|k| (0..200_000u64).map(|i| i % k).sum::<u64>()).sum();
    let want = format!(
        "loop 29999994\nnpe 10000\nbounds 10000\nthreads {threads}\nmap 100000 12345\n\
         format 3.14159 [1.5, -0.0, 1.0E-300]\n\
         sha ff0ea194607d481a25de97516dd57b7117df111931d2610f2e9e2e6ac5940546\n"
    );
    assert_eq!(out.stdout_str(), want, "{out}");
}
