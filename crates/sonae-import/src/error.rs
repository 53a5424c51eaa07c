//! The one error type of this crate.
//!
//! Every variant carries data (line numbers, column names, the offending
//! character) rather than a sentence: the web layer renders localized
//! Japanese/English messages from these fields, so the `Display` text below
//! is meant for logs only.

use thiserror::Error;

/// Why an upload could not be read, or a download could not be written.
///
/// Line numbers are 1-based physical lines of the uploaded file unless a
/// variant says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The upload is larger than [`crate::MAX_UPLOAD_BYTES`].
    #[error("upload too large: {actual} bytes (limit {limit})")]
    TooLarge { actual: usize, limit: usize },

    /// The bytes are neither UTF-8 nor Shift_JIS (Windows-31J). `line` is
    /// where the first undecodable byte sits, under whichever of the two
    /// encodings got further (the file was most likely meant to be in it).
    #[error("text is neither UTF-8 nor Shift_JIS (first bad byte on line {line})")]
    Encoding { line: u64 },

    /// The file starts with a UTF-16 byte-order mark: Excel's
    /// "Unicode text" export. Reported separately because the fix for the
    /// user is different ("save as CSV UTF-8").
    #[error("UTF-16 text is not supported")]
    Utf16,

    /// The CSV has no header row (empty, or only blank lines).
    #[error("CSV has no header row")]
    Empty,

    /// A header cell is empty (after trimming and removing an annotation)
    /// while later header cells are not. `column` is 1-based.
    #[error("CSV header column {column} is empty")]
    EmptyHeader { column: usize },

    /// Two header cells normalize to the same name (e.g. "Name" and
    /// "name (名前)"). `column` is the normalized name.
    #[error("duplicate CSV header {column:?}")]
    DuplicateHeader { column: String },

    /// A record has a different number of cells than the header row.
    /// `line` is where that record starts.
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },

    /// A quoted field is never closed, so everything after it would have
    /// been swallowed into one cell. `line` is where the quote opens.
    #[error("line {line}: quoted field is never closed")]
    UnterminatedQuote { line: u64 },

    /// Anything else the CSV reader rejects.
    #[error("CSV syntax error on line {line}")]
    Syntax { line: u64 },

    /// `write_csv` with [`crate::TextEncoding::ShiftJis`]: a character has
    /// no Shift_JIS code (emoji, some CJK extension characters, ...).
    /// `line` is the spreadsheet row (header row = 1, `rows[0]` = 2);
    /// `column` is the 1-based column index.
    #[error("row {line}, column {column}: {character:?} is not representable in Shift_JIS")]
    Unencodable {
        line: u64,
        column: usize,
        character: char,
    },

    /// The upload is not valid JSON. serde_json's 1-based line and column.
    #[error("invalid JSON at line {line}, column {column}")]
    Json { line: usize, column: usize },

    /// The SBOM is in a non-JSON serialization we do not read.
    #[error("SBOM serialization {0:?} is not supported, only JSON")]
    SbomNotJson(SbomSyntax),

    /// Valid JSON, but neither CycloneDX nor SPDX.
    #[error("JSON is neither CycloneDX nor SPDX")]
    UnknownSbomFormat,

    /// A CycloneDX or SPDX document of a version we do not read. The value is
    /// `"<format>-<version>"` as found in the file, e.g. `"CycloneDX-1.1"`,
    /// `"SPDX-2.1"`, `"SPDX-3.0"`; the version part is empty when the
    /// document does not state one.
    #[error("unsupported SBOM version {0}")]
    UnsupportedSbomVersion(String),
}

/// Non-JSON SBOM serializations that users commonly upload by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomSyntax {
    /// CycloneDX (or any) XML.
    Xml,
    /// SPDX tag-value (`SPDXVersion: SPDX-2.3` ...).
    SpdxTagValue,
}
