//! Streaming parsers for the vulnerability feeds sonae reads (DESIGN §2).
//!
//! Every parser reads from a `BufRead` and hands each record to a callback
//! as soon as it is complete, so memory stays bounded whatever the file
//! size. A malformed record is reported through the skip callback (id and
//! reason) and parsing goes on; only a broken file structure stops it.
//! XML parsers never expand entities or read external ones.

pub mod cve5;
pub mod epss;
pub mod input;
mod json;
pub mod jvn;
pub mod kev;
pub mod nvd;
pub mod osv;
pub mod time;

use sonae_domain::vuln::{Skipped, SourceRecord};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not in the expected format at all (e.g. not JSON, wrong root element).
    #[error("not a {expected} file: {detail}")]
    Format {
        expected: &'static str,
        detail: String,
    },
    #[error("archive: {0}")]
    Archive(String),
}

/// Counts of one parse.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParseStats {
    pub records: u64,
    pub skipped: u64,
}

/// Where parsed records go.
pub trait Sink {
    fn record(&mut self, r: SourceRecord);
    fn skipped(&mut self, s: Skipped);
}

/// A sink that collects everything in memory (tests, small files).
#[derive(Debug, Default)]
pub struct Collect {
    pub records: Vec<SourceRecord>,
    pub skipped: Vec<Skipped>,
}

impl Sink for Collect {
    fn record(&mut self, r: SourceRecord) {
        self.records.push(r);
    }
    fn skipped(&mut self, s: Skipped) {
        self.skipped.push(s);
    }
}
