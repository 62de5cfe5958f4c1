//! The debugger in the run loop (`emu -g`): where a stop of the debugged thread
//! (a breakpoint, a finished single step, a signal about to be delivered, GDB's
//! Ctrl-C) goes to GDB, and how GDB's answer sets up the CPU to go on.
//!
//! One session per process, for its main thread; other threads run on. The
//! session is global so that whichever thread ends the process reports the
//! exit to GDB.

use emu_cpu::{BlockCache, Cpu};
use emu_gdb::{Action, Debugger, Event};
use emu_linux::Process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

static SESSION: Mutex<Option<Debugger>> = Mutex::new(None);
/// Whether a session may exist: read on every stop, so a plain run takes no lock.
static ATTACHED: AtomicBool = AtomicBool::new(false);

fn session() -> MutexGuard<'static, Option<Debugger>> {
    SESSION.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits for GDB at `spec` (PORT or HOST:PORT) before the program starts.
pub fn listen(spec: &str, proc: &'static Process) -> Result<(), emu_gdb::Error> {
    let host = emu_gdb::Host {
        is_guest: Box::new(move |addr: u64, len: u64| proc.space().all_guest(addr, len)),
        resolve: Box::new(emu_linux::path::host_path_buf),
    };
    let exe = proc.exe().as_os_str().as_encoded_bytes().to_vec();
    let stop = emu_linux::hostsig::interrupt_flag();
    let dbg = Debugger::listen(spec, stop, host, exe, &proc.auxv)?;
    *session() = Some(dbg);
    ATTACHED.store(true, Ordering::SeqCst);
    Ok(())
}

/// The debugged thread's view of the session.
pub struct Debugged {
    /// GDB asked for one instruction.
    pub stepping: bool,
    /// Cleared when GDB detaches or goes away.
    attached: bool,
}

impl Debugged {
    /// For the thread that starts the program, if GDB is attached: the first
    /// stop, at the program's first instruction.
    pub fn start(proc: &Process, cache: &mut BlockCache, cpu: &mut Cpu, id: u64) -> Option<Debugged> {
        if !ATTACHED.load(Ordering::SeqCst) {
            return None;
        }
        let mut d = Debugged { stepping: false, attached: true };
        d.stop(proc, cache, cpu, id, None).map(|_| d)
    }

    pub fn attached(&self) -> bool {
        self.attached
    }

    /// Whether GDB sent Ctrl-C while the guest ran.
    pub fn interrupted(&self) -> bool {
        session().as_ref().is_some_and(Debugger::interrupted)
    }

    /// Reports a stop and waits for GDB to resume; sets the CPU up for how it
    /// resumes. Returns the signal to deliver, if GDB passes one on; `None` from
    /// the outer option when the debugger is gone (detached).
    pub fn stop(
        &mut self,
        proc: &Process,
        cache: &mut BlockCache,
        cpu: &mut Cpu,
        id: u64,
        event: Option<Event>,
    ) -> Option<Option<i32>> {
        let mut guard = session();
        let dbg = guard.as_mut()?;
        let action = dbg.stopped(cpu, event);
        for (start, end) in dbg.take_written() {
            cache.invalidate(start, end);
            proc.code.record(id, start, end);
        }
        match action {
            Action::Resume(r) => {
                cache.set_breakpoints(dbg.breakpoints());
                cache.set_stepping(r.step);
                self.stepping = r.step;
                Some(r.signal)
            }
            Action::Detach | Action::Kill => {
                self.attached = false;
                *guard = None;
                ATTACHED.store(false, Ordering::SeqCst);
                cache.set_breakpoints(&[]);
                cache.set_stepping(false);
                self.stepping = false;
                if action == Action::Kill {
                    drop(guard);
                    crate::signals::guest_fatal_signal(libc::SIGKILL);
                }
                None
            }
        }
    }

    /// A signal about to be delivered: GDB sees it first. Returns whether to
    /// deliver it.
    pub fn pass_signal(&mut self, proc: &Process, cache: &mut BlockCache, cpu: &mut Cpu, id: u64, sig: i32) -> bool {
        match self.stop(proc, cache, cpu, id, Some(Event::Signal(sig))) {
            Some(pass) => pass.is_some(),
            None => true,
        }
    }
}

/// The process is exiting with `code`: GDB hears of it.
pub fn exiting(code: i32) {
    if ATTACHED.load(Ordering::SeqCst) {
        if let Some(d) = session().as_mut() {
            d.exited(code);
        }
    }
}

/// The process is dying of `sig`.
pub fn killed(sig: i32) {
    if ATTACHED.load(Ordering::SeqCst) && sig != libc::SIGKILL {
        if let Some(d) = session().as_mut() {
            d.terminated(sig);
        }
    }
}
