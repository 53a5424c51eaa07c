//! FIRST EPSS scores (CSV), read line by line.
//!
//! Forms accepted (plain here; gzip is undone by [`crate::input`]):
//! * 2022+: `#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000`,
//!   then the header `cve,epss,percentile`;
//! * 2021-09 to 2022-01: header `cve,epss,percentile`, no comment line;
//! * April 2021 (v1): header `cve,epss`, no percentile;
//! * EMBA re-split files: no header, semicolon, `CVE-2021-44228;0.944700000;0.999960000`.
//!
//! The delimiter is told by the first line after the comment lines.

use crate::FeedError;
use chrono::NaiveDate;
use sonae_domain::vuln::{CveId, EpssScore, Skipped};
use std::io::{BufRead, Read};

const EXPECTED: &str = "EPSS CSV";

/// Longest line accepted (a binary or wrong file stops here).
pub const MAX_LINE_BYTES: u64 = 64 * 1024;

/// What the file says about itself, and the counts of one parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpssDocument {
    pub scores: u64,
    pub skipped: u64,
    /// YYYY-MM-DD from the `score_date` of the comment line.
    pub score_date: Option<String>,
    /// `model_version` of the comment line (e.g. "v2023.03.01").
    pub model_version: Option<String>,
}

struct Columns {
    delimiter: char,
    cve: usize,
    epss: usize,
    percentile: Option<usize>,
}

/// Parse EPSS scores, calling `on_score` for each row. A row with a bad CVE
/// id or a score or percentile that is not a number in 0..=1 goes to
/// `on_skip` (id = the CVE id, or "line N" when the id is bad) and parsing
/// goes on. A file whose first line is neither an EPSS header nor an EPSS
/// row is a [`FeedError::Format`].
pub fn parse(
    reader: &mut dyn BufRead,
    on_score: &mut dyn FnMut(EpssScore),
    on_skip: &mut dyn FnMut(Skipped),
) -> Result<EpssDocument, FeedError> {
    let mut doc = EpssDocument::default();
    let mut columns: Option<Columns> = None;
    let mut buf = Vec::with_capacity(128);
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let n = Read::take(&mut *reader, MAX_LINE_BYTES).read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.last() != Some(&b'\n') && n as u64 == MAX_LINE_BYTES {
            return Err(FeedError::Format {
                expected: EXPECTED,
                detail: format!("line {line_no} is longer than {MAX_LINE_BYTES} bytes"),
            });
        }
        let text = String::from_utf8_lossy(&buf);
        let mut line = text.trim_end_matches(['\n', '\r']);
        if line_no == 1 {
            line = line.trim_start_matches('\u{feff}');
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            read_comment(comment, &mut doc);
            continue;
        }
        if columns.is_none() {
            let (cols, is_header) = first_line(line, line_no)?;
            columns = Some(cols);
            if is_header {
                continue;
            }
        }
        if let Some(cols) = &columns {
            row(line, line_no, cols, &mut doc, on_score, on_skip);
        }
    }
    Ok(doc)
}

/// The first non-comment line: a header, or the first row of a headerless
/// file; anything else means this is not an EPSS file.
fn first_line(line: &str, line_no: u64) -> Result<(Columns, bool), FeedError> {
    let delimiter = if line.contains(';') && !line.contains(',') {
        ';'
    } else {
        ','
    };
    let fields: Vec<String> = line
        .split(delimiter)
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let find = |name: &str| fields.iter().position(|n| n == name);
    let format_error = |detail: String| FeedError::Format {
        expected: EXPECTED,
        detail: format!("line {line_no}: {detail}"),
    };
    if let Some(cve) = find("cve") {
        let epss = find("epss").ok_or_else(|| format_error("header has no epss column".into()))?;
        let cols = Columns {
            delimiter,
            cve,
            epss,
            percentile: find("percentile"),
        };
        return Ok((cols, true));
    }
    if fields.first().and_then(|f| CveId::parse(f)).is_some() {
        let cols = Columns {
            delimiter,
            cve: 0,
            epss: 1,
            percentile: (fields.len() > 2).then_some(2),
        };
        return Ok((cols, false));
    }
    let shown: String = line.chars().take(80).collect();
    Err(format_error(format!(
        "expected a header \"cve,epss[,percentile]\" or a \"CVE-…;epss;percentile\" row, found {shown:?}"
    )))
}

/// `model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000`
fn read_comment(comment: &str, doc: &mut EpssDocument) {
    for part in comment.split(',') {
        let Some((key, value)) = part.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "model_version" if !value.is_empty() => doc.model_version = Some(value.to_owned()),
            "score_date" => {
                let day = value.get(..10).unwrap_or(value);
                if NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok() {
                    doc.score_date = Some(day.to_owned());
                }
            }
            _ => {}
        }
    }
}

fn row(
    line: &str,
    line_no: u64,
    cols: &Columns,
    doc: &mut EpssDocument,
    on_score: &mut dyn FnMut(EpssScore),
    on_skip: &mut dyn FnMut(Skipped),
) {
    match score(line, line_no, cols, doc.score_date.as_deref()) {
        Ok(s) => {
            doc.scores += 1;
            on_score(s);
        }
        Err(skip) => {
            doc.skipped += 1;
            on_skip(skip);
        }
    }
}

fn score(
    line: &str,
    line_no: u64,
    cols: &Columns,
    date: Option<&str>,
) -> Result<EpssScore, Skipped> {
    let fields: Vec<&str> = line.split(cols.delimiter).map(str::trim).collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or("");
    let raw_cve = field(cols.cve);
    let Some(cve) = CveId::parse(raw_cve) else {
        return Err(Skipped {
            id: format!("line {line_no}"),
            reason: format!("line {line_no}: bad CVE id {raw_cve:?}"),
        });
    };
    let skip = |reason: String| Skipped {
        id: cve.as_str().to_owned(),
        reason: format!("line {line_no}: {reason}"),
    };
    let epss = probability(field(cols.epss)).ok_or_else(|| {
        skip(format!(
            "epss {:?} is not a number in 0..=1",
            field(cols.epss)
        ))
    })?;
    let percentile = match cols.percentile.map(field) {
        None | Some("") => None,
        Some(p) => Some(
            probability(p)
                .ok_or_else(|| skip(format!("percentile {p:?} is not a number in 0..=1")))?,
        ),
    };
    Ok(EpssScore {
        cve,
        epss,
        percentile,
        date: date.map(str::to_owned),
    })
}

fn probability(s: &str) -> Option<f64> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (0.0..=1.0).contains(v))
}
