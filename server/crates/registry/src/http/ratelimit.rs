//! Reading `Retry-After` and the `RateLimit-*` headers (Docker Hub sends
//! `ratelimit-remaining: 76;w=21600`), so layerwise stops asking a registry that said to wait.

use super::{lock, HttpDistribution};
use crate::RegistryError;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `Retry-After`: delay-seconds or an HTTP date. `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(7 * 86_400)));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now).min(7 * 86_400)))
}

/// When `RateLimit-Remaining` says nothing is left: how long to hold off (`RateLimit-Reset`
/// seconds when sent, else a minute — the 429 that follows will carry `Retry-After`).
pub fn exhausted_for(headers: &HeaderMap) -> Option<Duration> {
    let remaining = header_number(headers, "ratelimit-remaining")?;
    if remaining > 0 {
        return None;
    }
    let reset = header_number(headers, "ratelimit-reset").unwrap_or(60);
    Some(Duration::from_secs(reset.clamp(1, 6 * 3600)))
}

/// The leading number of `76;w=21600`.
fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    let v = headers.get(name)?.to_str().ok()?;
    v.split([';', ',']).next()?.trim().parse().ok()
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to seconds since the epoch. The obsolete HTTP
/// date formats are not accepted; a registry sending one just gets no retry time.
fn parse_http_date(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_ascii_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let day: u64 = parts[1].parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])? as u64
        + 1;
    let year: u64 = parts[3].parse().ok()?;
    let hms: Vec<u64> = parts[4]
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3
        || !(1..=31).contains(&day)
        || !(1970..=9999).contains(&year)
        || hms[0] > 23
        || hms[1] > 59
        || hms[2] > 60
    {
        return None;
    }
    // Days from civil date (proleptic Gregorian), as in Howard Hinnant's algorithm.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}

/// Holding off a host that said to wait, so no request is sent to it until then.
impl HttpDistribution {
    /// A rate-limit error while `host` is held off; clears the hold once it has passed.
    pub(super) fn check_blocked(&self, host: &str, registry: &str) -> Result<(), RegistryError> {
        let mut blocked = lock(&self.blocked);
        if let Some(until) = blocked.get(host).copied() {
            let now = Instant::now();
            if until > now {
                return Err(RegistryError::RateLimited {
                    registry: registry.to_string(),
                    retry_after_secs: Some((until - now).as_secs().max(1)),
                });
            }
            blocked.remove(host);
        }
        Ok(())
    }

    /// Holds `host` off when an answer says to wait (429, or no requests left); how long.
    pub(super) fn note_rate_limit(
        &self,
        host: &str,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        let wait = if status == StatusCode::TOO_MANY_REQUESTS {
            Some(retry_after(headers, SystemTime::now()).unwrap_or(Duration::from_secs(60)))
        } else {
            exhausted_for(headers)
        };
        if let Some(w) = wait {
            tracing::warn!(
                host,
                wait_secs = w.as_secs(),
                "registry rate limit reached; holding off"
            );
            lock(&self.blocked).insert(host.to_string(), Instant::now() + w);
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            retry_after(&headers(&[("retry-after", "120")]), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 06 Nov 1994 08:51:37 GMT")]),
                now
            ),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]),
                now
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&headers(&[]), now), None);
    }

    #[test]
    fn docker_hub_rate_limit_headers() {
        assert_eq!(
            exhausted_for(&headers(&[("ratelimit-remaining", "76;w=21600")])),
            None
        );
        assert_eq!(
            exhausted_for(&headers(&[("ratelimit-remaining", "0;w=21600")])),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            exhausted_for(&headers(&[
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "30")
            ])),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            exhausted_for(&headers(&[("ratelimit-remaining", "x")])),
            None
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sat, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:00:00 GMT"), None);
    }
}
