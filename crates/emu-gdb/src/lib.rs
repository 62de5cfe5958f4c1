//! A GDB remote-protocol server for the guest (`emu -g PORT`), as
//! `qemu-aarch64 -g` offers: GDB connects over TCP and debugs the program, all
//! its threads stopped together (GDB's all-stop mode), with breakpoints, single
//! steps, registers, memory and signals.
//!
//! Owns: the connection and the protocol (through the gdbstub crate), the
//! register layout GDB expects, the mapping of signal numbers, and the wait for
//! GDB's Ctrl-C while the guest runs.
//! Must not: run guest code, deliver signals or stop threads. The runtime stops
//! the threads (the CPU's breakpoints and single steps, each thread's stop
//! flag) and calls [`Debugger::stopped`] with copies of their registers; it
//! talks to GDB until GDB says how each thread goes on.

mod files;
mod regs;
mod signals;
mod target;

pub use files::Resolve;
pub use regs::Regs;
pub use target::{Host, IsGuest, Resume, ThreadView};

use gdbstub::common::{Signal, Tid};
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStub, MultiThreadStopReason};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use target::Guest;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("gdb: cannot listen on {addr}: {err}")]
    Listen { addr: String, err: std::io::Error },
    #[error("gdb: {0}")]
    Io(#[from] std::io::Error),
    #[error("gdb: the session could not start: {0}")]
    Protocol(String),
}

/// Why the thread stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// At one of GDB's breakpoints, before its instruction.
    Breakpoint,
    /// After the single step GDB asked for.
    Step,
    /// A signal is about to be delivered (Linux numbering); GDB may pass it on
    /// or drop it.
    Signal(i32),
    /// GDB sent Ctrl-C.
    Interrupt,
}

/// What the process does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Each thread as its [`ThreadView::resume`] says.
    Resume,
    /// GDB detached or went away: run on without a debugger.
    Detach,
    /// GDB killed the program.
    Kill,
}

/// Called when GDB sends Ctrl-C while the guest runs: stops its threads.
pub type OnInterrupt = Box<dyn Fn() + Send>;

type Machine = GdbStubStateMachine<'static, Guest, TcpStream>;

/// What the Ctrl-C watcher shares with the session.
struct Watch {
    /// Watching only while the guest runs.
    armed: Mutex<bool>,
    wake: Condvar,
    interrupt: AtomicBool,
    quit: AtomicBool,
}

pub struct Debugger {
    machine: Option<Machine>,
    guest: Guest,
    /// The process GDB is attached to; a forked child has no debugger.
    pid: u32,
    watch: Arc<Watch>,
}

/// `PORT` listens on the loopback interface; `HOST:PORT` where it says.
fn listen_address(spec: &str) -> String {
    if spec.parse::<u16>().is_ok() {
        format!("127.0.0.1:{spec}")
    } else {
        spec.to_string()
    }
}

impl Debugger {
    /// Waits for GDB to connect at `spec`. `on_interrupt` runs when GDB sends
    /// Ctrl-C while the guest runs.
    pub fn listen(
        spec: &str,
        on_interrupt: OnInterrupt,
        host: Host,
        exe: Vec<u8>,
        auxv: &[(u64, u64)],
    ) -> Result<Debugger, Error> {
        let addr = listen_address(spec);
        let listener = TcpListener::bind(&addr).map_err(|err| Error::Listen { addr: addr.clone(), err })?;
        let (conn, _) = listener.accept()?;
        conn.set_nodelay(true)?;
        let mem = std::fs::OpenOptions::new().read(true).write(true).open("/proc/self/mem")?;
        let mut guest = Guest::new(mem, host, exe, auxv);
        let watched = conn.try_clone()?;
        let machine = GdbStub::new(conn).run_state_machine(&mut guest).map_err(|e| Error::Protocol(e.to_string()))?;
        let watch = Arc::new(Watch {
            armed: Mutex::new(false),
            wake: Condvar::new(),
            interrupt: AtomicBool::new(false),
            quit: AtomicBool::new(false),
        });
        let w = watch.clone();
        // The watcher starts with every signal blocked (a new thread inherits
        // the mask): signals sent to the process are the guest's threads' to take.
        // SAFETY: sigset_t values on our stack, filled and read by libc.
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        unsafe {
            let mut all: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        }
        let spawned = std::thread::Builder::new()
            .name("gdb-watch".into())
            .spawn(move || watch_for_ctrl_c(&w, &watched, &on_interrupt));
        // SAFETY: restores this thread's own mask saved above.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
        spawned?;
        Ok(Debugger { machine: Some(machine), guest, pid: std::process::id(), watch })
    }

    /// GDB's breakpoints, to be set in the CPU before the thread resumes.
    pub fn breakpoints(&self) -> &[u64] {
        &self.guest.breakpoints
    }

    /// Ranges of guest memory GDB wrote since the last call.
    pub fn take_written(&mut self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.guest.written)
    }

    /// Whether GDB sent something (Ctrl-C) while the guest ran; the first
    /// thread to ask takes it.
    pub fn take_interrupt(&self) -> bool {
        self.watch.interrupt.swap(false, Ordering::SeqCst)
    }

    /// The process stopped, all its threads (`threads`); `current` stopped for
    /// `event` (`None`: at the program's first instruction, before GDB has seen
    /// it). Tells GDB and serves it until it resumes the process; the threads
    /// come back with GDB's register changes and resume actions.
    pub fn stopped(&mut self, threads: &mut Vec<ThreadView>, current: u32, event: Option<Event>) -> Action {
        if std::process::id() != self.pid {
            return Action::Detach;
        }
        self.disarm();
        self.guest.threads = std::mem::take(threads);
        self.guest.resumed = false;
        let action = match self.serve(current, event) {
            Ok(action) => action,
            Err(e) => {
                eprintln!("emu: gdb: {e}; the program runs on without the debugger");
                Action::Detach
            }
        };
        *threads = std::mem::take(&mut self.guest.threads);
        match action {
            Action::Resume => {
                // Watch for Ctrl-C unless the only thing running is a step.
                if threads.iter().any(|t| t.resume.is_some_and(|r| !r.step)) {
                    *self.watch.armed.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    self.watch.wake.notify_one();
                }
            }
            Action::Detach | Action::Kill => {
                self.guest.breakpoints.clear();
                self.machine = None;
                self.watch.quit.store(true, Ordering::SeqCst);
                self.watch.wake.notify_one();
            }
        }
        action
    }

    fn disarm(&self) {
        *self.watch.armed.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.watch.interrupt.store(false, Ordering::SeqCst);
    }

    fn serve(&mut self, current: u32, event: Option<Event>) -> Result<Action, String> {
        let guest = &mut self.guest;
        let mut m = self.machine.take().ok_or("no connection")?;
        let err = |e: gdbstub::stub::GdbStubError<_, _>| e.to_string();
        let tid = Tid::new(current as usize).ok_or("thread 0")?;
        let signal = |sig| MultiThreadStopReason::SignalWithThread { tid, signal: sig };
        if let GdbStubStateMachine::Running(g) = m {
            m = match event {
                None => GdbStubStateMachine::Running(g),
                Some(Event::Interrupt) => read_one(g, guest)?,
                Some(Event::Breakpoint) => g.report_stop(guest, MultiThreadStopReason::SwBreak(tid)).map_err(err)?,
                // As Linux reports a finished step: SIGTRAP, with the thread.
                Some(Event::Step) => g.report_stop(guest, signal(Signal::SIGTRAP)).map_err(err)?,
                Some(Event::Signal(sig)) => g.report_stop(guest, signal(signals::to_gdb(sig))).map_err(err)?,
            };
        }
        loop {
            m = match m {
                GdbStubStateMachine::Idle(mut g) => {
                    let byte = g.borrow_conn().read().map_err(|e| format!("connection lost: {e}"))?;
                    g.incoming_data(guest, byte).map_err(err)?
                }
                GdbStubStateMachine::Running(g) => {
                    if guest.resumed {
                        self.machine = Some(GdbStubStateMachine::Running(g));
                        return Ok(Action::Resume);
                    }
                    // Running without a resume: Ctrl-C bytes before a stop.
                    read_one(g, guest)?
                }
                GdbStubStateMachine::CtrlCInterrupt(g) => {
                    g.interrupt_handled(guest, Some(signal(Signal::SIGINT))).map_err(err)?
                }
                GdbStubStateMachine::Disconnected(g) => {
                    return Ok(match g.get_reason() {
                        DisconnectReason::Kill => Action::Kill,
                        _ => Action::Detach,
                    })
                }
            };
        }
    }

    /// The program exited with `code`: GDB is told, and the session ends.
    pub fn exited(&mut self, code: i32) {
        self.finish(MultiThreadStopReason::Exited(code as u8));
    }

    /// The program was killed by `sig`.
    pub fn terminated(&mut self, sig: i32) {
        self.finish(MultiThreadStopReason::Terminated(signals::to_gdb(sig)));
    }

    fn finish(&mut self, reason: MultiThreadStopReason<u64>) {
        if std::process::id() != self.pid {
            return;
        }
        self.disarm();
        if let Some(GdbStubStateMachine::Running(g)) = self.machine.take() {
            // Best effort: the process ends whether GDB hears of it or not.
            let _ = g.report_stop(&mut self.guest, reason);
        }
    }
}

/// Feeds the connection's next byte to a running session (Ctrl-C, 0x03).
fn read_one(
    mut g: gdbstub::stub::state_machine::GdbStubStateMachineInner<
        'static,
        gdbstub::stub::state_machine::state::Running,
        Guest,
        TcpStream,
    >,
    guest: &mut Guest,
) -> Result<Machine, String> {
    let byte = g.borrow_conn().read().map_err(|e| format!("connection lost: {e}"))?;
    g.incoming_data(guest, byte).map_err(|e| e.to_string())
}

/// While armed, waits for bytes from GDB (or a hang-up), then raises the
/// interrupt and has the runtime stop the guest's threads.
fn watch_for_ctrl_c(watch: &Watch, conn: &TcpStream, on_interrupt: &OnInterrupt) {
    loop {
        {
            let mut armed = watch.armed.lock().unwrap_or_else(|e| e.into_inner());
            while !*armed && !watch.quit.load(Ordering::SeqCst) {
                armed = watch.wake.wait(armed).unwrap_or_else(|e| e.into_inner());
            }
        }
        if watch.quit.load(Ordering::SeqCst) {
            return;
        }
        let mut pfd = libc::pollfd { fd: conn.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd on our own stack, for a descriptor this thread owns.
        let ready = unsafe { libc::poll(&mut pfd, 1, 100) };
        if ready > 0 {
            let fire = {
                let mut armed = watch.armed.lock().unwrap_or_else(|e| e.into_inner());
                std::mem::replace(&mut *armed, false)
            };
            // Outside the lock: stopping the threads may wait for one that is
            // about to disarm the watch.
            if fire {
                watch.interrupt.store(true, Ordering::SeqCst);
                on_interrupt();
            }
        }
    }
}
