//! Work that must not wait on whoever reads its result.

use std::future::Future;

/// Runs `work` as a task of its own and answers its result. A future polled inside a stream
/// only runs while the stream's reader polls it: one holding SQLite's write lock between two
/// statements would keep it while the reader waits (on the network, or on a write of its own,
/// which then fails after the busy timeout). A task runs regardless; dropping the answer no
/// longer stops it, it finishes its item.
pub async fn detached<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    match tokio::spawn(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("a detached task was cancelled: {e}"),
    }
}
