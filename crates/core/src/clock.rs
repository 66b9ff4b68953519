//! Where time comes from. Everything time-based (throttling windows, expiries, reminders,
//! schedules) asks a `Clock`, so tests set the time instead of waiting for it and never
//! depend on how fast the machine is.

use crate::time_util::Timestamp;
use std::sync::Mutex;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        crate::time_util::now()
    }
}

/// A clock that stands still until told to move (tests).
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
