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

/// Runs each of `items` — a piece of work that records itself and answers its result with
/// whether the run may go on — `at_once` at a time, each [`detached`], handing every result to
/// `seen` as it finishes. Once an item answers "stop" (asked to stop, or taken over) or its
/// record fails, no item is started; those under way finish. Answers whether it was told to
/// stop, or the first failure to record.
pub async fn each_detached<T, E, F>(
    items: impl Iterator<Item = F> + Send,
    at_once: usize,
    mut seen: impl FnMut(T),
) -> Result<bool, E>
where
    T: Send + 'static,
    E: Send + 'static,
    F: Future<Output = (T, Result<bool, E>)> + Send + 'static,
{
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };

    use futures_util::{stream, StreamExt};

    let stop = Arc::new(AtomicBool::new(false));
    let source = {
        let stop = stop.clone();
        stream::iter(items).take_while(move |_| std::future::ready(!stop.load(Ordering::Relaxed)))
    };
    let mut results = std::pin::pin!(source.map(detached).buffer_unordered(at_once));
    let (mut stopped, mut failure) = (false, None);
    while let Some((result, go_on)) = results.next().await {
        seen(result);
        match go_on {
            Ok(true) => {}
            Ok(false) => {
                stopped = true;
                stop.store(true, Ordering::Relaxed);
            }
            Err(e) => {
                stop.store(true, Ordering::Relaxed);
                failure.get_or_insert(e);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(stopped),
    }
}
