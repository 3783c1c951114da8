//! In-flight de-duplication: when several callers ask for the same thing at once (every open
//! Dockerfile hovering `node:20`), one fetch runs and all of them get its result.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Shares one computation per key among concurrent callers.
pub struct InFlight<K, V> {
    running: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for InFlight<K, V> {
    fn default() -> Self {
        InFlight {
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> InFlight<K, V> {
    /// Runs `make` unless a computation for `key` is already running, in which case waits for
    /// it. If the running caller is cancelled, a waiting caller takes over (tokio's `OnceCell`).
    pub async fn run<F, Fut>(&self, key: K, make: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut map = self.running.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(key.clone())
                .or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        let value = cell.get_or_init(make).await.clone();
        let mut map = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            map.remove(&key);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_run() {
        let inflight: Arc<InFlight<&str, usize>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (inflight, runs, gate) = (inflight.clone(), runs.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                inflight
                    .run("k", || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        gate.notified().await;
                        42
                    })
                    .await
            }));
        }
        // Let every task reach the cell (single-threaded test runtime) before the one running
        // computation is allowed to finish.
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        gate.notify_waiters();
        gate.notify_one();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Once finished, the next call runs again (results are cached elsewhere).
        assert_eq!(inflight.run("k", || async { 7 }).await, 7);
    }
}
