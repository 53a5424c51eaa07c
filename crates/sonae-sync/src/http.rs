//! HTTP fetching for the feeds: timeouts, retries with exponential backoff
//! on server errors, dropped connections and truncated bodies, `Retry-After`
//! on rate-limit answers, a minimum spacing between requests, and a size cap.

use reqwest::StatusCode;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub struct HttpPolicy {
    pub timeout: Duration,
    pub retries: u32,
    /// First backoff; doubled after each failed attempt.
    pub backoff: Duration,
    /// Longest wait honoured from a Retry-After header.
    pub max_retry_after: Duration,
    pub max_body_bytes: u64,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            timeout: Duration::from_secs(120),
            retries: 5,
            backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(120),
            max_body_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// An answer that retrying will not change (404, 401, …).
    #[error("HTTP {status} from {url}")]
    Status { status: u16, url: String },
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: gave up after {attempts} attempts: {last}")]
    GaveUp {
        url: String,
        attempts: u32,
        last: String,
    },
    #[error("bad URL {0}")]
    Url(String),
}

pub struct Fetcher {
    client: reqwest::Client,
    pub policy: HttpPolicy,
    /// Minimum time between two requests of this fetcher (feed rate limits).
    spacing: Duration,
    last: Mutex<Option<Instant>>,
}

impl Fetcher {
    pub fn new(policy: HttpPolicy, spacing: Duration) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .user_agent(concat!("sonae/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Url(e.to_string()))?;
        Ok(Fetcher {
            client,
            policy,
            spacing,
            last: Mutex::new(None),
        })
    }

    async fn pace(&self) {
        let mut last = self.last.lock().await;
        if let Some(t) = *last {
            let next = t + self.spacing;
            if next > Instant::now() {
                tokio::time::sleep_until(next).await;
            }
        }
        *last = Some(Instant::now());
    }

    /// GET a URL, retrying what may pass on a second try; `check` validates
    /// the complete body (a parse that fails on a cut-off body counts as a
    /// truncated download and is retried too).
    pub async fn get_checked<T>(
        &self,
        url: &str,
        headers: &[(&str, String)],
        mut check: impl FnMut(Vec<u8>) -> Result<T, String>,
    ) -> Result<T, FetchError> {
        let mut last_error = String::new();
        let attempts = self.policy.retries + 1;
        for attempt in 0..attempts {
            if attempt > 0 {
                let wait = self.policy.backoff * 2u32.saturating_pow(attempt - 1);
                tokio::time::sleep(wait).await;
            }
            self.pace().await;
            let mut req = self.client.get(url);
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    last_error = format!("request failed: {e}");
                    tracing::warn!(%url, attempt, error = %last_error, "feed fetch");
                    continue;
                }
            };
            let status = resp.status();
            if status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE
                || status == StatusCode::FORBIDDEN
            {
                // NVD answers 403 when the rate limit is exceeded; CDNs 429/503.
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                last_error = format!("HTTP {}", status.as_u16());
                tracing::warn!(%url, attempt, status = status.as_u16(), "feed rate-limited or unavailable");
                if let Some(wait) = retry_after {
                    tokio::time::sleep(wait.min(self.policy.max_retry_after)).await;
                }
                continue;
            }
            if status.is_server_error() {
                last_error = format!("HTTP {}", status.as_u16());
                tracing::warn!(%url, attempt, status = status.as_u16(), "feed server error");
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    status: status.as_u16(),
                    url: url.to_owned(),
                });
            }
            if resp
                .content_length()
                .is_some_and(|n| n > self.policy.max_body_bytes)
            {
                return Err(FetchError::TooLarge {
                    url: url.to_owned(),
                    limit: self.policy.max_body_bytes,
                });
            }
            let mut resp = resp;
            let mut body = Vec::new();
            let mut broken = None;
            loop {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if body.len() as u64 + c.len() as u64 > self.policy.max_body_bytes {
                            return Err(FetchError::TooLarge {
                                url: url.to_owned(),
                                limit: self.policy.max_body_bytes,
                            });
                        }
                        body.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        broken = Some(format!("body cut off: {e}"));
                        break;
                    }
                }
            }
            if let Some(b) = broken {
                last_error = b;
                tracing::warn!(%url, attempt, error = %last_error, "feed fetch");
                continue;
            }
            match check(body) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    last_error = format!("unreadable body: {e}");
                    tracing::warn!(%url, attempt, error = %last_error, "feed fetch");
                }
            }
        }
        Err(FetchError::GaveUp {
            url: url.to_owned(),
            attempts,
            last: last_error,
        })
    }
}
