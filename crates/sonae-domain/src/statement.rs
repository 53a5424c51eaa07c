//! The first public statement (DESIGN §5, seed 004): the facts it needs and
//! how ready they are, drafts filled from the incident with unknown facts
//! marked for the writer, the approval rule for drafts, and the regulatory
//! reporting clocks. All rules come from the catalog files in `catalogs/`.

use crate::access::Role;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

// ---- facts and readiness ----------------------------------------------------

/// How much of a fact is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Knowledge {
    Unknown,
    Partial,
    Known,
}

impl Knowledge {
    pub const ALL: [Knowledge; 3] = [Knowledge::Unknown, Knowledge::Partial, Knowledge::Known];
    pub fn as_str(self) -> &'static str {
        match self {
            Knowledge::Unknown => "unknown",
            Knowledge::Partial => "partial",
            Knowledge::Known => "known",
        }
    }
    pub fn parse(s: &str) -> Option<Knowledge> {
        Knowledge::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct FactGroup {
    pub id: String,
    pub ja: String,
    pub en: String,
    pub section: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct FactDef {
    pub id: String,
    pub group: String,
    pub ja: String,
    pub en: String,
    /// The seed item it follows.
    pub section: String,
}

impl FactDef {
    pub fn label(&self, ja: bool) -> &str {
        if ja {
            &self.ja
        } else {
            &self.en
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FactCatalog {
    pub source: String,
    pub groups: Vec<FactGroup>,
    pub facts: Vec<FactDef>,
}

impl FactCatalog {
    pub fn fact(&self, id: &str) -> Option<&FactDef> {
        self.facts.iter().find(|f| f.id == id)
    }
}

pub const FACTS_TOML: &str = include_str!("../../../catalogs/statement-facts.toml");

/// Parse and check a fact catalog: ids unique, every fact in a known group,
/// every group with at least one fact.
pub fn parse_facts(text: &str) -> Result<FactCatalog, String> {
    let c: FactCatalog = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    for f in &c.facts {
        if seen.contains(&f.id.as_str()) {
            return Err(format!("fact {} appears twice", f.id));
        }
        seen.push(f.id.as_str());
        if !c.groups.iter().any(|g| g.id == f.group) {
            return Err(format!("fact {}: unknown group {}", f.id, f.group));
        }
    }
    for g in &c.groups {
        if !c.facts.iter().any(|f| f.group == g.id) {
            return Err(format!("group {} has no facts", g.id));
        }
    }
    Ok(c)
}

/// The shipped fact list.
pub fn facts() -> Result<FactCatalog, String> {
    parse_facts(FACTS_TOML)
}

/// What is known of one fact for one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct FactState {
    pub knowledge: Knowledge,
    pub value: String,
}

/// Readiness of a set of facts, in half-points: known counts 2, partial 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gauge {
    pub known: usize,
    pub partial: usize,
    pub total: usize,
}

impl Gauge {
    /// Percent ready, partial counting half, rounded down (so 100 means
    /// every fact known).
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            return 0;
        }
        let points = 2 * self.known + self.partial;
        ((points * 100) / (2 * self.total)) as u32
    }
    pub fn unknown(&self) -> usize {
        self.total - self.known - self.partial
    }
}

/// The overall gauge and one per group, in catalog order. A fact with no
/// state is unknown.
pub fn readiness(
    catalog: &FactCatalog,
    states: &HashMap<String, FactState>,
) -> (Gauge, Vec<(String, Gauge)>) {
    let mut all = Gauge::default();
    let mut groups: Vec<(String, Gauge)> = catalog
        .groups
        .iter()
        .map(|g| (g.id.clone(), Gauge::default()))
        .collect();
    for f in &catalog.facts {
        let k = states
            .get(&f.id)
            .map_or(Knowledge::Unknown, |s| s.knowledge);
        for g in [
            Some(&mut all),
            groups
                .iter_mut()
                .find(|(id, _)| *id == f.group)
                .map(|(_, g)| g),
        ]
        .into_iter()
        .flatten()
        {
            g.total += 1;
            match k {
                Knowledge::Known => g.known += 1,
                Knowledge::Partial => g.partial += 1,
                Knowledge::Unknown => {}
            }
        }
    }
    (all, groups)
}

// ---- draft templates ----------------------------------------------------------

/// The drafts the incident can produce, in the order they are offered.
pub const DRAFT_KINDS: &[&str] = &[
    "press_release",
    "customer_notice",
    "apology_letter",
    "web_notice",
    "report_ipa",
    "report_jpcert",
    "report_police",
    "report_ppc",
];

pub fn is_draft_kind(s: &str) -> bool {
    DRAFT_KINDS.contains(&s)
}

/// The shipped template files in `catalogs/drafts/`.
pub const DRAFT_FILES: &[(&str, &str)] = &[
    (
        "press_release",
        include_str!("../../../catalogs/drafts/press_release.toml"),
    ),
    (
        "customer_notice",
        include_str!("../../../catalogs/drafts/customer_notice.toml"),
    ),
    (
        "apology_letter",
        include_str!("../../../catalogs/drafts/apology_letter.toml"),
    ),
    (
        "web_notice",
        include_str!("../../../catalogs/drafts/web_notice.toml"),
    ),
    (
        "report_ipa",
        include_str!("../../../catalogs/drafts/report_ipa.toml"),
    ),
    (
        "report_jpcert",
        include_str!("../../../catalogs/drafts/report_jpcert.toml"),
    ),
    (
        "report_police",
        include_str!("../../../catalogs/drafts/report_police.toml"),
    ),
    (
        "report_ppc",
        include_str!("../../../catalogs/drafts/report_ppc.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TemplateText {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DraftTemplate {
    pub kind: String,
    pub source: String,
    pub ja: TemplateText,
    pub en: TemplateText,
}

impl DraftTemplate {
    pub fn text(&self, lang: DraftLang) -> &TemplateText {
        match lang {
            DraftLang::Ja => &self.ja,
            DraftLang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftLang {
    Ja,
    En,
}

impl DraftLang {
    pub fn parse(s: &str) -> Option<DraftLang> {
        match s {
            "ja" => Some(DraftLang::Ja),
            "en" => Some(DraftLang::En),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DraftLang::Ja => "ja",
            DraftLang::En => "en",
        }
    }
}

/// The incident fields a template may name as `{{incident.NAME}}`.
pub const INCIDENT_FIELDS: &[&str] = &[
    "ref",
    "title",
    "category",
    "discovered_at",
    "summary",
    "level",
];

/// Every `{{…}}` placeholder in a text, in order.
fn placeholders(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("{{") {
        let start = from + i;
        let Some(j) = text[start + 2..].find("}}") else {
            break;
        };
        let end = start + 2 + j + 2;
        out.push((start, end, text[start + 2..end - 2].trim()));
        from = end;
    }
    out
}

/// Placeholders a template names that nothing fills: a typo would
/// otherwise reach the reader.
pub fn unknown_placeholders(text: &str, catalog: &FactCatalog) -> Vec<String> {
    placeholders(text)
        .into_iter()
        .filter(|(_, _, name)| {
            let ok = *name == "today"
                || name
                    .strip_prefix("incident.")
                    .is_some_and(|f| INCIDENT_FIELDS.contains(&f))
                || name
                    .strip_prefix("fact.")
                    .is_some_and(|f| catalog.fact(f).is_some());
            !ok
        })
        .map(|(_, _, n)| n.to_owned())
        .collect()
}

/// Parse and check one template file.
pub fn parse_template(text: &str, catalog: &FactCatalog) -> Result<DraftTemplate, String> {
    let t: DraftTemplate = toml::from_str(text).map_err(|e| e.to_string())?;
    if !is_draft_kind(&t.kind) {
        return Err(format!("unknown draft kind {}", t.kind));
    }
    for (lang, tt) in [("ja", &t.ja), ("en", &t.en)] {
        let bad = unknown_placeholders(&format!("{}\n{}", tt.title, tt.body), catalog);
        if !bad.is_empty() {
            return Err(format!("{} {lang}: unknown placeholders {bad:?}", t.kind));
        }
    }
    Ok(t)
}

/// Every shipped template, in `DRAFT_KINDS` order.
pub fn templates() -> Result<Vec<DraftTemplate>, String> {
    let catalog = facts()?;
    DRAFT_FILES
        .iter()
        .map(|(kind, text)| {
            let t = parse_template(text, &catalog)?;
            if t.kind != *kind {
                return Err(format!("{kind}.toml declares kind {}", t.kind));
            }
            Ok(t)
        })
        .collect()
}

/// What a template is filled from: incident fields already formatted for
/// the reader (dates in the organization's time zone), today's date and
/// the facts.
#[derive(Debug, Clone, Default)]
pub struct FillInput {
    pub incident: HashMap<String, String>,
    pub today: String,
    pub facts: HashMap<String, FactState>,
}

/// The marker for a fact the writer must still establish.
pub fn unknown_marker(lang: DraftLang, label: &str) -> String {
    match lang {
        DraftLang::Ja => format!("【未確認: {label}】"),
        DraftLang::En => format!("[UNKNOWN: {label}]"),
    }
}

/// The marker after a value that is only partly established.
pub fn partial_marker(lang: DraftLang, label: &str) -> String {
    match lang {
        DraftLang::Ja => format!("【調査中: {label}】"),
        DraftLang::En => format!("[PARTLY KNOWN: {label}]"),
    }
}

/// Fill a template text. A known fact gives its value; a partly known one
/// its value and a marker; an unknown one (or a known one with no value)
/// a marker naming it. Unknown placeholders stay as written.
pub fn fill(text: &str, lang: DraftLang, catalog: &FactCatalog, input: &FillInput) -> String {
    let ja = lang == DraftLang::Ja;
    let mut out = String::with_capacity(text.len() + 256);
    let mut last = 0;
    for (start, end, name) in placeholders(text) {
        out.push_str(&text[last..start]);
        last = end;
        if name == "today" {
            out.push_str(&input.today);
        } else if let Some(f) = name.strip_prefix("incident.") {
            match input.incident.get(f) {
                Some(v) => out.push_str(v),
                None => out.push_str(&text[start..end]),
            }
        } else if let Some(def) = name.strip_prefix("fact.").and_then(|f| catalog.fact(f)) {
            let label = def.label(ja);
            match input.facts.get(&def.id) {
                Some(s) if s.knowledge == Knowledge::Known && !s.value.trim().is_empty() => {
                    out.push_str(s.value.trim());
                }
                Some(s) if s.knowledge == Knowledge::Partial && !s.value.trim().is_empty() => {
                    out.push_str(s.value.trim());
                    out.push_str(&partial_marker(lang, label));
                }
                _ => out.push_str(&unknown_marker(lang, label)),
            }
        } else {
            out.push_str(&text[start..end]);
        }
    }
    out.push_str(&text[last..]);
    out
}

// ---- draft approval -----------------------------------------------------------

/// A draft's state: edited until approved; approved until sent or edited
/// again (a new version needs a new approval); sent is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    Draft,
    Approved,
    Sent,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Approved => "approved",
            DraftStatus::Sent => "sent",
        }
    }
    pub fn parse(s: &str) -> Option<DraftStatus> {
        [DraftStatus::Draft, DraftStatus::Approved, DraftStatus::Sent]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// Why a draft step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftRefusal {
    /// Only an executive or an admin approves public statements (DESIGN
    /// "Who uses it": the executive approves public statements).
    NotApprover,
    /// Four eyes: the one who wrote the version cannot approve it.
    OwnVersion,
    /// Only an approved draft can be marked sent.
    NotApproved,
    /// A sent draft is the record of what went out; it is not changed.
    AlreadySent,
    AlreadyApproved,
}

impl DraftRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftRefusal::NotApprover => "not_approver",
            DraftRefusal::OwnVersion => "own_version",
            DraftRefusal::NotApproved => "not_approved",
            DraftRefusal::AlreadySent => "already_sent",
            DraftRefusal::AlreadyApproved => "already_approved",
        }
    }
}

pub fn may_approve_role(role: Role) -> bool {
    matches!(role, Role::Executive | Role::Admin)
}

pub fn check_approve(
    role: Role,
    actor: &str,
    last_editor: &str,
    status: DraftStatus,
) -> Result<(), DraftRefusal> {
    match status {
        DraftStatus::Sent => return Err(DraftRefusal::AlreadySent),
        DraftStatus::Approved => return Err(DraftRefusal::AlreadyApproved),
        DraftStatus::Draft => {}
    }
    if !may_approve_role(role) {
        return Err(DraftRefusal::NotApprover);
    }
    if actor == last_editor {
        return Err(DraftRefusal::OwnVersion);
    }
    Ok(())
}

pub fn check_edit(status: DraftStatus) -> Result<(), DraftRefusal> {
    if status == DraftStatus::Sent {
        return Err(DraftRefusal::AlreadySent);
    }
    Ok(())
}

pub fn check_send(status: DraftStatus) -> Result<(), DraftRefusal> {
    match status {
        DraftStatus::Approved => Ok(()),
        DraftStatus::Sent => Err(DraftRefusal::AlreadySent),
        DraftStatus::Draft => Err(DraftRefusal::NotApproved),
    }
}

// ---- regulatory clocks ----------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ClockRule {
    pub id: String,
    pub regime: String,
    pub ja: String,
    pub en: String,
    /// "5d" or "72h".
    pub after: String,
    pub note_ja: String,
    pub note_en: String,
    pub source: String,
    /// The draft kind whose sending satisfies the clock.
    #[serde(default)]
    pub satisfied_by: Option<String>,
    /// Which sent draft of that kind counts (1 = the first).
    #[serde(default = "one")]
    pub satisfied_nth: usize,
    /// Only for incidents with (true) or without (false) the flag.
    #[serde(default)]
    pub unauthorized_purpose: Option<bool>,
    pub enabled: bool,
}

fn one() -> usize {
    1
}

impl ClockRule {
    pub fn label(&self, ja: bool) -> &str {
        if ja {
            &self.ja
        } else {
            &self.en
        }
    }
    pub fn note(&self, ja: bool) -> &str {
        if ja {
            &self.note_ja
        } else {
            &self.note_en
        }
    }
    pub fn duration(&self) -> Result<Duration, String> {
        parse_after(&self.after)
    }
}

/// "5d" → 5 days, "72h" → 72 hours.
pub fn parse_after(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("duration {s:?}: expected a number and d or h"))?;
    if n <= 0 || n > 3650 * 24 {
        return Err(format!("duration {s:?} out of range"));
    }
    match unit {
        "d" => Ok(Duration::days(n)),
        "h" => Ok(Duration::hours(n)),
        _ => Err(format!("duration {s:?}: unit must be d or h")),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClockCatalog {
    pub source: String,
    pub clocks: Vec<ClockRule>,
}

pub const CLOCKS_TOML: &str = include_str!("../../../catalogs/regulatory-clocks.toml");

pub fn parse_clocks(text: &str) -> Result<ClockCatalog, String> {
    let c: ClockCatalog = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    for r in &c.clocks {
        if seen.contains(&r.id.as_str()) {
            return Err(format!("clock {} appears twice", r.id));
        }
        seen.push(r.id.as_str());
        r.duration().map_err(|e| format!("clock {}: {e}", r.id))?;
        if let Some(k) = &r.satisfied_by {
            if !is_draft_kind(k) {
                return Err(format!("clock {}: unknown draft kind {k}", r.id));
            }
        }
        if r.satisfied_nth == 0 {
            return Err(format!("clock {}: satisfied_nth starts at 1", r.id));
        }
    }
    Ok(c)
}

pub fn clocks() -> Result<ClockCatalog, String> {
    parse_clocks(CLOCKS_TOML)
}

/// What the clocks need to know of an incident.
#[derive(Debug, Clone, Default)]
pub struct ClockInput {
    pub discovered_at_ms: i64,
    /// "yes", "no" or "unknown".
    pub personal_data: String,
    pub category: String,
    pub unauthorized_purpose: bool,
    /// When each draft kind was sent, oldest first.
    pub sent: HashMap<String, Vec<i64>>,
}

/// Whether the reporting clocks run for this incident: personal data is
/// involved, or it is a leak.
pub fn clocks_apply(input: &ClockInput) -> bool {
    input.personal_data == "yes" || input.category == "leak"
}

/// One clock for one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockState {
    pub rule: ClockRule,
    pub due_at_ms: i64,
    /// Negative when overdue.
    pub remaining_ms: i64,
    pub satisfied_at_ms: Option<i64>,
}

impl ClockState {
    pub fn overdue(&self) -> bool {
        self.satisfied_at_ms.is_none() && self.remaining_ms < 0
    }
    /// Satisfied, but only after the due time.
    pub fn late(&self) -> bool {
        self.satisfied_at_ms.is_some_and(|s| s > self.due_at_ms)
    }
}

/// The clocks that apply to an incident, in catalog order. `enabled` holds
/// an admin's choice per rule; a rule not in it keeps its catalog default.
pub fn clock_states(
    catalog: &ClockCatalog,
    enabled: &HashMap<String, bool>,
    input: &ClockInput,
    now_ms: i64,
) -> Vec<ClockState> {
    if !clocks_apply(input) {
        return Vec::new();
    }
    catalog
        .clocks
        .iter()
        .filter(|r| *enabled.get(&r.id).unwrap_or(&r.enabled))
        .filter(|r| {
            r.unauthorized_purpose
                .is_none_or(|u| u == input.unauthorized_purpose)
        })
        .filter_map(|r| {
            let due = add(input.discovered_at_ms, r.duration().ok()?)?;
            let satisfied_at_ms = r.satisfied_by.as_ref().and_then(|k| {
                input
                    .sent
                    .get(k)
                    .and_then(|v| v.get(r.satisfied_nth - 1).copied())
            });
            Some(ClockState {
                rule: r.clone(),
                due_at_ms: due,
                remaining_ms: due - now_ms,
                satisfied_at_ms,
            })
        })
        .collect()
}

fn add(ms: i64, d: Duration) -> Option<i64> {
    let t: DateTime<Utc> = DateTime::from_timestamp_millis(ms)?;
    Some((t + d).timestamp_millis())
}

/// Clocks to remind someone of: not satisfied and overdue or due within
/// `warn_ms`. The notifications work calls this.
pub fn reminders(states: &[ClockState], warn_ms: i64) -> Vec<&ClockState> {
    states
        .iter()
        .filter(|s| s.satisfied_at_ms.is_none() && s.remaining_ms <= warn_ms)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn st(k: Knowledge, v: &str) -> FactState {
        FactState {
            knowledge: k,
            value: v.into(),
        }
    }

    #[test]
    fn the_shipped_catalogs_parse() {
        let f = facts().unwrap();
        assert_eq!(f.groups.len(), 3);
        assert_eq!(f.facts.len(), 15);
        assert_eq!(templates().unwrap().len(), DRAFT_KINDS.len());
        let c = clocks().unwrap();
        assert!(c.clocks.iter().any(|r| r.id == "gdpr_72h" && !r.enabled));
    }

    #[test]
    fn readiness_counts_partial_as_half_per_group() {
        let cat = facts().unwrap();
        let mut s = HashMap::new();
        let (all, groups) = readiness(&cat, &s);
        assert_eq!((all.percent(), all.total, all.unknown()), (0, 15, 15));
        assert_eq!(groups.len(), 3);
        s.insert("pd_leaked".into(), st(Knowledge::Known, "あり"));
        s.insert("pd_count".into(), st(Knowledge::Partial, "約3万件"));
        s.insert("status".into(), st(Knowledge::Known, "調査中"));
        let (all, groups) = readiness(&cat, &s);
        // (2 + 1 + 2) / 30 = 16.6 %
        assert_eq!(all.percent(), 16);
        let damage = &groups[0];
        assert_eq!(damage.0, "damage");
        assert_eq!(
            (damage.1.known, damage.1.partial, damage.1.total),
            (1, 1, 8)
        );
        // (2 + 1) / 16 = 18.75 %
        assert_eq!(damage.1.percent(), 18);
        // circumstances: 1 of 4 known
        assert_eq!(groups[1].1.percent(), 25);
        assert_eq!(groups[2].1.percent(), 0);
        for f in &cat.facts {
            s.insert(f.id.clone(), st(Knowledge::Known, "x"));
        }
        assert_eq!(readiness(&cat, &s).0.percent(), 100);
        s.insert("method".into(), st(Knowledge::Partial, "x"));
        assert_eq!(readiness(&cat, &s).0.percent(), 96);
    }

    #[test]
    fn a_template_is_filled_with_markers_for_what_is_not_known() {
        let cat = facts().unwrap();
        let text = "{{today}} {{incident.title}}: 件数 {{fact.pd_count}} / 種類 {{fact.pd_kinds}} / 手口 {{fact.method}} / 範囲 {{fact.infection_scope}}";
        let mut input = FillInput {
            today: "2026-11-25".into(),
            ..FillInput::default()
        };
        input
            .incident
            .insert("title".into(), "会員情報流出の疑い".into());
        input
            .facts
            .insert("pd_kinds".into(), st(Knowledge::Known, "氏名、住所"));
        input.facts.insert(
            "method".into(),
            st(Knowledge::Partial, "SQLインジェクション"),
        );
        // Known but empty is still unknown to the reader.
        input
            .facts
            .insert("infection_scope".into(), st(Knowledge::Known, " "));
        let ja = fill(text, DraftLang::Ja, &cat, &input);
        assert_eq!(
            ja,
            "2026-11-25 会員情報流出の疑い: 件数 【未確認: 漏えい件数】 / 種類 氏名、住所 / 手口 SQLインジェクション【調査中: 攻撃の手口】 / 範囲 【未確認: 感染・被害の範囲】"
        );
        let en = fill(text, DraftLang::En, &cat, &input);
        assert!(en.contains("[UNKNOWN: Records affected]"), "{en}");
        assert!(
            en.contains("SQLインジェクション[PARTLY KNOWN: Attack method]"),
            "{en}"
        );
        // Every shipped template, filled from nothing, has no placeholder left
        // and marks the unknown facts in its language.
        for t in templates().unwrap() {
            for lang in [DraftLang::Ja, DraftLang::En] {
                let body = fill(&t.text(lang).body, lang, &cat, &FillInput::default());
                let title = fill(&t.text(lang).title, lang, &cat, &FillInput::default());
                assert!(
                    !body.contains("{{fact.") && !title.contains("{{fact."),
                    "{}",
                    t.kind
                );
                let marker = if lang == DraftLang::Ja {
                    "【未確認: "
                } else {
                    "[UNKNOWN: "
                };
                assert!(body.contains(marker), "{} {lang:?}", t.kind);
            }
        }
    }

    #[test]
    fn a_template_naming_something_unknown_is_refused() {
        let cat = facts().unwrap();
        assert_eq!(
            unknown_placeholders("{{fact.pd_cont}} {{incident.title}} {{ today }}", &cat),
            vec!["fact.pd_cont".to_owned()]
        );
        let bad = "kind = \"web_notice\"\nsource = \"s\"\n[ja]\ntitle = \"t\"\nbody = \"{{incident.nope}}\"\n[en]\ntitle = \"t\"\nbody = \"b\"\n";
        assert!(parse_template(bad, &cat)
            .unwrap_err()
            .contains("incident.nope"));
        // An unclosed brace is left as text, not a crash.
        assert_eq!(
            fill(
                "a {{fact.pd_count",
                DraftLang::Ja,
                &cat,
                &FillInput::default()
            ),
            "a {{fact.pd_count"
        );
    }

    #[test]
    fn approval_needs_the_role_and_another_person_and_sending_needs_approval() {
        use DraftStatus::*;
        assert_eq!(
            check_approve(Role::Executive, "exec", "security", Draft),
            Ok(())
        );
        assert_eq!(
            check_approve(Role::Admin, "admin", "security", Draft),
            Ok(())
        );
        assert_eq!(
            check_approve(Role::Admin, "admin", "admin", Draft),
            Err(DraftRefusal::OwnVersion)
        );
        for r in [
            Role::SecurityOfficer,
            Role::SystemOwner,
            Role::Vendor,
            Role::Auditor,
        ] {
            assert_eq!(
                check_approve(r, "x", "y", Draft),
                Err(DraftRefusal::NotApprover)
            );
        }
        assert_eq!(
            check_approve(Role::Executive, "exec", "security", Sent),
            Err(DraftRefusal::AlreadySent)
        );
        assert_eq!(check_send(Draft), Err(DraftRefusal::NotApproved));
        assert_eq!(check_send(Approved), Ok(()));
        assert_eq!(check_send(Sent), Err(DraftRefusal::AlreadySent));
        assert_eq!(check_edit(Sent), Err(DraftRefusal::AlreadySent));
        assert_eq!(check_edit(Approved), Ok(()));
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn clocks_run_from_discovery_and_stop_when_the_report_is_sent() {
        let cat = clocks().unwrap();
        // 2026-11-26 09:30 JST (00:30 UTC).
        let discovered = 1_795_653_000_000;
        let mut input = ClockInput {
            discovered_at_ms: discovered,
            personal_data: "yes".into(),
            category: "malware".into(),
            ..ClockInput::default()
        };
        let now = discovered + 2 * DAY;
        let s = clock_states(&cat, &HashMap::new(), &input, now);
        let ids: Vec<_> = s.iter().map(|c| c.rule.id.as_str()).collect();
        assert_eq!(ids, ["ppc_preliminary", "ppc_final"]);
        assert_eq!(s[0].due_at_ms, discovered + 5 * DAY);
        assert_eq!(s[0].remaining_ms, 3 * DAY);
        assert_eq!(s[1].due_at_ms, discovered + 30 * DAY);
        assert!(!s[0].overdue());

        // Six days on, the preliminary report is overdue and a reminder.
        let s = clock_states(&cat, &HashMap::new(), &input, discovered + 6 * DAY);
        assert!(s[0].overdue() && !s[1].overdue());
        assert_eq!(reminders(&s, DAY).len(), 1);

        // Unauthorized purpose: the final report moves to 60 days.
        input.unauthorized_purpose = true;
        let s = clock_states(&cat, &HashMap::new(), &input, now);
        assert_eq!(s[1].rule.id, "ppc_final_unauthorized");
        assert_eq!(s[1].due_at_ms, discovered + 60 * DAY);

        // The first PPC report sent satisfies the preliminary clock, the second the final.
        input
            .sent
            .insert("report_ppc".into(), vec![discovered + 6 * DAY]);
        let s = clock_states(&cat, &HashMap::new(), &input, discovered + 7 * DAY);
        assert!(!s[0].overdue() && s[0].late());
        assert_eq!(s[1].satisfied_at_ms, None);

        // GDPR is off by default; an admin turns it on.
        let on: HashMap<String, bool> = [("gdpr_72h".to_owned(), true)].into();
        let s = clock_states(&cat, &on, &input, discovered + DAY);
        let g = s.iter().find(|c| c.rule.id == "gdpr_72h").unwrap();
        assert_eq!(g.due_at_ms, discovered + 3 * DAY);

        // No personal data and not a leak: no clocks; a leak: clocks.
        input.personal_data = "no".into();
        assert!(clock_states(&cat, &HashMap::new(), &input, now).is_empty());
        input.category = "leak".into();
        assert_eq!(clock_states(&cat, &HashMap::new(), &input, now).len(), 2);
    }

    #[test]
    fn bad_clock_rules_are_refused() {
        assert!(parse_after("5x").is_err());
        assert!(parse_after("-1d").is_err());
        assert_eq!(parse_after("72h").unwrap(), Duration::hours(72));
        let bad = "source = \"s\"\n[[clocks]]\nid = \"a\"\nregime = \"r\"\nja = \"a\"\nen = \"a\"\nafter = \"5d\"\nnote_ja = \"\"\nnote_en = \"\"\nsource = \"s\"\nsatisfied_by = \"fax\"\nenabled = true\n";
        assert!(parse_clocks(bad).unwrap_err().contains("fax"));
    }
}
