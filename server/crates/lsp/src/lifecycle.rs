//! The exit status the spec asks for: after an `exit` notification, 0 if a `shutdown` request
//! came before it, 1 otherwise. A session that ends because the client closed stdin (no
//! `exit`) ends with 0, like one that was told to exit properly.
//!
//! The stdin filter records the lifecycle messages as it passes them on, in order. That is
//! exact where the server's own `shutdown` handler is not: a client that sends `shutdown` and
//! `exit` back to back gets its `shutdown` handler cancelled by the framework's `exit`
//! before it ever runs, but the request was received. A `shutdown` counts only after an
//! `initialize` (before it the framework refuses it), and nothing counts after `exit` (the
//! framework stops reading there). An `initialize` the framework then refuses (invalid
//! params) still counts, so a `shutdown` after it gives 0 where the spec would say 1: rare,
//! and the filter cannot see the framework's answer.

use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct Lifecycle {
    initialize: AtomicBool,
    shutdown: AtomicBool,
    exit: AtomicBool,
}

impl Lifecycle {
    /// Notes a request or notification passed on to the framework.
    pub fn observe(&self, method: &str) {
        if self.exit.load(Ordering::SeqCst) {
            return;
        }
        match method {
            "initialize" => self.initialize.store(true, Ordering::SeqCst),
            "shutdown" if self.initialize.load(Ordering::SeqCst) => {
                self.shutdown.store(true, Ordering::SeqCst);
            }
            "exit" => self.exit.store(true, Ordering::SeqCst),
            _ => {}
        }
    }

    /// The process's exit status once the session has ended.
    pub fn exit_status(&self) -> u8 {
        let exited = self.exit.load(Ordering::SeqCst);
        u8::from(exited && !self.shutdown.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::Lifecycle;

    fn status(methods: &[&str]) -> u8 {
        let l = Lifecycle::default();
        for m in methods {
            l.observe(m);
        }
        l.exit_status()
    }

    #[test]
    fn exit_status_follows_the_spec() {
        assert_eq!(
            status(&["initialize", "initialized", "shutdown", "exit"]),
            0
        );
        assert_eq!(status(&["initialize", "exit"]), 1);
        assert_eq!(status(&["exit"]), 1);
        // refused before initialize, so it does not count
        assert_eq!(status(&["shutdown", "initialize", "exit"]), 1);
        // nothing after exit counts
        assert_eq!(status(&["initialize", "exit", "shutdown"]), 1);
        // the client closed stdin
        assert_eq!(status(&["initialize"]), 0);
        assert_eq!(status(&[]), 0);
    }
}
