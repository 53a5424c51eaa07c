//! Public notices (risk communication, seed 000 "BCMの適用例３": the Bank of
//! Japan told the public about the DDoS on its site within hours and kept
//! adding time-stamped updates) and the post-incident review questions
//! (seed 001 column after NIST SP 800-61).
//!
//! A notice is drafted by the security officer, published by someone with
//! the approving role (admin or executive), extended by updates (each one
//! approved the same way) and at last withdrawn — withdrawal keeps the
//! notice and all its updates readable at their address.

use crate::value::{FieldError, FieldErrorKind};
use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Draft,
    Published,
    Withdrawn,
}

impl NoticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "draft",
            NoticeStatus::Published => "published",
            NoticeStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeStatus> {
        [
            NoticeStatus::Draft,
            NoticeStatus::Published,
            NoticeStatus::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    /// Seen by the public (a withdrawn notice stays readable, marked).
    pub fn is_public(self) -> bool {
        self != NoticeStatus::Draft
    }
}

/// What can be done to a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeStep {
    Edit,
    Publish,
    Update,
    Withdraw,
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeRefusal {
    /// The role may not take this step.
    Role,
    /// Not from the notice's present status.
    Status,
}

/// Roles that write drafts and updates (drafts of them).
pub fn may_draft(role: Role) -> bool {
    matches!(role, Role::Admin | Role::SecurityOfficer | Role::Executive)
}

/// Roles that approve what goes public: publishing, each update,
/// withdrawal (DESIGN "who uses it": the executive approves public
/// statements; the admin stands in).
pub fn may_approve(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Executive)
}

/// Roles that see the staff pages (drafts included).
pub fn may_read_staff(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::SecurityOfficer | Role::Executive | Role::Auditor
    )
}

/// The rule for every step: who, and from which status.
pub fn check_step(role: Role, status: NoticeStatus, step: NoticeStep) -> Result<(), NoticeRefusal> {
    let (role_ok, status_ok) = match step {
        NoticeStep::Edit => (may_draft(role), status == NoticeStatus::Draft),
        NoticeStep::Publish => (may_approve(role), status == NoticeStatus::Draft),
        NoticeStep::Update => (may_approve(role), status == NoticeStatus::Published),
        NoticeStep::Withdraw => (may_approve(role), status == NoticeStatus::Published),
    };
    if !role_ok {
        Err(NoticeRefusal::Role)
    } else if !status_ok {
        Err(NoticeRefusal::Status)
    } else {
        Ok(())
    }
}

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;

/// A notice's text in both languages (English optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoticeText {
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
}

fn check_len(e: &mut Vec<FieldError>, field: &'static str, v: &str, max: usize, required: bool) {
    if required && v.trim().is_empty() {
        e.push(FieldError {
            field,
            kind: FieldErrorKind::Required,
        });
    } else if v.chars().count() > max {
        e.push(FieldError {
            field,
            kind: FieldErrorKind::TooLong { max },
        });
    }
}

impl NoticeText {
    /// Trimmed, checked: Japanese title and body are required; English is
    /// optional but a title needs its body and the other way round.
    pub fn parse(self) -> Result<NoticeText, Vec<FieldError>> {
        let t = NoticeText {
            title_ja: self.title_ja.trim().to_owned(),
            body_ja: self.body_ja.trim().to_owned(),
            title_en: self.title_en.trim().to_owned(),
            body_en: self.body_en.trim().to_owned(),
        };
        let mut e = Vec::new();
        check_len(&mut e, "title_ja", &t.title_ja, TITLE_MAX, true);
        check_len(&mut e, "body_ja", &t.body_ja, BODY_MAX, true);
        let en = !t.title_en.is_empty() || !t.body_en.is_empty();
        check_len(&mut e, "title_en", &t.title_en, TITLE_MAX, en);
        check_len(&mut e, "body_en", &t.body_en, BODY_MAX, en);
        if e.is_empty() {
            Ok(t)
        } else {
            Err(e)
        }
    }

    /// The title and body for a reader: English when asked for and
    /// written, Japanese otherwise.
    pub fn localized(&self, english: bool) -> (&str, &str) {
        if english && !self.title_en.is_empty() {
            (&self.title_en, &self.body_en)
        } else {
            (&self.title_ja, &self.body_ja)
        }
    }
}

/// An update's text: Japanese required, English optional.
pub fn parse_update(body_ja: &str, body_en: &str) -> Result<(String, String), Vec<FieldError>> {
    let (ja, en) = (body_ja.trim().to_owned(), body_en.trim().to_owned());
    let mut e = Vec::new();
    check_len(&mut e, "body_ja", &ja, BODY_MAX, true);
    check_len(&mut e, "body_en", &en, BODY_MAX, false);
    if e.is_empty() {
        Ok((ja, en))
    } else {
        Err(e)
    }
}

// ---- post-incident review -----------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ReviewQuestion {
    pub id: String,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ReviewCatalog {
    pub source: String,
    pub questions: Vec<ReviewQuestion>,
}

pub const REVIEW_TOML: &str = include_str!("../../../catalogs/review-questions.toml");

pub const ANSWER_MAX: usize = 20_000;

/// Parse and check a review-question catalog: ids unique and lower-case.
pub fn parse_review(text: &str) -> Result<ReviewCatalog, String> {
    let c: ReviewCatalog = toml::from_str(text).map_err(|e| e.to_string())?;
    if c.questions.is_empty() {
        return Err("review catalog has no questions".into());
    }
    let mut seen = std::collections::HashSet::new();
    for q in &c.questions {
        if q.id.is_empty()
            || !q
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("bad question id {:?}", q.id));
        }
        if !seen.insert(q.id.clone()) {
            return Err(format!("question {} appears twice", q.id));
        }
        if q.ja.trim().is_empty() || q.en.trim().is_empty() {
            return Err(format!("question {} needs ja and en", q.id));
        }
    }
    Ok(c)
}

/// The shipped review questions.
pub fn review_questions() -> Result<ReviewCatalog, String> {
    parse_review(REVIEW_TOML)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_officer_drafts_and_only_approvers_publish_update_and_withdraw() {
        use NoticeStatus::*;
        use NoticeStep::*;
        assert_eq!(check_step(Role::SecurityOfficer, Draft, Edit), Ok(()));
        assert_eq!(
            check_step(Role::SecurityOfficer, Draft, Publish),
            Err(NoticeRefusal::Role)
        );
        assert_eq!(check_step(Role::Executive, Draft, Publish), Ok(()));
        assert_eq!(check_step(Role::Admin, Draft, Publish), Ok(()));
        assert_eq!(
            check_step(Role::SecurityOfficer, Published, Update),
            Err(NoticeRefusal::Role)
        );
        assert_eq!(check_step(Role::Executive, Published, Update), Ok(()));
        assert_eq!(
            check_step(Role::Executive, Draft, Update),
            Err(NoticeRefusal::Status)
        );
        assert_eq!(
            check_step(Role::Admin, Published, Edit),
            Err(NoticeRefusal::Status)
        );
        assert_eq!(check_step(Role::Admin, Published, Withdraw), Ok(()));
        assert_eq!(
            check_step(Role::Admin, Withdrawn, Withdraw),
            Err(NoticeRefusal::Status)
        );
        assert_eq!(
            check_step(Role::Admin, Withdrawn, Publish),
            Err(NoticeRefusal::Status)
        );
        for r in [Role::Vendor, Role::SystemOwner, Role::Auditor] {
            assert_eq!(check_step(r, Draft, Edit), Err(NoticeRefusal::Role));
        }
        assert!(!Draft.is_public() && Published.is_public() && Withdrawn.is_public());
    }

    #[test]
    fn text_needs_japanese_and_english_comes_in_pairs() {
        let e = NoticeText::default().parse().unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title_ja", "body_ja"]);
        let t = NoticeText {
            title_ja: " 障害 ".into(),
            body_ja: "本文".into(),
            title_en: "Outage".into(),
            body_en: String::new(),
        };
        let e = t.clone().parse().unwrap_err();
        assert_eq!(e[0].field, "body_en");
        let ok = NoticeText {
            title_en: String::new(),
            ..t
        }
        .parse()
        .unwrap();
        assert_eq!(ok.title_ja, "障害");
        assert_eq!(ok.localized(true), ("障害", "本文"));
        let long = NoticeText {
            title_ja: "あ".repeat(TITLE_MAX + 1),
            body_ja: "x".into(),
            ..NoticeText::default()
        };
        assert_eq!(
            long.parse().unwrap_err()[0].kind,
            FieldErrorKind::TooLong { max: TITLE_MAX }
        );
        assert!(parse_update("  ", "x").is_err());
        assert_eq!(
            parse_update(" 続報 ", "").unwrap(),
            ("続報".into(), String::new())
        );
    }

    #[test]
    fn the_review_catalog_holds_the_800_61_questions() {
        let c = review_questions().unwrap();
        assert_eq!(c.questions.len(), 10);
        assert!(c.source.contains("800-61"));
        assert_eq!(c.questions[0].id, "what_happened");
        assert!(parse_review("source = \"s\"\n[[questions]]\nid = \"a\"\nja = \"x\"\nen = \"y\"\n[[questions]]\nid = \"a\"\nja = \"x\"\nen = \"y\"\n")
            .unwrap_err()
            .contains("twice"));
    }
}
