//! CVE List V5 records (the CVE Program's CVE JSON 5.x format).
//!
//! A document is one record, as in the CVE Program's bulk zip
//! (`cves/YYYY/Nxxx/CVE-YYYY-NNNN.json`), its delta releases and its
//! repository. The record becomes one [`SourceRecord`] of feed
//! [`Feed::Cve5`] holding every container: the CNA's first, then each
//! ADP's (CISA's "Vulnrichment" with SSVC, CPEs, ranges and scores).
//!
//! Records are read into typed structures (`serde`); a record of the wrong
//! shape is skipped with the path of the field that is wrong.

use crate::{time, ParseStats, Sink};
use serde::Deserialize;
use sonae_domain::vuln::{
    Cve5Affected, Cve5Container, Cve5Version, CveId, Cvss, Feed, Reference, Skipped, SourceRecord,
    Ssvc,
};
use std::io::{BufRead, Read};

/// Largest CVE 5 record read (the biggest published ones are a few MiB).
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// Longest text kept of a description.
const MAX_TEXT_CHARS: usize = 20_000;

/// Whether a document (file or archive entry) should be read as a record:
/// `CVE-….json` files. Other entries of the bulk zip and of the
/// repository (`delta.json`, `deltaLog.json`, READMEs) are not records.
pub fn is_record_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\', ':']).next().unwrap_or(name);
    base.len() > 9 && base.starts_with("CVE-") && base.ends_with(".json")
}

/// Parse one record document into `sink`. A document that is not a CVE 5
/// record (not JSON, a field of the wrong type, no CVE id, too large) is
/// skipped with its id (else `name`) and the reason; nothing stops the
/// rest of the feed.
pub fn parse(
    name: &str,
    reader: &mut dyn BufRead,
    sink: &mut dyn Sink,
) -> Result<ParseStats, std::io::Error> {
    let mut stats = ParseStats::default();
    let mut bytes = Vec::new();
    reader.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)?;
    let fallback_id = name
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or(name)
        .trim_end_matches(".json")
        .to_owned();
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        stats.skipped += 1;
        sink.skipped(Skipped {
            id: fallback_id,
            reason: format!(
                "record larger than the limit of {} MiB",
                MAX_RECORD_BYTES >> 20
            ),
        });
        return Ok(stats);
    }
    match record(&bytes) {
        Ok(r) => {
            stats.records += 1;
            sink.record(r);
        }
        Err((id, reason)) => {
            stats.skipped += 1;
            sink.skipped(Skipped {
                id: id.unwrap_or(fallback_id),
                reason,
            });
        }
    }
    Ok(stats)
}

type Failure = (Option<String>, String);

/// One record's bytes to a source record; on error the id (when readable)
/// and why.
pub fn record(bytes: &[u8]) -> Result<SourceRecord, Failure> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let raw: Raw = match serde_path_to_error::deserialize(de) {
        Ok(r) => r,
        Err(e) => {
            let id = peek_id(bytes);
            let path = e.path().to_string();
            let inner = e.into_inner();
            let no_path = path.is_empty() || path == "." || path == "?";
            let reason = if inner.is_syntax() || inner.is_eof() || no_path {
                format!("not a CVE JSON 5 record: {inner}")
            } else {
                format!("field {path}: {inner}")
            };
            return Err((id, reason));
        }
    };
    let Some(cve) = CveId::parse(&raw.cve_metadata.cve_id) else {
        return Err((
            Some(raw.cve_metadata.cve_id.clone()).filter(|s| !s.trim().is_empty()),
            format!(
                "cveMetadata.cveId is not a CVE id: {:?}",
                truncate(&raw.cve_metadata.cve_id, 40)
            ),
        ));
    };
    let mut r = SourceRecord::new(Feed::Cve5, cve.as_str(), "en");
    r.cves.push(cve);
    r.published = raw
        .cve_metadata
        .date_published
        .as_deref()
        .and_then(time::to_utc);
    r.modified = raw
        .cve_metadata
        .date_updated
        .as_deref()
        .and_then(time::to_utc)
        .or_else(|| r.published.clone());
    let state = raw.cve_metadata.state.trim().to_ascii_uppercase();
    let containers = raw.containers.unwrap_or_default();
    if state == "REJECTED" {
        // A rejected record withdraws what earlier versions said.
        r.status = Some("Rejected".into());
        r.description = containers
            .cna
            .as_ref()
            .and_then(|c| english(&c.rejected_reasons));
        return Ok(r);
    }
    if state != "PUBLISHED" {
        return Err((
            Some(r.id.clone()),
            format!(
                "cveMetadata.state is {:?}, not PUBLISHED or REJECTED",
                truncate(&state, 20)
            ),
        ));
    }
    r.status = Some("Published".into());
    if let Some(cna) = &containers.cna {
        r.title = cna.title.clone().filter(|t| !t.trim().is_empty());
        r.description = english(&cna.descriptions);
        if r.published.is_none() {
            r.published = cna.date_public.as_deref().and_then(time::to_utc);
        }
        r.cve5.push(container(cna, "cna"));
    }
    for adp in &containers.adp {
        let name = adp
            .provider_metadata
            .as_ref()
            .and_then(|p| p.short_name.clone())
            .unwrap_or_else(|| "adp".into());
        if r.description.is_none() {
            r.description = english(&adp.descriptions);
        }
        r.cve5.push(container(adp, &name));
    }
    for c in &r.cve5 {
        for s in &c.cvss {
            r.cvss.push(s.clone());
        }
        for w in &c.cwes {
            if !r.cwes.contains(w) {
                r.cwes.push(w.clone());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in std::iter::once(&containers.cna)
        .flatten()
        .chain(&containers.adp)
    {
        for x in &c.references {
            if x.url.trim().is_empty() || !seen.insert(x.url.clone()) {
                continue;
            }
            r.references.push(Reference {
                url: x.url.clone(),
                source: None,
                tags: x.tags.clone(),
            });
        }
    }
    Ok(r)
}

/// The CVE id of a record that failed to parse, when it can be read.
fn peek_id(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(rename = "cveMetadata")]
        meta: PeekMeta,
    }
    #[derive(Deserialize)]
    struct PeekMeta {
        #[serde(rename = "cveId")]
        id: String,
    }
    serde_json::from_slice::<Peek>(bytes)
        .ok()
        .map(|p| truncate(&p.meta.id, 40))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn english(texts: &[LangText]) -> Option<String> {
    texts
        .iter()
        .find(|t| t.lang.to_ascii_lowercase().starts_with("en"))
        .or(texts.first())
        .map(|t| t.value.trim())
        .filter(|t| !t.is_empty())
        .map(|t| truncate(t, MAX_TEXT_CHARS))
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn container(c: &RawContainer, provider: &str) -> Cve5Container {
    let mut out = Cve5Container {
        provider: provider.to_owned(),
        short_name: c
            .provider_metadata
            .as_ref()
            .and_then(|p| p.short_name.clone()),
        title: clean(&c.title),
        date_updated: c
            .provider_metadata
            .as_ref()
            .and_then(|p| p.date_updated.as_deref())
            .and_then(time::to_utc),
        ..Cve5Container::default()
    };
    for a in &c.affected {
        out.affected.push(Cve5Affected {
            vendor: clean(&a.vendor),
            product: clean(&a.product),
            package_name: clean(&a.package_name),
            collection_url: clean(&a.collection_url),
            cpes: a
                .cpes
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            platforms: a.platforms.clone(),
            default_status: clean(&a.default_status).map(|s| s.to_ascii_lowercase()),
            versions: a
                .versions
                .iter()
                .map(|v| Cve5Version {
                    version: v.version.trim().to_owned(),
                    status: v.status.trim().to_ascii_lowercase(),
                    less_than: clean(&v.less_than),
                    less_than_or_equal: clean(&v.less_than_or_equal),
                    version_type: clean(&v.version_type),
                    changes: v
                        .changes
                        .iter()
                        .map(|ch| {
                            (
                                ch.at.trim().to_owned(),
                                ch.status.trim().to_ascii_lowercase(),
                            )
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    let source = out
        .short_name
        .clone()
        .unwrap_or_else(|| provider.to_owned());
    for m in &c.metrics {
        for (version, s) in [
            ("4.0", &m.cvss_v4_0),
            ("3.1", &m.cvss_v3_1),
            ("3.0", &m.cvss_v3_0),
            ("2.0", &m.cvss_v2_0),
        ] {
            let Some(s) = s else { continue };
            let Some(score) = s
                .base_score
                .filter(|x| x.is_finite() && (0.0..=10.0).contains(x))
            else {
                continue;
            };
            out.cvss.push(Cvss {
                version: version.to_owned(),
                base_score: score,
                vector: clean(&s.vector_string),
                severity: clean(&s.base_severity).map(|x| x.to_ascii_uppercase()),
                source: Some(source.clone()),
                primary: false,
            });
        }
        if let Some(other) = &m.other {
            if other.kind.eq_ignore_ascii_case("ssvc") {
                out.ssvc = Some(ssvc(&other.content));
            }
        }
    }
    for p in &c.problem_types {
        for d in &p.descriptions {
            if let Some(id) = d.cwe_id.as_deref().map(str::trim) {
                if id.starts_with("CWE-") && !out.cwes.iter().any(|w| w == id) {
                    out.cwes.push(id.to_owned());
                }
            }
        }
    }
    out
}

/// SSVC decision points: `options` is a list of one-key objects.
fn ssvc(content: &serde_json::Value) -> Ssvc {
    let mut s = Ssvc::default();
    let Some(options) = content.get("options").and_then(|o| o.as_array()) else {
        return s;
    };
    for o in options.iter().filter_map(|o| o.as_object()) {
        for (k, v) in o {
            let Some(v) = v.as_str() else { continue };
            let v = Some(truncate(v.trim(), 40).to_ascii_lowercase());
            match k.trim().to_ascii_lowercase().as_str() {
                "exploitation" => s.exploitation = v,
                "automatable" => s.automatable = v,
                "technical impact" => s.technical_impact = v,
                _ => {}
            }
        }
    }
    s
}

// --- The record as the schema lays it out (only what sonae uses). ---------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    cve_metadata: RawMeta,
    #[serde(default)]
    containers: Option<RawContainers>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    cve_id: String,
    state: String,
    #[serde(default)]
    date_published: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawContainers {
    #[serde(default)]
    cna: Option<RawContainer>,
    #[serde(default)]
    adp: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    provider_metadata: Option<RawProvider>,
    #[serde(default)]
    descriptions: Vec<LangText>,
    #[serde(default)]
    rejected_reasons: Vec<LangText>,
    #[serde(default)]
    date_public: Option<String>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    #[serde(default)]
    metrics: Vec<RawMetric>,
    #[serde(default)]
    problem_types: Vec<RawProblemType>,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
}

#[derive(Deserialize)]
struct LangText {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAffected {
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    package_name: Option<String>,
    #[serde(default, rename = "collectionURL")]
    collection_url: Option<String>,
    #[serde(default)]
    cpes: Vec<String>,
    #[serde(default)]
    platforms: Vec<String>,
    #[serde(default)]
    default_status: Option<String>,
    #[serde(default)]
    versions: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVersion {
    version: String,
    status: String,
    #[serde(default)]
    less_than: Option<String>,
    #[serde(default)]
    less_than_or_equal: Option<String>,
    #[serde(default)]
    version_type: Option<String>,
    #[serde(default)]
    changes: Vec<RawChange>,
}

#[derive(Deserialize)]
struct RawChange {
    at: String,
    status: String,
}

#[derive(Deserialize)]
struct RawMetric {
    #[serde(default, rename = "cvssV4_0")]
    cvss_v4_0: Option<RawCvss>,
    #[serde(default, rename = "cvssV3_1")]
    cvss_v3_1: Option<RawCvss>,
    #[serde(default, rename = "cvssV3_0")]
    cvss_v3_0: Option<RawCvss>,
    #[serde(default, rename = "cvssV2_0")]
    cvss_v2_0: Option<RawCvss>,
    #[serde(default)]
    other: Option<RawOther>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvss {
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    vector_string: Option<String>,
    #[serde(default)]
    base_severity: Option<String>,
}

#[derive(Deserialize)]
struct RawOther {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    content: serde_json::Value,
}

#[derive(Deserialize)]
struct RawProblemType {
    #[serde(default)]
    descriptions: Vec<RawProblemDescription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProblemDescription {
    #[serde(default, rename = "cweId")]
    cwe_id: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default)]
    url: String,
    #[serde(default)]
    tags: Vec<String>,
}
