//! JVN iPedia parser: VULDEF detail documents (`jvndb_detail_*.rdf`,
//! MyJVN `getVulnDetailInfo`) and JVNRSS overview documents (`jvndb_*.rdf`,
//! `jvndb_new.rdf`, MyJVN `getVulnOverviewList`).
//!
//! The format is told by the root element (`VULDEF-Document` or `rdf:RDF`).
//! Elements are matched by namespace URI and local name, so any prefix
//! works and both the `http://` and `https://` spellings of the JVN
//! namespaces (and `mod_sec/` and `mod_sec/3.0/`) are accepted.
//!
//! Streaming: one record (`Vulinfo` or `item`) is built at a time and handed
//! to the sink when its end tag is read. A record with a bad value (a
//! non-numeric score, a missing or malformed JVNDB id, an unparseable date,
//! an unknown entity reference) is reported as skipped and the rest loads;
//! broken XML structure stops the parse with [`FeedError::Format`].
//!
//! Placeholder entries (title or overview marked `** 削除 **`,
//! `** 未確定 **`, `** サポート外 **`, `** RESERVED **`, `** REJECT **`;
//! see [`placeholder_marker`]) are kept with `status = "withdrawn"` and no
//! affected products, so nothing is matched against them.
//!
//! Security: a DOCTYPE is read past and never honored; only the five
//! predefined XML entities and numeric character references are decoded.
//! Any other `&name;` makes its record skipped. Field lengths, list lengths
//! and nesting depth are bounded.

use crate::{FeedError, ParseStats, Sink};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use sonae_domain::vuln::{
    AffectedProduct, CveId, Cvss, Feed, JvnDbId, Reference, Skipped, SourceRecord,
};
use std::io::BufRead;

const EXPECTED: &str = "JVN XML";
/// Longest text one field may have (bytes).
const MAX_FIELD_BYTES: usize = 1024 * 1024;
/// Most entries one list of a record (references, affected items, …) may have.
const MAX_LIST_LEN: usize = 100_000;
/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 256;

/// Which of the two JVN formats a document was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JvnFormat {
    /// VULDEF (`VULDEF-Document`): detail records.
    Vuldef,
    /// JVNRSS (RSS 1.0 `rdf:RDF` with `sec:` items): overview records.
    Jvnrss,
}

/// MyJVN status trailer (`status:Status` attributes) used for paging:
/// `retCd`, `retMax`, `totalRes`, `totalResRet`, `firstRes`, and
/// `errCd`/`errMsg` when present. Empty or non-numeric attributes are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiStatus {
    /// `retCd`: 0 on success, anything else is an API error.
    pub ret_cd: Option<i64>,
    /// `errMsg`, when non-empty.
    pub err_msg: Option<String>,
    /// `totalRes`: matching entries in all pages.
    pub total_res: Option<u64>,
    /// `totalResRet`: entries in this response.
    pub total_res_ret: Option<u64>,
    /// `firstRes`: 1-based index of this response's first entry.
    pub first_res: Option<u64>,
    /// `retMax`: page size the server applied.
    pub ret_max: Option<u64>,
    /// `errCd`, when non-empty.
    pub err_cd: Option<String>,
}

impl ApiStatus {
    /// The API reported an error (`retCd` present and not 0).
    pub fn is_error(&self) -> bool {
        self.ret_cd.is_some_and(|c| c != 0)
    }
}

/// What one parse found besides the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvnDocument {
    pub stats: ParseStats,
    pub format: JvnFormat,
    /// The MyJVN status trailer, when the document has one. An API error
    /// (`retCd` ≠ 0) is reported here, not as a parse failure.
    pub status: Option<ApiStatus>,
}

/// Parse a VULDEF document (root `VULDEF-Document`) or a JVNRSS document
/// (root `rdf:RDF`), told apart by the root element; streaming.
pub fn parse(reader: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<JvnDocument, FeedError> {
    let mut xml = NsReader::from_reader(reader);
    let mut p = Parser::new(sink);
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        buf.clear();
        let (ns, ev) = match xml.read_resolved_event_into(&mut buf) {
            Ok(v) => v,
            Err(e) => {
                return Err(format_error(format!(
                    "{e} (at byte {})",
                    xml.error_position()
                )))
            }
        };
        if p.format.is_none() {
            if let Event::Start(e) | Event::Empty(e) = &ev {
                p.root(ns_kind(&ns), &ns, e)?;
                if let Event::Empty(_) = ev {
                    p.end();
                }
                continue;
            }
        }
        let ns = ns_kind(&ns);
        match ev {
            Event::Start(e) => p.start(ns, &e)?,
            Event::Empty(e) => {
                p.start(ns, &e)?;
                p.end();
            }
            Event::End(_) => p.end(),
            // Text is decoded only inside a record (nothing else is kept).
            Event::Text(t) if p.collecting() => match t.unescape() {
                Ok(s) => p.push_text(&s),
                Err(e) => p.fail(format!("bad text: {e}")),
            },
            Event::CData(c) if p.collecting() => match std::str::from_utf8(&c) {
                Ok(s) => p.push_text(s),
                Err(e) => p.fail(format!("bad CDATA: {e}")),
            },
            Event::Eof => break,
            // DOCTYPE (never honored), comments, processing instructions,
            // the XML declaration.
            _ => {}
        }
    }
    p.finish(xml.buffer_position())
}

fn format_error(detail: String) -> FeedError {
    FeedError::Format {
        expected: EXPECTED,
        detail,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Vuldef,
    Sec,
    Rss,
    Dc,
    Dcterms,
    Status,
    Rdf,
    Other,
}

fn ns_kind(r: &ResolveResult) -> Ns {
    let ResolveResult::Bound(Namespace(uri)) = r else {
        return Ns::Other;
    };
    match *uri {
        b"http://jvn.jp/vuldef/" | b"https://jvn.jp/vuldef/" => Ns::Vuldef,
        b"http://jvn.jp/rss/mod_sec/"
        | b"https://jvn.jp/rss/mod_sec/"
        | b"http://jvn.jp/rss/mod_sec/3.0/"
        | b"https://jvn.jp/rss/mod_sec/3.0/" => Ns::Sec,
        b"http://purl.org/rss/1.0/" => Ns::Rss,
        b"http://purl.org/dc/elements/1.1/" => Ns::Dc,
        b"http://purl.org/dc/terms/" => Ns::Dcterms,
        b"http://jvndb.jvn.jp/myjvn/Status" | b"https://jvndb.jvn.jp/myjvn/Status" => Ns::Status,
        b"http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
        _ => Ns::Other,
    }
}

/// The elements the parser acts on; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Status,
    // VULDEF
    Vulinfo,
    VulinfoId,
    VulinfoData,
    Title,
    VulinfoDescription,
    Overview,
    Affected,
    AffectedItem,
    Name,
    ProductName,
    Cpe,
    VersionNumber,
    Impact,
    Cvss,
    Severity,
    Base,
    Vector,
    Related,
    RelatedItem,
    Url,
    DateFirstPublished,
    DateLastUpdated,
    DatePublic,
    // JVNRSS
    Item,
    RssTitle,
    RssDescription,
    SecIdentifier,
    SecReferences,
    SecCpe,
    SecCvss,
    DcDate,
    DctIssued,
    DctModified,
    Other,
}

fn classify(format: JvnFormat, ns: Ns, local: &[u8]) -> Tag {
    match (format, ns, local) {
        (_, Ns::Status, b"Status") => Tag::Status,
        (JvnFormat::Vuldef, Ns::Vuldef, name) => match name {
            b"Vulinfo" => Tag::Vulinfo,
            b"VulinfoID" => Tag::VulinfoId,
            b"VulinfoData" => Tag::VulinfoData,
            b"Title" => Tag::Title,
            b"VulinfoDescription" => Tag::VulinfoDescription,
            b"Overview" => Tag::Overview,
            b"Affected" => Tag::Affected,
            b"AffectedItem" => Tag::AffectedItem,
            b"Name" => Tag::Name,
            b"ProductName" => Tag::ProductName,
            b"Cpe" => Tag::Cpe,
            b"VersionNumber" => Tag::VersionNumber,
            b"Impact" => Tag::Impact,
            b"Cvss" => Tag::Cvss,
            b"Severity" => Tag::Severity,
            b"Base" => Tag::Base,
            b"Vector" => Tag::Vector,
            b"Related" => Tag::Related,
            b"RelatedItem" => Tag::RelatedItem,
            b"URL" => Tag::Url,
            b"DateFirstPublished" => Tag::DateFirstPublished,
            b"DateLastUpdated" => Tag::DateLastUpdated,
            b"DatePublic" => Tag::DatePublic,
            _ => Tag::Other,
        },
        (JvnFormat::Jvnrss, Ns::Rss, b"item") => Tag::Item,
        (JvnFormat::Jvnrss, Ns::Rss, b"title") => Tag::RssTitle,
        (JvnFormat::Jvnrss, Ns::Rss, b"description") => Tag::RssDescription,
        (JvnFormat::Jvnrss, Ns::Sec, b"identifier") => Tag::SecIdentifier,
        (JvnFormat::Jvnrss, Ns::Sec, b"references") => Tag::SecReferences,
        (JvnFormat::Jvnrss, Ns::Sec, b"cpe") => Tag::SecCpe,
        (JvnFormat::Jvnrss, Ns::Sec, b"cvss") => Tag::SecCvss,
        (JvnFormat::Jvnrss, Ns::Dc, b"date") => Tag::DcDate,
        (JvnFormat::Jvnrss, Ns::Dcterms, b"issued") => Tag::DctIssued,
        (JvnFormat::Jvnrss, Ns::Dcterms, b"modified") => Tag::DctModified,
        _ => Tag::Other,
    }
}

/// Unprefixed attributes of an element, unescaped (predefined entities and
/// character references only). `html` tolerates unquoted values, as seen in
/// a MyJVN example's status trailer (`retCd= 0`).
fn attributes(e: &BytesStart, html: bool) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let iter = if html {
        e.html_attributes()
    } else {
        e.attributes()
    };
    for a in iter {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let key = a.key.as_ref();
        if key.contains(&b':') || key == b"xmlns" {
            continue;
        }
        let key = String::from_utf8_lossy(key).into_owned();
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad value of attribute {key}: {e}"))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

fn attr(attrs: &[(String, String)], key: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// CRLF and CR to LF, trimmed; `None` when empty.
fn prose(s: &str) -> Option<String> {
    non_empty(&s.replace("\r\n", "\n").replace('\r', "\n"))
}

fn parse_score(s: &str) -> Result<Option<f64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=10.0).contains(&v) => Ok(Some(v)),
        _ => Err(format!("bad CVSS score {s:?}")),
    }
}

fn parse_date(field: &str, s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::time::to_utc(s)
        .map(Some)
        .ok_or_else(|| format!("bad date in {field}: {s:?}"))
}

/// The first CVE id written anywhere in `s` (e.g. in a cve.org URL).
fn find_cve(s: &str) -> Option<CveId> {
    let upper = s.to_ascii_uppercase();
    let mut from = 0;
    while let Some(i) = upper[from..].find("CVE-") {
        let start = from + i;
        let end = upper[start + 4..]
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .map_or(upper.len(), |j| start + 4 + j);
        if let Some(c) = CveId::parse(upper[start..end].trim_end_matches('-')) {
            return Some(c);
        }
        from = start + 4;
    }
    None
}

/// JVN advisory ids other than JVNDB: `JVN#64806328`, `JVNVU#99709964`,
/// `JVNTA#…`; also other JVNDB ids.
fn is_jvn_alias(s: &str) -> bool {
    if JvnDbId::parse(s).is_some() {
        return true;
    }
    let Some(rest) = s.strip_prefix("JVN") else {
        return false;
    };
    let Some((kind, num)) = rest.split_once('#') else {
        return false;
    };
    kind.bytes().all(|b| b.is_ascii_uppercase())
        && !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

#[derive(Default)]
struct CvssDraft {
    version: Option<String>,
    base: String,
    vector: String,
    severity: String,
}

#[derive(Default)]
struct RelatedDraft {
    kind: Option<String>,
    name: String,
    vulinfo_id: String,
    url: String,
}

/// Attributes of the sec: element whose text is being read.
#[derive(Default)]
struct PendingAttrs(Vec<(String, String)>);

/// One record being built.
struct Draft {
    /// 1-based position in the document, for records without a usable id.
    n: u64,
    rec: SourceRecord,
    id_raw: Option<String>,
    error: Option<String>,
    affected: Option<AffectedProduct>,
    cvss: Option<CvssDraft>,
    related: Option<RelatedDraft>,
    pending: PendingAttrs,
    first_published: Option<String>,
    date_public: Option<String>,
    dc_date: Option<String>,
}

impl Draft {
    fn new(n: u64) -> Draft {
        Draft {
            n,
            rec: SourceRecord::new(Feed::Jvn, String::new(), "ja"),
            id_raw: None,
            error: None,
            affected: None,
            cvss: None,
            related: None,
            pending: PendingAttrs::default(),
            first_published: None,
            date_public: None,
            dc_date: None,
        }
    }

    fn fail(&mut self, reason: String) {
        if self.error.is_none() {
            self.error = Some(reason);
        }
    }

    fn check<T>(&mut self, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    fn too_long(&self) -> bool {
        let r = &self.rec;
        [
            r.cves.len(),
            r.aliases.len(),
            r.cvss.len(),
            r.cwes.len(),
            r.references.len(),
            r.affected.len(),
        ]
        .iter()
        .any(|&n| n > MAX_LIST_LEN)
            || self
                .affected
                .as_ref()
                .is_some_and(|a| a.versions.len() > MAX_LIST_LEN)
    }

    fn finish_cvss(&mut self, d: CvssDraft) {
        let Some(score) = self.check(parse_score(&d.base)).flatten() else {
            return; // no score given (or a bad one, already recorded)
        };
        let Some(version) = d.version else {
            self.fail("CVSS without version".into());
            return;
        };
        self.rec.cvss.push(Cvss {
            version,
            base_score: score,
            vector: non_empty(&d.vector),
            severity: non_empty(&d.severity).map(|s| s.to_uppercase()),
            source: Some("JVN".into()),
            primary: true,
        });
    }

    fn finish_related(&mut self, d: RelatedDraft) {
        let vid = d.vulinfo_id.trim();
        let name = d.name.trim();
        let url = d.url.trim();
        if d.kind.as_deref() == Some("cwe") && vid.starts_with("CWE-") {
            push_unique(&mut self.rec.cwes, vid.to_owned());
        }
        let cve = CveId::parse(vid).or_else(|| {
            (name == "Common Vulnerabilities and Exposures (CVE)")
                .then(|| find_cve(vid).or_else(|| find_cve(url)))
                .flatten()
        });
        if let Some(c) = cve {
            push_unique(&mut self.rec.cves, c);
        } else if is_jvn_alias(vid) && Some(vid) != self.id_raw.as_deref().map(str::trim) {
            push_unique(&mut self.rec.aliases, vid.to_owned());
        }
        if !url.is_empty() {
            self.rec.references.push(Reference {
                url: url.to_owned(),
                source: non_empty(name),
                tags: d.kind.into_iter().collect(),
            });
        }
    }

    fn rss_reference(&mut self, attrs: &[(String, String)], text: &str) {
        let source = attr(attrs, "source");
        let id = attr(attrs, "id");
        if let Some(id) = id.as_deref() {
            let cve = match source.as_deref() {
                Some("CVE" | "NVD") => CveId::parse(id),
                _ => None,
            };
            if let Some(c) = cve {
                push_unique(&mut self.rec.cves, c);
            } else if source.is_none() && id.starts_with("CWE-") {
                push_unique(&mut self.rec.cwes, id.to_owned());
            } else if is_jvn_alias(id) {
                push_unique(&mut self.rec.aliases, id.to_owned());
            }
        }
        if let Some(url) = non_empty(text) {
            self.rec.references.push(Reference {
                url,
                source,
                tags: Vec::new(),
            });
        }
    }

    fn rss_cvss(&mut self, attrs: &[(String, String)]) {
        if attr(attrs, "type").is_some_and(|t| t != "Base") {
            return; // temporal or environmental
        }
        let d = CvssDraft {
            version: attr(attrs, "version"),
            base: attr(attrs, "score").unwrap_or_default(),
            vector: attr(attrs, "vector").unwrap_or_default(),
            severity: attr(attrs, "severity").unwrap_or_default(),
        };
        self.finish_cvss(d);
    }
}

struct Parser<'s> {
    sink: &'s mut dyn Sink,
    format: Option<JvnFormat>,
    root_closed: bool,
    stack: Vec<Tag>,
    text: String,
    draft: Option<Draft>,
    seen: u64,
    stats: ParseStats,
    status: Option<ApiStatus>,
}

impl<'s> Parser<'s> {
    fn new(sink: &'s mut dyn Sink) -> Parser<'s> {
        Parser {
            sink,
            format: None,
            root_closed: false,
            stack: Vec::new(),
            text: String::new(),
            draft: None,
            seen: 0,
            stats: ParseStats::default(),
            status: None,
        }
    }

    fn collecting(&self) -> bool {
        self.draft.is_some()
    }

    fn fail(&mut self, reason: String) {
        if let Some(d) = self.draft.as_mut() {
            d.fail(reason);
        }
    }

    fn push_text(&mut self, s: &str) {
        if self.text.len() + s.len() > MAX_FIELD_BYTES {
            self.fail(format!("field longer than {MAX_FIELD_BYTES} bytes"));
        } else {
            self.text.push_str(s);
        }
    }

    fn parent(&self) -> Option<Tag> {
        self.stack.last().copied()
    }

    /// The root element tells the format.
    fn root(&mut self, ns: Ns, uri: &ResolveResult, e: &BytesStart) -> Result<(), FeedError> {
        let format = match (ns, e.local_name().as_ref()) {
            (Ns::Vuldef, b"VULDEF-Document") => JvnFormat::Vuldef,
            (Ns::Rdf, b"RDF") => JvnFormat::Jvnrss,
            _ => {
                let uri = match uri {
                    ResolveResult::Bound(Namespace(u)) => String::from_utf8_lossy(u).into_owned(),
                    _ => "none".to_owned(),
                };
                return Err(format_error(format!(
                    "root element <{}> (namespace {uri}); expected VULDEF-Document or rdf:RDF",
                    String::from_utf8_lossy(e.name().as_ref())
                )));
            }
        };
        self.format = Some(format);
        self.stack.push(Tag::Root);
        Ok(())
    }

    fn start(&mut self, ns: Ns, e: &BytesStart) -> Result<(), FeedError> {
        self.text.clear();
        let local = e.local_name();
        let local = local.as_ref();
        let Some(format) = self.format else {
            return Err(format_error("no root element".into()));
        };
        if self.root_closed {
            return Err(format_error("content after the root element".into()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(format_error(format!(
                "elements nested deeper than {MAX_DEPTH}"
            )));
        }
        let parent = self.parent();
        let mut tag = classify(format, ns, local);
        // Records and the status trailer are children of the root only.
        if matches!(tag, Tag::Vulinfo | Tag::Item | Tag::Status) && parent != Some(Tag::Root) {
            tag = Tag::Other;
        }
        self.stack.push(tag);
        match tag {
            Tag::Vulinfo | Tag::Item => {
                self.seen += 1;
                self.draft = Some(Draft::new(self.seen));
            }
            Tag::Status => {
                // Tolerant: a bad trailer never fails the parse.
                let attrs = attributes(e, true).unwrap_or_default();
                self.status = Some(status_from(&attrs));
            }
            _ => {}
        }
        let Some(d) = self.draft.as_mut() else {
            return Ok(());
        };
        match (parent, tag) {
            (Some(Tag::Affected), Tag::AffectedItem) => {
                d.affected = Some(AffectedProduct {
                    vendor: String::new(),
                    product: String::new(),
                    cpe: None,
                    versions: Vec::new(),
                });
            }
            (Some(Tag::Impact), Tag::Cvss) => {
                if let Some(attrs) = d.check(attributes(e, false)) {
                    d.cvss = Some(CvssDraft {
                        version: attr(&attrs, "version"),
                        ..CvssDraft::default()
                    });
                }
            }
            (Some(Tag::Related), Tag::RelatedItem) => {
                if let Some(attrs) = d.check(attributes(e, false)) {
                    d.related = Some(RelatedDraft {
                        kind: attr(&attrs, "type"),
                        ..RelatedDraft::default()
                    });
                }
            }
            (Some(Tag::Item), Tag::SecReferences | Tag::SecCpe) => {
                if let Some(attrs) = d.check(attributes(e, false)) {
                    d.pending = PendingAttrs(attrs);
                }
            }
            (Some(Tag::Item), Tag::SecCvss) => {
                if let Some(attrs) = d.check(attributes(e, false)) {
                    d.rss_cvss(&attrs);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) {
        let Some(tag) = self.stack.pop() else {
            return;
        };
        let text = std::mem::take(&mut self.text);
        if tag == Tag::Root {
            self.root_closed = true;
            self.draft = None;
            return;
        }
        if matches!(tag, Tag::Vulinfo | Tag::Item) {
            if let Some(d) = self.draft.take() {
                self.emit(d);
            }
            return;
        }
        let parent = self.parent();
        let Some(d) = self.draft.as_mut() else {
            return;
        };
        let field = |t: &str| non_empty(t).unwrap_or_default();
        match (parent, tag) {
            // VULDEF
            (Some(Tag::Vulinfo), Tag::VulinfoId) => d.id_raw = non_empty(&text),
            (Some(Tag::VulinfoData), Tag::Title) => d.rec.title = prose(&text),
            (Some(Tag::VulinfoDescription), Tag::Overview) => d.rec.description = prose(&text),
            (Some(Tag::VulinfoData), Tag::DateFirstPublished) => {
                d.first_published = d.check(parse_date("DateFirstPublished", &text)).flatten();
            }
            (Some(Tag::VulinfoData), Tag::DateLastUpdated) => {
                d.rec.modified = d.check(parse_date("DateLastUpdated", &text)).flatten();
            }
            (Some(Tag::VulinfoData), Tag::DatePublic) => {
                d.date_public = d.check(parse_date("DatePublic", &text)).flatten();
            }
            (Some(Tag::AffectedItem), t) => {
                if let Some(a) = d.affected.as_mut() {
                    match t {
                        Tag::Name => a.vendor = field(&text),
                        Tag::ProductName => a.product = field(&text),
                        Tag::Cpe => a.cpe = non_empty(&text),
                        Tag::VersionNumber => {
                            if let Some(v) = non_empty(&text) {
                                a.versions.push(v);
                            }
                        }
                        _ => {}
                    }
                }
            }
            (Some(Tag::Affected), Tag::AffectedItem) => {
                if let Some(a) = d.affected.take() {
                    d.rec.affected.push(a);
                }
            }
            (Some(Tag::Cvss), t) => {
                if let Some(c) = d.cvss.as_mut() {
                    match t {
                        Tag::Base => c.base = text,
                        Tag::Vector => c.vector = text,
                        Tag::Severity => c.severity = text,
                        _ => {}
                    }
                }
            }
            (Some(Tag::Impact), Tag::Cvss) => {
                if let Some(c) = d.cvss.take() {
                    d.finish_cvss(c);
                }
            }
            (Some(Tag::RelatedItem), t) => {
                if let Some(r) = d.related.as_mut() {
                    match t {
                        Tag::Name => r.name = text,
                        Tag::VulinfoId => r.vulinfo_id = text,
                        Tag::Url => r.url = text,
                        _ => {}
                    }
                }
            }
            (Some(Tag::Related), Tag::RelatedItem) => {
                if let Some(r) = d.related.take() {
                    d.finish_related(r);
                }
            }
            // JVNRSS
            (Some(Tag::Item), Tag::SecIdentifier) => d.id_raw = non_empty(&text),
            (Some(Tag::Item), Tag::RssTitle) => d.rec.title = prose(&text),
            (Some(Tag::Item), Tag::RssDescription) => d.rec.description = prose(&text),
            (Some(Tag::Item), Tag::SecReferences) => {
                let attrs = std::mem::take(&mut d.pending).0;
                d.rss_reference(&attrs, &text);
            }
            (Some(Tag::Item), Tag::SecCpe) => {
                let attrs = std::mem::take(&mut d.pending).0;
                d.rec.affected.push(AffectedProduct {
                    vendor: attr(&attrs, "vendor").unwrap_or_default(),
                    product: attr(&attrs, "product").unwrap_or_default(),
                    cpe: non_empty(&text),
                    versions: Vec::new(),
                });
            }
            (Some(Tag::Item), Tag::DctIssued) => {
                d.rec.published = d.check(parse_date("dcterms:issued", &text)).flatten();
            }
            (Some(Tag::Item), Tag::DctModified) => {
                d.rec.modified = d.check(parse_date("dcterms:modified", &text)).flatten();
            }
            (Some(Tag::Item), Tag::DcDate) => {
                d.dc_date = d.check(parse_date("dc:date", &text)).flatten();
            }
            _ => {}
        }
        if d.too_long() {
            d.fail(format!("more than {MAX_LIST_LEN} entries in one list"));
        }
    }

    fn emit(&mut self, d: Draft) {
        let Draft {
            n,
            mut rec,
            id_raw,
            error,
            first_published,
            date_public,
            dc_date,
            ..
        } = d;
        let label = id_raw.clone().unwrap_or_else(|| format!("#{n}"));
        if let Some(reason) = error {
            self.skip(label, reason);
            return;
        }
        let Some(raw) = id_raw else {
            self.skip(label, "missing JVNDB identifier".into());
            return;
        };
        let Some(id) = JvnDbId::parse(&raw) else {
            self.skip(label, format!("not a JVNDB id: {raw:?}"));
            return;
        };
        rec.id = id.as_str().to_owned();
        rec.aliases.retain(|a| a != &rec.id);
        let marker = [rec.title.as_deref(), rec.description.as_deref()]
            .into_iter()
            .flatten()
            .find_map(placeholder_marker);
        if marker.is_some() {
            // A placeholder names no vulnerability to look for: the entry
            // stays known, but affects nothing.
            rec.status = Some("withdrawn".into());
            rec.affected.clear();
        }
        if rec.published.is_none() {
            rec.published = first_published.or(date_public);
        }
        if rec.modified.is_none() {
            rec.modified = dc_date;
        }
        self.stats.records += 1;
        self.sink.record(rec);
    }

    fn skip(&mut self, id: String, reason: String) {
        self.stats.skipped += 1;
        self.sink.skipped(Skipped { id, reason });
    }

    fn finish(self, pos: u64) -> Result<JvnDocument, FeedError> {
        let Some(format) = self.format else {
            return Err(format_error("no root element".into()));
        };
        if let Some(open) = self.stack.last() {
            return Err(format_error(format!(
                "unexpected end of file inside {open:?} (at byte {pos})"
            )));
        }
        Ok(JvnDocument {
            stats: self.stats,
            format,
            status: self.status,
        })
    }
}

/// Markers JVN iPedia (and the NVD descriptions it translates) put in a
/// placeholder entry's title or overview: deleted, not settled, not
/// handled, reserved, rejected. `** DISPUTED **` is not among them: a
/// disputed vulnerability may still be one.
const PLACEHOLDER_MARKERS: [&str; 6] = [
    "削除",
    "未確定",
    "サポート外",
    "RESERVED",
    "REJECT",
    "REJECTED",
];

/// The placeholder marker written in `text` as `** 削除 **` (spaces around
/// the word optional, ASCII case ignored), if any. A word such as 削除 in
/// ordinary prose (「Lookup 機能が削除され」) is no marker.
pub fn placeholder_marker(text: &str) -> Option<&'static str> {
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find("**")) {
        let open = from + i + 2;
        let rest = text.get(open..).unwrap_or("");
        if let Some(j) = rest.find("**") {
            let word = rest[..j].trim();
            if let Some(m) = PLACEHOLDER_MARKERS
                .iter()
                .find(|m| m.eq_ignore_ascii_case(word))
            {
                return Some(m);
            }
        }
        from = open;
    }
    None
}

fn status_from(attrs: &[(String, String)]) -> ApiStatus {
    let num = |k: &str| attr(attrs, k).and_then(|v| v.parse::<u64>().ok());
    ApiStatus {
        ret_cd: attr(attrs, "retCd").and_then(|v| v.parse::<i64>().ok()),
        err_msg: attr(attrs, "errMsg"),
        total_res: num("totalRes"),
        total_res_ret: num("totalResRet"),
        first_res: num("firstRes"),
        ret_max: num("retMax"),
        err_cd: attr(attrs, "errCd"),
    }
}
