//! Feed timestamps to RFC 3339 UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Normalize the timestamp forms the feeds use to RFC 3339 UTC seconds:
/// NVD 2.0 `2024-03-21T02:12:53.077` (no zone: UTC), NVD 1.1
/// `2017-03-17T00:59Z`, JVN `2018-03-08T12:00+09:00`, plain dates.
pub fn to_utc(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        );
    }
    for fmt in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            );
        }
    }
    let naive = s.trim_end_matches('Z');
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::to_utc;

    #[test]
    fn feed_forms() {
        assert_eq!(
            to_utc("2024-03-21T02:12:53.077").as_deref(),
            Some("2024-03-21T02:12:53Z")
        );
        assert_eq!(
            to_utc("2017-03-17T00:59Z").as_deref(),
            Some("2017-03-17T00:59:00Z")
        );
        assert_eq!(
            to_utc("2018-03-08T12:00+09:00").as_deref(),
            Some("2018-03-08T03:00:00Z")
        );
        assert_eq!(
            to_utc("2026-03-14T03:00:00.6258976").as_deref(),
            Some("2026-03-14T03:00:00Z")
        );
        assert_eq!(
            to_utc("2025-08-25").as_deref(),
            Some("2025-08-25T00:00:00Z")
        );
        assert_eq!(to_utc("yesterday"), None);
    }
}
