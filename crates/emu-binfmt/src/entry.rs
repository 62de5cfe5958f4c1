//! What binfmt_misc says about its registrations, and the one emu writes.

/// aarch64 ELF header bytes that binfmt_misc matches: class 64-bit, little
/// endian, version 1, type ET_EXEC, machine EM_AARCH64.
pub const MAGIC: [u8; 20] = *b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00";
/// Ignores the OS ABI byte and the low bit of e_type, so ET_DYN (3) matches too.
pub const MASK: [u8; 20] = *b"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff";

/// One registration, as /proc/sys/fs/binfmt_misc/NAME shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub name: String,
    pub enabled: bool,
    pub interpreter: String,
    pub flags: String,
    pub offset: usize,
    /// Empty for extension-matching entries.
    pub magic: Vec<u8>,
    pub mask: Vec<u8>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl Entry {
    /// Parses the kernel's description of entry `name`.
    pub fn parse(name: &str, text: &str) -> Entry {
        let mut e = Entry { name: name.to_string(), ..Default::default() };
        for line in text.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "enabled" => e.enabled = true,
                "interpreter" => e.interpreter = value.to_string(),
                "flags:" => e.flags = value.to_string(),
                "offset" => e.offset = value.trim().parse().unwrap_or(0),
                "magic" => e.magic = unhex(value.trim()).unwrap_or_default(),
                "mask" => e.mask = unhex(value.trim()).unwrap_or_default(),
                _ => {}
            }
        }
        e
    }

    /// Whether this entry would claim a file starting with `header`.
    fn matches(&self, header: &[u8]) -> bool {
        if self.magic.is_empty() {
            return false;
        }
        self.magic.iter().enumerate().all(|(i, &m)| {
            let mask = self.mask.get(i).copied().unwrap_or(0xff);
            header.get(self.offset + i).is_some_and(|&h| h & mask == m & mask)
        })
    }

    /// Whether this entry claims aarch64 executables (ET_EXEC or ET_DYN).
    pub fn handles_aarch64(&self) -> bool {
        let mut dyn_header = MAGIC;
        dyn_header[16] = 3;
        self.matches(&MAGIC) || self.matches(&dyn_header)
    }

    /// One line for people: "NAME: enabled, interpreter X, flags F".
    pub fn describe(&self) -> String {
        let state = if self.enabled { "enabled" } else { "disabled" };
        let flags = if self.flags.is_empty() { "none" } else { &self.flags };
        format!("{}: {state}, interpreter {}, flags {flags}", self.name, self.interpreter)
    }
}

fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

/// The line written to `register` (and to a binfmt.d file).
pub fn registration_line(name: &str, interpreter: &str, flags: &str) -> String {
    format!(":{name}:M::{}:{}:{interpreter}:{flags}", escape(&MAGIC), escape(&MASK))
}

/// Checks a registration name as the kernel would, before it answers EINVAL.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !matches!(name, "." | ".." | "register" | "status")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
}

/// Upper-cases and checks binfmt flags; C implies O, as the kernel has it.
pub fn normalize_flags(flags: &str) -> Option<String> {
    let mut out = String::new();
    for c in flags.chars().map(|c| c.to_ascii_uppercase()) {
        if !"POCF".contains(c) {
            return None;
        }
        if !out.contains(c) {
            out.push(c);
        }
    }
    if out.contains('C') && !out.contains('O') {
        out.push('O');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QEMU: &str = "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: POCF\noffset 0\n\
        magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";

    #[test]
    fn parses_a_kernel_entry() {
        let e = Entry::parse("qemu-aarch64", QEMU);
        assert!(e.enabled);
        assert_eq!(e.interpreter, "/usr/bin/qemu-aarch64-static");
        assert_eq!(e.flags, "POCF");
        assert_eq!(e.magic, MAGIC);
        assert_eq!(e.mask, MASK);
        assert!(e.handles_aarch64());
        assert_eq!(e.describe(), "qemu-aarch64: enabled, interpreter /usr/bin/qemu-aarch64-static, flags POCF");
    }

    #[test]
    fn other_machines_do_not_conflict() {
        // qemu-arm's magic: 32-bit ELF, EM_ARM.
        let arm = "disabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\noffset 0\n\
            magic 7f454c4601010100000000000000000002002800\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
        let e = Entry::parse("qemu-arm", arm);
        assert!(!e.enabled);
        assert!(!e.handles_aarch64());
        let ext = Entry::parse("jar", "enabled\ninterpreter /usr/bin/jexec\nflags: \nextension .jar\n");
        assert!(!ext.handles_aarch64());
    }

    #[test]
    fn registration_line_escapes_every_byte() {
        let line = registration_line("emu-aarch64", "/usr/local/bin/emu", "POCF");
        assert!(line.starts_with(":emu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02"));
        assert!(line.ends_with("\\xfe\\xff\\xff\\xff:/usr/local/bin/emu:POCF"));
        assert_eq!(line.matches("\\x").count(), 40);
    }

    #[test]
    fn names_and_flags() {
        assert!(valid_name("emu-aarch64"));
        assert!(!valid_name("a/b") && !valid_name("a:b") && !valid_name("register") && !valid_name(""));
        assert_eq!(normalize_flags("pocf").as_deref(), Some("POCF"));
        assert_eq!(normalize_flags("C").as_deref(), Some("CO"));
        assert_eq!(normalize_flags("").as_deref(), Some(""));
        assert_eq!(normalize_flags("X"), None);
    }
}
