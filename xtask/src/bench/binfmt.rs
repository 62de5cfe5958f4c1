//! qemu-aarch64-static runs only the program it is given: an arm64 program
//! that a guest execs is started by the kernel, which needs a binfmt_misc
//! entry for it. The process-heavy row registers qemu for its own run and
//! removes the entry afterwards, whatever happens.

use std::path::Path;

use super::measure::{Cell, Invocation, Meter};
use super::workloads::PROBE_RELEASE;
use crate::rootfs::guard::Registration;
use crate::Result;

const NAME: &str = "qemu-aarch64-bench";
/// F: the kernel opens qemu at registration, as qemu-user-static's own
/// entries do; no P, as the loop's programs ignore their argv[0].
const FLAGS: &str = "F";

/// Runs `measure` with qemu registered for arm64 programs, after `probe`
/// showed that an arm64 child of qemu does run under qemu; otherwise the
/// cell says why not.
pub fn with_qemu_entry(
    meter: &Meter,
    qemu: &Path,
    probe: &Invocation,
    measure: impl FnOnce() -> Result<(Cell, Vec<u8>)>,
) -> Result<(Cell, Vec<u8>)> {
    let not_measured = |why: String| Ok((Cell::Skipped(format!("not measured: {why}")), Vec::new()));
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return not_measured("arm64 children under qemu need a binfmt_misc entry, which needs root".into());
    }
    // Other arm64 entries (emu's, the qemu-user-binfmt package's) are
    // disabled meanwhile and enabled again when the guard drops.
    let _entry = match Registration::new(NAME, qemu, FLAGS) {
        Ok(entry) => entry,
        Err(e) => return not_measured(e),
    };
    let run = meter.run_once(&probe.under(qemu, &[]))?;
    if let Some(why) = run.failure() {
        return Ok((Cell::Failed(format!("an arm64 child of qemu did not start: {why}")), Vec::new()));
    }
    let release = String::from_utf8_lossy(&run.stdout);
    if release.trim() != PROBE_RELEASE {
        let why = format!(
            "an arm64 child of qemu ran under another binfmt_misc handler (kernel release {:?}, not qemu's {PROBE_RELEASE:?})",
            release.trim()
        );
        return Ok((Cell::Failed(why), Vec::new()));
    }
    measure()
}
