//! Client-side rate limiting: a token bucket per throttle key (the customer tenant a call is
//! about, else the partner), kept below the documented 500 requests per minute per tenant
//! identifier so that we slow ourselves down before the service does.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex as SyncMutex},
    time::Duration,
};

use tokio::time::Instant;

use tokio::sync::Mutex;

pub(crate) struct RateLimiter {
    per_minute: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    /// Starts full: a burst of `per_minute` requests, then `per_minute` per minute.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        RateLimiter {
            per_minute,
            state: Mutex::new((per_minute, Instant::now())),
        }
    }

    /// Waits until one request may go out.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                let (tokens, last) = &mut *state;
                let now = Instant::now();
                let refill = now.duration_since(*last).as_secs_f64() * self.per_minute / 60.0;
                *tokens = (*tokens + refill).min(self.per_minute);
                *last = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - *tokens) * 60.0 / self.per_minute)
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
fn throttle_key(path: &str) -> String {
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
    async fn bursts_then_paces() {
        let limiter = RateLimiter::new(60);
        let start = tokio::time::Instant::now();
        for _ in 0..60 {
            limiter.acquire().await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(10),
            "the burst is free"
        );
        limiter.acquire().await;
        limiter.acquire().await;
        let paced = start.elapsed();
        assert!(
            paced >= Duration::from_millis(1900),
            "then one a second: {paced:?}"
        );
    }
}
