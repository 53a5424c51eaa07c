//! CycloneDX and SPDX JSON SBOMs, reduced to the fields that vulnerability
//! matching needs.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::{ImportError, SbomSyntax, MAX_UPLOAD_BYTES};

/// Which SBOM standard a document follows, with the version it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomFormat {
    /// `specVersion` as written, e.g. `"1.6"`.
    CycloneDx { spec_version: String },
    /// `spdxVersion` without the `SPDX-` prefix, e.g. `"2.3"`.
    Spdx { version: String },
}

/// One piece of software listed in an SBOM. Strings are trimmed; empty
/// strings and SPDX `NOASSERTION`/`NONE` become `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomComponent {
    pub name: String,
    pub version: Option<String>,
    /// Who provides it. CycloneDX: `supplier.name`, `manufacturer.name`,
    /// `publisher`, `group`, `author`, `authors[0].name`, first present wins.
    /// SPDX: `supplier`, else `originator`, without the
    /// `Organization:`/`Person:` prefix and without an e-mail in parentheses.
    pub vendor: Option<String>,
    pub cpe: Option<String>,
    pub purl: Option<String>,
}

/// A parsed SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    pub format: SbomFormat,
    /// Software components in document order, duplicates removed.
    pub components: Vec<SbomComponent>,
    /// Entries that were not imported, so the user can be told why the
    /// count is lower than their tool reported.
    pub skipped: Vec<SbomSkip>,
}

/// An SBOM entry that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomSkip {
    /// 0-based position among the entries this parser visits. SPDX: index
    /// in `packages`. CycloneDX: depth-first order over `components` (each
    /// entry before its nested `components`), continuing with components
    /// nested under `metadata.component`.
    pub index: usize,
    /// The entry's `bom-ref` (CycloneDX) or `SPDXID` (SPDX), which is what
    /// users can search for in their file.
    pub reference: Option<String>,
    /// The entry's name, when it has one.
    pub name: Option<String>,
    pub reason: SkipReason,
}

/// Why an SBOM entry was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// No (non-empty) name, so there is nothing to match against.
    MissingName,
    /// A CycloneDX component whose `type` is not software, e.g. `"device"`,
    /// `"file"`, `"data"`, `"cryptographic-asset"`. Holds that type.
    NotSoftware { component_type: String },
    /// The entry is not a JSON object.
    NotAnObject,
    /// Same name, version, purl and CPE as an earlier entry.
    Duplicate,
}

/// CycloneDX component types that describe software. A missing `type` is
/// also taken as software: it is required by the schema, but hand-written
/// and older files omit it and they are nearly always libraries.
const SOFTWARE_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "operating-system",
    "container",
    "firmware",
    "platform",
];

/// CycloneDX versions with a JSON serialization (1.2 introduced it) whose
/// component shape we know.
const CYCLONEDX_VERSIONS: &[&str] = &["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// SPDX 2.2 was the first with an official JSON serialization.
const SPDX_VERSIONS: &[&str] = &["2.2", "2.3"];

/// Parse a JSON SBOM: CycloneDX 1.2-1.7 or SPDX 2.2/2.3.
///
/// CycloneDX: `components` are walked recursively. `metadata.component`
/// describes the product itself and is only imported when nothing else is
/// (components nested under it are imported). Non-software component types
/// are skipped with a reason.
///
/// SPDX: every entry of `packages` is imported, including the one the
/// document describes (SPDX has no separate product entry). CPE comes from
/// the first `cpe23Type` external reference, else the first `cpe22Type`;
/// purl from the first `purl` reference.
///
/// A UTF-8 BOM before the JSON is tolerated (Windows editors add one).
///
/// # Errors
///
/// [`ImportError::TooLarge`], [`ImportError::Json`] with serde_json's line
/// and column, [`ImportError::SbomNotJson`] for XML or SPDX tag-value,
/// [`ImportError::UnknownSbomFormat`], [`ImportError::UnsupportedSbomVersion`].
pub fn parse_sbom(bytes: &[u8]) -> Result<Sbom, ImportError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImportError::TooLarge {
            actual: bytes.len(),
            limit: MAX_UPLOAD_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(syntax) = sniff_non_json(bytes) {
        return Err(ImportError::SbomNotJson(syntax));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
    })?;
    let obj = doc.as_object().ok_or(ImportError::UnknownSbomFormat)?;

    if let Some(format) = obj.get("bomFormat") {
        if format.as_str() != Some("CycloneDX") {
            return Err(ImportError::UnknownSbomFormat);
        }
        let version = obj.get("specVersion").and_then(Value::as_str).unwrap_or("");
        if !CYCLONEDX_VERSIONS.contains(&version) {
            return Err(ImportError::UnsupportedSbomVersion(format!(
                "CycloneDX-{version}"
            )));
        }
        return Ok(parse_cyclonedx(obj, version));
    }
    if let Some(raw) = obj.get("spdxVersion") {
        let raw = raw.as_str().unwrap_or("");
        let version = raw.strip_prefix("SPDX-").unwrap_or("");
        if !SPDX_VERSIONS.contains(&version) {
            return Err(ImportError::UnsupportedSbomVersion(format!(
                "SPDX-{version}"
            )));
        }
        return Ok(parse_spdx(obj, version));
    }
    if let Some(version) = spdx3_version(obj) {
        // SPDX 3 is JSON-LD with a different model; naming it lets the user
        // re-export as 2.3 instead of wondering what is wrong with the file.
        return Err(ImportError::UnsupportedSbomVersion(format!(
            "SPDX-{version}"
        )));
    }
    Err(ImportError::UnknownSbomFormat)
}

fn sniff_non_json(bytes: &[u8]) -> Option<SbomSyntax> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if rest.starts_with(b"<") {
        return Some(SbomSyntax::Xml);
    }
    // Tag-value files may open with `#` comments before `SPDXVersion:`.
    let first_tag = rest
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty() && !line.starts_with(b"#"))?;
    first_tag
        .starts_with(b"SPDXVersion:")
        .then_some(SbomSyntax::SpdxTagValue)
}

/// `"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"` -> "3.0.1".
fn spdx3_version(obj: &Map<String, Value>) -> Option<String> {
    let context = obj.get("@context")?.as_str()?;
    let rest = context.split("spdx.org/rdf/").nth(1)?;
    let version = rest.split('/').next()?;
    version.starts_with('3').then(|| version.to_owned())
}

/// Accumulates components, removing duplicates as they come.
#[derive(Default)]
struct Collector {
    components: Vec<SbomComponent>,
    skipped: Vec<SbomSkip>,
    seen: HashSet<DedupKey>,
}

type DedupKey = (String, Option<String>, Option<String>, Option<String>);

impl Collector {
    fn push(&mut self, index: usize, reference: Option<String>, component: SbomComponent) {
        let key = (
            component.name.clone(),
            component.version.clone(),
            component.purl.clone(),
            component.cpe.clone(),
        );
        if self.seen.insert(key) {
            self.components.push(component);
        } else {
            self.skip(
                index,
                reference,
                Some(component.name),
                SkipReason::Duplicate,
            );
        }
    }

    fn skip(
        &mut self,
        index: usize,
        reference: Option<String>,
        name: Option<String>,
        reason: SkipReason,
    ) {
        self.skipped.push(SbomSkip {
            index,
            reference,
            name,
            reason,
        });
    }
}

/// A trimmed, non-empty string field.
fn text(value: Option<&Value>) -> Option<String> {
    let s = value?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

// --- CycloneDX -------------------------------------------------------------

fn parse_cyclonedx(doc: &Map<String, Value>, version: &str) -> Sbom {
    let mut out = Collector::default();
    let mut next_index = 0;
    walk_cyclonedx(doc.get("components"), &mut out, &mut next_index);

    let product = doc
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(Value::as_object);
    if let Some(product) = product {
        walk_cyclonedx(product.get("components"), &mut out, &mut next_index);
        if out.components.is_empty() {
            // A BOM that lists only the product (common for SaaSBOMs and
            // for tools run on a single binary) would otherwise import as
            // nothing at all.
            if let Ok(component) = cyclonedx_component(product) {
                out.components.push(component);
            }
        }
    }
    Sbom {
        format: SbomFormat::CycloneDx {
            spec_version: version.to_owned(),
        },
        components: out.components,
        skipped: out.skipped,
    }
}

fn walk_cyclonedx(list: Option<&Value>, out: &mut Collector, next_index: &mut usize) {
    let Some(items) = list.and_then(Value::as_array) else {
        return;
    };
    // Recursion depth is bounded by serde_json's nesting limit.
    for item in items {
        let index = *next_index;
        *next_index += 1;
        let Some(obj) = item.as_object() else {
            out.skip(index, None, None, SkipReason::NotAnObject);
            continue;
        };
        let reference = text(obj.get("bom-ref"));
        match cyclonedx_component(obj) {
            Ok(component) => out.push(index, reference, component),
            Err(reason) => out.skip(index, reference, text(obj.get("name")), reason),
        }
        // Children of a skipped entry are still looked at: a device
        // typically contains firmware, which is software.
        walk_cyclonedx(obj.get("components"), out, next_index);
    }
}

fn cyclonedx_component(obj: &Map<String, Value>) -> Result<SbomComponent, SkipReason> {
    match obj.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if SOFTWARE_TYPES.contains(&t.as_str()) => {}
        Some(other) => {
            return Err(SkipReason::NotSoftware {
                component_type: other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_owned),
            })
        }
    }
    let name = text(obj.get("name")).ok_or(SkipReason::MissingName)?;
    let named = |key: &str| text(obj.get(key).and_then(|v| v.get("name")));
    let vendor = named("supplier")
        .or_else(|| named("manufacturer"))
        .or_else(|| text(obj.get("publisher")))
        .or_else(|| text(obj.get("group")))
        .or_else(|| text(obj.get("author")))
        .or_else(|| {
            text(
                obj.get("authors")
                    .and_then(|a| a.get(0))
                    .and_then(|a| a.get("name")),
            )
        });
    Ok(SbomComponent {
        name,
        version: text(obj.get("version")),
        vendor,
        cpe: text(obj.get("cpe")),
        purl: text(obj.get("purl")),
    })
}

// --- SPDX ------------------------------------------------------------------

fn parse_spdx(doc: &Map<String, Value>, version: &str) -> Sbom {
    let mut out = Collector::default();
    let packages = doc
        .get("packages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (index, item) in packages.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            out.skip(index, None, None, SkipReason::NotAnObject);
            continue;
        };
        let reference = text(obj.get("SPDXID"));
        let Some(name) = spdx_text(obj.get("name")) else {
            out.skip(index, reference, None, SkipReason::MissingName);
            continue;
        };
        let component = SbomComponent {
            name,
            version: spdx_text(obj.get("versionInfo")),
            vendor: spdx_party(obj.get("supplier")).or_else(|| spdx_party(obj.get("originator"))),
            cpe: external_ref(obj, "cpe23Type").or_else(|| external_ref(obj, "cpe22Type")),
            purl: external_ref(obj, "purl"),
        };
        out.push(index, reference, component);
    }
    Sbom {
        format: SbomFormat::Spdx {
            version: version.to_owned(),
        },
        components: out.components,
        skipped: out.skipped,
    }
}

/// Like [`text`], but SPDX's "explicitly unknown" markers count as absent.
fn spdx_text(value: Option<&Value>) -> Option<String> {
    text(value).filter(|s| s != "NOASSERTION" && s != "NONE")
}

/// `"Organization: Acme (ops@acme.example)"` -> `"Acme"`.
fn spdx_party(value: Option<&Value>) -> Option<String> {
    let raw = spdx_text(value)?;
    let name = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|prefix| raw.strip_prefix(prefix))
        .unwrap_or(&raw)
        .trim();
    // The spec's optional "(email)" is contact data, not part of the name;
    // other parentheses (e.g. "Foo (Japan) K.K.") are kept.
    let name = match name.strip_suffix(')').and_then(|s| s.rsplit_once('(')) {
        Some((before, inside)) if inside.is_empty() || inside.contains('@') => before.trim(),
        _ => name,
    };
    (!name.is_empty() && name != "NOASSERTION").then(|| name.to_owned())
}

fn external_ref(package: &Map<String, Value>, reference_type: &str) -> Option<String> {
    package
        .get("externalRefs")?
        .as_array()?
        .iter()
        .filter(|r| r.get("referenceType").and_then(Value::as_str) == Some(reference_type))
        .find_map(|r| text(r.get("referenceLocator")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn spdx_party_forms() {
        let party = |s: &str| spdx_party(Some(&Value::from(s)));
        assert_eq!(party("Organization: Acme, Inc."), Some("Acme, Inc.".into()));
        assert_eq!(
            party("Person: Jane Doe (jane.doe@example.com)"),
            Some("Jane Doe".into())
        );
        assert_eq!(party("Person: Jane Doe ()"), Some("Jane Doe".into()));
        assert_eq!(
            party("Organization: Foo (Japan) K.K."),
            Some("Foo (Japan) K.K.".into())
        );
        assert_eq!(party("NOASSERTION"), None);
        assert_eq!(party("Organization: "), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_non_json(b"  <?xml version"), Some(SbomSyntax::Xml));
        assert_eq!(
            sniff_non_json(b"## comment\nSPDXVersion: SPDX-2.3\n"),
            Some(SbomSyntax::SpdxTagValue)
        );
        assert_eq!(sniff_non_json(b"{\"a\":1}"), None);
    }
}
