//! Client-side rate limiting: a token bucket per connection, kept below the documented
//! 500 requests per minute per tenant so that we slow ourselves down before the service does.

use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
