//! Message catalogs (Fluent), Japanese and English. Every string a user
//! sees comes from the catalog files in `locales/{ja,en}/`; a test checks both catalogs
//! hold the same keys and that every key the code asks for exists.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// The first supported language in an Accept-Language header, by
    /// quality; Japanese when nothing matches (the product's home market).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag.starts_with("ja") {
                Lang::Ja
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Ja, |(_, l)| l)
    }
}

/// The catalog files of each language, in the same order: one file per
/// area of the product, so that areas can be worked on apart.
pub const JA_FTL: &[&str] = &[
    include_str!("../locales/ja/main.ftl"),
    include_str!("../locales/ja/workflow.ftl"),
    include_str!("../locales/ja/incident.ftl"),
    include_str!("../locales/ja/intake.ftl"),
    include_str!("../locales/ja/actions.ftl"),
    include_str!("../locales/ja/notify.ftl"),
    include_str!("../locales/ja/statement.ftl"),
    include_str!("../locales/ja/assessment.ftl"),
    include_str!("../locales/ja/continuity.ftl"),
    include_str!("../locales/ja/matching.ftl"),
    include_str!("../locales/ja/notices.ftl"),
];
pub const EN_FTL: &[&str] = &[
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/workflow.ftl"),
    include_str!("../locales/en/incident.ftl"),
    include_str!("../locales/en/intake.ftl"),
    include_str!("../locales/en/actions.ftl"),
    include_str!("../locales/en/notify.ftl"),
    include_str!("../locales/en/statement.ftl"),
    include_str!("../locales/en/assessment.ftl"),
    include_str!("../locales/en/continuity.ftl"),
    include_str!("../locales/en/matching.ftl"),
    include_str!("../locales/en/notices.ftl"),
];

pub struct I18n {
    ja: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, files: &[&str]) -> Result<FluentBundle<FluentResource>, String> {
    let id: unic_langid::LanguageIdentifier = lang.parse().map_err(|e| format!("{e:?}"))?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: they show up in tests and copied text.
    b.set_use_isolating(false);
    for src in files {
        let res = FluentResource::try_new((*src).to_owned())
            .map_err(|(_, e)| format!("{lang}: {e:?}"))?;
        // A key defined twice (in two files) is an error, not a silent override.
        b.add_resource(res).map_err(|e| format!("{lang}: {e:?}"))?;
    }
    Ok(b)
}

impl I18n {
    pub fn load() -> Result<Arc<I18n>, String> {
        Ok(Arc::new(I18n {
            ja: bundle("ja", JA_FTL)?,
            en: bundle("en", EN_FTL)?,
        }))
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// The message, or the key itself if it is missing (the catalog test
    /// keeps that from reaching users).
    pub fn get(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        let b = self.bundle(lang);
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, "missing message");
            return key.to_owned();
        };
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(v.clone()));
        }
        let mut errors = Vec::new();
        b.format_pattern(pattern, (!args.is_empty()).then_some(&fa), &mut errors)
            .into_owned()
    }
}

/// The message key for a value of the domain: `prefix` then the value with
/// `_` written as `-` (`("inc-cat-", "third_party_report")` →
/// `inc-cat-third-party-report`).
pub fn key(prefix: &str, value: &str) -> String {
    format!("{prefix}{}", value.replace('_', "-"))
}

/// The translator handed to every page.
#[derive(Clone)]
pub struct Tr {
    pub lang: Lang,
    i18n: Arc<I18n>,
}

impl Tr {
    pub fn new(lang: Lang, i18n: Arc<I18n>) -> Tr {
        Tr { lang, i18n }
    }
    pub fn t(&self, key: &str) -> String {
        self.i18n.get(self.lang, key, &[])
    }
    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        self.i18n.get(self.lang, key, args)
    }
    pub fn field(&self, name: &str) -> String {
        self.t(&format!("field-{}", name.replace('_', "-")))
    }
    pub fn choice(&self, value: &str) -> String {
        self.t(&format!("choice-{}", value.replace('_', "-")))
    }
    pub fn kind(&self, kind: sonae_domain::Kind) -> String {
        self.t(&format!("kind-{}", kind.slug()))
    }
    pub fn role(&self, role: sonae_domain::Role) -> String {
        self.t(&format!("role-{}", role.as_str().replace('_', "-")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sonae_domain::inventory::FieldType;
    use sonae_domain::{Kind, Role};

    fn keys(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").trim().to_owned())
            .collect()
    }

    /// Message keys written as literals in the web sources: every quoted
    /// string that looks like a key of one of the catalog's sections.
    fn literal_keys() -> Vec<String> {
        const PREFIXES: &[&str] = &[
            "account-",
            "act-",
            "alias-",
            "asm-",
            "dash-",
            "risk-",
            "action-",
            "audit-",
            "bc-",
            "choice-",
            "cia-",
            "empty-",
            "err-",
            "error-",
            "field-",
            "filter-",
            "flash-",
            "form-",
            "hint-",
            "history-",
            "home-",
            "import-",
            "inc-",
            "route-",
            "intake-",
            "kind-",
            "list-",
            "login-",
            "my-",
            "ntc-",
            "rev-",
            "rep-",
            "policy-",
            "queue-",
            "wf-",
            "nav-",
            "notify-",
            "page-",
            "password-",
            "record-",
            "reports-",
            "role-",
            "sbom-",
            "setup-",
            "stale-",
            "stmt-",
            "title-",
            "token-",
            "users-",
            "value-",
        ];
        let mut out = Vec::new();
        for src in crate::pages::SOURCES {
            for line in src.lines() {
                for (i, part) in line.split('"').enumerate() {
                    let is_key = i % 2 == 1
                        && PREFIXES.iter().any(|p| part.starts_with(p))
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !part.ends_with('-');
                    if is_key {
                        out.push(part.to_owned());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let mut ja: Vec<String> = JA_FTL.iter().flat_map(|s| keys(s)).collect();
        let mut en: Vec<String> = EN_FTL.iter().flat_map(|s| keys(s)).collect();
        ja.sort();
        en.sort();
        let only_ja: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "only ja: {only_ja:?}; only en: {only_en:?}"
        );
        I18n::load().unwrap();
    }

    #[test]
    fn every_domain_label_is_translated() {
        let i = I18n::load().unwrap();
        for lang in [Lang::Ja, Lang::En] {
            let tr = Tr::new(lang, i.clone());
            let mut missing = Vec::new();
            let mut need = |key: String| {
                if !i.has(lang, &key) {
                    missing.push(key);
                }
            };
            for kind in Kind::ALL {
                need(format!("kind-{}", kind.slug()));
                need(format!("kind-{}-one", kind.slug()));
                for f in kind.fields() {
                    need(format!("field-{}", f.name.replace('_', "-")));
                    if let FieldType::Enum(choices) = f.ty {
                        for c in choices {
                            need(format!("choice-{}", c.replace('_', "-")));
                        }
                    }
                }
            }
            for r in Role::ALL {
                need(format!("role-{}", r.as_str().replace('_', "-")));
            }
            for a in ["create", "update", "delete", "login", "password", "revoke"] {
                need(format!("audit-action-{a}"));
            }
            for j in sonae_domain::finding::JUSTIFICATIONS {
                need(format!("vex-{}", j.replace('_', "-")));
            }
            for st in sonae_domain::workflow::Status::ALL {
                need(format!("wf-status-{}", st.as_str().replace('_', "-")));
            }
            for st in sonae_domain::workflow::STEPS {
                need(format!("wf-step-{}", st.replace('_', "-")));
                need(format!("wf-hint-{}", st.replace('_', "-")));
            }
            for st in ["expired", "match-changed", "fix-available"] {
                need(format!("wf-step-{st}"));
            }
            for d in sonae_domain::workflow::Direction::ALL {
                need(format!("wf-direction-{}", d.as_str().replace('_', "-")));
            }
            for e in sonae_domain::workflow::TEST_ENVIRONMENTS {
                need(format!("wf-testenv-{e}"));
            }
            for s in sonae_store::ACTION_STATUSES {
                need(format!("act-status-{}", s.replace('_', "-")));
            }
            for s in sonae_store::ACTION_SOURCES {
                need(format!("act-source-{s}"));
            }
            for c in sonae_domain::incident::CATEGORIES {
                need(format!("inc-cat-{}", c.replace('_', "-")));
            }
            for p in sonae_domain::incident::Phase::ALL {
                need(format!("inc-phase-{}", p.as_str()));
            }
            for k in [
                "inc-pd-unknown",
                "inc-pd-no",
                "inc-pd-yes",
                "inc-log-kind-report",
                "inc-log-kind-note",
                "inc-log-kind-phase",
                "inc-log-kind-level",
                "inc-log-kind-task",
                "inc-log-kind-decision",
                "inc-log-kind-evidence",
                "inc-log-kind-custody",
                "inc-authority-stop-system",
                "inc-authority-command",
                "inc-authority-other",
                "inc-contact-command",
                "inc-contact-command-deputy",
                "inc-contact-stop",
                "inc-contact-stop-deputy",
                "inc-contact-administrator",
                "route-field-stop-person-id",
                "route-field-stop-deputy-id",
                "route-field-command-person-id",
                "route-field-command-deputy-id",
            ] {
                need(k.to_owned());
            }
            for f in sonae_domain::vuln::Feed::ALL {
                need(format!("feed-{}", f.as_str()));
            }
            for k in [
                "cia-1",
                "cia-2",
                "cia-3",
                "flash-saved",
                "flash-deleted",
                "findings-certainty-confirmed",
                "findings-certainty-possible",
            ] {
                need(k.to_owned());
            }
            for k in literal_keys() {
                need(k);
            }
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert_ne!(tr.t("app-name"), "app-name");
        }
    }

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ja;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("fr, ja;q=0.5, en;q=0.4"),
            Lang::Ja
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::Ja);
    }
}
