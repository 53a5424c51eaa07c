//! CISA Known Exploited Vulnerabilities catalog (JSON).
//!
//! The catalog is one object `{title, catalogVersion, dateReleased, count,
//! vulnerabilities: [...]}`. It is read with a serde visitor so that each
//! element of `vulnerabilities` is converted and handed to the sink as soon
//! as it has been read; the whole catalog is never held in memory.

use crate::json::{opt_str, str_list};
use crate::{time, FeedError, ParseStats, Sink};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sonae_domain::vuln::{CveId, Feed, KevEntry, Skipped, SourceRecord};
use std::fmt;
use std::io::BufRead;

const EXPECTED: &str = "CISA KEV JSON";

/// What the catalog envelope says, and the counts of one parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KevDocument {
    pub stats: ParseStats,
    /// `catalogVersion`, e.g. "2025.08.25".
    pub catalog_version: Option<String>,
    /// `dateReleased` as RFC 3339 UTC seconds ("2025-08-25T17:04:19Z").
    pub date_released: Option<String>,
}

/// Parse a KEV catalog, sending each entry to `sink` (feed `Kev`, id = the
/// CVE id). An entry without a valid `cveID` or `dateAdded`, or with a field
/// of the wrong type, is skipped with its reason; a file that is not a KEV
/// catalog object is a [`FeedError::Format`] (with line and column).
pub fn parse(reader: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<KevDocument, FeedError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let doc = de
        .deserialize_map(CatalogVisitor { sink })
        .map_err(json_error)?;
    de.end().map_err(json_error)?;
    Ok(doc)
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

struct CatalogVisitor<'s> {
    sink: &'s mut dyn Sink,
}

impl<'de> Visitor<'de> for CatalogVisitor<'_> {
    type Value = KevDocument;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a KEV catalog object with a \"vulnerabilities\" array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KevDocument, A::Error> {
        let mut doc = KevDocument::default();
        let mut seen_vulns = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "catalogVersion" => {
                    doc.catalog_version = map.next_value::<Option<String>>()?;
                }
                "dateReleased" => {
                    let raw = map.next_value::<Option<String>>()?;
                    doc.date_released = raw.map(|s| time::to_utc(&s).unwrap_or(s));
                }
                "vulnerabilities" => {
                    seen_vulns = true;
                    map.next_value_seed(EntriesSeed {
                        sink: &mut *self.sink,
                        stats: &mut doc.stats,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_vulns {
            return Err(de::Error::missing_field("vulnerabilities"));
        }
        Ok(doc)
    }
}

struct EntriesSeed<'a> {
    sink: &'a mut dyn Sink,
    stats: &'a mut ParseStats,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of KEV entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index: u64 = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            index += 1;
            match entry(&value) {
                Ok(record) => {
                    self.stats.records += 1;
                    self.sink.record(record);
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
        Ok(())
    }
}

/// One catalog element to a record; on error the id (when readable) and why.
fn entry(value: &Value) -> Result<SourceRecord, (Option<String>, String)> {
    let Some(obj) = value.as_object() else {
        return Err((None, "entry is not a JSON object".into()));
    };
    let raw_id = opt_str(obj, "cveID").map_err(|r| (None, r))?;
    let Some(raw_id) = raw_id else {
        return Err((None, "no cveID".into()));
    };
    let Some(cve) = CveId::parse(&raw_id) else {
        return Err((Some(raw_id.clone()), format!("bad cveID {raw_id:?}")));
    };
    let id = cve.as_str().to_owned();
    let fail = |reason: String| (Some(id.clone()), reason);

    let date_added = opt_str(obj, "dateAdded").map_err(fail)?;
    let Some(date_added) = date_added.map(|d| d.trim().to_owned()) else {
        return Err(fail("no dateAdded".into()));
    };
    let Some(published) = time::to_utc(&date_added) else {
        return Err(fail(format!("bad dateAdded {date_added:?}")));
    };
    let vendor_project = opt_str(obj, "vendorProject").map_err(fail)?;
    let product = opt_str(obj, "product").map_err(fail)?;
    let name = opt_str(obj, "vulnerabilityName").map_err(fail)?;
    let short_description = opt_str(obj, "shortDescription").map_err(fail)?;
    let required_action = opt_str(obj, "requiredAction").map_err(fail)?;
    let due_date = opt_str(obj, "dueDate").map_err(fail)?;
    let ransomware = opt_str(obj, "knownRansomwareCampaignUse").map_err(fail)?;
    let notes = opt_str(obj, "notes").map_err(fail)?;
    let cwes = str_list(obj, "cwes").map_err(fail)?;

    let mut r = SourceRecord::new(Feed::Kev, id, "en");
    r.cves = vec![cve];
    r.title = name.clone().filter(|s| !s.trim().is_empty());
    r.description = short_description.clone().filter(|s| !s.trim().is_empty());
    r.published = Some(published);
    r.cwes = cwes.clone();
    r.kev = Some(KevEntry {
        vendor_project: vendor_project.unwrap_or_default(),
        product: product.unwrap_or_default(),
        name: name.unwrap_or_default(),
        date_added,
        due_date: due_date
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        required_action: required_action.filter(|s| !s.trim().is_empty()),
        short_description: short_description.filter(|s| !s.trim().is_empty()),
        known_ransomware: ransomware.is_some_and(|s| s.trim().eq_ignore_ascii_case("known")),
        notes: notes.filter(|s| !s.trim().is_empty()),
        cwes,
    });
    Ok(r)
}
