#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! CPE 2.3 names, name matching and NVD configuration evaluation, as a
//! user of sonae sees them: which inventory components a CVE's
//! configuration marks vulnerable, and why.

use sonae_domain::vuln::{ConfigNode, Configuration, CpeMatch, Operator};
use sonae_match::cpe::{
    attr_matches, compare_attr, evaluate, match_cpe, AttrValue, Cpe23, CpeError, MatchResult,
    Relation,
};
use sonae_match::version::Scheme;

fn cpe(s: &str) -> Cpe23 {
    Cpe23::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn attr(s: &str) -> AttrValue {
    AttrValue::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn crit(criteria: &str) -> CpeMatch {
    CpeMatch {
        vulnerable: true,
        criteria: criteria.into(),
        match_criteria_id: None,
        version_start_including: None,
        version_start_excluding: None,
        version_end_including: None,
        version_end_excluding: None,
    }
}

fn platform(criteria: &str) -> CpeMatch {
    CpeMatch {
        vulnerable: false,
        ..crit(criteria)
    }
}

fn node(operator: Operator, cpe_match: Vec<CpeMatch>) -> ConfigNode {
    ConfigNode {
        operator,
        negate: false,
        cpe_match,
    }
}

fn reason(r: &MatchResult) -> &str {
    r.reason().unwrap_or("")
}

// ---------------------------------------------------------------- names

#[test]
fn escaped_names_from_nvd_parse_and_round_trip() {
    let tiki = cpe("cpe:2.3:a:tiki:tikiwiki_cms\\/groupware:*:*:*:*:*:*:*:*");
    assert_eq!(tiki.product.as_text(), Some("tikiwiki_cms/groupware"));
    assert_eq!(tiki.version, AttrValue::Any);
    assert_eq!(
        tiki.to_formatted_string(),
        "cpe:2.3:a:tiki:tikiwiki_cms\\/groupware:*:*:*:*:*:*:*:*"
    );

    // CVE-2022-1576 (fixture api2-single-CVE-2022-1576.json).
    let s = "cpe:2.3:a:themeisle:wp_maintenance_mode_\\&_coming_soon:*:*:*:*:*:wordpress:*:*";
    let wp = cpe(s);
    assert_eq!(wp.vendor.as_text(), Some("themeisle"));
    assert_eq!(
        wp.product.as_text(),
        Some("wp_maintenance_mode_&_coming_soon")
    );
    assert_eq!(wp.target_sw.as_text(), Some("wordpress"));
    assert_eq!(wp.to_formatted_string(), s);
    assert_eq!(s.parse::<Cpe23>().unwrap(), wp);

    let wpp = "cpe:2.3:a:wp_maintenance_mode_\\&_coming_soon_project:wp_maintenance_mode_\\&_coming_soon:*:*:*:*:*:wordpress:*:*";
    assert_eq!(
        cpe(wpp).vendor.as_text(),
        Some("wp_maintenance_mode_&_coming_soon_project")
    );
    assert_eq!(cpe(wpp).to_formatted_string(), wpp);

    // An escaped colon does not split the name; a lone hyphen is NA.
    let c = cpe("cpe:2.3:a:vendor:product\\:x:1.0\\(2\\):-:*:*:*:*:*:*");
    assert_eq!(c.product.as_text(), Some("product:x"));
    assert_eq!(c.version.as_text(), Some("1.0(2)"));
    assert_eq!(c.update, AttrValue::Na);
    assert_eq!(
        c.to_formatted_string(),
        "cpe:2.3:a:vendor:product\\:x:1.0\\(2\\):-:*:*:*:*:*:*"
    );
}

#[test]
fn names_are_case_insensitive_and_needless_escapes_normalise() {
    let c = cpe("CPE:2.3:A:Apache:HTTP_Server:2.4.58:*:*:*:*:*:*:*");
    assert_eq!(
        c.to_formatted_string(),
        "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"
    );
    // `\.` is the same character as `.`.
    let d = cpe("cpe:2.3:a:nodejs:node\\.js:1\\.0:*:*:*:*:*:*:*");
    assert_eq!(d, cpe("cpe:2.3:a:nodejs:node.js:1.0:*:*:*:*:*:*:*"));
}

/// Every criteria in the NVD fixtures parses, and binds back to the very
/// string the NVD wrote.
#[test]
fn every_criteria_in_the_nvd_fixtures_round_trips() {
    let files = [
        include_str!("../../sonae-feeds/tests/fixtures/nvd/api2-page-vunnel.json"),
        include_str!("../../sonae-feeds/tests/fixtures/nvd/api2-single-CVE-2022-1576.json"),
        include_str!("../../sonae-feeds/tests/fixtures/nvd/legacy11-osvdev-subset.json"),
        include_str!("../../sonae-feeds/tests/fixtures/nvd/legacy11-postmodern-recent.json"),
    ];
    let mut seen = 0;
    for text in files {
        for line in text.lines() {
            let line = line.trim();
            let Some(rest) = line
                .strip_prefix("\"criteria\": \"")
                .or_else(|| line.strip_prefix("\"cpe23Uri\": \""))
            else {
                continue;
            };
            let json = rest.trim_end_matches(',').trim_end_matches('"');
            // JSON string escapes: `\\` and `\/`.
            let s = json
                .replace("\\\\", "\u{0}")
                .replace("\\/", "/")
                .replace('\u{0}', "\\");
            assert_eq!(cpe(&s).to_formatted_string(), s);
            seen += 1;
        }
    }
    assert!(seen > 90, "read {seen} criteria");
}

#[test]
fn malformed_names_are_refused() {
    // 12 parts.
    assert_eq!(
        Cpe23::parse("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*"),
        Err(CpeError::WrongCount { found: 12 })
    );
    // 14 parts.
    assert_eq!(
        Cpe23::parse("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*:*"),
        Err(CpeError::WrongCount { found: 14 })
    );
    assert!(matches!(
        Cpe23::parse("cpe:2.3:x:apache:http_server:*:*:*:*:*:*:*:*"),
        Err(CpeError::BadPart { .. })
    ));
    assert_eq!(
        Cpe23::parse("cpe:2.2:a:apache:http_server:*:*:*:*:*:*:*:*"),
        Err(CpeError::BadPrefix)
    );
    assert_eq!(
        Cpe23::parse("cpe:/a:apache:http_server"),
        Err(CpeError::BadPrefix)
    );
    assert!(matches!(
        Cpe23::parse("cpe:2.3:a:apache:http server:*:*:*:*:*:*:*:*"),
        Err(CpeError::BadChar {
            attr: "product",
            ch: ' '
        })
    ));
    assert!(Cpe23::parse(" cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*").is_err());
    assert!(Cpe23::parse("cpe:2.3:a:apache:http_server:2.4\t:*:*:*:*:*:*:*").is_err());
    assert!(matches!(
        Cpe23::parse("cpe:2.3:a:wp_maintenance_mode_&_coming_soon_project:x:*:*:*:*:*:*:*:*"),
        Err(CpeError::BadChar {
            attr: "vendor",
            ch: '&'
        })
    ));
    assert!(matches!(
        Cpe23::parse("cpe:2.3:a:apache::*:*:*:*:*:*:*:*"),
        Err(CpeError::Empty { attr: "product" })
    ));
    assert!(matches!(
        Cpe23::parse("cpe:2.3:a:apache:ja*va:*:*:*:*:*:*:*:*"),
        Err(CpeError::BadWildcard { attr: "product" })
    ));
    assert!(Cpe23::parse("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:x\\").is_err());
    assert!(Cpe23::parse("cpe:2.3:a:caf\u{e9}:x:*:*:*:*:*:*:*:*").is_err());
    // Errors say what is wrong in words.
    let e = Cpe23::parse("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*").unwrap_err();
    assert!(e.to_string().contains("13"), "{e}");
}

#[test]
fn cpe22_uris_as_jvn_writes_them() {
    let c = Cpe23::parse_uri22("cpe:/o:mitsubishielectric:gt23_model").unwrap();
    assert_eq!(c.part.as_text(), Some("o"));
    assert_eq!(c.vendor.as_text(), Some("mitsubishielectric"));
    assert_eq!(c.product.as_text(), Some("gt23_model"));
    for (name, a) in c.attrs().into_iter().skip(3) {
        assert_eq!(*a, AttrValue::Any, "{name}");
    }
    assert_eq!(
        c.to_formatted_string(),
        "cpe:2.3:o:mitsubishielectric:gt23_model:*:*:*:*:*:*:*:*"
    );

    // Percent-encoding (JVN fixture: rockwellautomation).
    let r =
        Cpe23::parse_uri22("cpe:/a:rockwellautomation:industrial_data_center_%28idc%29_with_veeam")
            .unwrap();
    assert_eq!(
        r.product.as_text(),
        Some("industrial_data_center_(idc)_with_veeam")
    );
    assert_eq!(
        r.to_formatted_string(),
        "cpe:2.3:a:rockwellautomation:industrial_data_center_\\(idc\\)_with_veeam:*:*:*:*:*:*:*:*"
    );
    let p = Cpe23::parse_uri22("cpe:/a:hp:insight_diagnostics:%240.99").unwrap();
    assert_eq!(p.version.as_text(), Some("$0.99"));
    assert_eq!(p.version.to_string(), "\\$0.99");

    // Version, NA update, packed edition; upper case is lowered.
    let w = Cpe23::parse_uri22("cpe:/A:Microsoft:Office:2016:-:~~~~x64~").unwrap();
    assert_eq!(
        w.to_formatted_string(),
        "cpe:2.3:a:microsoft:office:2016:-:*:*:*:*:x64:*"
    );
    let e = Cpe23::parse_uri22("cpe:/a:vendor:product:1.0::~pro~~wordpress~~:en").unwrap();
    assert_eq!(
        e.to_formatted_string(),
        "cpe:2.3:a:vendor:product:1.0:*:pro:en:*:wordpress:*:*"
    );

    assert!(Cpe23::parse_uri22("cpe:/a:vendor:product name").is_err());
    assert!(Cpe23::parse_uri22("cpe:/x:vendor:product").is_err());
    assert!(Cpe23::parse_uri22("cpe:/a:v:p:1:2:3:en:extra").is_err());
    assert!(Cpe23::parse_uri22("cpe:/a:v:p:%zz").is_err());
    assert!(Cpe23::parse_uri22("cpe:2.3:a:v:p:*:*:*:*:*:*:*:*").is_err());
}

// ------------------------------------------------------ attribute matching

/// NISTIR 7696 Table 6-2, source (feed) against target (inventory).
#[test]
fn attribute_relations_follow_nistir_7696() {
    let any = AttrValue::Any;
    let na = AttrValue::Na;
    let table = [
        // source, target, relation, match?
        (any.clone(), any.clone(), Relation::Equal, true),
        (any.clone(), na.clone(), Relation::Superset, true),
        (any.clone(), attr("java_se"), Relation::Superset, true),
        (na.clone(), any.clone(), Relation::Subset, true),
        (na.clone(), na.clone(), Relation::Equal, true),
        (na.clone(), attr("java_se"), Relation::Disjoint, false),
        (attr("java_se"), any.clone(), Relation::Subset, true),
        (attr("java_se"), na.clone(), Relation::Disjoint, false),
        (attr("java_se"), attr("java_se"), Relation::Equal, true),
        (attr("java_se"), attr("java_ee"), Relation::Disjoint, false),
        (attr("java*"), attr("java_se"), Relation::Superset, true),
        (attr("java*"), attr("java"), Relation::Superset, true),
        (attr("java*"), attr("jre"), Relation::Disjoint, false),
        (attr("*_se"), attr("java_se"), Relation::Superset, true),
        (attr("java*"), na.clone(), Relation::Disjoint, false),
        (attr("java*"), any.clone(), Relation::Subset, true),
        // `?` stands for exactly one character.
        (attr("2.4.?"), attr("2.4.5"), Relation::Superset, true),
        (attr("2.4.?"), attr("2.4.58"), Relation::Disjoint, false),
        (attr("2.4.??"), attr("2.4.58"), Relation::Superset, true),
        (attr("?.4.58"), attr("2.4.58"), Relation::Superset, true),
        // An escaped star is a literal star, not a wildcard.
        (attr("java\\*"), attr("java_se"), Relation::Disjoint, false),
        (attr("java\\*"), attr("java\\*"), Relation::Equal, true),
        (attr("2.4\\?"), attr("2.4x"), Relation::Disjoint, false),
        // A target with wildcards is a pattern, not a name.
        (attr("java_se"), attr("java*"), Relation::Undefined, false),
        (any.clone(), attr("java*"), Relation::Undefined, false),
    ];
    for (source, target, relation, matches) in table {
        assert_eq!(
            compare_attr(&source, &target),
            relation,
            "{source} vs {target}"
        );
        assert_eq!(
            attr_matches(&source, &target),
            matches,
            "{source} vs {target}"
        );
    }
}

#[test]
fn wildcards_are_told_from_escaped_characters() {
    assert!(attr("java*").as_text() == Some("java*") && attr("java\\*").as_text() == Some("java*"));
    assert_ne!(attr("java*"), attr("java\\*"));
    assert_eq!(attr("java\\*").to_string(), "java\\*");
    assert_eq!(attr("java*").to_string(), "java*");
}

#[test]
fn inventory_values_are_literal() {
    let v = AttrValue::literal("HTTP Server");
    assert_eq!(v.as_text(), Some("http_server"));
    assert!(attr_matches(&attr("http_server"), &v));
    // A star in an inventory value is a character, not a wildcard.
    assert_eq!(AttrValue::literal("a*b").to_string(), "a\\*b");
    assert_eq!(AttrValue::literal("  "), AttrValue::Any);
}

// ------------------------------------------------------------- cpeMatch

fn httpd_range() -> CpeMatch {
    CpeMatch {
        version_start_including: Some("2.4.0".into()),
        version_end_excluding: Some("2.4.59".into()),
        ..crit("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*")
    }
}

#[test]
fn version_ranges_decide() {
    let m = httpd_range();
    let r = match_cpe(
        &m,
        &cpe("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    assert!(
        reason(&r).contains("cpe:2.3:a:apache:http_server:*"),
        "{r:?}"
    );
    assert!(
        reason(&r).contains("versionEndExcluding 2.4.59 > 2.4.58"),
        "{r:?}"
    );
    assert!(
        reason(&r).contains("versionStartIncluding 2.4.0 <= 2.4.58"),
        "{r:?}"
    );

    for outside in ["2.4.59", "2.2.34", "2.5.0"] {
        let c = cpe(&format!(
            "cpe:2.3:a:apache:http_server:{outside}:*:*:*:*:*:*:*"
        ));
        assert_eq!(
            match_cpe(&m, &c, Scheme::Generic),
            MatchResult::No,
            "{outside}"
        );
    }
    // The lower bound is included.
    assert!(match_cpe(
        &m,
        &cpe("cpe:2.3:a:apache:http_server:2.4.0:*:*:*:*:*:*:*"),
        Scheme::Generic
    )
    .is_match());
    // Another product or vendor never matches.
    for other in [
        "cpe:2.3:a:apache:tomcat:2.4.58:*:*:*:*:*:*:*",
        "cpe:2.3:a:nginx:http_server:2.4.58:*:*:*:*:*:*:*",
        "cpe:2.3:o:apache:http_server:2.4.58:*:*:*:*:*:*:*",
    ] {
        assert_eq!(match_cpe(&m, &cpe(other), Scheme::Generic), MatchResult::No);
    }
}

#[test]
fn excluding_start_and_including_end() {
    let m = CpeMatch {
        version_start_excluding: Some("1.2".into()),
        version_end_including: Some("1.5".into()),
        ..crit("cpe:2.3:a:vendor:tool:*:*:*:*:*:*:*:*")
    };
    let at = |v: &str| {
        match_cpe(
            &m,
            &cpe(&format!("cpe:2.3:a:vendor:tool:{v}:*:*:*:*:*:*:*")),
            Scheme::Generic,
        )
    };
    assert_eq!(at("1.2"), MatchResult::No);
    assert!(at("1.3").is_match());
    assert!(at("1.5").is_match());
    assert!(reason(&at("1.5")).contains("versionEndIncluding 1.5 >= 1.5"));
    assert_eq!(at("1.6"), MatchResult::No);
}

#[test]
fn exact_versions_and_all_versions() {
    let m = crit("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*");
    let r = match_cpe(
        &m,
        &cpe("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Yes { .. }));
    assert!(reason(&r).contains("2.4.58"));
    assert_eq!(
        match_cpe(
            &m,
            &cpe("cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
    // A component version with no version at all (NA) is not 2.4.58.
    assert_eq!(
        match_cpe(
            &m,
            &cpe("cpe:2.3:a:apache:http_server:-:*:*:*:*:*:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );

    // No version and no range: every version.
    let all = crit("cpe:2.3:o:xen:xen:*:*:*:*:*:*:x86:*");
    let r = match_cpe(
        &all,
        &cpe("cpe:2.3:o:xen:xen:4.16:*:*:*:*:*:x86:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    // ... but only on the named hardware; a component that does not say
    // its hardware may be on it.
    assert_eq!(
        match_cpe(
            &all,
            &cpe("cpe:2.3:o:xen:xen:4.16:*:*:*:*:*:arm64:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
    let r = match_cpe(
        &all,
        &cpe("cpe:2.3:o:xen:xen:4.16:*:*:*:*:*:*:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Possible { .. }), "{r:?}");
    assert!(
        reason(&r).contains("does not state target_hw (criteria: x86)"),
        "{r:?}"
    );
}

#[test]
fn unknown_component_version_is_possible() {
    let product_only = cpe("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*");
    let r = match_cpe(&httpd_range(), &product_only, Scheme::Generic);
    assert!(matches!(r, MatchResult::Possible { .. }), "{r:?}");
    assert!(reason(&r).contains("versionEndExcluding 2.4.59"), "{r:?}");
    assert!(reason(&r).contains("version"), "{r:?}");

    let exact = crit("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*");
    assert!(matches!(
        match_cpe(&exact, &product_only, Scheme::Generic),
        MatchResult::Possible { .. }
    ));

    // The criteria names an update the component does not give.
    let sp = crit("cpe:2.3:a:vendor:suite:1.0:sp1:*:*:*:*:*:*");
    let r = match_cpe(
        &sp,
        &cpe("cpe:2.3:a:vendor:suite:1.0:*:*:*:*:*:*:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Possible { .. }), "{r:?}");
    assert!(
        reason(&r).contains("does not state update (criteria: sp1)"),
        "{r:?}"
    );
    assert_eq!(
        match_cpe(
            &sp,
            &cpe("cpe:2.3:a:vendor:suite:1.0:sp2:*:*:*:*:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
}

/// CVE-2026-2032 names Firefox for iOS (`target_sw: iphone_os`): desktop
/// Firefox, whose CPE says no target software, is only possibly affected.
#[test]
fn an_attribute_the_component_does_not_state_makes_it_possible() {
    let ios = CpeMatch {
        version_end_excluding: Some("148.0".into()),
        ..crit("cpe:2.3:a:mozilla:firefox:*:*:*:*:*:iphone_os:*:*")
    };
    let desktop = cpe("cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:*:*:*");
    let r = match_cpe(&ios, &desktop, Scheme::Generic);
    assert!(matches!(r, MatchResult::Possible { .. }), "{r:?}");
    assert!(
        reason(&r).contains("component does not state target_sw (criteria: iphone_os)"),
        "{r:?}"
    );
    assert!(
        reason(&r).contains("versionEndExcluding 148.0 > 147.0"),
        "{r:?}"
    );
    // Out of range: no.
    assert_eq!(
        match_cpe(
            &ios,
            &cpe("cpe:2.3:a:mozilla:firefox:148.0:*:*:*:*:*:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
    // The component states the same value: confirmed; another: no.
    let r = match_cpe(
        &ios,
        &cpe("cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:iphone_os:*:*"),
        Scheme::Generic,
    );
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    assert_eq!(
        match_cpe(
            &ios,
            &cpe("cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:android:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
    // A criteria that names no target software: confirmed.
    let any = CpeMatch {
        version_end_excluding: Some("148.0".into()),
        ..crit("cpe:2.3:a:mozilla:firefox:*:*:*:*:*:*:*:*")
    };
    assert!(matches!(
        match_cpe(&any, &desktop, Scheme::Generic),
        MatchResult::Yes { .. }
    ));
    // Each of those attributes counts, and every one unstated is named.
    for (criteria, attr) in [
        (
            "cpe:2.3:a:vendor:tool:1.0:*:enterprise:*:*:*:*:*",
            "edition (criteria: enterprise)",
        ),
        (
            "cpe:2.3:a:vendor:tool:1.0:*:*:*:pro:*:*:*",
            "sw_edition (criteria: pro)",
        ),
        (
            "cpe:2.3:a:vendor:tool:1.0:*:*:*:*:*:x64:*",
            "target_hw (criteria: x64)",
        ),
        (
            "cpe:2.3:a:vendor:tool:1.0:*:*:*:*:*:*:lts",
            "other (criteria: lts)",
        ),
        (
            "cpe:2.3:a:vendor:tool:1.0:sp1:*:*:*:node.js:*:*",
            "update (criteria: sp1), target_sw (criteria: node.js)",
        ),
    ] {
        let r = match_cpe(
            &crit(criteria),
            &cpe("cpe:2.3:a:vendor:tool:1.0:*:*:*:*:*:*:*"),
            Scheme::Generic,
        );
        assert!(matches!(r, MatchResult::Possible { .. }), "{r:?}");
        assert!(reason(&r).contains(attr), "{criteria}: {r:?}");
    }
    // With the version unknown too, both are said.
    let r = match_cpe(
        &ios,
        &cpe("cpe:2.3:a:mozilla:firefox:*:*:*:*:*:*:*:*"),
        Scheme::Generic,
    );
    assert!(reason(&r).contains("does not say its version"), "{r:?}");
    assert!(
        reason(&r).contains("target_sw (criteria: iphone_os)"),
        "{r:?}"
    );
}

/// In an application-on-platform configuration, the rule is about the
/// vulnerable component: a platform criteria's target hardware is not.
#[test]
fn an_unstated_attribute_counts_for_the_vulnerable_criteria_only() {
    let config = |app: &str| Configuration {
        operator: Some(Operator::And),
        negate: false,
        nodes: vec![
            node(
                Operator::Or,
                vec![CpeMatch {
                    version_end_excluding: Some("2.0".into()),
                    ..crit(app)
                }],
            ),
            node(
                Operator::Or,
                vec![platform("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:x64:*")],
            ),
        ],
    };
    let system = [
        cpe("cpe:2.3:a:vendor:tool:1.5:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:microsoft:windows:11:*:*:*:*:*:*:*"),
    ];
    let hits = evaluate(
        &config("cpe:2.3:a:vendor:tool:*:*:*:*:*:*:*:*"),
        &system,
        Scheme::Generic,
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(matches!(hits[0].1, MatchResult::Yes { .. }), "{hits:?}");
    let hits = evaluate(
        &config("cpe:2.3:a:vendor:tool:*:*:*:*:*:*:x64:*"),
        &system,
        Scheme::Generic,
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        matches!(hits[0].1, MatchResult::Possible { .. }),
        "{hits:?}"
    );
    assert!(
        reason(&hits[0].1).contains("does not state target_hw (criteria: x64)"),
        "{hits:?}"
    );
}

#[test]
fn unparsable_criteria_match_nothing() {
    let bad = crit("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*");
    assert_eq!(
        match_cpe(
            &bad,
            &cpe("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"),
            Scheme::Generic
        ),
        MatchResult::No
    );
}

/// CVE-2022-1576 (fixture): WP Maintenance Mode before 2.4.5, a WordPress
/// plugin.
#[test]
fn wordpress_plugin_with_escaped_name() {
    let m = CpeMatch {
        version_end_excluding: Some("2.4.5".into()),
        ..crit("cpe:2.3:a:themeisle:wp_maintenance_mode_\\&_coming_soon:*:*:*:*:*:wordpress:*:*")
    };
    let mut c = Cpe23 {
        part: AttrValue::literal("a"),
        vendor: AttrValue::literal("themeisle"),
        product: AttrValue::literal("wp_maintenance_mode_&_coming_soon"),
        version: AttrValue::literal("2.4.4"),
        target_sw: AttrValue::literal("wordpress"),
        ..Cpe23::default()
    };
    assert!(matches!(
        match_cpe(&m, &c, Scheme::Generic),
        MatchResult::Yes { .. }
    ));
    // Without its target software, the plugin may be another one's.
    let any_sw = Cpe23 {
        target_sw: AttrValue::Any,
        ..c.clone()
    };
    assert!(matches!(
        match_cpe(&m, &any_sw, Scheme::Generic),
        MatchResult::Possible { .. }
    ));
    c.version = AttrValue::literal("2.4.5");
    assert_eq!(match_cpe(&m, &c, Scheme::Generic), MatchResult::No);
}

/// Needs numeric version order (2.4.9 < 2.4.10) from crate::version
/// (plain string order would get it wrong).
#[test]
fn ranges_compare_numerically() {
    let m = CpeMatch {
        version_end_excluding: Some("2.4.10".into()),
        ..crit("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*")
    };
    let at = |v: &str| {
        match_cpe(
            &m,
            &cpe(&format!("cpe:2.3:a:apache:http_server:{v}:*:*:*:*:*:*:*")),
            Scheme::Generic,
        )
    };
    assert!(at("2.4.9").is_match());
    assert_eq!(at("2.4.10"), MatchResult::No);
    assert_eq!(at("2.4.11"), MatchResult::No);
    // Exact versions ignore trailing .0s.
    let exact = crit("cpe:2.3:o:debian:debian_linux:10.0:*:*:*:*:*:*:*");
    assert!(match_cpe(
        &exact,
        &cpe("cpe:2.3:o:debian:debian_linux:10:*:*:*:*:*:*:*"),
        Scheme::Generic
    )
    .is_match());
}

/// A component version from an RPM inventory carries an epoch; the NVD's
/// bounds do not.
#[test]
fn an_epoch_does_not_move_a_version_out_of_range() {
    let m = CpeMatch {
        version_start_including: Some("3.0.0".into()),
        version_end_excluding: Some("3.0.7".into()),
        ..crit("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*")
    };
    let mut c = Cpe23 {
        part: AttrValue::literal("a"),
        vendor: AttrValue::literal("openssl"),
        product: AttrValue::literal("openssl"),
        version: AttrValue::literal("1:3.0.1"),
        ..Cpe23::default()
    };
    let r = match_cpe(&m, &c, Scheme::Generic);
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    c.version = AttrValue::literal("1:3.0.7");
    assert_eq!(match_cpe(&m, &c, Scheme::Generic), MatchResult::No);
}

/// CVE-2006-4016 writes `versionEndIncluding: stable_1.0.3`; NVD has
/// hundreds of bounds like it (`release-2.4`, `version_3.1`, `r28.2.8`).
#[test]
fn a_bound_that_starts_with_a_word_compares_by_its_number() {
    let m = CpeMatch {
        version_end_including: Some("stable_1.0.3".into()),
        ..crit("cpe:2.3:a:vendor:tool:*:*:*:*:*:*:*:*")
    };
    let at = |v: &str| {
        match_cpe(
            &m,
            &cpe(&format!("cpe:2.3:a:vendor:tool:{v}:*:*:*:*:*:*:*")),
            Scheme::Generic,
        )
    };
    let r = at("0.6.1");
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    assert!(
        reason(&r).contains("versionEndIncluding stable_1.0.3 >= 0.6.1"),
        "{r:?}"
    );
    assert!(at("1.0.3").is_match());
    assert_eq!(at("1.0.4"), MatchResult::No);
}

// ------------------------------------------------------- configurations

/// CVE-2022-22377 (fixture api2-page-vunnel.json): IBM Security Verify
/// Privilege On-Premises before 11.5, running on macOS or Windows.
fn cve_2022_22377() -> Configuration {
    Configuration {
        operator: Some(Operator::And),
        negate: false,
        nodes: vec![
            node(
                Operator::Or,
                vec![CpeMatch {
                    version_end_excluding: Some("11.5".into()),
                    match_criteria_id: Some("CEE9CBED-455C-4B83-A735-76EE4C7E331A".into()),
                    ..crit("cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*")
                }],
            ),
            node(
                Operator::Or,
                vec![
                    platform("cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*"),
                    platform("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"),
                ],
            ),
        ],
    }
}

const IBM_11_4: &str = "cpe:2.3:a:ibm:security_verify_privilege_on-premises:11.4:*:*:*:*:*:*:*";

#[test]
fn application_on_platform_needs_the_platform() {
    let config = cve_2022_22377();
    let system = [
        cpe("cpe:2.3:a:mozilla:firefox:120.0:*:*:*:*:*:*:*"),
        cpe(IBM_11_4),
        cpe("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"),
    ];
    let hits = evaluate(&config, &system, Scheme::Generic);
    assert_eq!(hits.len(), 1, "{hits:?}");
    let (i, r) = &hits[0];
    assert_eq!(*i, 1, "the IBM application is vulnerable, not Windows");
    assert!(matches!(r, MatchResult::Yes { .. }), "{r:?}");
    assert!(
        reason(r).contains("versionEndExcluding 11.5 > 11.4"),
        "{r:?}"
    );
    assert!(reason(r).contains("microsoft:windows"), "{r:?}");

    // The application alone, on no listed platform: not this configuration.
    assert!(evaluate(&config, &system[..2], Scheme::Generic).is_empty());
    // On Linux: not either.
    let linux = [
        cpe(IBM_11_4),
        cpe("cpe:2.3:o:linux:linux_kernel:6.1:*:*:*:*:*:*:*"),
    ];
    assert!(evaluate(&config, &linux, Scheme::Generic).is_empty());
    // A Windows whose version the inventory knows still is Windows.
    let win = [
        cpe("cpe:2.3:o:microsoft:windows:11:*:*:*:*:*:*:*"),
        cpe(IBM_11_4),
    ];
    let hits = evaluate(&config, &win, Scheme::Generic);
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1]);
    // A fixed version on Windows: not vulnerable.
    let fixed = [
        cpe("cpe:2.3:a:ibm:security_verify_privilege_on-premises:11.5:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"),
    ];
    assert!(evaluate(&config, &fixed, Scheme::Generic).is_empty());
    // The platform alone: nothing.
    assert!(evaluate(&config, &system[2..], Scheme::Generic).is_empty());
}

#[test]
fn unknown_version_makes_the_configuration_possible() {
    let system = [
        cpe("cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*"),
    ];
    let hits = evaluate(&cve_2022_22377(), &system, Scheme::Generic);
    assert_eq!(hits.len(), 1);
    assert!(
        matches!(hits[0].1, MatchResult::Possible { .. }),
        "{hits:?}"
    );
}

/// CVE-2022-37292 (fixture legacy11-osvdev-subset.json): Tenda AX12
/// firmware 22.03.01.21_cn on the AX12 router.
#[test]
fn firmware_on_hardware() {
    let config = Configuration {
        operator: Some(Operator::And),
        negate: false,
        nodes: vec![
            node(
                Operator::Or,
                vec![crit(
                    "cpe:2.3:o:tenda:ax12_firmware:22.03.01.21_cn:*:*:*:*:*:*:*",
                )],
            ),
            node(
                Operator::Or,
                vec![platform("cpe:2.3:h:tenda:ax12:-:*:*:*:*:*:*:*")],
            ),
        ],
    };
    let router = [
        cpe("cpe:2.3:h:tenda:ax12:-:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:tenda:ax12_firmware:22.03.01.21_cn:*:*:*:*:*:*:*"),
    ];
    let hits = evaluate(&config, &router, Scheme::Generic);
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1]);
    let updated = [
        cpe("cpe:2.3:h:tenda:ax12:-:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:tenda:ax12_firmware:22.03.01.46_cn:*:*:*:*:*:*:*"),
    ];
    assert!(evaluate(&config, &updated, Scheme::Generic).is_empty());
}

/// CVE-2022-0090 (fixture legacy11-osvdev-subset.json): GitLab CE and EE,
/// three ranges in one OR node.
#[test]
fn one_node_many_ranges() {
    let range = |edition: &str, start: Option<&str>, end: &str| CpeMatch {
        version_start_including: start.map(Into::into),
        version_end_excluding: Some(end.into()),
        ..crit(&format!("cpe:2.3:a:gitlab:gitlab:*:*:*:*:{edition}:*:*:*"))
    };
    let config = Configuration {
        operator: None,
        negate: false,
        nodes: vec![node(
            Operator::Or,
            vec![
                range("community", Some("14.6.0"), "14.6.1"),
                range("enterprise", Some("14.6.0"), "14.6.1"),
                range("community", Some("14.5.0"), "14.5.3"),
                range("enterprise", Some("14.5.0"), "14.5.3"),
                range("community", None, "14.4.5"),
                range("enterprise", None, "14.4.5"),
            ],
        )],
    };
    let gitlab = |v: &str, ed: &str| cpe(&format!("cpe:2.3:a:gitlab:gitlab:{v}:*:*:*:{ed}:*:*:*"));
    let system = [
        gitlab("14.5.2", "enterprise"),
        gitlab("14.5.3", "community"),
        gitlab("14.6.0", "community"),
        gitlab("14.6.1", "enterprise"),
        gitlab("14.3.0", "*"),
    ];
    let hits = evaluate(&config, &system, Scheme::Generic);
    assert_eq!(
        hits.iter().map(|h| h.0).collect::<Vec<_>>(),
        vec![0, 2, 4],
        "{hits:?}"
    );
    assert!(reason(&hits[0].1).contains("versionEndExcluding 14.5.3 > 14.5.2"));
}

#[test]
fn negated_node_excludes_a_platform() {
    // The application is vulnerable except on Windows.
    let config = Configuration {
        operator: Some(Operator::And),
        negate: false,
        nodes: vec![
            node(
                Operator::Or,
                vec![crit("cpe:2.3:a:vendor:agent:1.0:*:*:*:*:*:*:*")],
            ),
            ConfigNode {
                operator: Operator::Or,
                negate: true,
                cpe_match: vec![platform("cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*")],
            },
        ],
    };
    let agent = cpe("cpe:2.3:a:vendor:agent:1.0:*:*:*:*:*:*:*");
    let on_linux = [
        agent.clone(),
        cpe("cpe:2.3:o:linux:linux_kernel:6.1:*:*:*:*:*:*:*"),
    ];
    assert_eq!(
        evaluate(&config, &on_linux, Scheme::Generic)
            .iter()
            .map(|h| h.0)
            .collect::<Vec<_>>(),
        vec![0]
    );
    let on_windows = [agent, cpe("cpe:2.3:o:microsoft:windows:11:*:*:*:*:*:*:*")];
    assert!(evaluate(&config, &on_windows, Scheme::Generic).is_empty());

    // A negated configuration names no component.
    let negated = Configuration {
        negate: true,
        ..config
    };
    assert!(evaluate(&negated, &on_linux, Scheme::Generic).is_empty());
}

#[test]
fn and_within_a_node_needs_every_entry() {
    let config = Configuration {
        operator: None,
        negate: false,
        nodes: vec![node(
            Operator::And,
            vec![
                crit("cpe:2.3:a:vendor:server:*:*:*:*:*:*:*:*"),
                crit("cpe:2.3:a:vendor:plugin:*:*:*:*:*:*:*:*"),
            ],
        )],
    };
    let server = cpe("cpe:2.3:a:vendor:server:3.0:*:*:*:*:*:*:*");
    let plugin = cpe("cpe:2.3:a:vendor:plugin:1.1:*:*:*:*:*:*:*");
    let both = evaluate(&config, &[server.clone(), plugin], Scheme::Generic);
    assert_eq!(both.iter().map(|h| h.0).collect::<Vec<_>>(), vec![0, 1]);
    assert!(evaluate(&config, &[server], Scheme::Generic).is_empty());
}

#[test]
fn or_configuration_reports_every_matching_node() {
    // CVE-2022-33745 (fixture): Xen on x86, and Fedora 36.
    let config = Configuration {
        operator: None,
        negate: false,
        nodes: vec![
            node(
                Operator::Or,
                vec![crit("cpe:2.3:o:xen:xen:*:*:*:*:*:*:x86:*")],
            ),
            node(
                Operator::Or,
                vec![crit("cpe:2.3:o:fedoraproject:fedora:36:*:*:*:*:*:*:*")],
            ),
        ],
    };
    let system = [
        cpe("cpe:2.3:o:fedoraproject:fedora:36:*:*:*:*:*:*:*"),
        cpe("cpe:2.3:o:xen:xen:4.16.1:*:*:*:*:*:x86:*"),
        cpe("cpe:2.3:o:fedoraproject:fedora:37:*:*:*:*:*:*:*"),
    ];
    let hits = evaluate(&config, &system, Scheme::Generic);
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![0, 1]);
    assert!(evaluate(&config, &system[2..], Scheme::Generic).is_empty());
    assert!(evaluate(&config, &[], Scheme::Generic).is_empty());
}
