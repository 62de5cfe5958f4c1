//! Ending the process as the guest would end: with its exit status, or killed by
//! its signal so that emu's parent sees WIFSIGNALED with the same signal.

/// Exits the whole process with the guest's status.
pub fn exit_process(code: i32) -> ! {
    // SAFETY: _exit ends the process; nothing of ours needs flushing (guest output
    // went straight to its descriptors).
    unsafe { libc::_exit(code & 0xff) }
}

/// Dies of `sig` with its default action, as an arm64 process without a handler
/// would. Guest handlers are not delivered yet.
pub fn guest_fatal_signal(sig: i32) -> ! {
    // SAFETY: restoring the default action and raising the signal on ourselves; the
    // signal is unblocked so the default action (termination) takes place.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    // A signal whose default action does not terminate: exit as a shell would say.
    exit_process(128 + sig)
}
