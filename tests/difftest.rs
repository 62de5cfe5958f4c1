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
