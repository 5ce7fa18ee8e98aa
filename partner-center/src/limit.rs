//! Client-side rate limiting: a token bucket per throttle key (the customer tenant a call is
//! about, else the partner), kept below the documented 500 requests per minute per tenant
//! identifier so that we slow ourselves down before the service does.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex as SyncMutex},
    time::Duration,
};

use tokio::time::Instant;

use tokio::sync::Mutex;

/// At most `per_minute` calls in any 60 seconds (a sliding window), so that no minute the
/// service counts, however it aligns its windows, sees more. A token bucket would let twice as
/// many through a fixed window: a full burst at its end and a refill after it.
pub(crate) struct RateLimiter {
    per_minute: usize,
    sent: Mutex<VecDeque<Instant>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute: per_minute.max(1) as usize,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until one request may go out.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().await;
                let now = Instant::now();
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    sent.pop_front();
                }
                if sent.len() < self.per_minute {
                    sent.push_back(now);
                    return;
                }
                // The oldest call in the window leaves it at this point.
                sent.front()
                    .map_or(Duration::ZERO, |t| WINDOW - now.duration_since(*t))
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// One bucket per throttle key, made on first use.
pub(crate) struct Limiters {
    per_minute: u32,
    buckets: SyncMutex<HashMap<String, Arc<RateLimiter>>>,
}

impl Limiters {
    pub fn new(per_minute: u32) -> Self {
        Limiters {
            per_minute,
            buckets: SyncMutex::new(HashMap::new()),
        }
    }

    /// The bucket for a call's path (relative or an absolute `links.next` URL).
    pub fn for_path(&self, path: &str) -> Arc<RateLimiter> {
        let key = throttle_key(path);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buckets
            .entry(key)
            .or_insert_with(|| Arc::new(RateLimiter::new(self.per_minute)))
            .clone()
    }
}

/// The customer tenant in the path, else the partner (contract section 10.2).
pub(crate) fn throttle_key(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut parts = path
        .split('/')
        .skip_while(|p| !p.eq_ignore_ascii_case("customers"));
    parts.next();
    parts
        .next()
        .filter(|c| !c.is_empty())
        .map_or_else(|| "partner".to_owned(), str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_about_a_customer_share_its_bucket() {
        assert_eq!(throttle_key("/customers/ABC/users"), "abc");
        assert_eq!(
            throttle_key("https://api.partnercenter.microsoft.com/v1/customers/abc/users?seek=1"),
            "abc"
        );
        assert_eq!(throttle_key("/customers?size=500"), "partner");
        assert_eq!(throttle_key("/products"), "partner");
        let limiters = Limiters::new(10);
        assert!(Arc::ptr_eq(
            &limiters.for_path("/customers/abc/users"),
            &limiters.for_path("/customers/ABC/subscribedskus")
        ));
        assert!(!Arc::ptr_eq(
            &limiters.for_path("/customers/abc/users"),
            &limiters.for_path("/customers/def/users")
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_any_minute() {
        let limiter = RateLimiter::new(60);
        let start = tokio::time::Instant::now();
        let mut sent = Vec::new();
        for _ in 0..150 {
            limiter.acquire().await;
            sent.push(start.elapsed());
        }
        assert!(
            sent[59] < Duration::from_millis(10),
            "the first 60 go at once"
        );
        assert!(
            sent[60] >= Duration::from_secs(60),
            "the 61st waits a minute"
        );
        for (i, at) in sent.iter().enumerate() {
            let in_window = sent[i..].iter().filter(|t| **t - *at < WINDOW).count();
            assert!(
                in_window <= 60,
                "{in_window} calls within a minute of call {i}"
            );
        }
    }
}
