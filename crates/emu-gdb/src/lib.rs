//! A GDB remote-protocol server for the guest (`emu -g PORT`), as
//! `qemu-aarch64 -g` offers: GDB connects over TCP and debugs the program's main
//! thread with breakpoints, single steps, registers, memory and signals.
//!
//! Owns: the connection and the protocol (through the gdbstub crate), the
//! register layout GDB expects, the mapping of signal numbers, and the wait for
//! GDB's Ctrl-C while the guest runs.
//! Must not: run guest code or deliver signals. The runtime stops the thread
//! (the CPU's breakpoints and single steps) and calls [`Debugger::stopped`],
//! which talks to GDB until it says how to go on.

mod files;
mod regs;
mod signals;
mod target;

pub use files::Resolve;
pub use target::{Host, IsGuest, Resume};

use emu_cpu::Cpu;
use gdbstub::common::Signal;
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStub, SingleThreadStopReason};
use regs::Regs;
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

/// What the thread does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Resume(Resume),
    /// GDB detached or went away: run on without a debugger.
    Detach,
    /// GDB killed the program.
    Kill,
}

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
    /// Waits for GDB to connect at `spec`. `stop` is the debugged thread's stop
    /// flag, raised when GDB sends Ctrl-C.
    pub fn listen(
        spec: &str,
        stop: &'static AtomicBool,
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
        let spawned =
            std::thread::Builder::new().name("gdb-watch".into()).spawn(move || watch_for_ctrl_c(&w, &watched, stop));
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

    /// Whether GDB sent something (Ctrl-C) while the guest ran.
    pub fn interrupted(&self) -> bool {
        self.watch.interrupt.load(Ordering::SeqCst)
    }

    /// The thread stopped (`None`: at its first instruction, before GDB has
    /// seen it): tells GDB why and serves it until it resumes the thread. GDB's
    /// register changes are in `cpu` on return.
    pub fn stopped(&mut self, cpu: &mut Cpu, event: Option<Event>) -> Action {
        if std::process::id() != self.pid {
            return Action::Detach;
        }
        self.disarm();
        self.guest.regs = Regs::from_cpu(cpu);
        self.guest.resume = None;
        let action = match self.serve(event) {
            Ok(action) => action,
            Err(e) => {
                eprintln!("emu: gdb: {e}; the program runs on without the debugger");
                Action::Detach
            }
        };
        match action {
            Action::Resume(r) => {
                self.guest.regs.to_cpu(cpu);
                if !r.step {
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

    fn serve(&mut self, event: Option<Event>) -> Result<Action, String> {
        let guest = &mut self.guest;
        let mut m = self.machine.take().ok_or("no connection")?;
        let err = |e: gdbstub::stub::GdbStubError<_, _>| e.to_string();
        if let GdbStubStateMachine::Running(g) = m {
            m = match event {
                None => GdbStubStateMachine::Running(g),
                Some(Event::Interrupt) => read_one(g, guest)?,
                Some(Event::Breakpoint) => g.report_stop(guest, SingleThreadStopReason::SwBreak(())).map_err(err)?,
                Some(Event::Step) => g.report_stop(guest, SingleThreadStopReason::DoneStep).map_err(err)?,
                Some(Event::Signal(sig)) => {
                    g.report_stop(guest, SingleThreadStopReason::Signal(signals::to_gdb(sig))).map_err(err)?
                }
            };
        }
        loop {
            m = match m {
                GdbStubStateMachine::Idle(mut g) => {
                    let byte = g.borrow_conn().read().map_err(|e| format!("connection lost: {e}"))?;
                    g.incoming_data(guest, byte).map_err(err)?
                }
                GdbStubStateMachine::Running(g) => match guest.resume.take() {
                    Some(r) => {
                        self.machine = Some(GdbStubStateMachine::Running(g));
                        return Ok(Action::Resume(r));
                    }
                    // Running without a resume action: Ctrl-C bytes before a stop.
                    None => read_one(g, guest)?,
                },
                GdbStubStateMachine::CtrlCInterrupt(g) => {
                    g.interrupt_handled(guest, Some(SingleThreadStopReason::Signal(Signal::SIGINT))).map_err(err)?
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
        self.finish(SingleThreadStopReason::Exited(code as u8));
    }

    /// The program was killed by `sig`.
    pub fn terminated(&mut self, sig: i32) {
        self.finish(SingleThreadStopReason::Terminated(signals::to_gdb(sig)));
    }

    fn finish(&mut self, reason: SingleThreadStopReason<u64>) {
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

/// While armed, waits for bytes from GDB (or a hang-up) and then raises the
/// interrupt and the thread's stop flag, so the run loop stops between blocks.
fn watch_for_ctrl_c(watch: &Watch, conn: &TcpStream, stop: &AtomicBool) {
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
            let mut armed = watch.armed.lock().unwrap_or_else(|e| e.into_inner());
            if *armed {
                *armed = false;
                watch.interrupt.store(true, Ordering::SeqCst);
                stop.store(true, Ordering::SeqCst);
            }
        }
    }
}
