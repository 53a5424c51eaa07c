//! Vulnerability intelligence (DESIGN §2): what each feed says about one
//! vulnerability, in one shape, so that the store can merge sources and the
//! matcher can read configurations without knowing which feed they came from.
//!
//! Feed parsers (crate `sonae-feeds`) produce these types; nothing here
//! parses a feed format.

use serde::{Deserialize, Serialize};

/// The feeds sonae learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Feed {
    Nvd,
    Jvn,
    Kev,
    Epss,
    Osv,
    /// CVE List V5 records (the CVE Program's JSON 5.x: the CNA's container
    /// and the ADP containers, CISA's Vulnrichment above all).
    Cve5,
}

impl Feed {
    pub const ALL: [Feed; 6] = [
        Feed::Nvd,
        Feed::Jvn,
        Feed::Kev,
        Feed::Epss,
        Feed::Osv,
        Feed::Cve5,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Feed::Nvd => "nvd",
            Feed::Jvn => "jvn",
            Feed::Kev => "kev",
            Feed::Epss => "epss",
            Feed::Osv => "osv",
            Feed::Cve5 => "cve5",
        }
    }
    pub fn parse(s: &str) -> Option<Feed> {
        Feed::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A CVE id (`CVE-2024-3094`): made only by parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CveId(String);

impl CveId {
    pub fn parse(s: &str) -> Option<CveId> {
        let s = s.trim();
        let rest = s.strip_prefix("CVE-").or_else(|| s.strip_prefix("cve-"))?;
        let (year, num) = rest.split_once('-')?;
        let ok = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && num.len() >= 4
            && num.len() <= 19
            && num.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| CveId(format!("CVE-{year}-{num}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A JVN iPedia id (`JVNDB-2023-000123`): made only by parsing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JvnDbId(String);

impl JvnDbId {
    pub fn parse(s: &str) -> Option<JvnDbId> {
        let s = s.trim();
        let rest = s.strip_prefix("JVNDB-")?;
        let (year, num) = rest.split_once('-')?;
        let ok = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && !num.is_empty()
            && num.len() <= 10
            && num.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| JvnDbId(format!("JVNDB-{year}-{num}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// "2.0", "3.0", "3.1" or "4.0".
    pub version: String,
    pub base_score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// LOW, MEDIUM, HIGH, CRITICAL (as the source spells it, upper-cased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Who scored it (nvd@nist.gov, a CNA, JVN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// NVD "Primary" (the NVD's own) versus "Secondary" (a CNA's).
    pub primary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    And,
    Or,
}

/// One `cpeMatch` of an NVD configuration node, kept complete for matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    pub vulnerable: bool,
    /// CPE 2.3 formatted string, escapes kept as the feed wrote them.
    pub criteria: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_criteria_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigNode {
    pub operator: Operator,
    pub negate: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpe_match: Vec<CpeMatch>,
}

/// An NVD configuration: nodes combined by `operator` (AND for
/// application-on-platform pairs; absent means OR). Legacy JSON 1.1 nodes
/// with `children` become one configuration whose nodes are the children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
    pub negate: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<ConfigNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// An affected product as JVN states it: vendor and product names (often
/// Japanese), a CPE 2.2 URI, and versions in prose ("3.4.6 より前のバージョン").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedProduct {
    pub vendor: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OsvEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvRange {
    /// SEMVER, ECOSYSTEM or GIT.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<OsvEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvAffected {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<OsvRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// One `versions[]` item of a CVE 5 `affected` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cve5Version {
    /// The single version, or the start of a range.
    pub version: String,
    /// "affected", "unaffected" or "unknown".
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than_or_equal: Option<String>,
    /// semver, custom, git, rpm, maven, python, … as the record says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_type: Option<String>,
    /// Status changes inside a range: (at version, new status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<(String, String)>,
}

/// One `affected` block of a CVE 5 container: a product, named by vendor
/// and product, by package name and collection, or by CPEs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cve5Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// The status of versions no item covers ("unknown" when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Cve5Version>,
}

/// CISA's SSVC decision points for one CVE.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ssvc {
    /// "none", "poc" or "active".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation: Option<String>,
    /// "yes" or "no".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatable: Option<String>,
    /// "partial" or "total".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_impact: Option<String>,
}

/// One container of a CVE 5 record: the CNA's, or an ADP's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cve5Container {
    /// "cna", or the ADP's short name ("CISA-ADP", "CVE").
    pub provider: String,
    /// The CNA's or ADP's short name as the record gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Cve5Affected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssvc: Option<Ssvc>,
}

impl Cve5Container {
    pub fn is_cna(&self) -> bool {
        self.provider == "cna"
    }
}

/// CISA Known Exploited Vulnerabilities catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    pub vendor_project: String,
    pub product: String,
    pub name: String,
    /// YYYY-MM-DD
    pub date_added: String,
    /// YYYY-MM-DD
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    pub known_ransomware: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
}

/// FIRST EPSS score of one CVE on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    pub cve: CveId,
    /// Probability of exploitation in the next 30 days, 0..1.
    pub epss: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
    /// YYYY-MM-DD the score is for, when the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// What one feed says about one vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub feed: Feed,
    /// The id in that feed: a CVE id (NVD, KEV), a JVNDB id, an OSV id.
    pub id: String,
    /// CVE ids this record is about (its own id for NVD/KEV; JVN's and
    /// OSV's references and aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cves: Vec<CveId>,
    /// Other ids (JVNDB ids, GHSA ids, JVN#… advisories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// "en" or "ja".
    pub lang: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// RFC 3339 UTC ("2024-03-21T02:12:53Z").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// NVD vulnStatus (Analyzed, Rejected, …) or withdrawn for OSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<Configuration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<AffectedProduct>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub osv_affected: Vec<OsvAffected>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevEntry>,
    /// CVE 5 records: the CNA's container first, then each ADP's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cve5: Vec<Cve5Container>,
}

impl SourceRecord {
    pub fn new(feed: Feed, id: impl Into<String>, lang: &str) -> SourceRecord {
        SourceRecord {
            feed,
            id: id.into(),
            cves: Vec::new(),
            aliases: Vec::new(),
            lang: lang.to_owned(),
            title: None,
            description: None,
            published: None,
            modified: None,
            status: None,
            cvss: Vec::new(),
            cwes: Vec::new(),
            references: Vec::new(),
            configurations: Vec::new(),
            affected: Vec::new(),
            osv_affected: Vec::new(),
            kev: None,
            cve5: Vec::new(),
        }
    }

    /// SSVC "exploitation: active" from any CVE 5 container (CISA's
    /// Vulnrichment): exploitation seen in the wild, a fact like KEV.
    pub fn exploitation_active(&self) -> bool {
        self.cve5.iter().any(|c| {
            c.ssvc
                .as_ref()
                .and_then(|s| s.exploitation.as_deref())
                .is_some_and(|e| e.eq_ignore_ascii_case("active"))
        })
    }

    /// The score to rank by: CVSS v4.0, else v3.1, else v3.0, else v2.0;
    /// the primary (NVD's own) score before a CNA's.
    pub fn best_cvss(&self) -> Option<&Cvss> {
        ["4.0", "3.1", "3.0", "2.0"].iter().find_map(|v| {
            let mut of_version = self.cvss.iter().filter(|c| c.version == *v);
            let all: Vec<&Cvss> = of_version.by_ref().collect();
            all.iter().find(|c| c.primary).or(all.first()).copied()
        })
    }

    /// The vulnerability records this source record belongs to (DESIGN §2:
    /// one per CVE id, or per JVNDB id when there is no CVE): every CVE it
    /// names, else its own id.
    pub fn vulnerability_ids(&self) -> Vec<String> {
        if self.cves.is_empty() {
            vec![self.id.clone()]
        } else {
            self.cves.iter().map(|c| c.as_str().to_owned()).collect()
        }
    }
}

/// A record the parser skipped, and why (the rest of the feed still loads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The record's id when it could be read, else its position ("#123").
    pub id: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_normalize() {
        assert_eq!(
            CveId::parse(" cve-2021-44228").map(|c| c.0),
            Some("CVE-2021-44228".into())
        );
        assert!(CveId::parse("CVE-21-44228").is_none());
        assert!(CveId::parse("CVE-2021-12a").is_none());
        assert_eq!(
            JvnDbId::parse("JVNDB-2023-000123").map(|c| c.0),
            Some("JVNDB-2023-000123".into())
        );
        assert!(JvnDbId::parse("JVN#12345678").is_none());
    }

    #[test]
    fn best_cvss_prefers_newest_version_and_primary_source() {
        let mut r = SourceRecord::new(Feed::Nvd, "CVE-2024-0001", "en");
        let c = |v: &str, s: f64, p: bool| Cvss {
            version: v.into(),
            base_score: s,
            vector: None,
            severity: None,
            source: None,
            primary: p,
        };
        r.cvss = vec![
            c("2.0", 5.0, true),
            c("3.1", 7.5, false),
            c("3.1", 9.8, true),
        ];
        assert_eq!(r.best_cvss().map(|c| c.base_score), Some(9.8));
        r.cvss.push(c("4.0", 8.7, false));
        assert_eq!(r.best_cvss().map(|c| c.base_score), Some(8.7));
    }

    #[test]
    fn jvn_only_records_keep_their_own_id() {
        let mut r = SourceRecord::new(Feed::Jvn, "JVNDB-2023-000001", "ja");
        assert_eq!(r.vulnerability_ids(), vec!["JVNDB-2023-000001"]);
        r.cves = vec![CveId::parse("CVE-2023-1111")
            .into_iter()
            .next()
            .unwrap_or_else(|| CveId(String::new()))];
        assert_eq!(r.vulnerability_ids(), vec!["CVE-2023-1111"]);
    }
}

/// The merged view of one vulnerability across its sources, as lists and
/// filters need it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VulnSummary {
    pub id: String,
    pub title: Option<String>,
    pub title_ja: Option<String>,
    pub description: Option<String>,
    pub description_ja: Option<String>,
    pub cvss_score: Option<f64>,
    pub cvss_version: Option<String>,
    pub cvss_vector: Option<String>,
    pub severity: Option<String>,
    pub kev: bool,
    pub kev_date_added: Option<String>,
    pub kev_due_date: Option<String>,
    /// CISA's SSVC (in a CVE 5 ADP container) says exploitation is active.
    pub exploited: bool,
    /// RFC 3339 UTC; empty when no source says.
    pub published: String,
    pub modified: Option<String>,
    /// Lower-case "vendor:product" tokens, space-separated, for search.
    pub products: String,
    /// Feeds that know this vulnerability, comma-separated in Feed order.
    pub feeds: String,
}

/// Merge what the feeds say: English texts from NVD (else OSV, else KEV),
/// Japanese texts from JVN; the score from NVD, else JVN, else OSV; the
/// known-exploited flag from KEV; the earliest publication and the latest
/// modification.
pub fn merge(id: &str, sources: &[&SourceRecord]) -> VulnSummary {
    let by = |feed: Feed| sources.iter().copied().filter(move |s| s.feed == feed);
    let first_text = |order: &[Feed], pick: fn(&SourceRecord) -> Option<&String>| {
        order
            .iter()
            .find_map(|f| by(*f).find_map(|s| pick(s).filter(|t| !t.is_empty()).cloned()))
    };
    let en = [Feed::Nvd, Feed::Cve5, Feed::Osv, Feed::Kev];
    let mut s = VulnSummary {
        id: id.to_owned(),
        title: first_text(&[Feed::Cve5, Feed::Osv, Feed::Kev], |s| s.title.as_ref()),
        title_ja: first_text(&[Feed::Jvn], |s| s.title.as_ref()),
        description: first_text(&en, |s| s.description.as_ref()),
        description_ja: first_text(&[Feed::Jvn], |s| s.description.as_ref()),
        ..VulnSummary::default()
    };
    if let Some(c) = [Feed::Nvd, Feed::Cve5, Feed::Jvn, Feed::Osv]
        .iter()
        .find_map(|f| by(*f).find_map(|s| s.best_cvss().filter(|c| c.base_score > 0.0)))
    {
        s.cvss_score = Some(c.base_score);
        s.cvss_version = Some(c.version.clone());
        s.cvss_vector = c.vector.clone();
        s.severity = c.severity.clone();
    }
    if let Some(k) = by(Feed::Kev).find_map(|s| s.kev.as_ref()) {
        s.kev = true;
        s.kev_date_added = Some(k.date_added.clone());
        s.kev_due_date = k.due_date.clone();
    }
    s.exploited = sources.iter().any(|r| r.exploitation_active());
    s.published = sources
        .iter()
        .filter(|r| r.feed != Feed::Kev)
        .filter_map(|r| r.published.clone())
        .min()
        .unwrap_or_default();
    s.modified = sources.iter().filter_map(|r| r.modified.clone()).max();
    let mut products: Vec<String> = Vec::new();
    for r in sources {
        for c in &r.configurations {
            for n in &c.nodes {
                for m in n.cpe_match.iter().filter(|m| m.vulnerable) {
                    let parts: Vec<&str> = m.criteria.splitn(6, ':').collect();
                    if parts.len() >= 5 {
                        products.push(format!("{}:{}", parts[3], parts[4]));
                    }
                }
            }
        }
        for a in &r.affected {
            products.push(format!("{}:{}", a.vendor, a.product));
        }
        for a in r.cve5.iter().flat_map(|c| &c.affected) {
            if let (Some(v), Some(p)) = (&a.vendor, &a.product) {
                products.push(format!("{v}:{p}"));
            }
            for cpe in &a.cpes {
                let parts: Vec<&str> = cpe.splitn(6, ':').collect();
                if parts.len() >= 5 {
                    products.push(format!("{}:{}", parts[3], parts[4]));
                }
            }
        }
        for a in &r.osv_affected {
            products.push(format!("{}:{}", a.ecosystem, a.name));
        }
        if let Some(k) = &r.kev {
            products.push(format!("{}:{}", k.vendor_project, k.product));
        }
    }
    let mut products: Vec<String> = products
        .into_iter()
        .map(|p| p.to_lowercase().replace(' ', "_"))
        .collect();
    products.sort();
    products.dedup();
    let mut joined = products.join(" ");
    if joined.len() > 4000 {
        let cut = (0..=4000)
            .rev()
            .find(|i| joined.is_char_boundary(*i))
            .unwrap_or(0);
        joined.truncate(cut);
    }
    s.products = joined;
    let mut feeds: Vec<Feed> = sources.iter().map(|r| r.feed).collect();
    feeds.sort();
    feeds.dedup();
    s.feeds = feeds
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",");
    s
}

#[cfg(test)]
mod merge_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nvd_jvn_and_kev_merge_into_one_view() {
        let mut nvd = SourceRecord::new(Feed::Nvd, "CVE-2021-44228", "en");
        nvd.description = Some("Apache Log4j2 JNDI features…".into());
        nvd.published = Some("2021-12-10T10:15:00Z".into());
        nvd.cvss.push(Cvss {
            version: "3.1".into(),
            base_score: 10.0,
            vector: Some("CVSS:3.1/AV:N".into()),
            severity: Some("CRITICAL".into()),
            source: None,
            primary: true,
        });
        nvd.configurations.push(Configuration {
            operator: None,
            negate: false,
            nodes: vec![ConfigNode {
                operator: Operator::Or,
                negate: false,
                cpe_match: vec![CpeMatch {
                    vulnerable: true,
                    criteria: "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".into(),
                    match_criteria_id: None,
                    version_start_including: Some("2.0".into()),
                    version_start_excluding: None,
                    version_end_including: None,
                    version_end_excluding: Some("2.15.0".into()),
                }],
            }],
        });
        let mut jvn = SourceRecord::new(Feed::Jvn, "JVNDB-2021-005429", "ja");
        jvn.title = Some("Apache Log4j における任意のコード実行の脆弱性".into());
        jvn.published = Some("2021-12-13T00:00:00Z".into());
        jvn.cvss.push(Cvss {
            version: "3.0".into(),
            base_score: 9.8,
            vector: None,
            severity: None,
            source: None,
            primary: true,
        });
        let mut kev = SourceRecord::new(Feed::Kev, "CVE-2021-44228", "en");
        kev.kev = Some(KevEntry {
            vendor_project: "Apache".into(),
            product: "Log4j2".into(),
            name: "Log4j".into(),
            date_added: "2021-12-10".into(),
            due_date: Some("2021-12-24".into()),
            required_action: None,
            short_description: None,
            known_ransomware: true,
            notes: None,
            cwes: vec![],
        });
        let s = merge("CVE-2021-44228", &[&jvn, &kev, &nvd]);
        assert_eq!(s.cvss_score, Some(10.0), "NVD's score wins over JVN's");
        assert_eq!(
            s.title_ja.as_deref(),
            Some("Apache Log4j における任意のコード実行の脆弱性")
        );
        assert!(s.kev);
        assert_eq!(s.published, "2021-12-10T10:15:00Z");
        assert_eq!(s.feeds, "nvd,jvn,kev");
        assert!(s.products.contains("apache:log4j") && s.products.contains("apache:log4j2"));
    }
}
