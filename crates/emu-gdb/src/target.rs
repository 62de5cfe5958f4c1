//! The stopped guest process as gdbstub's [`Target`]: its threads' registers
//! (copies, put back on resume), guest memory (through /proc/self/mem, which,
//! like ptrace, reads and writes whatever the protection), breakpoints, the
//! resume action GDB chose for each thread, and the program's path and
//! auxiliary vector (GDB finds the dynamic loader's and a PIE's base in it).

use crate::regs::{Regs, A64};
use crate::signals::to_linux;
use gdbstub::common::{Pid, Signal, Tid};
use gdbstub::target::ext::auxv::{Auxv, AuxvOps};
use gdbstub::target::ext::base::multithread::{
    MultiThreadBase, MultiThreadResume, MultiThreadResumeOps, MultiThreadSchedulerLocking,
    MultiThreadSchedulerLockingOps, MultiThreadSingleStep, MultiThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{Breakpoints, BreakpointsOps, SwBreakpoint, SwBreakpointOps};
use gdbstub::target::ext::exec_file::{ExecFile, ExecFileOps};
use gdbstub::target::ext::host_io::HostIoOps;
use gdbstub::target::{Target, TargetError, TargetResult};
use std::fs::File;
use std::os::unix::fs::FileExt;

const EFAULT: u8 = libc::EFAULT as u8;
const ESRCH: u8 = libc::ESRCH as u8;

/// How GDB asked the thread to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume {
    /// One instruction, then stop again.
    pub step: bool,
    /// The signal to deliver as it goes on (Linux numbering), if any.
    pub signal: Option<i32>,
}

/// Whether `[addr, addr + len)` is guest memory, which GDB may write.
pub type IsGuest = Box<dyn Fn(u64, u64) -> bool + Send>;

/// What the session asks of the process it debugs.
pub struct Host {
    pub is_guest: IsGuest,
    /// Where a path the guest names is on the host (`-L`).
    pub resolve: crate::files::Resolve,
}

/// One thread of the stopped process, as GDB sees and leaves it.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub tid: u32,
    pub regs: Regs,
    /// GDB changed `regs`: they go back into the thread.
    pub written: bool,
    /// How the thread goes on; none after a resume: it stays stopped (GDB's
    /// scheduler locking, e.g. while it steps another thread).
    pub resume: Option<Resume>,
}

impl ThreadView {
    pub fn new(tid: u32, regs: Regs) -> ThreadView {
        ThreadView { tid, regs, written: false, resume: None }
    }
}

pub struct Guest {
    pub threads: Vec<ThreadView>,
    pub breakpoints: Vec<u64>,
    /// Set when GDB resumed the process.
    pub resumed: bool,
    /// Threads GDB does not name stay stopped (this resume only).
    lock_others: bool,
    /// Ranges GDB wrote: decoded code there is stale.
    pub written: Vec<(u64, u64)>,
    mem: File,
    is_guest: IsGuest,
    pub(crate) resolve: crate::files::Resolve,
    pub(crate) files: crate::files::Files,
    exe: Vec<u8>,
    auxv: Vec<u8>,
}

impl Guest {
    fn thread(&mut self, tid: Tid) -> Option<&mut ThreadView> {
        self.threads.iter_mut().find(|t| t.tid as usize == tid.get())
    }

    fn set_resume(&mut self, tid: Tid, step: bool, signal: Option<Signal>) {
        if let Some(t) = self.thread(tid) {
            t.resume = Some(Resume { step, signal: signal.and_then(to_linux) });
        }
    }

    pub fn new(mem: File, host: Host, exe: Vec<u8>, auxv: &[(u64, u64)]) -> Guest {
        let auxv = auxv.iter().flat_map(|&(k, v)| [k.to_le_bytes(), v.to_le_bytes()]).flatten().collect();
        Guest {
            threads: Vec::new(),
            breakpoints: Vec::new(),
            resumed: false,
            lock_others: false,
            written: Vec::new(),
            mem,
            is_guest: host.is_guest,
            resolve: host.resolve,
            files: Default::default(),
            exe,
            auxv,
        }
    }
}

/// Copies the part of `data` that starts at `offset` into `buf`.
fn read_part(data: &[u8], offset: u64, length: usize, buf: &mut [u8]) -> usize {
    let start = (offset as usize).min(data.len());
    let n = length.min(buf.len()).min(data.len() - start);
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

impl Target for Guest {
    type Arch = A64;
    type Error = std::convert::Infallible;

    fn base_ops(&mut self) -> BaseOps<'_, A64, Self::Error> {
        BaseOps::MultiThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    fn support_exec_file(&mut self) -> Option<ExecFileOps<'_, Self>> {
        Some(self)
    }

    fn support_auxv(&mut self) -> Option<AuxvOps<'_, Self>> {
        Some(self)
    }

    fn support_host_io(&mut self) -> Option<HostIoOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadBase for Guest {
    fn read_registers(&mut self, regs: &mut Regs, tid: Tid) -> TargetResult<(), Self> {
        *regs = self.thread(tid).ok_or(TargetError::Errno(ESRCH))?.regs.clone();
        Ok(())
    }

    fn write_registers(&mut self, regs: &Regs, tid: Tid) -> TargetResult<(), Self> {
        let t = self.thread(tid).ok_or(TargetError::Errno(ESRCH))?;
        t.regs = regs.clone();
        t.written = true;
        Ok(())
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8], _tid: Tid) -> TargetResult<usize, Self> {
        // The kernel reads up to the first page it cannot: a short count.
        match self.mem.read_at(data, start) {
            Ok(0) | Err(_) if !data.is_empty() => Err(TargetError::Errno(EFAULT)),
            Ok(n) => Ok(n),
            Err(_) => Ok(0),
        }
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], _tid: Tid) -> TargetResult<(), Self> {
        let len = data.len() as u64;
        if !(self.is_guest)(start, len) {
            return Err(TargetError::Errno(EFAULT));
        }
        match self.mem.write_all_at(data, start) {
            Ok(()) => {
                self.written.push((start, start + len));
                Ok(())
            }
            Err(_) => Err(TargetError::Errno(EFAULT)),
        }
    }

    fn list_active_threads(&mut self, thread_is_active: &mut dyn FnMut(Tid)) -> Result<(), Self::Error> {
        self.threads.iter().filter_map(|t| Tid::new(t.tid as usize)).for_each(thread_is_active);
        Ok(())
    }

    fn support_resume(&mut self) -> Option<MultiThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadResume for Guest {
    fn resume(&mut self) -> Result<(), Self::Error> {
        // Threads GDB did not name continue, unless it locked them.
        if !self.lock_others {
            for t in &mut self.threads {
                t.resume.get_or_insert(Resume { step: false, signal: None });
            }
        }
        self.resumed = true;
        Ok(())
    }

    fn clear_resume_actions(&mut self) -> Result<(), Self::Error> {
        self.threads.iter_mut().for_each(|t| t.resume = None);
        self.lock_others = false;
        Ok(())
    }

    fn support_scheduler_locking(&mut self) -> Option<MultiThreadSchedulerLockingOps<'_, Self>> {
        Some(self)
    }

    fn set_resume_action_continue(&mut self, tid: Tid, signal: Option<Signal>) -> Result<(), Self::Error> {
        self.set_resume(tid, false, signal);
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<MultiThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadSchedulerLocking for Guest {
    fn set_resume_action_scheduler_lock(&mut self) -> Result<(), Self::Error> {
        self.lock_others = true;
        Ok(())
    }
}

impl MultiThreadSingleStep for Guest {
    fn set_resume_action_step(&mut self, tid: Tid, signal: Option<Signal>) -> Result<(), Self::Error> {
        self.set_resume(tid, true, signal);
        Ok(())
    }
}

impl Breakpoints for Guest {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for Guest {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        if !self.breakpoints.contains(&addr) {
            self.breakpoints.push(addr);
        }
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        let before = self.breakpoints.len();
        self.breakpoints.retain(|&a| a != addr);
        Ok(self.breakpoints.len() != before)
    }
}

impl ExecFile for Guest {
    fn get_exec_file(
        &self,
        _pid: Option<Pid>,
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        Ok(read_part(&self.exe, offset, length, buf))
    }
}

impl Auxv for Guest {
    fn get_auxv(&self, offset: u64, length: usize, buf: &mut [u8]) -> TargetResult<usize, Self> {
        Ok(read_part(&self.auxv, offset, length, buf))
    }
}
