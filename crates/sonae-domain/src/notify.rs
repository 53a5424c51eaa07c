//! Notifications (DESIGN §4 "reminders and escalation", §9): which events a
//! finding raises at a given time, who may ask for which, and when a daily
//! digest is due. Pure rules; the notifier finds the findings, the store
//! keeps the sent-log that makes every notification go out at most once.

use crate::access::Role;
use crate::value::{FieldError, FieldErrorKind};
use crate::workflow::Status;
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

pub const DAY_MS: i64 = 86_400_000;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A new (not yet worked on) P1 or P2 finding.
    NewHigh,
    /// Open, and due within the configured days.
    DueSoon,
    /// Open and past its due date.
    Overdue,
    /// Overdue past the escalation delay: the department head is told.
    Escalation,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::NewHigh,
        EventKind::DueSoon,
        EventKind::Overdue,
        EventKind::Escalation,
    ];
    /// The events a person can subscribe to (escalation goes to department heads).
    pub const SUBSCRIBABLE: [EventKind; 3] =
        [EventKind::NewHigh, EventKind::DueSoon, EventKind::Overdue];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::NewHigh => "new_high",
            EventKind::DueSoon => "due_soon",
            EventKind::Overdue => "overdue",
            EventKind::Escalation => "escalation",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A comma-separated list, unknown names dropped.
    pub fn parse_list(s: &str) -> Vec<EventKind> {
        let mut v: Vec<EventKind> = s.split(',').filter_map(|p| Self::parse(p.trim())).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn join(list: &[EventKind]) -> String {
        list.iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Immediate mails as events happen, or one mail a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Immediate,
    Digest,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Digest => "digest",
        }
    }
    pub fn parse(s: &str) -> Option<Delivery> {
        match s {
            "immediate" => Some(Delivery::Immediate),
            "digest" => Some(Delivery::Digest),
            _ => None,
        }
    }
}

/// One user's notification preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    pub email: Option<String>,
    pub events: Vec<EventKind>,
    pub delivery: Delivery,
    /// "ja" or "en".
    pub lang: String,
}

impl Prefs {
    /// What a user who never opened the page gets: the people who fix
    /// findings hear of their own; readers (executives, auditors) and
    /// administrators choose for themselves.
    pub fn default_for(role: Role, email: Option<String>, lang: Option<String>) -> Prefs {
        let events = match role {
            Role::SystemOwner | Role::Vendor | Role::SecurityOfficer => {
                EventKind::SUBSCRIBABLE.to_vec()
            }
            Role::Admin | Role::Executive | Role::Auditor => Vec::new(),
        };
        Prefs {
            email,
            events,
            delivery: Delivery::Immediate,
            lang: lang
                .filter(|l| l == "en" || l == "ja")
                .unwrap_or_else(|| "ja".to_owned()),
        }
    }

    /// Parse the preferences form; every bad field is named.
    pub fn parse_form(
        email: &str,
        events: &[String],
        delivery: &str,
        lang: &str,
    ) -> Result<Prefs, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = email.trim();
        let email = if email.is_empty() {
            None
        } else if is_email(email) {
            Some(email.to_owned())
        } else {
            errors.push(FieldError {
                field: "email",
                kind: FieldErrorKind::NotEmail,
            });
            None
        };
        let mut ev = Vec::new();
        for e in events {
            match EventKind::parse(e).filter(|k| EventKind::SUBSCRIBABLE.contains(k)) {
                Some(k) => ev.push(k),
                None => errors.push(FieldError {
                    field: "events",
                    kind: FieldErrorKind::NotInList,
                }),
            }
        }
        ev.sort();
        ev.dedup();
        let delivery = Delivery::parse(delivery).unwrap_or_else(|| {
            errors.push(FieldError {
                field: "delivery",
                kind: FieldErrorKind::NotInList,
            });
            Delivery::Immediate
        });
        if lang != "ja" && lang != "en" {
            errors.push(FieldError {
                field: "lang",
                kind: FieldErrorKind::NotInList,
            });
        }
        if errors.is_empty() {
            Ok(Prefs {
                email,
                events: ev,
                delivery,
                lang: lang.to_owned(),
            })
        } else {
            Err(errors)
        }
    }
}

/// The same rule as the inventory's e-mail fields.
pub fn is_email(s: &str) -> bool {
    s.len() <= 254
        && !s.contains(char::is_whitespace)
        && !s.contains(['<', '>', ',', ';', '"'])
        && s.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.contains('@')
        })
}

/// Timing settings of the notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// "Due soon" this many days before the due date (default 3).
    pub due_soon_days: i64,
    /// Escalate this many days after the due date has passed (default 0:
    /// as soon as the finding is overdue, i.e. on the day after).
    pub escalate_after_days: i64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            due_soon_days: 3,
            escalate_after_days: 0,
        }
    }
}

/// What the rules need of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFacts<'a> {
    pub status: &'a str,
    pub priority: Option<&'a str>,
    pub due_at_ms: Option<i64>,
}

/// The events a finding raises at `now_ms`. Closed findings raise none;
/// each event is sent once per recipient (the sent-log sees to that), so
/// this only says what is true now.
pub fn events_for(f: &FindingFacts<'_>, t: Timing, now_ms: i64) -> Vec<EventKind> {
    let Some(status) = Status::parse(f.status).filter(|s| s.is_open()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if status == Status::New && matches!(f.priority, Some("p1" | "p2")) {
        out.push(EventKind::NewHigh);
    }
    if let Some(due) = f.due_at_ms {
        if due < now_ms {
            out.push(EventKind::Overdue);
            if now_ms >= due + t.escalate_after_days.max(0) * DAY_MS {
                out.push(EventKind::Escalation);
            }
        } else if due - now_ms <= t.due_soon_days.max(0) * DAY_MS {
            out.push(EventKind::DueSoon);
        }
    }
    out
}

/// The local date whose digest is due at local time `now`, if it is the
/// digest hour or later and that date's digest has not gone out yet.
pub fn digest_due(
    now_local: NaiveDateTime,
    digest_hour: u32,
    last_sent: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let today = now_local.date();
    (now_local.hour() >= digest_hour && last_sent != Some(today)).then_some(today)
}

/// Back-off before the next attempt after `attempts` failures: 1, 2, 4 …
/// times the base, at most a day.
pub fn retry_delay_ms(base_ms: i64, attempts: i64) -> i64 {
    let factor = 1i64 << attempts.clamp(1, 20).saturating_sub(1);
    base_ms.saturating_mul(factor).min(DAY_MS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn f<'a>(status: &'a str, p: &'a str, due: Option<i64>) -> FindingFacts<'a> {
        FindingFacts {
            status,
            priority: Some(p),
            due_at_ms: due,
        }
    }

    #[test]
    fn new_high_only_for_untouched_p1_p2() {
        let t = Timing::default();
        assert_eq!(
            events_for(&f("new", "p1", None), t, 0),
            vec![EventKind::NewHigh]
        );
        assert_eq!(
            events_for(&f("new", "p2", None), t, 0),
            vec![EventKind::NewHigh]
        );
        assert!(events_for(&f("new", "p3", None), t, 0).is_empty());
        assert!(events_for(&f("investigating", "p1", None), t, 0).is_empty());
    }

    #[test]
    fn due_soon_overdue_and_escalation_follow_the_due_date() {
        let t = Timing::default();
        let due = 10 * DAY_MS;
        assert!(events_for(&f("planning", "p3", Some(due)), t, 6 * DAY_MS).is_empty());
        assert_eq!(
            events_for(&f("planning", "p3", Some(due)), t, 7 * DAY_MS),
            vec![EventKind::DueSoon],
            "exactly three days before"
        );
        assert_eq!(
            events_for(&f("planning", "p3", Some(due)), t, due + 1),
            vec![EventKind::Overdue, EventKind::Escalation],
            "default: escalate as soon as overdue"
        );
        let late = Timing {
            escalate_after_days: 2,
            ..t
        };
        assert_eq!(
            events_for(&f("planning", "p3", Some(due)), late, due + DAY_MS),
            vec![EventKind::Overdue]
        );
        assert_eq!(
            events_for(&f("planning", "p3", Some(due)), late, due + 2 * DAY_MS),
            vec![EventKind::Overdue, EventKind::Escalation]
        );
    }

    #[test]
    fn closed_findings_raise_nothing() {
        for s in [
            "verified",
            "not_affected",
            "mitigated",
            "risk_accepted",
            "bogus",
        ] {
            assert!(events_for(&f(s, "p1", Some(0)), Timing::default(), DAY_MS).is_empty());
        }
    }

    #[test]
    fn digest_once_a_day_from_its_hour() {
        let d = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let at = |h| d.and_hms_opt(h, 0, 0).unwrap();
        assert_eq!(digest_due(at(7), 8, None), None);
        assert_eq!(digest_due(at(8), 8, None), Some(d));
        assert_eq!(digest_due(at(15), 8, Some(d)), None);
        assert_eq!(digest_due(at(9), 8, d.pred_opt()), Some(d));
    }

    #[test]
    fn prefs_form_names_bad_fields_and_defaults_follow_role() {
        let e = Prefs::parse_form(
            "not an address",
            &["new_high".into(), "x".into()],
            "weekly",
            "fr",
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["email", "events", "delivery", "lang"]);
        let p = Prefs::parse_form(" a@b.jp ", &["overdue".into()], "digest", "en").unwrap();
        assert_eq!(p.email.as_deref(), Some("a@b.jp"));
        assert_eq!(p.events, vec![EventKind::Overdue]);
        assert_eq!(p.delivery, Delivery::Digest);
        assert!(Prefs::default_for(Role::Auditor, None, None)
            .events
            .is_empty());
        assert_eq!(
            Prefs::default_for(Role::SystemOwner, None, Some("en".into())).lang,
            "en"
        );
        assert!(!is_email("a@b.jp\r\nBcc: x@y.z"));
        assert!(!is_email("a@b@c.jp"));
    }

    #[test]
    fn retries_back_off_and_are_capped() {
        assert_eq!(retry_delay_ms(60_000, 1), 60_000);
        assert_eq!(retry_delay_ms(60_000, 3), 240_000);
        assert_eq!(retry_delay_ms(60_000, 40), DAY_MS);
    }

    #[test]
    fn event_lists_round_trip() {
        let l = EventKind::parse_list("overdue, new_high,junk,overdue");
        assert_eq!(l, vec![EventKind::NewHigh, EventKind::Overdue]);
        assert_eq!(EventKind::join(&l), "new_high,overdue");
    }
}
