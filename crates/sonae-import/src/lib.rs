//! Parsers for what users upload: CSV files (UTF-8 or Shift_JIS, as Excel in
//! Japan writes them) and JSON SBOMs (CycloneDX, SPDX 2.x), plus CSV export.
//!
//! This crate has no database and no HTTP. Every failure is an
//! [`ImportError`] carrying line/column data; turning it into a localized
//! message is the web layer's job.

mod error;
mod sbom;
mod table;
mod text;

pub use error::{ImportError, SbomSyntax};
pub use sbom::{parse_sbom, Sbom, SbomComponent, SbomFormat, SbomSkip, SkipReason};
pub use table::{read_csv, write_csv, Row, Table};
pub use text::{decode_text, TextEncoding};

/// Largest upload accepted: 10 MiB.
///
/// Callers (the web layer) must enforce this while receiving the body, so
/// that an oversized upload is never held in memory. [`read_csv`] and
/// [`parse_sbom`] check it again and return [`ImportError::TooLarge`], since
/// both build the whole document in memory (a few times the input size).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
