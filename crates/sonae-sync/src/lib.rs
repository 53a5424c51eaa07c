//! Feed synchronization (DESIGN §2): full load and incremental sync of NVD,
//! JVN iPedia (MyJVN), CISA KEV, FIRST EPSS, OSV and CVE List V5.
//!
//! Every feed's base URL is configuration (tests point them at a local
//! server replaying recorded answers). Pages are stored as they arrive and
//! the position is saved after each one, so a sync killed at any point
//! resumes where it stopped; storing is idempotent, so a page fetched twice
//! adds no duplicates. Only one node syncs a feed at a time (a lease in the
//! database).

mod cve5;
pub mod http;
mod jvn;
mod nvd;
mod simple;

use http::{FetchError, Fetcher, HttpPolicy};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::{Feed, Skipped, SourceRecord};
use sonae_domain::Clock;
use sonae_store::Store;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// NVD CVE API 2.0 endpoint.
    pub nvd_url: String,
    /// NVD API key (raises the rate limit from 5 to 50 requests per 30 s).
    pub nvd_api_key: Option<String>,
    /// MyJVN API endpoint.
    pub jvn_url: String,
    /// Folder of JVN iPedia's yearly VULDEF files (`jvndb_detail_YYYY.rdf`),
    /// loaded on the first JVN sync instead of paging through the API. The
    /// checksum list read with them is `checksum.txt` in the folder above
    /// (`https://jvndb.jvn.jp/ja/feed/checksum.txt`, as JVN publishes it).
    /// Empty: the first sync pages through the MyJVN API.
    pub jvn_bulk_url: String,
    /// First year of the yearly files loaded (JVN iPedia's files begin with 1998).
    pub jvn_bulk_from_year: i32,
    pub kev_url: String,
    pub epss_url: String,
    /// OSV bucket; `{osv_url}/{ecosystem}/all.zip` is fetched.
    pub osv_url: String,
    pub osv_ecosystems: Vec<String>,
    /// The CVE Program's record repository (raw files): `cves/deltaLog.json`
    /// and `cves/YYYY/Nxxx/CVE-….json` are read under it.
    pub cve5_url: String,
    /// The bulk zip of a daily release, loaded once on the first sync
    /// (empty: start from the change log; import older records offline).
    pub cve5_baseline_url: String,
    /// Minutes between scheduled syncs inside `sonae serve`; 0 = off.
    pub nvd_interval_min: u64,
    pub jvn_interval_min: u64,
    pub kev_interval_min: u64,
    pub epss_interval_min: u64,
    pub osv_interval_min: u64,
    pub cve5_interval_min: u64,
    pub retries: u32,
    pub backoff_ms: u64,
    pub timeout_s: u64,
    /// Spacing between NVD requests without / with a key (NVD's published limits).
    pub nvd_spacing_ms: u64,
    pub nvd_spacing_with_key_ms: u64,
    pub jvn_spacing_ms: u64,
    /// NVD results per page (the API allows up to 2000).
    pub nvd_page_size: u64,
    /// JVN items per overview page (MyJVN allows up to 50).
    pub jvn_page_size: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            nvd_url: "https://services.nvd.nist.gov/rest/json/cves/2.0".into(),
            nvd_api_key: None,
            jvn_url: "https://jvndb.jvn.jp/myjvn".into(),
            jvn_bulk_url: "https://jvndb.jvn.jp/ja/feed/detail".into(),
            jvn_bulk_from_year: 1998,
            kev_url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json".into(),
            epss_url: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz".into(),
            osv_url: "https://osv-vulnerabilities.storage.googleapis.com".into(),
            // Every Linux distribution sonae maps packages to, and the
            // language ecosystems: a distribution package is matched only
            // against its own distribution's advisories.
            osv_ecosystems: [
                "Debian", "Ubuntu", "Alpine", "Rocky Linux", "AlmaLinux", "Red Hat", "SUSE",
                "openSUSE", "PyPI", "npm", "Go", "Maven", "crates.io", "NuGet", "RubyGems",
                "Packagist",
            ]
            .map(String::from)
            .to_vec(),
            nvd_interval_min: 0,
            jvn_interval_min: 0,
            kev_interval_min: 0,
            epss_interval_min: 0,
            osv_interval_min: 0,
            cve5_url: "https://raw.githubusercontent.com/CVEProject/cvelistV5/main".into(),
            cve5_baseline_url: String::new(),
            cve5_interval_min: 0,
            retries: 5,
            backoff_ms: 2000,
            timeout_s: 120,
            nvd_spacing_ms: 6000,
            nvd_spacing_with_key_ms: 600,
            jvn_spacing_ms: 1000,
            nvd_page_size: 2000,
            jvn_page_size: 50,
        }
    }
}

impl std::fmt::Debug for SyncConfig {
    // The NVD API key never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConfig")
            .field("nvd_url", &self.nvd_url)
            .field(
                "nvd_api_key",
                &self.nvd_api_key.as_ref().map(|_| "<hidden>"),
            )
            .field("jvn_url", &self.jvn_url)
            .field("jvn_bulk_url", &self.jvn_bulk_url)
            .field("jvn_bulk_from_year", &self.jvn_bulk_from_year)
            .field("kev_url", &self.kev_url)
            .field("epss_url", &self.epss_url)
            .field("osv_url", &self.osv_url)
            .field("osv_ecosystems", &self.osv_ecosystems)
            .field("cve5_url", &self.cve5_url)
            .field("cve5_baseline_url", &self.cve5_baseline_url)
            .finish_non_exhaustive()
    }
}

impl SyncConfig {
    pub fn policy(&self) -> HttpPolicy {
        HttpPolicy {
            timeout: Duration::from_secs(self.timeout_s),
            retries: self.retries,
            backoff: Duration::from_millis(self.backoff_ms),
            ..HttpPolicy::default()
        }
    }
    pub fn interval(&self, feed: Feed) -> Option<Duration> {
        let m = match feed {
            Feed::Nvd => self.nvd_interval_min,
            Feed::Jvn => self.jvn_interval_min,
            Feed::Kev => self.kev_interval_min,
            Feed::Epss => self.epss_interval_min,
            Feed::Osv => self.osv_interval_min,
            Feed::Cve5 => self.cve5_interval_min,
        };
        (m > 0).then(|| Duration::from_secs(m * 60))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("database: {0}")]
    Store(#[from] sonae_store::StoreError),
    #[error("{0}")]
    Feed(String),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub requests: u64,
    pub records: u64,
    pub skipped: u64,
    /// Another node holds the feed's lease; nothing was done.
    pub busy: bool,
    /// The run continued an interrupted one.
    pub resumed: bool,
}

/// What a sync needs around it.
pub struct Syncer {
    pub store: Store,
    pub config: SyncConfig,
    pub clock: Arc<dyn Clock>,
    /// Who holds leases taken by this process.
    pub node: String,
}

/// How long a lease lasts without renewal; renewed after every page.
const LEASE_MS: i64 = 10 * 60 * 1000;

impl Syncer {
    /// Sync one feed: take its lease, run, record the outcome, release.
    pub async fn sync(&self, feed: Feed) -> Result<SyncReport, SyncError> {
        if !self
            .store
            .try_lock_feed(feed, &self.node, self.clock.now_ms() + LEASE_MS)
            .await?
        {
            return Ok(SyncReport {
                busy: true,
                ..SyncReport::default()
            });
        }
        let result = match feed {
            Feed::Nvd => nvd::sync(self).await,
            Feed::Jvn => jvn::sync(self).await,
            Feed::Kev => simple::kev(self).await,
            Feed::Epss => simple::epss(self).await,
            Feed::Osv => simple::osv(self).await,
            Feed::Cve5 => cve5::sync(self).await,
        };
        let outcome = match &result {
            Ok(r) => Ok((r.records, r.skipped, None)),
            Err(e) => Err(e.to_string()),
        };
        // A failed run keeps its checkpoint, so the next run resumes.
        let cp = self.store.feed_checkpoint(feed).await?;
        self.store.record_feed_run(feed, outcome, cp).await?;
        self.store.unlock_feed(feed, &self.node).await?;
        result
    }

    pub(crate) async fn renew(&self, feed: Feed) -> Result<(), SyncError> {
        if !self
            .store
            .try_lock_feed(feed, &self.node, self.clock.now_ms() + LEASE_MS)
            .await?
        {
            return Err(SyncError::Feed(
                "lost the feed lease to another node".into(),
            ));
        }
        Ok(())
    }

    pub(crate) async fn store_page(
        &self,
        feed: Feed,
        records: &[SourceRecord],
        skipped: &[Skipped],
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        for chunk in records.chunks(1000) {
            self.store.apply_records(chunk).await?;
        }
        self.store.record_feed_errors(feed, skipped).await?;
        report.records += records.len() as u64;
        report.skipped += skipped.len() as u64;
        Ok(())
    }

    pub(crate) async fn checkpoint<T: Serialize>(
        &self,
        feed: Feed,
        cp: Option<&T>,
    ) -> Result<(), SyncError> {
        let text = match cp {
            Some(c) => Some(serde_json::to_string(c).map_err(|e| SyncError::Feed(e.to_string()))?),
            None => None,
        };
        self.store
            .save_feed_checkpoint(feed, text.as_deref())
            .await?;
        Ok(())
    }

    pub(crate) async fn load_checkpoint<T: for<'de> Deserialize<'de> + Default>(
        &self,
        feed: Feed,
    ) -> Result<T, SyncError> {
        Ok(self
            .store
            .feed_checkpoint(feed)
            .await?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    pub(crate) fn fetcher(&self, spacing_ms: u64) -> Result<Fetcher, SyncError> {
        Ok(Fetcher::new(
            self.config.policy(),
            Duration::from_millis(spacing_ms),
        )?)
    }
}

/// Run every feed that has an interval, each on its own schedule, until the
/// process stops. Used by `sonae serve`.
pub fn spawn_scheduler(syncer: Arc<Syncer>) -> Vec<tokio::task::JoinHandle<()>> {
    Feed::ALL
        .into_iter()
        .filter_map(|feed| syncer.config.interval(feed).map(|every| (feed, every)))
        .map(|(feed, every)| {
            let s = syncer.clone();
            tokio::spawn(async move {
                loop {
                    match s.sync(feed).await {
                        Ok(r) if r.busy => tracing::info!(feed = feed.as_str(), "sync skipped: another node is syncing"),
                        Ok(r) => tracing::info!(feed = feed.as_str(), records = r.records, skipped = r.skipped, "sync done"),
                        Err(e) => tracing::warn!(feed = feed.as_str(), error = %e, "sync failed; the last good data stays"),
                    }
                    tokio::time::sleep(every).await;
                }
            })
        })
        .collect()
}
