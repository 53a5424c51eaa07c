//! JVN iPedia affected-product entries: a CPE (often a CPE 2.2 URI without
//! a version) and free affected-version text in Japanese or English
//! ("1.05およびそれ以前", "Ver.1.3.0より前のバージョン", "2.4.49 and 2.4.50",
//! "versions prior to 3.1.0", "全てのバージョン"). The text is read where
//! its form is known ([`parse_versions`], shown as [`reading`]); what cannot
//! be read leaves the match only possible.

use crate::cpe::{AttrValue, Cpe23, MatchResult};
use crate::version::{self, Scheme};
use std::cmp::Ordering;

/// One affected-version statement read from JVN's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRule {
    /// Exactly this version.
    Eq(String),
    /// Before it (より前, prior to, before, earlier than).
    Lt(String),
    /// It and before (以前, およびそれ以前, and earlier, or earlier, up to, through).
    Le(String),
    /// It and after (以降, and later).
    Ge(String),
    /// From one to the other, both included (から, to, -, ～).
    Between(String, String),
    /// From the first (included) to before the second ("1.0 から 2.0 より前").
    FromBefore(String, String),
    /// Every version (全てのバージョン, すべてのバージョン, 全バージョン,
    /// all versions).
    All,
}

impl VersionRule {
    fn holds(&self, v: &str) -> bool {
        let cmp = |b: &str| version::compare(Scheme::Generic, v, b);
        match self {
            VersionRule::Eq(b) => cmp(b) == Ordering::Equal,
            VersionRule::Lt(b) => cmp(b) == Ordering::Less,
            VersionRule::Le(b) => cmp(b) != Ordering::Greater,
            VersionRule::Ge(b) => cmp(b) != Ordering::Less,
            VersionRule::Between(a, b) => cmp(a) != Ordering::Less && cmp(b) != Ordering::Greater,
            VersionRule::FromBefore(a, b) => cmp(a) != Ordering::Less && cmp(b) == Ordering::Less,
            VersionRule::All => true,
        }
    }

    /// The rule in a form that reads the same in Japanese and English
    /// ("< 3.4.6", "≤ 2.20", "1.0 ≤ v < 2.0"), except "all versions".
    pub fn describe(&self) -> String {
        match self {
            VersionRule::Eq(b) => format!("= {b}"),
            VersionRule::Lt(b) => format!("< {b}"),
            VersionRule::Le(b) => format!("≤ {b}"),
            VersionRule::Ge(b) => format!("≥ {b}"),
            VersionRule::Between(a, b) => format!("{a} ≤ v ≤ {b}"),
            VersionRule::FromBefore(a, b) => format!("{a} ≤ v < {b}"),
            VersionRule::All => "all versions".to_owned(),
        }
    }
}

/// Rules as one text: each described, joined by ", " (any of them holds).
fn describe_all(rules: &[VersionRule]) -> String {
    rules
        .iter()
        .map(VersionRule::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How an affected-version text was read, for showing beside it
/// ("3.4.6 より前のバージョン" → "< 3.4.6", "2.20 およびそれ以前" →
/// "≤ 2.20", "全てのバージョン" → "all versions", "1.0 から 2.0 より前" →
/// "1.0 ≤ v < 2.0", "2.4.49 および 2.4.50" → "= 2.4.49, = 2.4.50").
/// `None` when the text's form is not known (matching stays possible).
pub fn reading(text: &str) -> Option<String> {
    parse_versions(text).map(|rules| describe_all(&rules))
}

/// Words allowed before an "all versions" phrase ("ファームウェア 全ての
/// バージョン"); anything else (「一部を除く全てのバージョン」) leaves the
/// text unread.
const ALL_VERSIONS_HEADS: [&str; 7] = [
    "",
    "ファームウェア",
    "ファームウエア",
    "ソフトウェア",
    "ソフトウエア",
    "firmware",
    "software",
];

/// Whether a text without version numbers says "every version": the
/// phrase alone (spaces, case and a final full stop ignored), after at
/// most one of [`ALL_VERSIONS_HEADS`].
fn says_all_versions(cleaned: &str) -> bool {
    let squeezed: String = cleaned
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let text = squeezed.trim_end_matches(['。', '.']);
    ALL_VERSIONS_HEADS.iter().any(|head| {
        text.strip_prefix(head).is_some_and(|rest| {
            matches!(
                rest,
                "全てのバージョン" | "すべてのバージョン" | "全バージョン" | "allversions"
            )
        })
    })
}

/// Version-like tokens in a text: starting with a digit, then digits,
/// letters, dots, hyphens, underscores ("1.05", "2.4.58", "10.0.19041").
fn version_tokens(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let prev_ok = i == 0 || !chars[i - 1].1.is_ascii_alphanumeric() || {
            // "Ver.1.3.0", "v3.0": a version right after a v prefix.
            let p = chars[i - 1].1;
            p == 'v' || p == 'V'
        };
        if c.is_ascii_digit() && prev_ok {
            let mut j = i;
            while j < chars.len()
                && (chars[j].1.is_ascii_alphanumeric() || matches!(chars[j].1, '.' | '_' | '-'))
            {
                j += 1;
            }
            let tok: String = chars[i..j].iter().map(|(_, c)| *c).collect();
            let tok = tok.trim_end_matches(['.', '-', '_']).to_owned();
            // A CVE or JVNDB year ("CVE-2025-0355") is not a version.
            let before: String = chars[i.saturating_sub(4)..i]
                .iter()
                .map(|(_, c)| *c)
                .collect();
            if !before.ends_with("CVE-") && !before.ends_with("VE-") {
                out.push((pos, tok));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The words between two versions without the second one's prefix
/// ("から v" → "から", "to version" → "to").
fn strip_prefix_words(s: &str) -> &str {
    let mut s = s.trim();
    for p in ["version", "ver.", "ver", "v"] {
        if let Some(r) = s.strip_suffix(p) {
            s = r.trim_end();
            break;
        }
    }
    s
}

/// Read JVN's affected-version text. `None` when its form is not known
/// (the match then stays possible).
pub fn parse_versions(text: &str) -> Option<Vec<VersionRule>> {
    // Parenthesized remarks name CVEs, not versions.
    let mut cleaned = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = (depth as i32 - 1).max(0) as usize,
            c if depth == 0 => cleaned.push(c),
            _ => {}
        }
    }
    let lower = cleaned.to_lowercase();
    // "All versions except 2.0", 「2.0 以外」: an exclusion is not read.
    if ["except", "excluding", "other than", "除く", "以外"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return None;
    }
    let toks = version_tokens(&cleaned);
    let after = |pos: usize, tok: &str| lower.get(pos + tok.len()..).unwrap_or("").trim_start();
    let before = |pos: usize| lower.get(..pos).unwrap_or("").trim_end();
    match toks.as_slice() {
        [] => says_all_versions(&cleaned).then(|| vec![VersionRule::All]),
        [(pos, v)] => {
            let rest = after(*pos, v);
            let head = before(*pos);
            let starts = |ps: &[&str]| ps.iter().any(|p| rest.starts_with(p));
            if starts(&["より前", "未満"])
                || head.ends_with("prior to")
                || head.ends_with("before")
                || head.ends_with("earlier than")
                || head.ends_with("prior to ver.")
                || head.ends_with("prior to version")
            {
                Some(vec![VersionRule::Lt(v.clone())])
            } else if starts(&[
                "およびそれ以前",
                "及びそれ以前",
                "以前",
                "までの",
                "まで",
                "and earlier",
                "or earlier",
                "and prior",
                "and before",
            ]) || head.ends_with("up to")
                || head.ends_with("through")
            {
                Some(vec![VersionRule::Le(v.clone())])
            } else if starts(&["以降", "and later", "or later", "and above"]) {
                Some(vec![VersionRule::Ge(v.clone())])
            } else if rest.is_empty()
                || starts(&["のみ", "only"])
                || !rest.chars().any(|c| c.is_alphabetic())
            {
                Some(vec![VersionRule::Eq(v.clone())])
            } else {
                None
            }
        }
        [(p1, a), (p2, b)] => {
            let between = strip_prefix_words(lower.get(p1 + a.len()..*p2).unwrap_or(""));
            let rest = after(*p2, b);
            if ["から", "to", "-", "～", "〜", "~", "through"].contains(&between) {
                if rest.starts_with("より前") || rest.starts_with("未満") {
                    // "1.0 から 2.0 より前": 1.0 <= v < 2.0.
                    return Some(vec![VersionRule::FromBefore(a.clone(), b.clone())]);
                }
                Some(vec![VersionRule::Between(a.clone(), b.clone())])
            } else if ["および", "及び", "と", "and", ",", "、", "/"].contains(&between) {
                Some(vec![VersionRule::Eq(a.clone()), VersionRule::Eq(b.clone())])
            } else {
                None
            }
        }
        many => {
            // A list: "1.0, 1.1, 1.2" or "1.0、1.1 および 1.2".
            let seps_only = many.windows(2).all(|w| {
                let s = strip_prefix_words(lower.get(w[0].0 + w[0].1.len()..w[1].0).unwrap_or(""));
                [",", "、", "および", "及び", "and", "/", ", and"].contains(&s)
            });
            seps_only.then(|| {
                many.iter()
                    .map(|(_, v)| VersionRule::Eq(v.clone()))
                    .collect()
            })
        }
    }
}

/// Whether a JVN affected entry (its CPE and version texts) affects a
/// component's CPE. The CPE's vendor and product must equal the
/// component's (the caller checked it); part too when both give one.
pub fn affects(cpe: &Cpe23, versions: &[String], component: &Cpe23, source: &str) -> MatchResult {
    let part_ok = match (&cpe.part, &component.part) {
        (AttrValue::Value(a), AttrValue::Value(b)) => a == b,
        _ => true,
    };
    if !part_ok {
        return MatchResult::No;
    }
    let name = cpe.to_formatted_string();
    // A version in JVN's CPE itself is exact.
    if let AttrValue::Value(v) = &cpe.version {
        return match &component.version {
            AttrValue::Value(c)
                if version::compare(Scheme::Generic, c.as_str(), v.as_str()) == Ordering::Equal =>
            {
                MatchResult::Yes {
                    reason: format!("{source}: {name} version {} = {}", v.as_str(), c.as_str()),
                }
            }
            AttrValue::Value(_) | AttrValue::Na => MatchResult::No,
            AttrValue::Any => MatchResult::Possible {
                reason: format!(
                    "{source}: {name} affects version {}; the component does not say its version",
                    v.as_str()
                ),
            },
        };
    }
    // "All versions": affected whatever the component's version, said or not.
    if let Some(t) = versions
        .iter()
        .find(|t| parse_versions(t).is_some_and(|r| r.contains(&VersionRule::All)))
    {
        let version = match &component.version {
            AttrValue::Value(v) if !v.has_wildcards() => format!("; version {}", v.as_str()),
            _ => String::new(),
        };
        return MatchResult::Yes {
            reason: format!("{source}: {name} affects \"{t}\" (read as all versions){version}"),
        };
    }
    let texts = versions.join(" / ");
    let comp_version = match &component.version {
        AttrValue::Value(v) if !v.has_wildcards() => Some(v.as_str()),
        _ => None,
    };
    let Some(cv) = comp_version else {
        return MatchResult::Possible {
            reason: format!(
                "{source}: {name} affects \"{texts}\"; the component does not say its version"
            ),
        };
    };
    if versions.is_empty() {
        return MatchResult::Possible {
            reason: format!(
                "{source}: {name}; JVN gives no affected versions to compare {cv} with"
            ),
        };
    }
    let mut unreadable = Vec::new();
    for t in versions {
        match parse_versions(t) {
            Some(rules) => {
                // Several rules from one text are alternatives.
                if rules.iter().any(|r| r.holds(cv)) {
                    return MatchResult::Yes {
                        reason: format!(
                            "{source}: {name} affects \"{t}\" (read as {}); version {cv}",
                            describe_all(&rules)
                        ),
                    };
                }
            }
            None => unreadable.push(t.as_str()),
        }
    }
    if unreadable.is_empty() {
        MatchResult::No
    } else {
        MatchResult::Possible {
            reason: format!(
                "{source}: {name} affects \"{}\", which cannot be compared with version {cv} automatically",
                unreadable.join(" / ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn japanese_and_english_forms() {
        assert_eq!(
            parse_versions("ファームウェアバージョン 1.05およびそれ以前"),
            Some(vec![VersionRule::Le("1.05".into())])
        );
        assert_eq!(
            parse_versions("Ver.1.3.0より前のバージョン（CVE-2025-0355）"),
            Some(vec![VersionRule::Lt("1.3.0".into())])
        );
        assert_eq!(
            parse_versions("versions prior to 3.1.0"),
            Some(vec![VersionRule::Lt("3.1.0".into())])
        );
        assert_eq!(
            parse_versions("v3.0.0 から v3.2.1"),
            Some(vec![VersionRule::Between("3.0.0".into(), "3.2.1".into())])
        );
        assert_eq!(
            parse_versions("2.4.49 および 2.4.50"),
            Some(vec![
                VersionRule::Eq("2.4.49".into()),
                VersionRule::Eq("2.4.50".into())
            ])
        );
        assert_eq!(
            parse_versions("7.0 以降"),
            Some(vec![VersionRule::Ge("7.0".into())])
        );
        assert_eq!(parse_versions("Windows 版の一部"), None);
    }

    #[test]
    fn all_versions() {
        for text in [
            "全てのバージョン",
            "すべてのバージョン",
            "全バージョン",
            " 全てのバージョン。",
            "ファームウェア 全てのバージョン",
            "全てのバージョン（CVE-2025-0355）",
            "all versions",
            "All Versions",
            "Firmware all versions.",
        ] {
            assert_eq!(parse_versions(text), Some(vec![VersionRule::All]), "{text}");
            assert_eq!(reading(text).as_deref(), Some("all versions"), "{text}");
        }
        for text in [
            "一部を除く全てのバージョン",
            "Windows 版の全てのバージョン",
            "all versions except 2.0",
            "2.0 を除く全てのバージョン",
            "1.0 以外のバージョン",
            "全てのバージョンではない",
        ] {
            assert_eq!(parse_versions(text), None, "{text}");
        }
        // With a number it is not "every version".
        assert_eq!(
            parse_versions("3.x の全てのバージョン"),
            None,
            "a branch, not every version"
        );
    }

    #[test]
    fn readings_are_neutral() {
        assert_eq!(
            reading("3.4.6 より前のバージョン").as_deref(),
            Some("< 3.4.6")
        );
        assert_eq!(
            reading("ファームウエア 2.20 およびそれ以前").as_deref(),
            Some("≤ 2.20")
        );
        assert_eq!(reading("7.0 以降").as_deref(), Some("≥ 7.0"));
        assert_eq!(reading("1.0.2").as_deref(), Some("= 1.0.2"));
        assert_eq!(
            reading("1.0 から 2.0 より前").as_deref(),
            Some("1.0 ≤ v < 2.0")
        );
        assert_eq!(
            reading("v3.0.0 から v3.2.1").as_deref(),
            Some("3.0.0 ≤ v ≤ 3.2.1")
        );
        assert_eq!(
            reading("2.4.49 and 2.4.50").as_deref(),
            Some("= 2.4.49, = 2.4.50")
        );
        assert_eq!(
            reading("core 2.0-beta9 から 2.12.1 より前のバージョン").as_deref(),
            Some("2.0-beta9 ≤ v < 2.12.1")
        );
        assert_eq!(reading("一部の機種"), None);
        assert_eq!(reading(""), None);
    }

    #[test]
    fn decides_when_it_can() {
        let cpe = Cpe23::parse_uri22("cpe:/o:nec:aterm_wg2600hs_firmware").unwrap();
        let comp = |v: &str| {
            let mut c =
                Cpe23::parse("cpe:2.3:o:nec:aterm_wg2600hs_firmware:*:*:*:*:*:*:*:*").unwrap();
            c.version = AttrValue::literal(v);
            c
        };
        let texts = vec!["Ver.1.7.2より前のバージョン（CVE-2025-0354、CVE-2025-0355）".to_owned()];
        assert!(matches!(
            affects(&cpe, &texts, &comp("1.7.1"), "JVNDB-2025-000001"),
            MatchResult::Yes { .. }
        ));
        assert_eq!(
            affects(&cpe, &texts, &comp("1.7.2"), "JVNDB-2025-000001"),
            MatchResult::No
        );
        assert!(matches!(
            affects(&cpe, &texts, &comp(""), "JVNDB-2025-000001"),
            MatchResult::Possible { .. }
        ));
        let unreadable = vec!["一部の機種".to_owned()];
        assert!(matches!(
            affects(&cpe, &unreadable, &comp("1.0"), "JVNDB-2025-000001"),
            MatchResult::Possible { .. }
        ));
        // A range with an excluded end.
        let range = vec!["2.13.0 から 2.15.0 より前のバージョン".to_owned()];
        assert!(matches!(
            affects(&cpe, &range, &comp("2.14.1"), "JVNDB-2021-005429"),
            MatchResult::Yes { .. }
        ));
        assert_eq!(
            affects(&cpe, &range, &comp("2.15.0"), "JVNDB-2021-005429"),
            MatchResult::No
        );
        assert_eq!(
            affects(&cpe, &range, &comp("2.12.9"), "JVNDB-2021-005429"),
            MatchResult::No
        );
    }

    #[test]
    fn all_versions_affect_any_version() {
        let cpe = Cpe23::parse_uri22("cpe:/o:nec:aterm_wg2600hs_firmware").unwrap();
        let comp = |v: &str| {
            let mut c =
                Cpe23::parse("cpe:2.3:o:nec:aterm_wg2600hs_firmware:*:*:*:*:*:*:*:*").unwrap();
            if !v.is_empty() {
                c.version = AttrValue::literal(v);
            }
            c
        };
        let texts = vec!["全てのバージョン".to_owned()];
        for v in ["0.1", "1.7.2", "99", ""] {
            match affects(&cpe, &texts, &comp(v), "JVNDB-2025-000001") {
                MatchResult::Yes { reason } => {
                    assert!(reason.contains("read as all versions"), "{reason}")
                }
                other => panic!("{v}: {other:?}"),
            }
        }
        // Beside another text, "all versions" still decides.
        let texts = vec!["1.0 より前".to_owned(), "All versions".to_owned()];
        assert!(matches!(
            affects(&cpe, &texts, &comp("5.0"), "JVNDB-2025-000001"),
            MatchResult::Yes { .. }
        ));
    }
}
