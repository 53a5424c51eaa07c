//! NVD CVE feeds: API 2.0 response pages and yearly/modified files
//! (`{..., "vulnerabilities": [{"cve": {...}}]}`) and the legacy JSON 1.1
//! feeds (`{..., "CVE_Items": [...]}`).
//!
//! The document is read as a stream: the top-level object is visited key by
//! key, and the record array element by element. Each element is read into a
//! `serde_json::Value` (bounded by the size of one CVE), converted and handed
//! to the sink at once, so memory does not grow with the file.
//!
//! An element that cannot be converted (no id, a field of the wrong type, a
//! configuration that cannot be represented) is reported through
//! [`Sink::skipped`] and parsing goes on. A syntax error in the document
//! stops it with [`FeedError::Format`] (records delivered before stay
//! delivered).

use crate::time::to_utc;
use crate::{FeedError, ParseStats, Sink};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use sonae_domain::vuln::{
    ConfigNode, Configuration, CpeMatch, CveId, Cvss, Feed, Operator, Reference, Skipped,
    SourceRecord,
};
use std::fmt;
use std::io::BufRead;

const EXPECTED: &str = "NVD JSON";

/// Which NVD JSON flavour a document was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NvdFormat {
    /// API 2.0 page, or a 2.0-shaped yearly/modified file (`vulnerabilities`).
    Api2,
    /// Legacy JSON 1.1 feed (`CVE_Items`).
    Legacy11,
}

/// What one [`parse`] saw: counts, and the envelope numbers for API paging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvdDocument {
    /// The flavour of the first record array found.
    pub format: NvdFormat,
    pub stats: ParseStats,
    /// 2.0 `resultsPerPage` (the number of results in this page).
    pub results_per_page: Option<u64>,
    /// 2.0 `startIndex`.
    pub start_index: Option<u64>,
    /// 2.0 `totalResults`; for JSON 1.1, `CVE_data_numberOfCVEs`.
    pub total_results: Option<u64>,
    /// 2.0 `timestamp` (1.1: `CVE_data_timestamp`), as RFC 3339 UTC seconds
    /// when it parses (see [`to_utc`]), else as written.
    pub timestamp: Option<String>,
}

impl NvdDocument {
    /// The `startIndex` of the next API page, or `None` when this page is
    /// the last one (or the envelope does not say).
    pub fn next_start_index(&self) -> Option<u64> {
        let start = self.start_index?;
        let per_page = self.results_per_page?;
        let total = self.total_results?;
        let next = start.checked_add(per_page)?;
        (per_page > 0 && next < total).then_some(next)
    }
}

/// Parse an NVD document: an API 2.0 response page or yearly/modified file
/// (`{..., "vulnerabilities": [{"cve": {...}}]}`), or a legacy JSON 1.1 feed
/// (`{..., "CVE_Items": [...]}`) — told apart by the key found, streaming.
///
/// Every record goes to `sink` as soon as it is read. Returns the counts and
/// the envelope numbers (for API paging). Not JSON, not an object, a syntax
/// error, or neither key present: [`FeedError::Format`].
pub fn parse(reader: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<NvdDocument, FeedError> {
    let mut state = State {
        sink,
        stats: ParseStats::default(),
        format: None,
        results_per_page: None,
        start_index: None,
        total_results: None,
        timestamp: None,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = DocumentSeed { state: &mut state }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = result {
        return Err(json_error(e, state.stats));
    }
    let Some(format) = state.format else {
        return Err(FeedError::Format {
            expected: EXPECTED,
            detail: "no \"vulnerabilities\" (API 2.0) or \"CVE_Items\" (JSON 1.1) array".into(),
        });
    };
    Ok(NvdDocument {
        format,
        stats: state.stats,
        results_per_page: state.results_per_page,
        start_index: state.start_index,
        total_results: state.total_results,
        timestamp: state.timestamp,
    })
}

fn json_error(e: serde_json::Error, stats: ParseStats) -> FeedError {
    if e.is_io() {
        return FeedError::Io(e.into());
    }
    FeedError::Format {
        expected: EXPECTED,
        detail: format!(
            "{e} (after {} records, {} skipped)",
            stats.records, stats.skipped
        ),
    }
}

struct State<'s> {
    sink: &'s mut dyn Sink,
    stats: ParseStats,
    format: Option<NvdFormat>,
    results_per_page: Option<u64>,
    start_index: Option<u64>,
    total_results: Option<u64>,
    timestamp: Option<String>,
}

impl State<'_> {
    fn deliver(&mut self, format: NvdFormat, index: u64, item: &Value) {
        let converted = match format {
            NvdFormat::Api2 => convert_api2(item),
            NvdFormat::Legacy11 => convert_legacy(item),
        };
        match converted {
            Ok(r) => {
                self.stats.records += 1;
                self.sink.record(r);
            }
            Err(bad) => {
                self.stats.skipped += 1;
                self.sink.skipped(Skipped {
                    id: bad.id.unwrap_or_else(|| format!("#{index}")),
                    reason: bad.reason,
                });
            }
        }
    }
}

/// Envelope number: a JSON number, or (JSON 1.1) a string of digits.
fn envelope_number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

struct DocumentSeed<'a, 's> {
    state: &'a mut State<'s>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an NVD JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let format = match key.as_str() {
                "vulnerabilities" => NvdFormat::Api2,
                "CVE_Items" => NvdFormat::Legacy11,
                "resultsPerPage" | "startIndex" | "totalResults" | "CVE_data_numberOfCVEs" => {
                    let n = envelope_number(&map.next_value::<Value>()?);
                    match key.as_str() {
                        "resultsPerPage" => self.state.results_per_page = n,
                        "startIndex" => self.state.start_index = n,
                        _ => self.state.total_results = n,
                    }
                    continue;
                }
                "timestamp" | "CVE_data_timestamp" => {
                    if let Value::String(s) = map.next_value::<Value>()? {
                        self.state.timestamp = Some(to_utc(&s).unwrap_or(s));
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            self.state.format.get_or_insert(format);
            map.next_value_seed(ItemsSeed {
                state: &mut *self.state,
                format,
            })?;
        }
        Ok(())
    }
}

struct ItemsSeed<'a, 's> {
    state: &'a mut State<'s>,
    format: NvdFormat,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of NVD records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(item) = seq.next_element::<Value>()? {
            self.state.deliver(self.format, index, &item);
            index += 1;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Element conversion

/// Why an element was skipped, with its id when it could be read.
struct Bad {
    id: Option<String>,
    reason: String,
}

impl Bad {
    fn anonymous(reason: impl Into<String>) -> Bad {
        Bad {
            id: None,
            reason: reason.into(),
        }
    }
}

type Conv<T> = Result<T, String>;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn wrong(key: &str, expected: &str, v: &Value) -> String {
    format!("{key}: expected {expected}, found {}", type_name(v))
}

/// A field; absent and `null` are the same.
fn field<'v>(m: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn opt_obj<'v>(m: &'v Map<String, Value>, key: &str) -> Conv<Option<&'v Map<String, Value>>> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(v) => Err(wrong(key, "object", v)),
    }
}

fn opt_arr<'v>(m: &'v Map<String, Value>, key: &str) -> Conv<&'v [Value]> {
    match field(m, key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => Err(wrong(key, "array", v)),
    }
}

fn opt_str(m: &Map<String, Value>, key: &str) -> Conv<Option<String>> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(wrong(key, "string", v)),
    }
}

fn req_str(m: &Map<String, Value>, key: &str) -> Conv<String> {
    opt_str(m, key)?.ok_or_else(|| format!("{key}: missing"))
}

fn opt_bool(m: &Map<String, Value>, key: &str) -> Conv<Option<bool>> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(wrong(key, "boolean", v)),
    }
}

fn req_bool(m: &Map<String, Value>, key: &str) -> Conv<bool> {
    opt_bool(m, key)?.ok_or_else(|| format!("{key}: missing"))
}

fn req_f64(m: &Map<String, Value>, key: &str) -> Conv<f64> {
    match field(m, key) {
        None => Err(format!("{key}: missing")),
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| format!("{key}: not a finite number")),
        Some(v) => Err(wrong(key, "number", v)),
    }
}

/// The elements of an array field, each checked to be an object.
fn objects<'v>(
    m: &'v Map<String, Value>,
    key: &'v str,
) -> Conv<impl Iterator<Item = (usize, Conv<&'v Map<String, Value>>)> + 'v> {
    Ok(opt_arr(m, key)?.iter().enumerate().map(move |(i, v)| {
        let o = match v {
            Value::Object(o) => Ok(o),
            other => Err(format!(
                "{key}[{i}]: expected object, found {}",
                type_name(other)
            )),
        };
        (i, o)
    }))
}

/// Prefix a field error with where it is (`configurations[0].nodes[1].`).
fn at(prefix: impl fmt::Display) -> impl FnOnce(String) -> String {
    move |e| format!("{prefix}.{e}")
}

fn operator(m: &Map<String, Value>, key: &str) -> Conv<Option<Operator>> {
    match opt_str(m, key)?.as_deref() {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("AND") => Ok(Some(Operator::And)),
        Some(s) if s.eq_ignore_ascii_case("OR") => Ok(Some(Operator::Or)),
        Some(s) => Err(format!("{key}: unknown operator {s:?}")),
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

fn upper(s: Option<String>) -> Option<String> {
    s.map(|s| s.to_ascii_uppercase())
}

/// The `value` of the first `{lang, value}` entry in English.
fn english(entries: &[Value]) -> Conv<Option<String>> {
    for (i, e) in entries.iter().enumerate() {
        let Value::Object(o) = e else {
            return Err(format!("[{i}]: expected object, found {}", type_name(e)));
        };
        let lang = opt_str(o, "lang").map_err(|e| format!("[{i}].{e}"))?;
        if lang.as_deref() == Some("en") {
            return opt_str(o, "value").map_err(|e| format!("[{i}].{e}"));
        }
    }
    Ok(None)
}

fn parse_cve_id(raw: &str) -> Result<CveId, Bad> {
    CveId::parse(raw).ok_or_else(|| Bad::anonymous(format!("invalid CVE id {raw:?}")))
}

// --- API 2.0 ----------------------------------------------------------------

/// NVD 2.0 metric arrays and the CVSS version each holds.
const METRICS_2: [(&str, &str); 4] = [
    ("cvssMetricV2", "2.0"),
    ("cvssMetricV30", "3.0"),
    ("cvssMetricV31", "3.1"),
    ("cvssMetricV40", "4.0"),
];

fn convert_api2(item: &Value) -> Result<SourceRecord, Bad> {
    let Value::Object(item) = item else {
        return Err(Bad::anonymous(format!(
            "expected object, found {}",
            type_name(item)
        )));
    };
    let cve = match field(item, "cve") {
        Some(Value::Object(c)) => c,
        Some(v) => return Err(Bad::anonymous(wrong("cve", "object", v))),
        None => return Err(Bad::anonymous("cve: missing")),
    };
    let raw_id = req_str(cve, "id").map_err(|e| Bad::anonymous(format!("cve.{e}")))?;
    let id = parse_cve_id(&raw_id)?;
    api2_record(cve, &id).map_err(|reason| Bad {
        id: Some(id.as_str().to_owned()),
        reason: format!("cve.{reason}"),
    })
}

fn api2_record(cve: &Map<String, Value>, id: &CveId) -> Conv<SourceRecord> {
    let mut r = SourceRecord::new(Feed::Nvd, id.as_str(), "en");
    r.cves.push(id.clone());
    r.description =
        english(opt_arr(cve, "descriptions")?).map_err(|e| format!("descriptions{e}"))?;
    r.published = opt_str(cve, "published")?.as_deref().and_then(to_utc);
    r.modified = opt_str(cve, "lastModified")?.as_deref().and_then(to_utc);
    r.status = opt_str(cve, "vulnStatus")?;

    if let Some(metrics) = opt_obj(cve, "metrics")? {
        for (key, version) in METRICS_2 {
            for (i, entry) in objects(metrics, key).map_err(at("metrics"))? {
                let entry = entry.map_err(at("metrics"))?;
                let c = api2_cvss(entry, version).map_err(|e| format!("metrics.{key}[{i}].{e}"))?;
                r.cvss.push(c);
            }
        }
    }

    for (i, w) in objects(cve, "weaknesses")? {
        let w = w?;
        for (j, d) in objects(w, "description").map_err(|e| format!("weaknesses[{i}].{e}"))? {
            let d = d.map_err(|e| format!("weaknesses[{i}].{e}"))?;
            if let Some(v) =
                opt_str(d, "value").map_err(|e| format!("weaknesses[{i}].description[{j}].{e}"))?
            {
                push_unique(&mut r.cwes, v);
            }
        }
    }

    for (i, refr) in objects(cve, "references")? {
        let refr = refr?;
        r.references
            .push(reference(refr, "source").map_err(|e| format!("references[{i}].{e}"))?);
    }

    for (i, cfg) in objects(cve, "configurations")? {
        let cfg = cfg?;
        r.configurations
            .push(api2_configuration(cfg).map_err(|e| format!("configurations[{i}].{e}"))?);
    }
    Ok(r)
}

fn api2_cvss(entry: &Map<String, Value>, default_version: &str) -> Conv<Cvss> {
    let data = opt_obj(entry, "cvssData")?.ok_or("cvssData: missing")?;
    let cvss = |e: String| format!("cvssData.{e}");
    Ok(Cvss {
        version: opt_str(data, "version")
            .map_err(cvss)?
            .unwrap_or_else(|| default_version.to_owned()),
        base_score: req_f64(data, "baseScore").map_err(cvss)?,
        vector: opt_str(data, "vectorString").map_err(cvss)?,
        severity: upper(match opt_str(data, "baseSeverity").map_err(cvss)? {
            Some(s) => Some(s),
            None => opt_str(entry, "baseSeverity")?,
        }),
        source: opt_str(entry, "source")?,
        primary: opt_str(entry, "type")?.as_deref() == Some("Primary"),
    })
}

fn reference(m: &Map<String, Value>, source_key: &str) -> Conv<Reference> {
    let mut tags = Vec::new();
    for (i, t) in opt_arr(m, "tags")?.iter().enumerate() {
        match t {
            Value::String(s) => tags.push(s.clone()),
            other => {
                return Err(format!(
                    "tags[{i}]: expected string, found {}",
                    type_name(other)
                ))
            }
        }
    }
    Ok(Reference {
        url: req_str(m, "url")?,
        source: opt_str(m, source_key)?,
        tags,
    })
}

fn api2_configuration(cfg: &Map<String, Value>) -> Conv<Configuration> {
    let mut nodes = Vec::new();
    for (i, node) in objects(cfg, "nodes")? {
        let node = node?;
        nodes.push(config_node(node, "cpeMatch").map_err(|e| format!("nodes[{i}].{e}"))?);
    }
    Ok(Configuration {
        operator: operator(cfg, "operator")?,
        negate: opt_bool(cfg, "negate")?.unwrap_or(false),
        nodes,
    })
}

/// A node with its matches under `matches_key` (2.0 `cpeMatch`, 1.1 `cpe_match`).
fn config_node(node: &Map<String, Value>, matches_key: &str) -> Conv<ConfigNode> {
    let legacy = matches_key == "cpe_match";
    let mut cpe_match = Vec::new();
    for (i, m) in objects(node, matches_key)? {
        let m = m?;
        cpe_match.push(cpe_match_of(m, legacy).map_err(|e| format!("{matches_key}[{i}].{e}"))?);
    }
    Ok(ConfigNode {
        operator: operator(node, "operator")?.unwrap_or(Operator::Or),
        negate: opt_bool(node, "negate")?.unwrap_or(false),
        cpe_match,
    })
}

fn cpe_match_of(m: &Map<String, Value>, legacy: bool) -> Conv<CpeMatch> {
    Ok(CpeMatch {
        vulnerable: req_bool(m, "vulnerable")?,
        criteria: req_str(m, if legacy { "cpe23Uri" } else { "criteria" })?,
        match_criteria_id: if legacy {
            None
        } else {
            opt_str(m, "matchCriteriaId")?
        },
        version_start_including: opt_str(m, "versionStartIncluding")?,
        version_start_excluding: opt_str(m, "versionStartExcluding")?,
        version_end_including: opt_str(m, "versionEndIncluding")?,
        version_end_excluding: opt_str(m, "versionEndExcluding")?,
    })
}

// --- legacy JSON 1.1 -------------------------------------------------------

fn convert_legacy(item: &Value) -> Result<SourceRecord, Bad> {
    let Value::Object(item) = item else {
        return Err(Bad::anonymous(format!(
            "expected object, found {}",
            type_name(item)
        )));
    };
    let raw_id = opt_obj(item, "cve")
        .and_then(|c| c.ok_or_else(|| "cve: missing".to_owned()))
        .and_then(|c| {
            opt_obj(c, "CVE_data_meta")
                .map_err(at("cve"))?
                .ok_or_else(|| "cve.CVE_data_meta: missing".to_owned())
        })
        .and_then(|meta| req_str(meta, "ID").map_err(at("cve.CVE_data_meta")))
        .map_err(Bad::anonymous)?;
    let id = parse_cve_id(&raw_id)?;
    legacy_record(item, &id).map_err(|reason| Bad {
        id: Some(id.as_str().to_owned()),
        reason,
    })
}

fn legacy_record(item: &Map<String, Value>, id: &CveId) -> Conv<SourceRecord> {
    let mut r = SourceRecord::new(Feed::Nvd, id.as_str(), "en");
    r.cves.push(id.clone());
    // `cve` was checked by the caller.
    let empty = Map::new();
    let cve = opt_obj(item, "cve")?.unwrap_or(&empty);

    if let Some(d) = opt_obj(cve, "description").map_err(at("cve"))? {
        r.description = english(opt_arr(d, "description_data").map_err(at("cve.description"))?)
            .map_err(|e| format!("cve.description.description_data{e}"))?;
    }
    r.published = opt_str(item, "publishedDate")?.as_deref().and_then(to_utc);
    r.modified = opt_str(item, "lastModifiedDate")?
        .as_deref()
        .and_then(to_utc);

    if let Some(impact) = opt_obj(item, "impact")? {
        if let Some(m2) = opt_obj(impact, "baseMetricV2").map_err(at("impact"))? {
            let c = legacy_cvss(m2, "cvssV2", "2.0").map_err(at("impact.baseMetricV2"))?;
            r.cvss.push(c);
        }
        if let Some(m3) = opt_obj(impact, "baseMetricV3").map_err(at("impact"))? {
            let c = legacy_cvss(m3, "cvssV3", "3.0").map_err(at("impact.baseMetricV3"))?;
            r.cvss.push(c);
        }
    }

    if let Some(pt) = opt_obj(cve, "problemtype").map_err(at("cve"))? {
        for (i, p) in objects(pt, "problemtype_data").map_err(at("cve.problemtype"))? {
            let p = p.map_err(at("cve.problemtype"))?;
            let here = |e| format!("cve.problemtype.problemtype_data[{i}].{e}");
            for (j, d) in objects(p, "description").map_err(here)? {
                let d = d.map_err(here)?;
                if let Some(v) = opt_str(d, "value").map_err(|e| {
                    format!("cve.problemtype.problemtype_data[{i}].description[{j}].{e}")
                })? {
                    push_unique(&mut r.cwes, v);
                }
            }
        }
    }

    if let Some(refs) = opt_obj(cve, "references").map_err(at("cve"))? {
        for (i, refr) in objects(refs, "reference_data").map_err(at("cve.references"))? {
            let refr = refr.map_err(at("cve.references"))?;
            r.references.push(
                reference(refr, "refsource")
                    .map_err(|e| format!("cve.references.reference_data[{i}].{e}"))?,
            );
        }
    }

    if let Some(cfgs) = opt_obj(item, "configurations")? {
        for (i, node) in objects(cfgs, "nodes").map_err(at("configurations"))? {
            let node = node.map_err(at("configurations"))?;
            r.configurations.push(
                legacy_configuration(node).map_err(|e| format!("configurations.nodes[{i}].{e}"))?,
            );
        }
    }
    Ok(r)
}

fn legacy_cvss(metric: &Map<String, Value>, data_key: &str, default_version: &str) -> Conv<Cvss> {
    let data = opt_obj(metric, data_key)?.ok_or_else(|| format!("{data_key}: missing"))?;
    let inner = |e: String| format!("{data_key}.{e}");
    Ok(Cvss {
        version: opt_str(data, "version")
            .map_err(inner)?
            .unwrap_or_else(|| default_version.to_owned()),
        base_score: req_f64(data, "baseScore").map_err(inner)?,
        vector: opt_str(data, "vectorString").map_err(inner)?,
        severity: upper(match opt_str(data, "baseSeverity").map_err(inner)? {
            Some(s) => Some(s),
            None => opt_str(metric, "severity")?,
        }),
        source: Some("nvd@nist.gov".to_owned()),
        primary: true,
    })
}

/// A 1.1 top-level node: with `children`, one configuration combining them
/// by the node's operator; without, a configuration of the node alone.
fn legacy_configuration(node: &Map<String, Value>) -> Conv<Configuration> {
    let children = opt_arr(node, "children")?;
    if children.is_empty() {
        return Ok(Configuration {
            operator: None,
            negate: false,
            nodes: vec![config_node(node, "cpe_match")?],
        });
    }
    if !opt_arr(node, "cpe_match")?.is_empty() {
        return Err("node has both children and cpe_match".into());
    }
    let mut nodes = Vec::with_capacity(children.len());
    for (i, child) in objects(node, "children")? {
        let child = child?;
        if !opt_arr(child, "children")
            .map_err(|e| format!("children[{i}].{e}"))?
            .is_empty()
        {
            return Err(format!("children[{i}]: nested children are not supported"));
        }
        nodes.push(config_node(child, "cpe_match").map_err(|e| format!("children[{i}].{e}"))?);
    }
    Ok(Configuration {
        operator: Some(operator(node, "operator")?.unwrap_or(Operator::Or)),
        negate: opt_bool(node, "negate")?.unwrap_or(false),
        nodes,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::Collect;

    fn run(json: &str) -> (Result<NvdDocument, FeedError>, Collect) {
        let mut sink = Collect::default();
        let mut r = json.as_bytes();
        let res = parse(&mut r, &mut sink);
        (res, sink)
    }

    #[test]
    fn envelope_and_paging() {
        let (res, sink) = run(
            r#"{"resultsPerPage":2000,"startIndex":2000,"totalResults":4500,
               "format":"NVD_CVE","version":"2.0",
               "timestamp":"2026-03-14T03:00:00.6258976","vulnerabilities":[]}"#,
        );
        let doc = res.unwrap();
        assert!(sink.records.is_empty());
        assert_eq!(doc.format, NvdFormat::Api2);
        assert_eq!(doc.results_per_page, Some(2000));
        assert_eq!(doc.start_index, Some(2000));
        assert_eq!(doc.total_results, Some(4500));
        assert_eq!(doc.timestamp.as_deref(), Some("2026-03-14T03:00:00Z"));
        assert_eq!(doc.next_start_index(), Some(4000));
        let last = NvdDocument {
            start_index: Some(4000),
            results_per_page: Some(500),
            ..doc
        };
        assert_eq!(last.next_start_index(), None);
    }

    #[test]
    fn legacy_envelope_count_is_a_string() {
        let (res, _) = run(
            r#"{"CVE_data_numberOfCVEs":"343","CVE_data_timestamp":"2020-12-30T11:00Z","CVE_Items":[]}"#,
        );
        let doc = res.unwrap();
        assert_eq!(doc.format, NvdFormat::Legacy11);
        assert_eq!(doc.total_results, Some(343));
        assert_eq!(doc.timestamp.as_deref(), Some("2020-12-30T11:00:00Z"));
    }

    #[test]
    fn neither_key_or_not_json_is_a_format_error() {
        for input in [
            r#"{"foo":[1,2]}"#,
            "",
            "<?xml version=\"1.0\"?><x/>",
            "[]",
            r#"{"vulnerabilities":[]} trailing"#,
            r#"{"vulnerabilities":{}}"#,
        ] {
            let (res, _) = run(input);
            assert!(
                matches!(
                    res,
                    Err(FeedError::Format {
                        expected: "NVD JSON",
                        ..
                    })
                ),
                "{input:?}: {res:?}"
            );
        }
    }

    #[test]
    fn bad_shapes_are_skipped_with_a_path() {
        let (res, sink) = run(r#"{"vulnerabilities":[
                 {"cve":{"id":"CVE-2024-0001"}},
                 {"cve":{"id":"GHSA-xxxx"}},
                 {"cve":{"id":"CVE-2024-0002","configurations":[{"nodes":[{"operator":"OR",
                    "cpeMatch":[{"vulnerable":"yes","criteria":"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*"}]}]}]}},
                 {"cve":{"id":"CVE-2024-0003","metrics":{"cvssMetricV31":[{"cvssData":{"version":"3.1"}}]}}},
                 {"cve":{"id":"CVE-2024-0004","configurations":[{"operator":"XOR","nodes":[]}]}},
                 42
               ]}"#);
        let doc = res.unwrap();
        assert_eq!(
            doc.stats,
            ParseStats {
                records: 1,
                skipped: 5
            }
        );
        let s = &sink.skipped;
        assert_eq!(s[0].id, "#1");
        assert!(s[0].reason.contains("GHSA-xxxx"), "{}", s[0].reason);
        assert_eq!(s[1].id, "CVE-2024-0002");
        assert_eq!(
            s[1].reason,
            "cve.configurations[0].nodes[0].cpeMatch[0].vulnerable: expected boolean, found string"
        );
        assert_eq!(s[2].id, "CVE-2024-0003");
        assert_eq!(
            s[2].reason,
            "cve.metrics.cvssMetricV31[0].cvssData.baseScore: missing"
        );
        assert_eq!(s[3].id, "CVE-2024-0004");
        assert!(
            s[3].reason.contains("unknown operator \"XOR\""),
            "{}",
            s[3].reason
        );
        assert_eq!(s[4].id, "#5");
    }

    #[test]
    fn description_errors_name_the_entry() {
        let (_, sink) = run(r#"{"vulnerabilities":[{"cve":{"id":"CVE-2024-0001",
                "descriptions":[{"lang":"es","value":"x"},{"lang":7,"value":"y"}]}}]}"#);
        assert_eq!(
            sink.skipped[0].reason,
            "cve.descriptions[1].lang: expected string, found number"
        );
    }

    #[test]
    fn legacy_nested_children_are_skipped() {
        let (res, sink) = run(
            r#"{"CVE_Items":[{"cve":{"CVE_data_meta":{"ID":"CVE-2017-0001"}},
                "configurations":{"nodes":[{"operator":"AND","children":[
                   {"operator":"OR","children":[{"operator":"OR","cpe_match":[]}],"cpe_match":[]}]}]}}]}"#,
        );
        assert_eq!(res.unwrap().stats.skipped, 1);
        assert_eq!(sink.skipped[0].id, "CVE-2017-0001");
        assert_eq!(
            sink.skipped[0].reason,
            "configurations.nodes[0].children[0]: nested children are not supported"
        );
    }
}
