//! The debugger in the run loop (`emu -g`): GDB sees the process stopped as a
//! whole (all-stop). When a thread has something to report (a breakpoint, a
//! finished single step, a signal about to be delivered, GDB's Ctrl-C), it
//! raises every other thread's stop flag, waits until each is parked between
//! blocks or inside a system call, and serves GDB with copies of all their
//! registers; GDB's answer sets each thread up to go on.
//!
//! A thread in a system call cannot park until the call returns: its registers
//! are those it entered with, and GDB's changes reach it when it comes back.
//! The session is global so that whichever thread ends the process reports
//! the exit. A forked child runs without the debugger.

use emu_cpu::{BlockCache, Cpu};
use emu_gdb::{Action, Debugger, Event, Regs, Resume, ThreadView};
use emu_linux::Process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In guest code: must be stopped before GDB is served.
    Running,
    /// In a system call, which it may not leave while the process is stopped.
    Outside,
    /// Waiting for the process to resume.
    Parked,
}

struct Slot {
    tid: u32,
    flag: &'static AtomicBool,
    regs: Regs,
    state: State,
    /// What GDB left for the thread at the last resume.
    written: Option<Regs>,
    resume: Option<Resume>,
    /// GDB resumed others but not this one (scheduler locking).
    held: bool,
}

struct Hub {
    session: Option<Debugger>,
    threads: Vec<Slot>,
    /// A thread is serving GDB (or waiting for the others to stop).
    stopped: bool,
    /// Counts resumes: a parked thread waits for it to change.
    epoch: u64,
    breakpoints: Vec<u64>,
}

static HUB: Mutex<Hub> =
    Mutex::new(Hub { session: None, threads: Vec::new(), stopped: false, epoch: 0, breakpoints: Vec::new() });
/// Signalled when a thread parks, leaves guest code or exits, and on resume.
static CHANGED: Condvar = Condvar::new();
/// Whether a session may exist: read first, so a plain run takes no lock.
static ATTACHED: AtomicBool = AtomicBool::new(false);

fn hub() -> MutexGuard<'static, Hub> {
    HUB.lock().unwrap_or_else(|e| e.into_inner())
}

fn wait(h: MutexGuard<'static, Hub>) -> MutexGuard<'static, Hub> {
    CHANGED.wait(h).unwrap_or_else(|e| e.into_inner())
}

/// Waits for GDB at `spec` (PORT or HOST:PORT) before the program starts.
pub fn listen(spec: &str, proc: &'static Process) -> Result<(), emu_gdb::Error> {
    let host = emu_gdb::Host {
        is_guest: Box::new(move |addr: u64, len: u64| proc.space().all_guest(addr, len)),
        resolve: Box::new(emu_linux::path::host_path_buf),
    };
    let exe = proc.exe().as_os_str().as_encoded_bytes().to_vec();
    let on_interrupt = Box::new(move || interrupt(proc));
    let dbg = Debugger::listen(spec, on_interrupt, host, exe, &proc.auxv)?;
    hub().session = Some(dbg);
    ATTACHED.store(true, Ordering::SeqCst);
    Ok(())
}

fn raise(s: &Slot) {
    s.flag.store(true, Ordering::SeqCst);
}

/// One guest thread's part in the session.
pub struct Debugged {
    tid: u32,
    pid: u32,
    /// GDB asked this thread for one instruction.
    pub stepping: bool,
}

/// What a stop leaves for the thread.
pub enum Next {
    /// Go on, delivering this signal first if GDB passed one.
    Go(Option<i32>),
    /// No debugger any more: run on without one.
    Detached,
}

impl Debugged {
    /// A thread starts running guest code; `None` without a debugger.
    pub fn join(cache: &mut BlockCache, cpu: &Cpu, flag: &'static AtomicBool) -> Option<Debugged> {
        if !ATTACHED.load(Ordering::SeqCst) {
            return None;
        }
        let tid = emu_linux::gettid();
        let mut h = hub();
        h.session.as_ref()?;
        let regs = Regs::from_cpu(cpu);
        h.threads.push(Slot { tid, flag, regs, state: State::Running, written: None, resume: None, held: false });
        cache.set_breakpoints(&h.breakpoints);
        // A thread born while the process is stopped waits for the resume.
        if h.stopped {
            raise(h.threads.last()?);
        }
        Some(Debugged { tid, pid: std::process::id(), stepping: false })
    }

    /// The thread exits.
    pub fn leave(self) {
        let mut h = hub();
        h.threads.retain(|s| s.tid != self.tid);
        CHANGED.notify_all();
    }

    fn slot<'h>(&self, h: &'h mut Hub) -> Option<&'h mut Slot> {
        h.threads.iter_mut().find(|s| s.tid == self.tid)
    }

    /// Reports `event` (None: the program's first stop) with the whole process
    /// stopped, and serves GDB until it resumes.
    pub fn report(&mut self, proc: &Process, cache: &mut BlockCache, cpu: &mut Cpu, event: Option<Event>) -> Next {
        let mut h = hub();
        // Another thread is reporting: wait for its resume, then report ours.
        while h.stopped && h.session.is_some() {
            let (again, _) = self.park(h, cache, cpu);
            h = again;
        }
        if h.session.is_none() {
            return self.detach(cache);
        }
        h.stopped = true;
        h.threads.iter().filter(|s| s.tid != self.tid && s.state == State::Running).for_each(raise);
        while h.threads.iter().any(|s| s.tid != self.tid && s.state == State::Running) {
            h = wait(h);
        }
        let mut views: Vec<ThreadView> = h
            .threads
            .iter()
            .map(|s| ThreadView::new(s.tid, if s.tid == self.tid { Regs::from_cpu(cpu) } else { s.regs.clone() }))
            .collect();
        let Some(session) = h.session.as_mut() else {
            return self.detach(cache);
        };
        let action = session.stopped(&mut views, self.tid, event);
        for (start, end) in session.take_written() {
            // The other threads catch up when their stop flags (raised by the
            // record) are seen after the resume.
            cache.invalidate(start, end);
            proc.code.record(self.tid as u64, start, end);
        }
        match action {
            Action::Resume => {
                resume_all(&mut h, views);
                if self.slot(&mut h).is_some_and(|s| s.held) {
                    return self.park(h, cache, cpu).1;
                }
                self.apply(&mut h, cache, cpu)
            }
            Action::Detach | Action::Kill => {
                end_session(h, action);
                self.detach(cache)
            }
        }
    }

    /// Parks until the process resumes with an action for this thread;
    /// returns the lock and what GDB left.
    fn park(
        &mut self,
        mut h: MutexGuard<'static, Hub>,
        cache: &mut BlockCache,
        cpu: &mut Cpu,
    ) -> (MutexGuard<'static, Hub>, Next) {
        loop {
            if let Some(s) = self.slot(&mut h) {
                if let Some(regs) = s.written.take() {
                    regs.to_cpu(cpu);
                }
                s.regs = Regs::from_cpu(cpu);
                s.state = State::Parked;
            }
            CHANGED.notify_all();
            let epoch = h.epoch;
            while h.epoch == epoch {
                h = wait(h);
            }
            if h.session.is_none() || !self.slot(&mut h).is_some_and(|s| s.held) {
                let next = self.apply(&mut h, cache, cpu);
                return (h, next);
            }
        }
    }

    /// Takes what GDB left for this thread at the last resume.
    fn apply(&mut self, h: &mut Hub, cache: &mut BlockCache, cpu: &mut Cpu) -> Next {
        if h.session.is_none() {
            return self.detach(cache);
        }
        cache.set_breakpoints(&h.breakpoints);
        let Some(s) = self.slot(h) else {
            return Next::Go(None);
        };
        s.state = State::Running;
        s.held = false;
        if let Some(regs) = s.written.take() {
            regs.to_cpu(cpu);
        }
        let r = s.resume.take().unwrap_or(Resume { step: false, signal: None });
        self.stepping = r.step;
        cache.set_stepping(r.step);
        Next::Go(r.signal)
    }

    fn detach(&mut self, cache: &mut BlockCache) -> Next {
        self.stepping = false;
        cache.set_stepping(false);
        cache.set_breakpoints(&[]);
        Next::Detached
    }

    /// The thread's stop flag was raised: parks if the process is stopping,
    /// reports GDB's Ctrl-C if that is why.
    pub fn check_stop(&mut self, proc: &Process, cache: &mut BlockCache, cpu: &mut Cpu) -> Next {
        let h = hub();
        if h.session.is_none() {
            drop(h);
            return self.detach(cache);
        }
        if h.stopped {
            return self.park(h, cache, cpu).1;
        }
        let interrupted = h.session.as_ref().is_some_and(Debugger::take_interrupt);
        drop(h);
        if interrupted {
            return self.report(proc, cache, cpu, Some(Event::Interrupt));
        }
        Next::Go(None)
    }

    /// The thread enters a system call: its registers as they are now stand
    /// for it while it is there.
    pub fn enter_syscall(&mut self, cpu: &Cpu) {
        let mut h = hub();
        if let Some(s) = self.slot(&mut h) {
            s.regs = Regs::from_cpu(cpu);
            s.state = State::Outside;
        }
        CHANGED.notify_all();
    }

    /// The thread is back from system call `nr`: it parks if the process is
    /// stopped, and takes what GDB left for it meanwhile.
    pub fn leave_syscall(&mut self, cache: &mut BlockCache, cpu: &mut Cpu, nr: u64) -> Next {
        const CLONE: u64 = 220;
        const CLONE3: u64 = 435;
        if (nr == CLONE || nr == CLONE3) && std::process::id() != self.pid {
            // A forked child: the session (and its lock, which another thread
            // may have held at the fork) stays with the parent.
            ATTACHED.store(false, Ordering::SeqCst);
            return self.detach(cache);
        }
        let mut h = hub();
        if let Some(s) = self.slot(&mut h) {
            // GDB wrote the registers it read at the call's entry: unless it
            // changed x0 there, x0 is the call's result.
            if let Some(w) = s.written.as_mut().filter(|w| w.x[0] == s.regs.x[0]) {
                w.x[0] = cpu.x[0];
            }
        }
        if h.stopped || self.slot(&mut h).is_some_and(|s| s.held) {
            return self.park(h, cache, cpu).1;
        }
        let pending = self.slot(&mut h).is_some_and(|s| s.written.is_some() || s.resume.is_some());
        if pending {
            return self.apply(&mut h, cache, cpu);
        }
        if let Some(s) = self.slot(&mut h) {
            s.state = State::Running;
        }
        Next::Go(None)
    }
}

/// Hands each thread what GDB left for it, and lets the process go on.
fn resume_all(h: &mut Hub, views: Vec<ThreadView>) {
    if let Some(session) = h.session.as_ref() {
        h.breakpoints = session.breakpoints().to_vec();
    }
    for v in views {
        if let Some(s) = h.threads.iter_mut().find(|s| s.tid == v.tid) {
            s.written = v.written.then_some(v.regs);
            s.held = v.resume.is_none();
            s.resume = v.resume;
        }
    }
    h.stopped = false;
    h.epoch += 1;
    CHANGED.notify_all();
}

/// GDB detached, went away or killed the program.
fn end_session(mut h: MutexGuard<'static, Hub>, action: Action) {
    h.session = None;
    ATTACHED.store(false, Ordering::SeqCst);
    h.stopped = false;
    h.epoch += 1;
    h.breakpoints.clear();
    h.threads.iter().for_each(raise);
    CHANGED.notify_all();
    drop(h);
    if action == Action::Kill {
        crate::signals::guest_fatal_signal(libc::SIGKILL);
    }
}

/// GDB's Ctrl-C (on the thread that watches the connection). Threads in guest
/// code stop at their next block, and the first to notice reports it. When
/// every thread is inside a system call (a program blocked in read, a
/// deadlock), none would notice: the process is stopped here, each thread
/// parking when its call returns, and GDB is served from this thread.
fn interrupt(proc: &Process) {
    let mut h = hub();
    let running: Vec<&Slot> = h.threads.iter().filter(|s| s.state == State::Running).collect();
    if !running.is_empty() || h.stopped || h.threads.is_empty() {
        running.into_iter().for_each(raise);
        return;
    }
    let Some(session) = h.session.as_mut() else {
        return;
    };
    if !session.take_interrupt() {
        return;
    }
    h.stopped = true;
    let mut views: Vec<ThreadView> = h.threads.iter().map(|s| ThreadView::new(s.tid, s.regs.clone())).collect();
    let current = views[0].tid;
    let Some(session) = h.session.as_mut() else {
        return;
    };
    let action = session.stopped(&mut views, current, Some(Event::Interrupt));
    for (start, end) in session.take_written() {
        // Every thread's decoded copy is dropped when it next looks.
        proc.code.record(0, start, end);
    }
    match action {
        Action::Resume => resume_all(&mut h, views),
        Action::Detach | Action::Kill => end_session(h, action),
    }
}

/// The process is exiting with `code`: GDB hears of it.
pub fn exiting(code: i32) {
    if ATTACHED.load(Ordering::SeqCst) {
        if let Some(d) = hub().session.as_mut() {
            d.exited(code);
        }
    }
}

/// The process is dying of `sig`.
pub fn killed(sig: i32) {
    if ATTACHED.load(Ordering::SeqCst) && sig != libc::SIGKILL {
        if let Some(d) = hub().session.as_mut() {
            d.terminated(sig);
        }
    }
}
