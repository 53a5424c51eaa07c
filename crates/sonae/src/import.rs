//! `sonae import FEED FILE...`: offline import of feed files for air-gapped
//! sites, through the same parsers the sync uses.
//!
//! The parser runs on a blocking thread and hands batches to the database
//! writer through a bounded channel, so memory stays bounded whatever the
//! file size, and each batch commits on its own: an import killed midway
//! leaves every committed batch in place, and running it again skips what is
//! already stored unchanged.

use anyhow::{bail, Result};
use sonae_domain::vuln::{EpssScore, Feed, Skipped, SourceRecord};
use sonae_feeds::{input, FeedError, Sink};
use sonae_store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::sync::mpsc;

pub const BATCH: usize = 1000;
/// Skipped records kept for the report and the status page.
const MAX_SKIPS_KEPT: usize = 1000;

pub enum Batch {
    Records(Vec<SourceRecord>),
    Scores(Vec<EpssScore>),
}

/// Sends complete batches to the writer; blocks when the writer is behind.
struct ChannelSink {
    tx: mpsc::Sender<Batch>,
    records: Vec<SourceRecord>,
    scores: Vec<EpssScore>,
    skipped: Vec<Skipped>,
    skipped_total: u64,
    latest: Option<String>,
    closed: bool,
}

impl ChannelSink {
    fn new(tx: mpsc::Sender<Batch>) -> Self {
        ChannelSink {
            tx,
            records: Vec::with_capacity(BATCH),
            scores: Vec::new(),
            skipped: Vec::new(),
            skipped_total: 0,
            latest: None,
            closed: false,
        }
    }
    fn send(&mut self, b: Batch) {
        if !self.closed && self.tx.blocking_send(b).is_err() {
            // The writer stopped (a database error): parse no further work into it.
            self.closed = true;
        }
    }
    fn flush(&mut self) {
        if !self.records.is_empty() {
            let b = std::mem::take(&mut self.records);
            self.send(Batch::Records(b));
        }
        if !self.scores.is_empty() {
            let b = std::mem::take(&mut self.scores);
            self.send(Batch::Scores(b));
        }
    }
    fn score(&mut self, s: EpssScore) {
        self.scores.push(s);
        if self.scores.len() >= BATCH * 4 {
            self.flush();
        }
    }
}

impl Sink for ChannelSink {
    fn record(&mut self, r: SourceRecord) {
        if let Some(m) = r.modified.as_ref().or(r.published.as_ref()) {
            if self.latest.as_ref().is_none_or(|l| m > l) {
                self.latest = Some(m.clone());
            }
        }
        self.records.push(r);
        if self.records.len() >= BATCH {
            self.flush();
        }
    }
    fn skipped(&mut self, s: Skipped) {
        self.skipped_total += 1;
        if self.skipped.len() < MAX_SKIPS_KEPT {
            self.skipped.push(s);
        }
    }
}

/// Parse one file of a feed into the sink (any gzip or zip wrapping undone);
/// a folder is read file by file, its sub-folders too (a checkout of the
/// CVE Program's repository).
pub fn parse_file(feed: Feed, path: &Path, sink: &mut dyn SinkWithScores) -> Result<(), FeedError> {
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        for f in files {
            parse_file(feed, &f, sink)?;
        }
        return Ok(());
    }
    let top = path.display().to_string();
    input::for_each_document(path, &mut |name, reader| {
        match feed {
            Feed::Cve5 => {
                // In archives and folders only `CVE-….json` are records;
                // a file named on the command line is read whatever its name.
                if name == top || sonae_feeds::cve5::is_record_name(name) {
                    sonae_feeds::cve5::parse(name, reader, sink.as_sink())?;
                }
            }
            Feed::Nvd => {
                sonae_feeds::nvd::parse(reader, sink.as_sink())?;
            }
            Feed::Jvn => {
                sonae_feeds::jvn::parse(reader, sink.as_sink())?;
            }
            Feed::Kev => {
                sonae_feeds::kev::parse(reader, sink.as_sink())?;
            }
            Feed::Osv => {
                sonae_feeds::osv::parse(reader, sink.as_sink())?;
            }
            Feed::Epss => {
                // Both callbacks reach the one sink; they never run at the same time.
                let cell = std::cell::RefCell::new(&mut *sink);
                sonae_feeds::epss::parse(reader, &mut |s| cell.borrow_mut().score(s), &mut |s| {
                    cell.borrow_mut().as_sink().skipped(s)
                })?;
            }
        }
        Ok(())
    })
}

/// The `.json`, `.zip` and `.gz` files under a folder.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FeedError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "zip" | "gz"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// A sink that also takes EPSS scores.
pub trait SinkWithScores {
    fn as_sink(&mut self) -> &mut dyn Sink;
    fn score(&mut self, s: EpssScore);
}

impl SinkWithScores for ChannelSink {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, s: EpssScore) {
        ChannelSink::score(self, s);
    }
}

/// Counting sink for the bare-parse benchmark: parses, stores nothing.
#[derive(Default)]
pub struct CountSink {
    pub records: u64,
    pub skipped: u64,
}

impl Sink for CountSink {
    fn record(&mut self, r: SourceRecord) {
        std::hint::black_box(&r);
        self.records += 1;
    }
    fn skipped(&mut self, _s: Skipped) {
        self.skipped += 1;
    }
}

impl SinkWithScores for CountSink {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, s: EpssScore) {
        std::hint::black_box(&s);
        self.records += 1;
    }
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub records: u64,
    pub skipped: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skips: Vec<Skipped>,
    pub latest: Option<String>,
    pub seconds: f64,
}

/// Import one file: parse on a blocking thread, write batches as they come.
pub async fn import_file(store: &Store, feed: Feed, path: &Path) -> Result<ImportReport> {
    let start = Instant::now();
    let (tx, mut rx) = mpsc::channel::<Batch>(4);
    let path_buf: PathBuf = path.to_owned();
    let parser = tokio::task::spawn_blocking(move || {
        let mut sink = ChannelSink::new(tx);
        let result = parse_file(feed, &path_buf, &mut sink);
        sink.flush();
        (result, sink.skipped, sink.skipped_total, sink.latest)
    });
    let mut report = ImportReport::default();
    let mut write_error = None;
    while let Some(batch) = rx.recv().await {
        if write_error.is_some() {
            continue;
        }
        let outcome = match batch {
            Batch::Records(recs) => {
                report.records += recs.len() as u64;
                store.apply_records(&recs).await.map(|s| {
                    report.inserted += s.inserted;
                    report.updated += s.updated;
                    report.unchanged += s.unchanged;
                })
            }
            Batch::Scores(scores) => {
                report.records += scores.len() as u64;
                store
                    .apply_epss(&scores)
                    .await
                    .map(|n| report.inserted += n)
            }
        };
        if let Err(e) = outcome {
            write_error = Some(e);
            rx.close();
        }
    }
    let (parsed, skips, skipped_total, latest) = parser.await?;
    report.skips = skips;
    report.skipped = skipped_total;
    report.latest = latest;
    report.seconds = start.elapsed().as_secs_f64();
    store.record_feed_errors(feed, &report.skips).await?;
    if let Some(e) = write_error {
        bail!("{}: database: {e}", path.display());
    }
    if let Err(e) = parsed {
        bail!(
            "{}: {e} (the {} records before the error were stored)",
            path.display(),
            report.records
        );
    }
    Ok(report)
}

/// The `sonae import` command.
pub async fn run(store: &Store, feed: Feed, files: &[PathBuf]) -> Result<()> {
    let mut total = ImportReport::default();
    let mut failed: Vec<String> = Vec::new();
    for f in files {
        match import_file(store, feed, f).await {
            Ok(r) => {
                println!(
                    "{}: {} records ({} new, {} changed, {} unchanged), {} skipped, {:.1}s",
                    f.display(),
                    r.records,
                    r.inserted,
                    r.updated,
                    r.unchanged,
                    r.skipped,
                    r.seconds
                );
                for s in r.skips.iter().take(20) {
                    println!("  skipped {}: {}", s.id, s.reason);
                }
                if r.skipped > 20 {
                    println!("  … and {} more (see the feed status page)", r.skipped - 20);
                }
                total.records += r.records;
                total.skipped += r.skipped;
                if r.latest > total.latest {
                    total.latest = r.latest;
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed.push(e.to_string());
            }
        }
    }
    let outcome = match failed.first() {
        None => Ok((total.records, total.skipped, total.latest.clone())),
        Some(e) => Err(format!("import: {e}")),
    };
    store.record_feed_run(feed, outcome, None).await?;
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("{} of {} file(s) failed", failed.len(), files.len())
    }
}
