//! Incident response (DESIGN §5; seeds 001, 002, 004): categories, levels
//! 0–3, phases, playbooks from the catalog files, and the rule that says
//! whether a decision-maker holds the authority a system's route names.

use serde::{Deserialize, Serialize};

/// What kind of incident (DESIGN §5).
pub const CATEGORIES: &[&str] = &[
    "leak",
    "tampering",
    "malware",
    "unauthorized_access",
    "dos",
    "targeted_mail",
    "insider",
    "third_party_report",
    "other",
];

pub fn is_category(s: &str) -> bool {
    CATEGORIES.contains(&s)
}

/// Detect → Triage → Contain/Respond → Recover → Learn → Closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Detect,
    Triage,
    Respond,
    Recover,
    Learn,
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Detect,
        Phase::Triage,
        Phase::Respond,
        Phase::Recover,
        Phase::Learn,
        Phase::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Detect => "detect",
            Phase::Triage => "triage",
            Phase::Respond => "respond",
            Phase::Recover => "recover",
            Phase::Learn => "learn",
            Phase::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
    pub fn next(self) -> Option<Phase> {
        let i = Phase::ALL.iter().position(|p| *p == self)?;
        Phase::ALL.get(i + 1).copied()
    }
}

/// Whether a phase change is allowed: one step on, or back any number of
/// steps (with a note, e.g. a new finding sends Recover back to Respond);
/// closed is final except for re-opening to Learn.
pub fn phase_change_allowed(from: Phase, to: Phase) -> bool {
    if from == to {
        return false;
    }
    if from == Phase::Closed {
        return to == Phase::Learn;
    }
    from.next() == Some(to) || to < from
}

/// Whether something is known, for the first-statement facts (seed 004).
pub const KNOWLEDGE: &[&str] = &["unknown", "partial", "known"];

/// One level of the catalog.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct LevelDef {
    pub level: i64,
    pub ja: String,
    pub en: String,
    /// Roles expected to respond.
    pub responders: Vec<String>,
    /// Roles that must be told.
    pub notify: Vec<String>,
    /// The chief executive must be told.
    #[serde(default)]
    pub chief_executive: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LevelCatalog {
    pub source: String,
    pub levels: Vec<LevelDef>,
}

pub const LEVELS_TOML: &str = include_str!("../../../catalogs/incident-levels.toml");

/// The shipped level definitions.
pub fn levels() -> Result<LevelCatalog, String> {
    let c: LevelCatalog = toml::from_str(LEVELS_TOML).map_err(|e| e.to_string())?;
    if c.levels.iter().map(|l| l.level).collect::<Vec<_>>() != vec![0, 1, 2, 3] {
        return Err("incident levels must be 0, 1, 2, 3 in order".into());
    }
    if !c.levels[3].chief_executive {
        return Err("level 3 must reach the chief executive".into());
    }
    Ok(c)
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PlaybookItem {
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PlaybookSection {
    pub id: String,
    pub phase: String,
    pub ja: String,
    pub en: String,
    pub items: Vec<PlaybookItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Playbook {
    pub id: String,
    pub source: String,
    /// Categories it is created for; "*" for every incident.
    pub categories: Vec<String>,
    pub sections: Vec<PlaybookSection>,
}

/// The playbook files shipped in `catalogs/playbooks/`.
pub const PLAYBOOK_FILES: &[(&str, &str)] = &[
    (
        "leak",
        include_str!("../../../catalogs/playbooks/leak.toml"),
    ),
    (
        "outage",
        include_str!("../../../catalogs/playbooks/outage.toml"),
    ),
    (
        "malware",
        include_str!("../../../catalogs/playbooks/malware.toml"),
    ),
    (
        "general",
        include_str!("../../../catalogs/playbooks/general.toml"),
    ),
    (
        "recovery",
        include_str!("../../../catalogs/playbooks/recovery.toml"),
    ),
];

/// Parse and check one playbook file.
pub fn parse_playbook(text: &str) -> Result<Playbook, String> {
    let p: Playbook = toml::from_str(text).map_err(|e| e.to_string())?;
    for s in &p.sections {
        if Phase::parse(&s.phase).is_none() {
            return Err(format!(
                "{}: section {}: unknown phase {}",
                p.id, s.id, s.phase
            ));
        }
        if s.items.is_empty() {
            return Err(format!("{}: section {} has no items", p.id, s.id));
        }
    }
    for c in &p.categories {
        if c != "*" && !is_category(c) {
            return Err(format!("{}: unknown category {c}", p.id));
        }
    }
    Ok(p)
}

/// Every shipped playbook.
pub fn playbooks() -> Result<Vec<Playbook>, String> {
    PLAYBOOK_FILES
        .iter()
        .map(|(_, t)| parse_playbook(t))
        .collect()
}

/// The playbooks an incident of this category starts with: the category's
/// own, then those for every incident (recovery).
pub fn playbooks_for(category: &str) -> Result<Vec<Playbook>, String> {
    let all = playbooks()?;
    let mut own: Vec<Playbook> = all
        .iter()
        .filter(|p| p.categories.iter().any(|c| c == category))
        .cloned()
        .collect();
    own.extend(
        all.into_iter()
            .filter(|p| p.categories.iter().any(|c| c == "*")),
    );
    Ok(own)
}

/// The kinds of authority a system's route names (seed 004 "ルートの整理").
pub const AUTHORITIES: &[&str] = &["stop_system", "command"];

/// Whether the person deciding holds the authority: they are the named
/// holder or a deputy. Matching is by e-mail address, case-insensitive.
pub fn holds_authority(decider_email: Option<&str>, holders: &[Option<String>]) -> bool {
    let Some(d) = decider_email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
    else {
        return false;
    };
    holders
        .iter()
        .flatten()
        .any(|h| h.trim().to_lowercase() == d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_shipped_catalogs_parse_and_every_category_has_a_playbook() {
        assert_eq!(levels().unwrap().levels.len(), 4);
        for c in CATEGORIES {
            let p = playbooks_for(c).unwrap();
            assert!(p.len() >= 2, "{c}: own playbook and recovery");
            assert_eq!(p.last().unwrap().id, "recovery");
        }
        let rec = playbooks()
            .unwrap()
            .into_iter()
            .find(|p| p.id == "recovery")
            .unwrap();
        // Seed 002's six recovery tasks, in order.
        assert_eq!(rec.sections.len(), 6);
        assert!(rec.sections[0].ja.starts_with("1.") && rec.sections[5].ja.starts_with("6."));
    }

    #[test]
    fn a_bad_playbook_file_is_refused_with_the_reason() {
        let bad = "id = \"x\"\nsource = \"s\"\ncategories = [\"leak\"]\n[[sections]]\nid = \"a\"\nphase = \"panic\"\nja = \"a\"\nen = \"a\"\nitems = [{ ja = \"a\", en = \"a\" }]\n";
        assert!(parse_playbook(bad)
            .unwrap_err()
            .contains("unknown phase panic"));
    }

    #[test]
    fn phases_move_on_one_at_a_time_and_may_go_back() {
        assert!(phase_change_allowed(Phase::Detect, Phase::Triage));
        assert!(!phase_change_allowed(Phase::Detect, Phase::Recover));
        assert!(phase_change_allowed(Phase::Recover, Phase::Respond));
        assert!(!phase_change_allowed(Phase::Closed, Phase::Detect));
        assert!(phase_change_allowed(Phase::Closed, Phase::Learn));
        assert_eq!(Phase::Learn.next(), Some(Phase::Closed));
    }

    #[test]
    fn authority_is_held_by_the_named_person_or_a_deputy() {
        let holders = [
            Some("Boss@Example.jp".to_owned()),
            None,
            Some("deputy@example.jp".into()),
        ];
        assert!(holds_authority(Some("boss@example.jp"), &holders));
        assert!(holds_authority(Some(" deputy@example.jp"), &holders));
        assert!(!holds_authority(Some("clerk@example.jp"), &holders));
        assert!(!holds_authority(None, &holders));
        assert!(!holds_authority(Some(""), &[None]));
    }
}
