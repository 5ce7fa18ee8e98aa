//! Single flight: a read of a customer already in flight is joined, not repeated. Twenty tabs
//! refreshing one customer at once send Partner Center one read, and all twenty get its
//! outcome.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
};

use tokio::sync::OnceCell;

type Outcome = Result<usize, String>;

/// The reads in flight, by key (`users:{customer}`, `details:{customer}`).
#[derive(Debug, Default)]
pub struct Flights {
    running: Mutex<HashMap<String, Arc<OnceCell<Outcome>>>>,
}

impl Flights {
    /// Runs `read` unless a read under `key` is already running, whose outcome is then shared.
    /// If the caller running it goes away, a waiting caller takes it over.
    pub async fn join<F>(&self, key: &str, read: F) -> Outcome
    where
        F: Future<Output = Outcome>,
    {
        let cell = self
            .lock()
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone();
        let outcome = cell.get_or_init(|| read).await.clone();
        let mut running = self.lock();
        if running.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(key);
        }
        outcome
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<OnceCell<Outcome>>>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_reads_of_one_key_run_once() {
        let flights = Flights::default();
        let runs = AtomicUsize::new(0);
        let read = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok(7)
        };
        let all =
            futures_util::future::join_all((0..20).map(|_| flights.join("users:a", read()))).await;
        assert!(all.iter().all(|o| *o == Ok(7)));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Once it is over, the next read runs again.
        assert_eq!(flights.join("users:a", read()).await, Ok(7));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
