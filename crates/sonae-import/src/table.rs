//! CSV upload and download.

use encoding_rs::SHIFT_JIS;

use crate::text::{decode_text, TextEncoding};
use crate::{ImportError, MAX_UPLOAD_BYTES};

/// A CSV upload after decoding and normalization.
///
/// Every row has exactly `headers.len()` cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Normalized header names: trimmed, annotation removed, lower-cased.
    pub headers: Vec<String>,
    /// Data rows in file order; blank rows are not included.
    pub rows: Vec<Row>,
}

/// One data record of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line where the record starts in the file. Quoted
    /// cells may span lines, so this is not the record's index.
    pub line: u64,
    /// Trimmed cells, one per header.
    pub cells: Vec<String>,
}

impl Table {
    /// Index of the column with the given normalized header name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

impl Row {
    /// The cell in `column`, if that column exists.
    pub fn get(&self, column: usize) -> Option<&str> {
        self.cells.get(column).map(String::as_str)
    }
}

/// Read a CSV upload.
///
/// Decoding follows [`decode_text`]. Parsing is RFC 4180 with a comma
/// separator; quoted fields may contain commas, doubled quotes and newlines.
///
/// Normalization, chosen for files that people edit in Excel:
/// * header cells are trimmed, a trailing annotation in ASCII or full-width
///   parentheses is dropped (`"name (名前)"` and `"name（名前）"` become
///   `"name"`), and the result is lower-cased;
/// * empty header cells at the end of the header row are ignored, and data
///   rows may then have that many extra cells as long as they are empty
///   (Excel keeps writing columns whose contents were deleted);
/// * cells are trimmed; blank lines and rows whose cells are all empty are
///   skipped;
/// * a leading `'` that [`write_csv`] added to neutralize a formula is
///   removed again.
///
/// # Errors
///
/// [`ImportError::TooLarge`], the errors of [`decode_text`],
/// [`ImportError::Empty`], [`ImportError::EmptyHeader`],
/// [`ImportError::DuplicateHeader`], [`ImportError::FieldCount`],
/// [`ImportError::UnterminatedQuote`], [`ImportError::Syntax`].
pub fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImportError::TooLarge {
            actual: bytes.len(),
            limit: MAX_UPLOAD_BYTES,
        });
    }
    let (text, _) = decode_text(bytes)?;
    // The csv crate silently reads an unclosed quote to the end of the file,
    // which would make every later row vanish into one cell.
    check_quotes(&text)?;

    // Flexible, so that all-empty rows of any width can be skipped and field
    // counts checked here with our own line numbers.
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = ::csv::StringRecord::new();
    let mut lines = LineCounter::new(&text);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Syntax {
                    line: lines.line_at(e.position().map_or(0, ::csv::Position::byte)),
                })
            }
        }
        let line = lines.line_at(record.position().map_or(0, ::csv::Position::byte));
        let cells: Vec<String> = record.iter().map(|c| unescape_formula(c.trim())).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        match &headers {
            None => headers = Some(normalize_headers(cells)?),
            Some(h) => rows.push(Row {
                line,
                cells: fit_to_width(cells, h.len(), line)?,
            }),
        }
    }
    let headers = headers.ok_or(ImportError::Empty)?;
    Ok(Table { headers, rows })
}

/// Write CSV for download: the header row, then `rows`, CRLF line ends.
///
/// [`TextEncoding::Utf8Bom`] writes a BOM, without which Excel in Japan
/// opens UTF-8 as Shift_JIS and shows mojibake. [`TextEncoding::ShiftJis`]
/// writes Windows-31J for older tools.
///
/// Cells that a spreadsheet would evaluate as a formula (starting with `=`,
/// `+`, `-`, `@`, tab or CR, longer than one character and not a number) get
/// a leading `'`: exported data includes strings from uploads and feeds, and
/// this is a security tool. [`read_csv`] strips exactly that prefix, so the
/// two round-trip.
///
/// # Errors
///
/// [`ImportError::Unencodable`] for a character that Shift_JIS cannot
/// represent (first one in row-major order), [`ImportError::FieldCount`] for
/// a row whose length differs from `headers` (with the row numbering of
/// `Unencodable`: header = 1, `rows[0]` = 2).
pub fn write_csv(
    headers: &[&str],
    rows: &[Vec<String>],
    encoding: TextEncoding,
) -> Result<Vec<u8>, ImportError> {
    for (i, row) in rows.iter().enumerate() {
        if row.len() != headers.len() {
            return Err(ImportError::FieldCount {
                line: i as u64 + 2,
                expected: headers.len(),
                found: row.len(),
            });
        }
    }
    if encoding == TextEncoding::ShiftJis {
        check_shift_jis(1, headers.iter().copied())?;
        for (i, row) in rows.iter().enumerate() {
            check_shift_jis(i as u64 + 2, row.iter().map(String::as_str))?;
        }
    }

    let mut out = String::new();
    write_record(&mut out, headers.iter().copied());
    for row in rows {
        write_record(&mut out, row.iter().map(String::as_str));
    }
    Ok(match encoding {
        TextEncoding::Utf8 => out.into_bytes(),
        TextEncoding::Utf8Bom => {
            let mut bytes = Vec::with_capacity(out.len() + 3);
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
            bytes.extend_from_slice(out.as_bytes());
            bytes
        }
        // Every character was checked above, so no replacement happens here.
        TextEncoding::ShiftJis => SHIFT_JIS.encode(&out).0.into_owned(),
    })
}

fn check_shift_jis<'a>(line: u64, cells: impl Iterator<Item = &'a str>) -> Result<(), ImportError> {
    for (i, cell) in cells.enumerate() {
        if !SHIFT_JIS.encode(cell).2 {
            continue;
        }
        let mut buf = [0u8; 4];
        for ch in cell.chars() {
            if SHIFT_JIS.encode(ch.encode_utf8(&mut buf)).2 {
                return Err(ImportError::Unencodable {
                    line,
                    column: i + 1,
                    character: ch,
                });
            }
        }
    }
    Ok(())
}

fn write_record<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = escape_formula(cell);
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

fn is_formula(cell: &str) -> bool {
    cell.chars().count() > 1
        && cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && cell.parse::<f64>().is_err()
}

/// Whether `write_csv` prefixes `'`. Cells that already start with `'` before
/// a formula get one more, so that `read_csv` can strip exactly one and the
/// mapping stays reversible.
fn needs_prefix(cell: &str) -> bool {
    is_formula(cell) || cell.strip_prefix('\'').is_some_and(needs_prefix)
}

fn escape_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_prefix(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn unescape_formula(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_prefix(rest) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

fn normalize_headers(mut cells: Vec<String>) -> Result<Vec<String>, ImportError> {
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    let mut headers: Vec<String> = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let name = normalize_header(cell);
        if name.is_empty() {
            return Err(ImportError::EmptyHeader { column: i + 1 });
        }
        if headers.contains(&name) {
            return Err(ImportError::DuplicateHeader { column: name });
        }
        headers.push(name);
    }
    Ok(headers)
}

/// `"Name (名前)"` -> `"name"`. Only a parenthesized group at the very end
/// is an annotation, and only if something precedes it; `"(memo)"` alone is
/// taken as the name itself.
fn normalize_header(cell: &str) -> String {
    let cell = cell.trim();
    let base = cell
        .strip_suffix(')')
        .or_else(|| cell.strip_suffix('）'))
        .and_then(|inner| inner.rfind(['(', '（']).map(|open| inner[..open].trim()))
        .filter(|base| !base.is_empty())
        .unwrap_or(cell);
    base.to_lowercase()
}

fn fit_to_width(
    mut cells: Vec<String>,
    width: usize,
    line: u64,
) -> Result<Vec<String>, ImportError> {
    if cells.len() > width && cells[width..].iter().all(String::is_empty) {
        cells.truncate(width);
    }
    if cells.len() == width {
        Ok(cells)
    } else {
        Err(ImportError::FieldCount {
            line,
            expected: width,
            found: cells.len(),
        })
    }
}

/// Maps a record's byte position to the line it starts on.
///
/// The csv crate's own `Position::line` is the reader state at the end of
/// the previous record: it is one short after a CRLF (the `\n` is consumed
/// with the next record) and does not count blank lines before a record, so
/// the line is recomputed from the byte offset instead.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// `byte` must not decrease between calls, which holds for records read
    /// in order; counting incrementally keeps this linear in the file size.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // Skip terminators left over from the previous record and blank
        // lines, as the csv reader does, to land on the record's first byte.
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            let newlines = self.text[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += newlines as u64;
            self.offset = start;
        }
        self.line
    }
}

/// Mirror of csv-core's quote handling (a quote only opens a field at its
/// very start; `""` inside is an escaped quote) to find an unclosed one.
fn check_quotes(text: &str) -> Result<(), ImportError> {
    let mut line = 1u64;
    let mut open_line = 0u64;
    let mut in_quotes = false;
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => in_quotes = false,
                '\n' => line += 1,
                _ => {}
            }
        } else {
            match c {
                '"' if field_start => {
                    in_quotes = true;
                    open_line = line;
                    field_start = false;
                }
                ',' | '\r' => field_start = true,
                '\n' => {
                    line += 1;
                    field_start = true;
                }
                _ => field_start = false,
            }
        }
    }
    if in_quotes {
        Err(ImportError::UnterminatedQuote { line: open_line })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn header_annotations() {
        assert_eq!(normalize_header(" Name (名前) "), "name");
        assert_eq!(normalize_header("ホスト名（host）"), "ホスト名");
        assert_eq!(normalize_header("(memo)"), "(memo)");
        assert_eq!(normalize_header("a(b)c"), "a(b)c");
        assert_eq!(normalize_header("CPE"), "cpe");
    }

    #[test]
    fn formula_escape_is_symmetric() {
        for cell in [
            "=1+1",
            "@SUM(A1)",
            "+81-3-1234",
            "-x",
            "-1.5",
            "-",
            "plain",
            "'quoted",
            "'=x",
            "''@y",
        ] {
            assert_eq!(unescape_formula(&escape_formula(cell)), cell, "{cell}");
        }
        assert_eq!(escape_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape_formula("-1.5"), "-1.5");
        assert_eq!(escape_formula("-"), "-");
    }

    #[test]
    fn quote_scanner_matches_csv_core_on_mid_field_quotes() {
        assert!(check_quotes("a,b\"c\nd").is_ok());
        assert!(check_quotes("\"a\"\"b\",c").is_ok());
        assert_eq!(
            check_quotes("a,b\nc,\"d\ne\n"),
            Err(ImportError::UnterminatedQuote { line: 2 })
        );
    }
}
