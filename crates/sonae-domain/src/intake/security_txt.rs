//! Settings of the report intake and the `security.txt` they produce
//! (RFC 9116).

use super::{is_email, InputError, DEFAULT_ACK_BUSINESS_DAYS};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What an administrator sets; kept as JSON in the settings table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityTxt {
    /// `mailto:` or `https://` URIs, most preferred first (RFC 9116 §2.5.3).
    pub contacts: Vec<String>,
    /// Last day the file is valid; rendered as the end of that day, UTC.
    pub expires: NaiveDate,
    pub preferred_languages: Vec<String>,
    pub policy: Option<String>,
    pub acknowledgments: Option<String>,
    /// The public form at `/report` takes reports.
    pub intake_enabled: bool,
    /// Business days allowed for the first answer to a reporter.
    pub ack_business_days: u32,
}

/// The raw form, as typed.
#[derive(Debug, Clone, Default)]
pub struct SecurityTxtForm {
    pub contacts: String,
    pub expires: String,
    pub preferred_languages: String,
    pub policy: String,
    pub acknowledgments: String,
    pub intake_enabled: bool,
    pub ack_business_days: String,
}

const MAX_URI: usize = 2000;
pub const MAX_ACK_DAYS: u32 = 30;

/// An `https://` URL with a host and nothing that could break the line.
pub fn is_https_url(s: &str) -> bool {
    s.len() <= MAX_URI
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.strip_prefix("https://").is_some_and(|rest| {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains('@')
        })
}

fn is_language_tag(s: &str) -> bool {
    // RFC 5646 in the shape security.txt uses: "ja", "en", "pt-BR", "zh-Hant".
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// One contact line: a `mailto:` address, an `https://` URL, or a bare
/// e-mail address (made into `mailto:`).
fn parse_contact(s: &str) -> Option<String> {
    if let Some(addr) = s.strip_prefix("mailto:") {
        return is_email(addr).then(|| s.to_owned());
    }
    if is_https_url(s) {
        return Some(s.to_owned());
    }
    is_email(s).then(|| format!("mailto:{s}"))
}

impl SecurityTxt {
    /// Defaults for the form when nothing is saved: valid for a year,
    /// Japanese and English, the intake open, two business days.
    pub fn defaults(today: NaiveDate) -> SecurityTxtForm {
        SecurityTxtForm {
            contacts: String::new(),
            expires: (today + Duration::days(365)).format("%Y-%m-%d").to_string(),
            preferred_languages: "ja, en".to_owned(),
            policy: String::new(),
            acknowledgments: String::new(),
            intake_enabled: true,
            ack_business_days: DEFAULT_ACK_BUSINESS_DAYS.to_string(),
        }
    }

    pub fn to_form(&self) -> SecurityTxtForm {
        SecurityTxtForm {
            contacts: self.contacts.join("\n"),
            expires: self.expires.format("%Y-%m-%d").to_string(),
            preferred_languages: self.preferred_languages.join(", "),
            policy: self.policy.clone().unwrap_or_default(),
            acknowledgments: self.acknowledgments.clone().unwrap_or_default(),
            intake_enabled: self.intake_enabled,
            ack_business_days: self.ack_business_days.to_string(),
        }
    }

    /// Parse the form. `today` is the date now in the organization's zone.
    pub fn parse(f: &SecurityTxtForm, today: NaiveDate) -> Result<SecurityTxt, Vec<InputError>> {
        let mut errors = Vec::new();
        let mut contacts = Vec::new();
        for line in f.contacts.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match parse_contact(line) {
                Some(c) if !contacts.contains(&c) => contacts.push(c),
                Some(_) => {}
                None => {
                    errors.push(InputError::new("contacts", "intake-err-contact"));
                    break;
                }
            }
        }
        if contacts.is_empty() && errors.is_empty() {
            errors.push(InputError::new("contacts", "intake-err-contact-required"));
        }
        let raw = f.expires.trim().replace('/', "-");
        let expires = match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
            _ if raw.is_empty() => {
                errors.push(InputError::new("expires", "intake-err-required"));
                None
            }
            Err(_) => {
                errors.push(InputError::new("expires", "intake-err-date"));
                None
            }
            Ok(d) if d <= today => {
                errors.push(InputError::new("expires", "intake-err-expires-past"));
                None
            }
            // RFC 9116 §2.5.5: less than a year ahead is recommended, so
            // that a forgotten file goes stale rather than misleading.
            Ok(d) if d > today + Duration::days(366) => {
                errors.push(InputError::new("expires", "intake-err-expires-far"));
                None
            }
            Ok(d) => Some(d),
        };
        let languages: Vec<String> = f
            .preferred_languages
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if languages.iter().any(|l| !is_language_tag(l)) || languages.len() > 10 {
            errors.push(InputError::new(
                "preferred_languages",
                "intake-err-languages",
            ));
        }
        let url = |field: &'static str, raw: &str, errors: &mut Vec<InputError>| {
            let s = raw.trim();
            if s.is_empty() {
                None
            } else if is_https_url(s) {
                Some(s.to_owned())
            } else {
                errors.push(InputError::new(field, "intake-err-https"));
                None
            }
        };
        let policy = url("policy", &f.policy, &mut errors);
        let acknowledgments = url("acknowledgments", &f.acknowledgments, &mut errors);
        let days = match f.ack_business_days.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_ACK_DAYS).contains(&n) => n,
            _ => {
                errors.push(InputError::new("ack_business_days", "intake-err-ack-days"));
                DEFAULT_ACK_BUSINESS_DAYS
            }
        };
        match expires {
            Some(expires) if errors.is_empty() => Ok(SecurityTxt {
                contacts,
                expires,
                preferred_languages: languages,
                policy,
                acknowledgments,
                intake_enabled: f.intake_enabled,
                ack_business_days: days,
            }),
            _ => Err(errors),
        }
    }

    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires.and_hms_opt(23, 59, 59).map(|t| t.and_utc())
    }

    /// The file. `base_url` is the public address of this server.
    pub fn render(&self, base_url: &str) -> String {
        let base = base_url.trim_end_matches('/');
        let mut out = String::from("# RFC 9116\n");
        for c in &self.contacts {
            out.push_str(&format!("Contact: {c}\n"));
        }
        if self.intake_enabled {
            out.push_str(&format!("Contact: {base}/report\n"));
        }
        if let Some(t) = self.expires_at() {
            out.push_str(&format!(
                "Expires: {}\n",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        if !self.preferred_languages.is_empty() {
            out.push_str(&format!(
                "Preferred-Languages: {}\n",
                self.preferred_languages.join(", ")
            ));
        }
        if let Some(p) = &self.policy {
            out.push_str(&format!("Policy: {p}\n"));
        }
        if let Some(a) = &self.acknowledgments {
            out.push_str(&format!("Acknowledgments: {a}\n"));
        }
        out.push_str(&format!("Canonical: {base}/.well-known/security.txt\n"));
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn form() -> SecurityTxtForm {
        SecurityTxtForm {
            contacts: "security@example.jp\nhttps://example.jp/contact\n".into(),
            ..SecurityTxt::defaults(today())
        }
    }

    #[test]
    fn defaults_render_an_rfc_9116_file() {
        let s = SecurityTxt::parse(&form(), today()).unwrap();
        assert_eq!(s.expires, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        assert_eq!(
            s.render("https://sonae.example.jp/"),
            "# RFC 9116\n\
             Contact: mailto:security@example.jp\n\
             Contact: https://example.jp/contact\n\
             Contact: https://sonae.example.jp/report\n\
             Expires: 2026-06-01T23:59:59Z\n\
             Preferred-Languages: ja, en\n\
             Canonical: https://sonae.example.jp/.well-known/security.txt\n"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let f = SecurityTxtForm {
            contacts: "ftp://example.jp".into(),
            expires: "2025-05-31".into(),
            preferred_languages: "ja, 日本語".into(),
            policy: "http://example.jp/policy".into(),
            acknowledgments: String::new(),
            intake_enabled: false,
            ack_business_days: "0".into(),
        };
        let keys: Vec<_> = SecurityTxt::parse(&f, today())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("contacts", "intake-err-contact"),
                ("expires", "intake-err-expires-past"),
                ("preferred_languages", "intake-err-languages"),
                ("policy", "intake-err-https"),
                ("ack_business_days", "intake-err-ack-days"),
            ]
        );
        let none = SecurityTxtForm {
            contacts: " \n".into(),
            expires: "2027-06-01".into(),
            ..form()
        };
        let keys: Vec<_> = SecurityTxt::parse(&none, today())
            .unwrap_err()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(
            keys,
            vec!["intake-err-contact-required", "intake-err-expires-far"]
        );
    }

    #[test]
    fn contact_lines_cannot_inject_fields() {
        let f = SecurityTxtForm {
            contacts: "https://example.jp/a\rExpires: never".into(),
            ..form()
        };
        assert!(SecurityTxt::parse(&f, today()).is_err());
    }
}
