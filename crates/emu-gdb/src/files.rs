//! GDB's file access on the target (vFile): with its default sysroot,
//! `target:`, GDB reads the program, the dynamic loader and the libraries
//! through these, and emu finds them where the guest would (under `-L`).
//! Read-only: GDB never needs more from a debugged program's files.

use crate::target::Guest;
use gdbstub::target::ext::host_io::{
    FsKind, HostIo, HostIoClose, HostIoCloseOps, HostIoErrno, HostIoError, HostIoFstat, HostIoFstatOps, HostIoOpen,
    HostIoOpenFlags, HostIoOpenMode, HostIoOpenOps, HostIoPread, HostIoPreadOps, HostIoReadlink, HostIoReadlinkOps,
    HostIoResult, HostIoSetfs, HostIoSetfsOps, HostIoStat,
};
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;

/// Where a guest path is on the host (the sysroot first).
pub type Resolve = Box<dyn Fn(&[u8]) -> PathBuf + Send>;

/// Files GDB opened, by the descriptor number it was given (the index).
#[derive(Default)]
pub struct Files {
    open: Vec<Option<File>>,
}

impl Files {
    fn get(&self, fd: u32) -> Result<&File, HostIoError<std::convert::Infallible>> {
        self.open.get(fd as usize).and_then(Option::as_ref).ok_or(HostIoError::Errno(HostIoErrno::EBADF))
    }
}

impl HostIo for Guest {
    fn support_open(&mut self) -> Option<HostIoOpenOps<'_, Self>> {
        Some(self)
    }
    fn support_close(&mut self) -> Option<HostIoCloseOps<'_, Self>> {
        Some(self)
    }
    fn support_pread(&mut self) -> Option<HostIoPreadOps<'_, Self>> {
        Some(self)
    }
    fn support_fstat(&mut self) -> Option<HostIoFstatOps<'_, Self>> {
        Some(self)
    }
    fn support_readlink(&mut self) -> Option<HostIoReadlinkOps<'_, Self>> {
        Some(self)
    }
    fn support_setfs(&mut self) -> Option<HostIoSetfsOps<'_, Self>> {
        Some(self)
    }
}

impl HostIoOpen for Guest {
    fn open(&mut self, filename: &[u8], flags: HostIoOpenFlags, _mode: HostIoOpenMode) -> HostIoResult<u32, Self> {
        if flags != HostIoOpenFlags::O_RDONLY {
            return Err(HostIoError::Errno(HostIoErrno::EACCES));
        }
        let file = File::open((self.resolve)(filename))?;
        let files = &mut self.files.open;
        let fd = match files.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                files.push(None);
                files.len() - 1
            }
        };
        files[fd] = Some(file);
        Ok(fd as u32)
    }
}

impl HostIoClose for Guest {
    fn close(&mut self, fd: u32) -> HostIoResult<(), Self> {
        self.files.get(fd)?;
        self.files.open[fd as usize] = None;
        Ok(())
    }
}

impl HostIoPread for Guest {
    fn pread(&mut self, fd: u32, count: usize, offset: u64, buf: &mut [u8]) -> HostIoResult<usize, Self> {
        let n = count.min(buf.len());
        Ok(self.files.get(fd)?.read_at(&mut buf[..n], offset)?)
    }
}

impl HostIoFstat for Guest {
    fn fstat(&mut self, fd: u32) -> HostIoResult<HostIoStat, Self> {
        let m = self.files.get(fd)?.metadata()?;
        Ok(HostIoStat {
            st_dev: m.dev() as u32,
            st_ino: m.ino() as u32,
            st_mode: HostIoOpenMode::from_bits_truncate(m.mode()),
            st_nlink: m.nlink() as u32,
            st_uid: m.uid(),
            st_gid: m.gid(),
            st_rdev: m.rdev() as u32,
            st_size: m.size(),
            st_blksize: m.blksize(),
            st_blocks: m.blocks(),
            st_atime: m.atime() as u32,
            st_mtime: m.mtime() as u32,
            st_ctime: m.ctime() as u32,
        })
    }
}

impl HostIoReadlink for Guest {
    fn readlink(&mut self, filename: &[u8], buf: &mut [u8]) -> HostIoResult<usize, Self> {
        let target = std::fs::read_link((self.resolve)(filename))?;
        let bytes = target.as_os_str().as_encoded_bytes();
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        Ok(n)
    }
}

impl HostIoSetfs for Guest {
    fn setfs(&mut self, _fs: FsKind) -> HostIoResult<(), Self> {
        // One process, one filesystem view.
        Ok(())
    }
}
