//! A report from outside and its life: received → acknowledged → triaging →
//! accepted / rejected / duplicate → fixed / closed.

use super::{is_email, InputError};
use crate::vuln::{CveId, JvnDbId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    Received,
    Acknowledged,
    Triaging,
    Accepted,
    Rejected,
    Duplicate,
    Fixed,
    Closed,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 8] = [
        ReportStatus::Received,
        ReportStatus::Acknowledged,
        ReportStatus::Triaging,
        ReportStatus::Accepted,
        ReportStatus::Rejected,
        ReportStatus::Duplicate,
        ReportStatus::Fixed,
        ReportStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Acknowledged => "acknowledged",
            ReportStatus::Triaging => "triaging",
            ReportStatus::Accepted => "accepted",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Duplicate => "duplicate",
            ReportStatus::Fixed => "fixed",
            ReportStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Where a report may go from here. Any step after "received" counts as
    /// the acknowledgement; a closed report may be re-opened for triage
    /// (the reporter writes back with new facts).
    pub fn next(self) -> &'static [ReportStatus] {
        use ReportStatus::*;
        match self {
            Received => &[Acknowledged, Triaging, Rejected, Duplicate],
            Acknowledged => &[Triaging, Accepted, Rejected, Duplicate],
            Triaging => &[Accepted, Rejected, Duplicate],
            Accepted => &[Fixed, Closed],
            Rejected | Duplicate | Fixed => &[Closed, Triaging],
            Closed => &[Triaging],
        }
    }

    pub fn may_become(self, to: ReportStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// Still waiting for the first answer to the reporter.
    pub fn awaits_acknowledgement(self) -> bool {
        self == ReportStatus::Received
    }
}

/// Overdue: not acknowledged by the deadline.
pub fn ack_overdue(status: ReportStatus, ack_due_at_ms: i64, now_ms: i64) -> bool {
    status.awaits_acknowledgement() && now_ms >= ack_due_at_ms
}

pub const MAX_NAME: usize = 200;
pub const MAX_PRODUCT: usize = 500;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MIN_DESCRIPTION: usize = 10;
pub const MAX_MESSAGE: usize = 20_000;
pub const MAX_IDS: usize = 20;

/// What a reporter submits, parsed: trimmed, within limits, the e-mail
/// address checked and the CVE/JVN ids in their canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub product: String,
    pub description: String,
    pub vuln_ids: Vec<String>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Text of a free-form field: control characters other than line breaks and
/// tabs are dropped (they have no place in a report and can hide text).
pub fn clean_text(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace("\r\n", "\n")
}

/// Vulnerability ids separated by spaces or commas (ASCII or Japanese).
pub fn parse_vuln_ids(field: &'static str, raw: &str) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::new();
    for part in raw
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '、' | '，' | ';'))
        .filter(|p| !p.is_empty())
    {
        let id = CveId::parse(part)
            .map(|c| c.as_str().to_owned())
            .or_else(|| JvnDbId::parse(part).map(|j| j.as_str().to_owned()))
            .ok_or_else(|| InputError::new(field, "intake-err-vuln-id"))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_IDS {
        return Err(InputError::new(field, "intake-err-too-many-ids"));
    }
    Ok(out)
}

impl ReportInput {
    pub fn parse(
        name: &str,
        email: &str,
        product: &str,
        description: &str,
        vuln_ids: &str,
    ) -> Result<ReportInput, Vec<InputError>> {
        let mut errors = Vec::new();
        let name = clean_text(name);
        if chars(&name) > MAX_NAME {
            errors.push(InputError::too_long("reporter_name", MAX_NAME));
        }
        let email = email.trim().to_owned();
        if !email.is_empty() && !is_email(&email) {
            errors.push(InputError::new("reporter_email", "intake-err-email"));
        }
        let product = clean_text(product);
        if product.is_empty() {
            errors.push(InputError::new("product", "intake-err-required"));
        } else if chars(&product) > MAX_PRODUCT {
            errors.push(InputError::too_long("product", MAX_PRODUCT));
        }
        let description = clean_text(description);
        if description.is_empty() {
            errors.push(InputError::new("description", "intake-err-required"));
        } else if chars(&description) < MIN_DESCRIPTION {
            errors.push(InputError::new("description", "intake-err-too-short"));
        } else if chars(&description) > MAX_DESCRIPTION {
            errors.push(InputError::too_long("description", MAX_DESCRIPTION));
        }
        let ids = match parse_vuln_ids("vuln_ids", vuln_ids) {
            Ok(ids) => ids,
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ReportInput {
            reporter_name: (!name.is_empty()).then_some(name),
            reporter_email: (!email.is_empty()).then_some(email),
            product,
            description,
            vuln_ids: ids,
        })
    }
}

/// A message to or from the reporter, or an internal note.
pub fn parse_message(raw: &str) -> Result<String, InputError> {
    let text = clean_text(raw);
    if text.is_empty() {
        Err(InputError::new("body", "intake-err-required"))
    } else if chars(&text) > MAX_MESSAGE {
        Err(InputError::too_long("body", MAX_MESSAGE))
    } else {
        Ok(text)
    }
}

/// A tracking reference: `VR-` and 16 characters of Crockford base32 from
/// 10 random bytes (80 bits), grouped for reading aloud on the phone.
pub fn reference_from(random: &[u8; 10]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut s = String::from("VR-");
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let idx = ((bits >> (75 - 5 * i)) & 31) as usize;
        s.push(char::from(ALPHABET[idx]));
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_good_report_is_parsed_and_cleaned() {
        let r = ReportInput::parse(
            "  山田 太郎 ",
            "taro@example.jp",
            "https://shop.example.jp/",
            "XSS in the search box\r\nwhen q contains <script>\u{0007}",
            "cve-2024-3094、JVNDB-2023-000123, CVE-2024-3094",
        )
        .unwrap();
        assert_eq!(r.reporter_name.as_deref(), Some("山田 太郎"));
        assert_eq!(
            r.description,
            "XSS in the search box\nwhen q contains <script>"
        );
        assert_eq!(r.vuln_ids, vec!["CVE-2024-3094", "JVNDB-2023-000123"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errs = ReportInput::parse(&"x".repeat(201), "not-an-address", "", "short", "CVE-24-1")
            .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field, e.key)).collect();
        assert_eq!(
            fields,
            vec![
                ("reporter_name", "intake-err-too-long"),
                ("reporter_email", "intake-err-email"),
                ("product", "intake-err-required"),
                ("description", "intake-err-too-short"),
                ("vuln_ids", "intake-err-vuln-id"),
            ]
        );
        let long = "あ".repeat(MAX_DESCRIPTION + 1);
        let errs = ReportInput::parse("", "", "p", &long, "").unwrap_err();
        assert_eq!(errs[0].max, Some(MAX_DESCRIPTION));
    }

    #[test]
    fn the_life_of_a_report() {
        use ReportStatus::*;
        assert!(Received.may_become(Acknowledged));
        assert!(Acknowledged.may_become(Accepted));
        assert!(Accepted.may_become(Fixed));
        assert!(Fixed.may_become(Closed));
        assert!(!Received.may_become(Fixed));
        assert!(!Closed.may_become(Received));
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
            assert!(
                !s.next().contains(&Received),
                "nothing goes back to received"
            );
        }
    }

    #[test]
    fn overdue_only_while_unacknowledged() {
        assert!(ack_overdue(ReportStatus::Received, 100, 100));
        assert!(!ack_overdue(ReportStatus::Received, 100, 99));
        assert!(!ack_overdue(ReportStatus::Acknowledged, 100, 1000));
    }

    #[test]
    fn references_are_grouped_base32() {
        let r = reference_from(&[0xff; 10]);
        assert_eq!(r, "VR-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let r = reference_from(&[0; 10]);
        assert_eq!(r, "VR-0000-0000-0000-0000");
    }
}
