//! Rate limiting per token: a token bucket per principal, so one client cannot starve the
//! others. Anonymous callers (catalog search, when allowed) share one bucket.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The default sustained rate, requests per second per token.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 50;
/// The default burst: requests a token may make at once after being idle.
pub const DEFAULT_BURST: u32 = 200;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    available: f64,
    updated: Instant,
}

/// Token buckets by principal name.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Creates a limiter allowing `per_second` requests a second with bursts of `burst`
    /// (both at least 1).
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `name`'s bucket; when it is empty, returns how long to wait.
    pub fn check(&self, name: &str) -> Result<(), Duration> {
        self.check_at(name, Instant::now())
    }

    fn check_at(&self, name: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(name.to_string()).or_insert(Bucket {
            available: self.burst,
            updated: now,
        });
        let refilled =
            now.saturating_duration_since(bucket.updated).as_secs_f64() * self.per_second;
        bucket.available = (bucket.available + refilled).min(self.burst);
        bucket.updated = now;
        if bucket.available >= 1.0 {
            bucket.available -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.available;
        Err(Duration::from_secs_f64(missing / self.per_second))
    }
}

impl Default for RateLimiter {
    fn default() -> RateLimiter {
        RateLimiter::new(DEFAULT_REQUESTS_PER_SECOND, DEFAULT_BURST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let limiter = RateLimiter::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", start).is_ok());
        }
        let wait = limiter.check_at("a", start).expect_err("empty");
        assert!(
            wait <= Duration::from_millis(100) && wait > Duration::ZERO,
            "{wait:?}"
        );
        // Another token has its own bucket.
        assert!(limiter.check_at("b", start).is_ok());
        // A tenth of a second later one request is back, not more.
        let later = start + Duration::from_millis(100);
        assert!(limiter.check_at("a", later).is_ok());
        assert!(limiter.check_at("a", later).is_err());
        // Idle for long, the bucket holds its burst and no more.
        let much_later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.check_at("a", much_later).is_ok());
        }
        assert!(limiter.check_at("a", much_later).is_err());
    }
}
