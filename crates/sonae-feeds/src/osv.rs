//! OSV records (schema 1.x, JSON).
//!
//! A document is one record (`{"id": …}`, as in the per-advisory files and
//! each entry of the `all.zip` exports, see [`crate::input`]) or a JSON
//! array of records, which is streamed element by element.

use crate::json::{opt_str, str_list};
use crate::{time, FeedError, ParseStats, Sink};
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use sonae_domain::vuln::{
    CveId, Cvss, Feed, OsvAffected, OsvEvent, OsvRange, Reference, Skipped, SourceRecord,
};
use std::fmt;
use std::io::BufRead;

const EXPECTED: &str = "OSV JSON";

/// Parse one OSV document (a record or an array of records) into `sink`.
/// A record without an `id`, or with a field of the wrong shape, is skipped
/// with its reason; a document that is not JSON, or whose top level is
/// neither an object nor an array, is a [`FeedError::Format`].
pub fn parse(reader: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<ParseStats, FeedError> {
    let mut stats = ParseStats::default();
    let mut de = serde_json::Deserializer::from_reader(reader);
    de.deserialize_any(DocumentVisitor {
        sink,
        stats: &mut stats,
    })
    .map_err(json_error)?;
    de.end().map_err(json_error)?;
    Ok(stats)
}

fn json_error(e: serde_json::Error) -> FeedError {
    if e.is_io() {
        return FeedError::Io(e.into());
    }
    FeedError::Format {
        expected: EXPECTED,
        detail: e.to_string(),
    }
}

struct DocumentVisitor<'a> {
    sink: &'a mut dyn Sink,
    stats: &'a mut ParseStats,
}

impl DocumentVisitor<'_> {
    fn take(&mut self, value: &Value, index: u64) {
        match record(value) {
            Ok(r) => {
                self.stats.records += 1;
                self.sink.record(r);
            }
            Err((id, reason)) => {
                self.stats.skipped += 1;
                self.sink.skipped(Skipped {
                    id: id.unwrap_or_else(|| format!("#{index}")),
                    reason,
                });
            }
        }
    }
}

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OSV record object or an array of OSV records")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        let value = Value::deserialize(MapAccessDeserializer::new(map))?;
        self.take(&value, 1);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            index += 1;
            self.take(&value, index);
        }
        Ok(())
    }
}

type Failure = (Option<String>, String);

/// One OSV record to a source record; on error the id (when readable) and why.
fn record(value: &Value) -> Result<SourceRecord, Failure> {
    let Some(obj) = value.as_object() else {
        return Err((None, "record is not a JSON object".into()));
    };
    let id = opt_str(obj, "id")
        .map_err(|r| (None, r))?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let Some(id) = id else {
        return Err((None, "no id".into()));
    };
    let fail = |reason: String| (Some(id.clone()), reason);

    let mut r = SourceRecord::new(Feed::Osv, id.clone(), "en");
    if let Some(cve) = CveId::parse(&id) {
        r.cves.push(cve);
    }
    for alias in str_list(obj, "aliases").map_err(fail)? {
        match CveId::parse(&alias) {
            Some(cve) => push_cve(&mut r.cves, cve),
            None => {
                let alias = alias.trim().to_owned();
                if !alias.is_empty() && alias != id && !r.aliases.contains(&alias) {
                    r.aliases.push(alias);
                }
            }
        }
    }
    for upstream in str_list(obj, "upstream").map_err(fail)? {
        if let Some(cve) = CveId::parse(&upstream) {
            push_cve(&mut r.cves, cve);
        }
    }
    r.title = text(obj, "summary").map_err(fail)?;
    r.description = text(obj, "details").map_err(fail)?;
    r.published = date(obj, "published").map_err(fail)?;
    r.modified = date(obj, "modified").map_err(fail)?;
    if opt_str(obj, "withdrawn").map_err(fail)?.is_some() {
        r.status = Some("withdrawn".into());
    }

    let db = match obj.get("database_specific") {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let db_severity = db
        .and_then(|m| m.get("severity"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty());
    let db_score = db.and_then(|m| m.get("cvss")).and_then(cvss_score);
    r.cvss = severities(obj, db_score, db_severity.as_deref()).map_err(fail)?;
    if let Some(db) = db {
        r.cwes = str_list(db, "cwe_ids").map_err(fail)?;
    }
    r.references = references(obj).map_err(fail)?;
    r.osv_affected = affected(obj).map_err(fail)?;
    Ok(r)
}

fn push_cve(cves: &mut Vec<CveId>, cve: CveId) {
    if !cves.contains(&cve) {
        cves.push(cve);
    }
}

/// `database_specific.cvss` as some producers write it: a number, or an
/// object with `score` / `baseScore`.
fn cvss_score(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::Object(m) => m
            .get("score")
            .or_else(|| m.get("baseScore"))
            .and_then(Value::as_f64),
        _ => None,
    }?;
    (n.is_finite() && (0.0..=10.0).contains(&n)).then_some(n)
}

/// `severity[]` entries of type CVSS_V2/V3/V4 (vector strings). No score is
/// computed from the vector: `base_score` is `database_specific.cvss` when
/// the record has one, else 0.0. A V3/V4 entry whose vector has no
/// `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/` prefix is left out.
fn severities(
    obj: &Map<String, Value>,
    db_score: Option<f64>,
    db_severity: Option<&str>,
) -> Result<Vec<Cvss>, String> {
    let mut out = Vec::new();
    for entry in objects(obj, "severity")? {
        let kind = opt_str(entry, "type")?.unwrap_or_default();
        let Some(vector) = opt_str(entry, "score")? else {
            continue;
        };
        let vector = vector.trim().to_owned();
        let version = match (kind.as_str(), vector.split('/').next().unwrap_or("")) {
            ("CVSS_V3" | "CVSS_V4", prefix) => match prefix.strip_prefix("CVSS:") {
                Some(v @ ("3.0" | "3.1" | "4.0")) => v.to_owned(),
                // An unrecognised vector: leave it out, keep the record.
                _ => continue,
            },
            ("CVSS_V2", _) => "2.0".to_owned(),
            _ => continue,
        };
        out.push(Cvss {
            version,
            base_score: db_score.unwrap_or(0.0),
            vector: Some(vector),
            severity: db_severity.map(str::to_owned),
            source: Some("osv".into()),
            primary: false,
        });
    }
    Ok(out)
}

fn references(obj: &Map<String, Value>) -> Result<Vec<Reference>, String> {
    let mut out = Vec::new();
    for entry in objects(obj, "references")? {
        let Some(url) = opt_str(entry, "url")? else {
            continue;
        };
        out.push(Reference {
            url,
            source: None,
            tags: opt_str(entry, "type")?.into_iter().collect(),
        });
    }
    Ok(out)
}

fn affected(obj: &Map<String, Value>) -> Result<Vec<OsvAffected>, String> {
    let mut out = Vec::new();
    for (i, entry) in objects(obj, "affected")?.into_iter().enumerate() {
        let at = |e: String| format!("affected[{i}]: {e}");
        let package = match entry.get("package") {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return Err(at("package is not an object".into())),
        };
        let (ecosystem, name, purl) = match package {
            Some(p) => (
                opt_str(p, "ecosystem").map_err(at)?.unwrap_or_default(),
                opt_str(p, "name").map_err(at)?.unwrap_or_default(),
                opt_str(p, "purl").map_err(at)?,
            ),
            None => (String::new(), String::new(), None),
        };
        let mut ranges = Vec::new();
        for (j, range) in objects(entry, "ranges")
            .map_err(at)?
            .into_iter()
            .enumerate()
        {
            let at = |e: String| format!("affected[{i}].ranges[{j}]: {e}");
            let kind = opt_str(range, "type").map_err(at)?;
            let Some(kind) = kind else {
                return Err(at("no type".into()));
            };
            let mut events = Vec::new();
            for event in objects(range, "events").map_err(at)? {
                for (key, v) in event {
                    let Some(v) = v.as_str().map(str::to_owned) else {
                        return Err(at(format!("event {key} is not a string")));
                    };
                    events.push(match key.as_str() {
                        "introduced" => OsvEvent::Introduced(v),
                        "fixed" => OsvEvent::Fixed(v),
                        "last_affected" => OsvEvent::LastAffected(v),
                        "limit" => OsvEvent::Limit(v),
                        _ => continue,
                    });
                }
            }
            ranges.push(OsvRange {
                kind,
                repo: opt_str(range, "repo").map_err(at)?,
                events,
            });
        }
        out.push(OsvAffected {
            ecosystem,
            name,
            purl,
            ranges,
            versions: str_list(entry, "versions").map_err(at)?,
        });
    }
    Ok(out)
}

/// Trimmed text; empty is `None`.
fn text(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    Ok(opt_str(obj, key)?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty()))
}

fn date(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match opt_str(obj, key)? {
        None => Ok(None),
        Some(s) => time::to_utc(&s)
            .map(Some)
            .ok_or_else(|| format!("{key} {s:?} is not a timestamp")),
    }
}

/// An array of objects: absent or null is empty, another shape is an error.
fn objects<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
) -> Result<Vec<&'v Map<String, Value>>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_object()
                    .ok_or_else(|| format!("{key} has a non-object element"))
            })
            .collect(),
        Some(_) => Err(format!("{key} is not an array")),
    }
}
