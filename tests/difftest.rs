//! A bounded sample of the random differential tester (crates/difftest): every
//! instruction class, a fixed seed, emu (this build) against qemu-aarch64-static.
//! `cargo xtask difftest --count N` runs the same at scale on the release build.

use std::path::{Path, PathBuf};

/// Compared cases per class: enough to catch regressions, quick on a debug build.
const PER_CLASS: u64 = 1000;

#[test]
fn random_instructions_match_qemu() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let cfg = difftest::Config {
        emu: PathBuf::from(env!("CARGO_BIN_EXE_emu")),
        per_class: PER_CLASS,
        classes: difftest::classes::CLASSES.iter().collect(),
        seed: 0x5eed,
        work_dir: root.join("target/difftest"),
        batch: 4000,
        show: 5,
        jobs: 2,
        qemu_cpu: None,
    };
    let reports = difftest::run(&cfg).unwrap_or_else(|e| panic!("difftest could not run: {e}"));
    let text = difftest::format_report(&reports);
    println!("{text}");
    for r in &reports {
        // Generation must not silently starve a class.
        assert_eq!(r.cases, PER_CLASS, "class {} ran too few cases\n{text}", r.name);
    }
    assert!(reports.iter().all(|r| r.mismatches == 0), "emu disagrees with qemu:\n{text}");
}

/// Decode coverage: random encodings of every class that objdump accepts either
/// decode in emu or belong to a feature emu does not advertise
/// (difftest::coverage::EXCLUDED).
#[test]
fn every_valid_encoding_decodes() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let work = root.join("target/difftest");
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("cannot create {}: {e}", work.display()));
    let mut report = String::new();
    for class in difftest::classes::CLASSES {
        let missing = difftest::coverage::undecoded(class, 20_000, 0xc0de, &work)
            .unwrap_or_else(|e| panic!("coverage check could not run: {e}"));
        // One example per mnemonic keeps the report short.
        let mut seen = std::collections::BTreeMap::new();
        for (word, asm) in &missing {
            let m = asm.split_whitespace().next().unwrap_or("?").to_owned();
            seen.entry(m).or_insert((0, *word, asm.clone())).0 += 1;
        }
        for (m, (n, word, asm)) in seen {
            report.push_str(&format!("[{}] {m} x{n}, e.g. {word:08x} {asm}\n", class.name));
        }
    }
    assert!(report.is_empty(), "valid encodings emu does not decode:\n{report}");
}
