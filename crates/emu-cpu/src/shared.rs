//! Code invalidations shared by the threads of a process: each thread keeps
//! its own [`BlockCache`], so a thread that changes or unmaps code records the
//! range here and the others drop their copies at their next block boundary.

use crate::cache::BlockCache;
use std::sync::atomic::{AtomicBool, Ordering};

/// Invalidations of decoded code shared by all threads of a process: a thread
/// that unmaps or changes code records the range, and every other thread is
/// stopped at its next block boundary to drop its own copies.
#[derive(Default)]
pub struct SharedInvalidations {
    inner: std::sync::Mutex<Invalidations>,
}

#[derive(Default)]
struct Invalidations {
    gen: u64,
    /// The most recent ranges, with the generation each was recorded at.
    ranges: std::collections::VecDeque<(u64, u64, u64)>,
    /// Each running thread's stop flag, by an id of its choosing.
    flags: Vec<(u64, &'static AtomicBool)>,
}

/// Ranges kept for threads that have not caught up yet; one further behind
/// clears its whole cache.
const KEPT_RANGES: usize = 64;

impl SharedInvalidations {
    fn lock(&self) -> std::sync::MutexGuard<'_, Invalidations> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds the lock until the value is dropped: across a fork, so that the
    /// child (which has only the forking thread) cannot inherit it held.
    pub fn hold(&self) -> impl Sized + '_ {
        self.lock()
    }

    /// A thread starts running guest code; returns the generation it starts at.
    pub fn register(&self, id: u64, stop: &'static AtomicBool) -> u64 {
        let mut g = self.lock();
        g.flags.push((id, stop));
        g.gen
    }

    /// The thread `id` stops running guest code (before its stop flag goes away).
    pub fn unregister(&self, id: u64) {
        self.lock().flags.retain(|(i, _)| *i != id);
    }

    /// Records that code in [start, end) may have changed, and stops the other
    /// threads so that they catch up.
    pub fn record(&self, from: u64, start: u64, end: u64) {
        let mut g = self.lock();
        g.gen += 1;
        let gen = g.gen;
        g.ranges.push_back((gen, start, end));
        if g.ranges.len() > KEPT_RANGES {
            g.ranges.pop_front();
        }
        for (id, flag) in &g.flags {
            if *id != from {
                flag.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Applies to `cache` what was recorded after generation `seen`; returns the
    /// generation now seen.
    pub fn catch_up(&self, cache: &mut BlockCache, seen: u64) -> u64 {
        let g = self.lock();
        if g.gen == seen {
            return seen;
        }
        match g.ranges.front() {
            Some(&(oldest, ..)) if oldest <= seen + 1 => {
                for &(gen, start, end) in &g.ranges {
                    if gen > seen {
                        cache.invalidate(start, end);
                    }
                }
            }
            _ => cache.clear(),
        }
        g.gen
    }
}
