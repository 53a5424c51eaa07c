//! The whole match as one pure function over (feed records, components) →
//! findings, used by `sonae match`, by the incremental re-match and by the
//! benchmark alike.
//!
//! - NVD configurations through [`MatchIndex`] (CPE names, ranges, AND
//!   platforms), per system.
//! - OSV ranges for components with a package URL.
//! - JVN records that no NVD record covers (domestic products): by their
//!   CPE and affected-version text ([`crate::jvn`]).
//! - CVE 5 `affected` blocks (CNA and ADP containers) by CPE, folded
//!   vendor/product names and package names ([`crate::cve5`]); one finding
//!   per component and CVE, with the reasons of every source that found it.
//! - Components without a CPE get one derived through the alias table
//!   (inventory vendor/product spelling → CPE vendor:product).

use crate::cpe::{AttrValue, Cpe23, MatchResult};
use crate::index::{component_cpe, Hit, MatchIndex, NameHits, Try};
use crate::osv::OsvIndex;
use crate::purl::Purl;
use crate::version::Scheme;
use rustc_hash::{FxHashMap, FxHashSet};
use sonae_domain::vuln::{Feed, SourceRecord};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// What matching needs of an inventory component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: i64,
    pub system_id: i64,
    pub vendor: Option<String>,
    pub product: String,
    pub version: Option<String>,
    pub cpe: Option<String>,
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// The version is in the affected range.
    Confirmed,
    /// The component does not say what is needed to decide.
    Possible,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Confirmed => "confirmed",
            Certainty::Possible => "possible",
        }
    }
}

/// One component affected by one vulnerability, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub component_id: i64,
    pub system_id: i64,
    /// Shared: the same id and the same reason reach every component that
    /// has the same name.
    pub vuln_id: Arc<str>,
    pub certainty: Certainty,
    pub reason: Arc<str>,
}

/// Inventory spellings → CPE vendor:product, keyed by the normalized
/// spelling (see [`normalize`]); an empty vendor stands for any vendor.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    map: HashMap<(String, String), (String, String)>,
}

/// How inventory names are compared: lower-case, trimmed, inner
/// whitespace runs as one `_` (as CPE names write spaces).
pub fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase()
}

impl Aliases {
    pub fn new() -> Aliases {
        Aliases::default()
    }

    /// Add one alias (the inventory side is normalized here).
    pub fn insert(&mut self, vendor: &str, product: &str, cpe_vendor: &str, cpe_product: &str) {
        self.map.insert(
            (normalize(vendor), normalize(product)),
            (normalize(cpe_vendor), normalize(cpe_product)),
        );
    }

    /// The CPE vendor:product of an inventory vendor and product: an alias
    /// for the pair first, then one for the product with any vendor.
    pub fn lookup(&self, vendor: Option<&str>, product: &str) -> Option<(&str, &str)> {
        let p = normalize(product);
        let v = vendor.map(normalize).unwrap_or_default();
        self.map
            .get(&(v, p.clone()))
            .or_else(|| self.map.get(&(String::new(), p)))
            .map(|(a, b)| (a.as_str(), b.as_str()))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

struct JvnEntry {
    source: String,
    vuln_ids: Vec<Arc<str>>,
    cves: Vec<String>,
    cpe: Cpe23,
    versions: Vec<String>,
}

/// What one component name gets from the NVD index, the same on every
/// system: the findings of component-local records, and the records that
/// need the rest of the system to decide.
struct NameResult {
    /// (vulnerability, certainty, reason): NVD's component-local records
    /// first (`..local`), then JVN's.
    found: Vec<(Arc<str>, Certainty, Arc<str>)>,
    local: usize,
    /// See [`crate::index::NameHits`].
    nonlocal: Vec<Try>,
    platforms: Vec<Try>,
    /// The formatted CPE name, made the first time a reason needs it.
    name: OnceLock<Box<str>>,
    whole: Vec<u32>,
    /// CVE 5 only: (vulnerability, note) where a source says explicitly
    /// that this version is not affected.
    unaffected: Vec<(Arc<str>, Arc<str>)>,
}

/// [`NameResult`]s per component name (CPE and version as the component
/// gives them), across systems; None for a name that is not a CPE.
/// Name → result (None for a name that is not a CPE).
type Shard = FxHashMap<Box<str>, Option<Arc<NameResult>>>;

/// Shared by the threads of a match: split in shards, each behind its own
/// lock, so threads seldom wait for each other.
struct NameCache {
    shards: [Mutex<Shard>; 16],
    /// About the bytes held (see [`NameResult::size`]).
    len: AtomicUsize,
    /// Reasons of two sources joined (one finding, every reason), by the
    /// addresses of the two shared reasons; the entry holds both, so an
    /// address is never reused while it is a key.
    joined: [Mutex<JoinShard>; 16],
}

/// (address of the first reason, of the second) → (first, second, joined).
type JoinShard = FxHashMap<(usize, usize), (Arc<str>, Arc<str>, Arc<str>)>;

impl Default for NameCache {
    fn default() -> NameCache {
        NameCache {
            shards: std::array::from_fn(|_| Mutex::default()),
            len: AtomicUsize::new(0),
            joined: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

impl NameCache {
    fn shard(&self, key: &str) -> MutexGuard<'_, Shard> {
        // The map hashes the key again: a cheap mix of its last bytes (the
        // version, mostly) spreads names well enough over the shards.
        let tail = &key.as_bytes()[key.len().saturating_sub(8)..];
        let h = tail
            .iter()
            .fold(key.len() as u64, |h, b| h.rotate_left(5) ^ u64::from(*b));
        let i = (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 60) as usize % self.shards.len();
        // A thread that panicked while holding the lock left a whole map:
        // entries are inserted whole or not at all.
        self.shards[i].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `first; second`, made once for each pair of shared reasons.
    fn join(&self, first: &Arc<str>, second: &Arc<str>) -> Arc<str> {
        let key = (
            Arc::as_ptr(first) as *const u8 as usize,
            Arc::as_ptr(second) as *const u8 as usize,
        );
        let i = ((key.0 ^ key.1.rotate_left(17)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 60)
            % self.joined.len();
        let mut shard = self.joined[i].lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, j)) = shard.get(&key) {
            return j.clone();
        }
        let j: Arc<str> = Arc::from(format!("{first}; {second}"));
        if self.len.load(Ordering::Relaxed) < NAME_CACHE_BYTES {
            self.len.fetch_add(j.len() + 96, Ordering::Relaxed);
            shard.insert(key, (first.clone(), second.clone(), j.clone()));
        }
        j
    }

    fn get(&self, key: &str) -> Option<Option<Arc<NameResult>>> {
        self.shard(key).get(key).cloned()
    }

    /// Keep a result, while the cache holds less than its budget.
    fn insert(&self, key: &str, r: Option<Arc<NameResult>>) {
        if self.len.load(Ordering::Relaxed) >= NAME_CACHE_BYTES {
            return;
        }
        let size = key.len() + 64 + r.as_deref().map_or(0, NameResult::size);
        self.shard(key).insert(key.into(), r);
        self.len.fetch_add(size, Ordering::Relaxed);
    }
}

/// What the name cache may hold, in bytes (bounds memory; names seen
/// after it is full are worked out each time).
const NAME_CACHE_BYTES: usize = 192 << 20;

impl NameResult {
    /// About what it holds in memory, in bytes.
    fn size(&self) -> usize {
        let reasons: usize = self.found.iter().map(|(_, _, r)| r.len() + 72).sum();
        let nonlocal: usize = self
            .nonlocal
            .iter()
            .chain(&self.platforms)
            .map(|t| 64 + t.result.reason().map_or(0, str::len))
            .sum();
        reasons + nonlocal + self.whole.len() * 4 + 128
    }
}

fn certainty_of(r: MatchResult) -> Option<(Certainty, String)> {
    match r {
        MatchResult::Yes { reason } => Some((Certainty::Confirmed, reason)),
        MatchResult::Possible { reason } => Some((Certainty::Possible, reason)),
        MatchResult::No => None,
    }
}

/// One CVE 5 `affected` block, with where it comes from.
struct Cve5Block {
    vuln_id: Arc<str>,
    /// "CVE 5 CNA (Adobe)", "CVE 5 ADP (CISA-ADP)".
    source: Arc<str>,
    affected: sonae_domain::vuln::Cve5Affected,
    /// Ordering when an item names no versionType.
    scheme: Scheme,
}

/// Feed records prepared for matching.
#[derive(Default)]
pub struct Matcher {
    nvd: MatchIndex,
    osv: OsvIndex,
    /// JVN affected entries by CPE vendor:product.
    jvn: HashMap<(String, String), Vec<JvnEntry>>,
    /// CVE ids that NVD speaks of (JVN then adds nothing).
    nvd_cves: HashSet<String>,
    aliases: Aliases,
    records: u64,
    cve5_blocks: Vec<Cve5Block>,
    /// `name:vendor:product` and `purl:ecosystem:name` → blocks.
    cve5_keys: FxHashMap<String, Vec<u32>>,
}

fn literal(v: &AttrValue) -> Option<&str> {
    match v {
        AttrValue::Value(t) if !t.has_wildcards() => Some(t.as_str()),
        _ => None,
    }
}

/// The CPE a JVN affected entry names: CPE 2.2 URI or 2.3 string.
fn jvn_cpe(s: &str) -> Option<Cpe23> {
    let s = s.trim();
    if s.starts_with("cpe:/") {
        Cpe23::parse_uri22(s).ok()
    } else {
        Cpe23::parse(s).ok()
    }
}

impl Matcher {
    pub fn new(aliases: Aliases) -> Matcher {
        Matcher {
            aliases,
            ..Matcher::default()
        }
    }

    /// Add a feed record (NVD, OSV and JVN records are used; others are ignored).
    pub fn add(&mut self, rec: &SourceRecord) {
        self.records += 1;
        match rec.feed {
            Feed::Nvd => {
                for c in &rec.cves {
                    self.nvd_cves.insert(c.as_str().to_owned());
                }
                self.nvd_cves.insert(rec.id.clone());
                self.nvd.add(rec);
            }
            Feed::Osv => self.osv.add(rec),
            Feed::Jvn => {
                let ids = rec.vulnerability_ids();
                for a in &rec.affected {
                    let Some(cpe) = a.cpe.as_deref().and_then(jvn_cpe) else {
                        continue;
                    };
                    let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) else {
                        continue;
                    };
                    let key = (v.to_owned(), p.to_owned());
                    self.jvn.entry(key).or_default().push(JvnEntry {
                        source: rec.id.clone(),
                        vuln_ids: ids.iter().map(|i| Arc::from(i.as_str())).collect(),
                        cves: rec.cves.iter().map(|c| c.as_str().to_owned()).collect(),
                        cpe,
                        versions: a.versions.clone(),
                    });
                }
            }
            Feed::Cve5 => self.add_cve5(rec),
            _ => {}
        }
    }

    fn add_cve5(&mut self, rec: &SourceRecord) {
        let Some(vuln_id) = rec.vulnerability_ids().into_iter().next() else {
            return;
        };
        let vuln_id: Arc<str> = Arc::from(vuln_id.as_str());
        for c in &rec.cve5 {
            let who = c.short_name.as_deref().unwrap_or(&c.provider);
            let source: Arc<str> = if c.is_cna() {
                Arc::from(format!("CVE 5 CNA ({who})"))
            } else {
                Arc::from(format!("CVE 5 ADP ({who})"))
            };
            for a in &c.affected {
                let (keys, scheme) = cve5_block_keys(a);
                if keys.is_empty() {
                    continue;
                }
                let Ok(at) = u32::try_from(self.cve5_blocks.len()) else {
                    return;
                };
                self.cve5_blocks.push(Cve5Block {
                    vuln_id: vuln_id.clone(),
                    source: source.clone(),
                    affected: a.clone(),
                    scheme,
                });
                for k in keys {
                    let list = self.cve5_keys.entry(k).or_default();
                    if list.last() != Some(&at) {
                        list.push(at);
                    }
                }
            }
        }
    }

    /// CVE 5 blocks in the index.
    pub fn cve5_len(&self) -> usize {
        self.cve5_blocks.len()
    }

    /// What the CVE 5 blocks say of one component: (vulnerability,
    /// certainty, reason), one per vulnerability; and the vulnerabilities a
    /// source rules out for its version, with a note saying which.
    #[allow(clippy::type_complexity)]
    fn cve5_result(
        &self,
        c: &Component,
    ) -> (
        Vec<(Arc<str>, Certainty, Arc<str>)>,
        Vec<(Arc<str>, Arc<str>)>,
    ) {
        let mut out = Vec::new();
        let mut ruled_out = Vec::new();
        if self.cve5_blocks.is_empty() || is_distribution_package(c) {
            return (out, ruled_out);
        }
        let cpe = self.component_cpe(c).map(|(cpe, _)| cpe);
        let mut blocks: Vec<u32> = Vec::new();
        for k in self.cve5_component_keys(c, cpe.as_ref()) {
            if let Some(list) = self.cve5_keys.get(&k) {
                blocks.extend_from_slice(list);
            }
        }
        if blocks.is_empty() {
            return (out, ruled_out);
        }
        blocks.sort_unstable();
        blocks.dedup();
        let version = cpe
            .as_ref()
            .and_then(|cpe| literal(&cpe.version))
            .filter(|v| !v.is_empty() && *v != "-")
            .map(str::to_owned)
            .or_else(|| c.version.clone())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v != "-" && v != "*");
        // Blocks of one record are consecutive: group by vulnerability. Any
        // affected block decides at once; else an explicit unaffected rules
        // the version out; else possible.
        use crate::cve5::Status;
        let mut i = 0;
        while i < blocks.len() {
            let first = &self.cve5_blocks[blocks[i] as usize];
            let mut affected: Option<(&Cve5Block, Status)> = None;
            let mut unaffected: Option<&Cve5Block> = None;
            let mut possible: Option<(&Cve5Block, Status)> = None;
            while i < blocks.len() {
                let b = &self.cve5_blocks[blocks[i] as usize];
                if b.vuln_id != first.vuln_id {
                    break;
                }
                i += 1;
                if affected.is_some() {
                    continue;
                }
                let status = match &version {
                    Some(v) => crate::cve5::block_status(&b.affected, v, b.scheme),
                    None => crate::cve5::block_status_unversioned(&b.affected),
                };
                match status {
                    Status::Affected(_) => affected = Some((b, status)),
                    Status::Unaffected => {
                        unaffected.get_or_insert(b);
                    }
                    Status::Possible(_) => {
                        possible.get_or_insert((b, status));
                    }
                    Status::Unknown => {}
                }
            }
            let decided = match (affected, unaffected, possible) {
                (Some(found), _, _) => Some(found),
                (None, Some(b), _) => {
                    let v = version.as_deref().unwrap_or("");
                    ruled_out.push((
                        first.vuln_id.clone(),
                        Arc::from(format!(
                            "sources disagree: {} says version {v} is not affected",
                            b.source
                        )),
                    ));
                    None
                }
                (None, None, found) => found,
            };
            if let Some((b, s)) = decided {
                let one = std::iter::once((s, &*b.source));
                if let crate::cve5::Outcome::Found { confirmed, reason } = crate::cve5::outcome(one)
                {
                    let certainty = if confirmed {
                        Certainty::Confirmed
                    } else {
                        Certainty::Possible
                    };
                    out.push((first.vuln_id.clone(), certainty, Arc::from(reason)));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        ruled_out.sort_by(|a, b| a.0.cmp(&b.0));
        (out, ruled_out)
    }

    /// The keys a component is looked up by in the CVE 5 index.
    fn cve5_component_keys(&self, c: &Component, cpe: Option<&Cpe23>) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(k) = c
            .vendor
            .as_deref()
            .and_then(|v| crate::cve5::name_key(v, &c.product))
        {
            keys.push(format!("name:{k}"));
        }
        if let Some(cpe) = cpe {
            if let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) {
                if let Some(k) = crate::cve5::name_key(v, p) {
                    keys.push(format!("name:{k}"));
                }
            }
        }
        if let Some(purl) = c.purl.as_deref().and_then(|p| Purl::parse(p).ok()) {
            if let Some(eco) = purl.osv_ecosystem() {
                let base = eco.split(':').next().unwrap_or("").to_lowercase();
                keys.push(format!(
                    "purl:{base}:{}",
                    crate::osv::normalize_name(&base, &purl.package_name())
                ));
            }
        }
        keys.dedup();
        keys
    }

    /// Records added (of every feed).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// NVD records with configurations in the index.
    pub fn nvd_len(&self) -> usize {
        self.nvd.len()
    }

    pub fn osv_len(&self) -> usize {
        self.osv.len()
    }

    /// The CPE a component is matched by: its own, else one derived from its
    /// vendor/product through the alias table (with the alias in `via`).
    pub fn component_cpe(&self, c: &Component) -> Option<(Cpe23, Option<String>)> {
        if let Some(cpe) = component_cpe(c.cpe.as_deref(), c.version.as_deref()) {
            return Some((cpe, None));
        }
        if c.cpe.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            return None;
        }
        // A distribution's package is matched by its distribution's
        // advisories only: its version carries the distribution's backports,
        // so no CPE is derived for it from the alias table.
        if is_distribution_package(c) {
            return None;
        }
        let (v, p) = self.aliases.lookup(c.vendor.as_deref(), &c.product)?;
        let cpe = Cpe23 {
            vendor: AttrValue::literal(v),
            product: AttrValue::literal(p),
            version: AttrValue::literal(c.version.as_deref().unwrap_or("")),
            ..Cpe23::default()
        };
        let via = format!(
            "alias {} {} → {v}:{p}",
            c.vendor.as_deref().unwrap_or("").trim(),
            c.product.trim()
        );
        Some((cpe, Some(via.trim().replace("alias  ", "alias "))))
    }

    /// The keys under which a component can be touched by a record:
    /// `cpe:vendor:product` and `purl:ecosystem:name`.
    pub fn component_keys(&self, c: &Component) -> Vec<String> {
        let mut keys = Vec::new();
        let cpe = self.component_cpe(c).map(|(cpe, _)| cpe);
        if let Some(cpe) = &cpe {
            if let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) {
                keys.push(format!("cpe:{v}:{p}"));
            }
        }
        if !is_distribution_package(c) {
            keys.extend(
                self.cve5_component_keys(c, cpe.as_ref())
                    .into_iter()
                    .filter(|k| k.starts_with("name:")),
            );
        }
        if let Some(purl) = c.purl.as_deref().and_then(|p| Purl::parse(p).ok()) {
            if let Some(eco) = purl.osv_ecosystem() {
                let base = eco.split(':').next().unwrap_or("").to_lowercase();
                keys.push(format!(
                    "purl:{base}:{}",
                    crate::osv::normalize_name(&base, &purl.package_name())
                ));
            }
        }
        keys
    }

    /// The keys a record touches (see [`Matcher::component_keys`]).
    pub fn record_keys(rec: &SourceRecord) -> Vec<String> {
        let mut keys: Vec<String> = MatchIndex::record_products(rec)
            .into_iter()
            .map(|(v, p)| format!("cpe:{v}:{p}"))
            .collect();
        for a in &rec.affected {
            if let Some(cpe) = a.cpe.as_deref().and_then(jvn_cpe) {
                if let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) {
                    keys.push(format!("cpe:{v}:{p}"));
                }
            }
        }
        for a in &rec.osv_affected {
            let base = a.ecosystem.split(':').next().unwrap_or("").to_lowercase();
            keys.push(format!(
                "purl:{base}:{}",
                crate::osv::normalize_name(&base, &a.name)
            ));
        }
        for a in rec.cve5.iter().flat_map(|c| &c.affected) {
            keys.extend(cve5_block_keys(a).0);
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Match the components of one system (all of them, so platforms are
    /// seen). Each (component, vulnerability) is found once: by package
    /// URL first, then by CPE, then by JVN.
    pub fn match_system(&self, components: &[&Component], out: &mut dyn FnMut(Found)) {
        self.match_system_cached(components, &NameCache::default(), out)
    }

    /// Prepare the index for matching now (else the first match does).
    pub fn prepare(&self) {
        self.nvd.prepare();
    }

    /// What a component name gets on its own (cached per name): its CPE
    /// name, the findings of component-local NVD records and of JVN, and
    /// what NVD configurations that need the rest of the system need.
    fn name_result(&self, cpe: &Cpe23) -> NameResult {
        let hits = if self.nvd.is_empty() {
            NameHits::default()
        } else {
            self.nvd.match_name(cpe)
        };
        let mut found = Vec::new();
        for (e, r) in hits.local {
            let Some((certainty, reason)) = certainty_of(r) else {
                continue;
            };
            let reason: Arc<str> = Arc::from(reason);
            for id in self.nvd.entry_ids(e) {
                found.push((id.clone(), certainty, reason.clone()));
            }
        }
        let local = found.len();
        if let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) {
            let entries = self.jvn.get(&(v.to_owned(), p.to_owned()));
            for e in entries.into_iter().flatten() {
                // Only JVN-only vulnerabilities: NVD's configurations decide the rest.
                if e.cves.iter().any(|c| self.nvd_cves.contains(c)) {
                    continue;
                }
                let r = crate::jvn::affects(&e.cpe, &e.versions, cpe, &e.source);
                if let Some((certainty, reason)) = certainty_of(r) {
                    let reason: Arc<str> = Arc::from(reason);
                    for id in &e.vuln_ids {
                        found.push((id.clone(), certainty, reason.clone()));
                    }
                }
            }
        }
        NameResult {
            found,
            local,
            nonlocal: hits.nonlocal,
            platforms: hits.platforms,
            name: OnceLock::new(),
            whole: hits.whole,
            unaffected: Vec::new(),
        }
    }

    /// The cached [`NameResult`] of a component, with the alias it was
    /// named through. A component with a CPE name is looked up by its
    /// CPE and version as given, so a name seen before is not parsed again.
    fn component_result(
        &self,
        c: &Component,
        key: &mut String,
        cache: &NameCache,
    ) -> Option<(Arc<NameResult>, Option<String>)> {
        key.clear();
        let via = match c.cpe.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(cpe) => {
                let version = c.version.as_deref().unwrap_or("");
                key.reserve(cpe.len() + version.len() + 1);
                key.push_str(cpe);
                key.push('\0');
                key.push_str(version);
                if let Some(r) = cache.get(key.as_str()) {
                    return r.map(|r| (r, None));
                }
                None
            }
            None => {
                let (cpe, via) = self.component_cpe(c)?;
                key.push_str("alias\0");
                key.push_str(&cpe.to_formatted_string());
                if let Some(r) = cache.get(key.as_str()) {
                    return r.map(|r| (r, via));
                }
                via
            }
        };
        let r = self
            .component_cpe(c)
            .map(|(cpe, _)| Arc::new(self.name_result(&cpe)));
        cache.insert(key.as_str(), r.clone());
        r.map(|r| (r, via))
    }

    /// [`Matcher::match_system`] with what each component name gets on
    /// its own cached across systems.
    fn match_system_cached(
        &self,
        components: &[&Component],
        cache: &NameCache,
        out: &mut dyn FnMut(Found),
    ) {
        // (component, vulnerability) pairs found by OSV or JVN. NVD's own
        // ids name one record each (checked when indexed), so NVD's
        // findings need only be checked against these.
        let nvd_unique = self.nvd.ids_unique();
        let mut seen: FxHashSet<(usize, Arc<str>)> = FxHashSet::default();
        let any_distribution = components.iter().any(|c| distribution_of(c).is_some());
        let has_packages =
            any_distribution && components.iter().any(|c| is_distribution_package(c));
        // What CVE 5 data says of each component: joined to the finding of
        // another source for the same CVE (one finding, every reason), the
        // rest emitted at the end.
        let mut key = String::new();
        // Per component: its CVE 5 result (found and ruled out, each sorted
        // by vulnerability) and, in `joined`, which of its found entries
        // another source's finding took up (at `offsets[i]` + position).
        let mut cve5: Vec<Option<Arc<NameResult>>> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        if !self.cve5_blocks.is_empty() {
            let mut at = 0;
            for c in components {
                let r = self.cve5_cached(c, &mut key, cache);
                offsets.push(at);
                at += r.found.len();
                cve5.push((!r.found.is_empty() || !r.unaffected.is_empty()).then_some(r));
            }
            offsets.push(at);
        }
        let joined = std::cell::RefCell::new(vec![false; offsets.last().copied().unwrap_or(0)]);
        let mut emit = |i: usize,
                        source: Feed,
                        vuln_id: Arc<str>,
                        certainty: Certainty,
                        reason: Arc<str>,
                        via: Option<&str>| {
            let fresh = match source {
                Feed::Nvd if nvd_unique => seen.is_empty() || !seen.contains(&(i, vuln_id.clone())),
                // What CVE 5 data found alone comes last, once per pair.
                Feed::Cve5 => true,
                _ => seen.insert((i, vuln_id.clone())),
            };
            if !fresh {
                return;
            }
            let Some(c) = components.get(i) else { return };
            let reason = match via {
                Some(v) => Arc::from(format!("{v}; {reason}")),
                None => reason,
            };
            let (certainty, reason) = match source {
                Feed::Nvd if any_distribution => {
                    match distribution_rule(c, has_packages, certainty, reason) {
                        Some(kept) => kept,
                        None => return,
                    }
                }
                _ => (certainty, reason),
            };
            let (certainty, reason) = match (source, cve5.get(i).and_then(Option::as_ref)) {
                (Feed::Cve5, _) | (_, None) => (certainty, reason),
                (_, Some(r)) => {
                    let hit = r
                        .found
                        .binary_search_by(|(v, _, _)| (**v).cmp(&*vuln_id))
                        .ok();
                    match hit {
                        Some(k) => {
                            if let Some(flag) = joined.borrow_mut().get_mut(offsets[i] + k) {
                                *flag = true;
                            }
                            let (_, c5, r5) = &r.found[k];
                            let confirmed =
                                certainty == Certainty::Confirmed || *c5 == Certainty::Confirmed;
                            (
                                if confirmed {
                                    Certainty::Confirmed
                                } else {
                                    Certainty::Possible
                                },
                                // Shared reasons joined once per pair.
                                cache.join(&reason, r5),
                            )
                        }
                        None => {
                            match r.unaffected.binary_search_by(|(v, _)| (**v).cmp(&*vuln_id)) {
                                Ok(k) => (certainty, cache.join(&reason, &r.unaffected[k].1)),
                                Err(_) => (certainty, reason),
                            }
                        }
                    }
                }
            };
            out(Found {
                component_id: c.id,
                system_id: c.system_id,
                vuln_id,
                certainty,
                reason,
            });
        };
        for (i, c) in components.iter().enumerate() {
            if let Some(mut purl) = c.purl.as_deref().and_then(|p| Purl::parse(p).ok()) {
                if purl.version.is_none() {
                    purl.version = c.version.clone().filter(|v| !v.trim().is_empty());
                }
                for (ids, result) in self.osv.match_purl(&purl) {
                    // One finding per vulnerability: the CVE when the advisory names one.
                    let vuln_id = ids
                        .iter()
                        .find(|i| i.starts_with("CVE-"))
                        .or(ids.first())
                        .cloned()
                        .unwrap_or_default();
                    if let Some((certainty, reason)) = certainty_of(result) {
                        emit(
                            i,
                            Feed::Osv,
                            Arc::from(vuln_id),
                            certainty,
                            Arc::from(reason),
                            None,
                        );
                    }
                }
            }
        }
        // Per component with a CPE: (its index, its result, the alias).
        let mut named: Vec<(usize, Arc<NameResult>, Option<String>)> =
            Vec::with_capacity(components.len());
        for (i, c) in components.iter().enumerate() {
            if let Some((r, via)) = self.component_result(c, &mut key, cache) {
                named.push((i, r, via));
            }
        }
        for (i, r, via) in &named {
            for (vuln_id, certainty, reason) in &r.found[..r.local] {
                emit(
                    *i,
                    Feed::Nvd,
                    vuln_id.clone(),
                    *certainty,
                    reason.clone(),
                    via.as_deref(),
                );
            }
        }
        // Configurations that need other components: those some component
        // meets as the vulnerable one, with the platforms they name.
        let mut entries: Vec<u32> = named
            .iter()
            .flat_map(|(_, r, _)| r.nonlocal.iter().map(|t| t.entry))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        // A hit of a configuration that is evaluated per system.
        let mut nvd_hit = |hit: Hit| {
            let (i, _, via) = &named[hit.component];
            if let Some((certainty, reason)) = certainty_of(hit.result) {
                emit(
                    *i,
                    Feed::Nvd,
                    hit.vuln_id,
                    certainty,
                    Arc::from(reason),
                    via.as_deref(),
                );
            }
        };
        let mut tries: Vec<(&Try, u32)> = Vec::new();
        let mut whole: Vec<u32> = Vec::new();
        for (k, (_, r, _)) in named.iter().enumerate() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            tries.extend(r.nonlocal.iter().map(|t| (t, k)));
            if !r.platforms.is_empty() {
                for e in &entries {
                    let from = r.platforms.partition_point(|p| p.entry < *e);
                    tries.extend(
                        r.platforms[from..]
                            .iter()
                            .take_while(|p| p.entry == *e)
                            .map(|t| (t, k)),
                    );
                }
            }
            whole.extend_from_slice(&r.whole);
        }
        if !tries.is_empty() {
            // A platform's name is written out only for a finding's reason.
            let name = |k: usize| {
                let (i, r, _) = named.get(k)?;
                let name = r.name.get_or_init(|| {
                    components
                        .get(*i)
                        .and_then(|c| self.component_cpe(c))
                        .map(|(cpe, _)| cpe.to_formatted_string())
                        .unwrap_or_default()
                        .into()
                });
                Some(name.to_string())
            };
            self.nvd
                .match_nonlocal(&mut tries, named.len(), &name, &mut nvd_hit);
        }
        if !whole.is_empty() {
            // Records with a pattern for a product: evaluated as they stand.
            whole.sort_unstable();
            whole.dedup();
            let cpes: Vec<Cpe23> = named
                .iter()
                .map(|(i, _, _)| {
                    components
                        .get(*i)
                        .and_then(|c| self.component_cpe(c))
                        .map(|(cpe, _)| cpe)
                        .unwrap_or_default()
                })
                .collect();
            self.nvd
                .match_entries(&whole, &cpes, Scheme::Generic, &mut nvd_hit);
        }
        for (i, r, via) in &named {
            for (vuln_id, certainty, reason) in &r.found[r.local..] {
                emit(
                    *i,
                    Feed::Jvn,
                    vuln_id.clone(),
                    *certainty,
                    reason.clone(),
                    via.as_deref(),
                );
            }
        }
        for (i, r) in cve5.iter().enumerate() {
            let Some(r) = r else { continue };
            for (k, (vuln_id, certainty, reason)) in r.found.iter().enumerate() {
                let taken = joined.borrow().get(offsets[i] + k).copied().unwrap_or(true);
                if !taken {
                    emit(
                        i,
                        Feed::Cve5,
                        vuln_id.clone(),
                        *certainty,
                        reason.clone(),
                        None,
                    );
                }
            }
        }
    }

    /// [`Matcher::cve5_result`] of a component, cached per name (CPE,
    /// vendor, product, version and package URL).
    fn cve5_cached(&self, c: &Component, key: &mut String, cache: &NameCache) -> Arc<NameResult> {
        key.clear();
        key.push_str("cve5");
        for part in [
            c.cpe.as_deref(),
            c.vendor.as_deref(),
            Some(c.product.as_str()),
            c.version.as_deref(),
            c.purl.as_deref(),
        ] {
            key.push('\0');
            key.push_str(part.unwrap_or(""));
        }
        if let Some(Some(r)) = cache.get(key.as_str()) {
            return r;
        }
        let (found, unaffected) = self.cve5_result(c);
        let r = Arc::new(NameResult {
            found,
            local: 0,
            nonlocal: Vec::new(),
            platforms: Vec::new(),
            name: OnceLock::new(),
            whole: Vec::new(),
            unaffected,
        });
        cache.insert(key.as_str(), Some(r.clone()));
        r
    }

    /// [`Matcher::match_system`] by the plain reading of the rules: every
    /// NVD configuration that names one of the system's products evaluated
    /// as it stands, nothing cached or narrowed. Slow; kept to check the
    /// fast path against (tests and `sonae bench match`).
    pub fn match_system_reference(&self, components: &[&Component], out: &mut dyn FnMut(Found)) {
        let mut cpes: Vec<Cpe23> = Vec::new();
        let mut owners: Vec<(usize, Option<String>)> = Vec::new();
        for (i, c) in components.iter().enumerate() {
            if let Some((cpe, via)) = self.component_cpe(c) {
                cpes.push(cpe);
                owners.push((i, via));
            }
        }
        let mut seen: HashSet<(usize, Arc<str>)> = HashSet::new();
        for hit in self.nvd.match_system(&cpes, Scheme::Generic) {
            let (i, via) = &owners[hit.component];
            let Some((certainty, reason)) = certainty_of(hit.result) else {
                continue;
            };
            if !seen.insert((*i, hit.vuln_id.clone())) {
                continue;
            }
            let c = components[*i];
            let reason = match via {
                Some(v) => format!("{v}; {reason}"),
                None => reason,
            };
            let has_packages = components.iter().any(|c| is_distribution_package(c));
            let Some((certainty, reason)) =
                distribution_rule(c, has_packages, certainty, Arc::from(reason))
            else {
                continue;
            };
            out(Found {
                component_id: c.id,
                system_id: c.system_id,
                vuln_id: hit.vuln_id,
                certainty,
                reason,
            });
        }
    }

    /// Match a whole inventory, system by system (components in any
    /// order), on every core.
    pub fn match_all(&self, components: &[Component], out: &mut dyn FnMut(Found)) {
        let run = self.full_match();
        let mut sorted: Vec<&Component> = components.iter().collect();
        if !components.is_sorted_by_key(|c| c.system_id) {
            sorted.sort_by_key(|c| c.system_id);
        }
        // Each system is a run of `sorted`.
        let mut batch: Vec<&[&Component]> = Vec::new();
        let mut in_batch = 0;
        let mut rest: &[&Component] = &sorted;
        while let Some(first) = rest.first() {
            let n = rest.partition_point(|c| c.system_id == first.system_id);
            let (system, tail) = rest.split_at(n.max(1));
            rest = tail;
            in_batch += system.len();
            batch.push(system);
            if in_batch >= BATCH_COMPONENTS {
                run.systems(&batch, out);
                batch.clear();
                in_batch = 0;
            }
        }
        run.systems(&batch, out);
    }

    /// A match of many systems one after another, with what each component
    /// name gets on its own kept across them (see [`FullMatch::system`]).
    pub fn full_match(&self) -> FullMatch<'_> {
        FullMatch {
            matcher: self,
            cache: NameCache::default(),
            threads: cores(),
        }
    }
}

/// CPE vendor:product of Linux distributions themselves. An NVD
/// configuration that names one says the distribution shipped an affected
/// package in that release, not that a host still has it.
const DISTRIBUTION_CPES: [(&str, &str); 16] = [
    ("canonical", "ubuntu_linux"),
    ("debian", "debian_linux"),
    ("redhat", "enterprise_linux"),
    ("redhat", "enterprise_linux_server"),
    ("redhat", "enterprise_linux_desktop"),
    ("redhat", "enterprise_linux_workstation"),
    ("redhat", "enterprise_linux_eus"),
    ("rockylinux", "rocky_linux"),
    ("almalinux", "almalinux"),
    ("suse", "linux_enterprise_server"),
    ("suse", "linux_enterprise_desktop"),
    ("opensuse", "leap"),
    ("opensuse", "tumbleweed"),
    ("alpinelinux", "alpine_linux"),
    ("fedoraproject", "fedora"),
    ("oracle", "linux"),
];

/// The distribution a component's CPE names, when it is one.
fn distribution_of(c: &Component) -> Option<&'static str> {
    let cpe = c.cpe.as_deref()?.trim();
    let mut parts = cpe.strip_prefix("cpe:2.3:")?.split(':');
    let (_part, vendor, product) = (parts.next()?, parts.next()?, parts.next()?);
    DISTRIBUTION_CPES
        .iter()
        .find(|(v, p)| vendor.eq_ignore_ascii_case(v) && product.eq_ignore_ascii_case(p))
        .map(|(_, p)| *p)
}

/// An NVD finding on a component that is a distribution itself: on a
/// system with a package inventory the distribution's advisories decide (no
/// finding here); on one without, a possible finding that says what to check.
fn distribution_rule(
    c: &Component,
    has_packages: bool,
    certainty: Certainty,
    reason: Arc<str>,
) -> Option<(Certainty, Arc<str>)> {
    let Some(distro) = distribution_of(c) else {
        return Some((certainty, reason));
    };
    if has_packages {
        return None;
    }
    Some((
        Certainty::Possible,
        Arc::from(format!(
            "the distribution ({distro}) shipped an affected package in this release; no package inventory to tell whether this host still has it: check the packages the advisory names; {reason}"
        )),
    ))
}

/// A package of a Linux distribution (deb, rpm, apk): matched only by its
/// distribution's advisories, never by upstream product data.
fn is_distribution_package(c: &Component) -> bool {
    c.purl.as_deref().is_some_and(|p| {
        let p = p.trim_start();
        ["pkg:deb/", "pkg:rpm/", "pkg:apk/"]
            .iter()
            .any(|t| p.len() >= t.len() && p[..t.len()].eq_ignore_ascii_case(t))
    })
}

/// The index keys of a CVE 5 block (`name:` from vendor/product and from
/// each CPE, `purl:` from package name and collection), and the version
/// ordering its items use when they name no versionType.
fn cve5_block_keys(a: &sonae_domain::vuln::Cve5Affected) -> (Vec<String>, Scheme) {
    let mut keys = Vec::new();
    let mut scheme = Scheme::Generic;
    if a.collection_url
        .as_deref()
        .is_some_and(crate::cve5::is_distribution_collection)
    {
        return (keys, scheme);
    }
    if let (Some(v), Some(p)) = (a.vendor.as_deref(), a.product.as_deref()) {
        if let Some(k) = crate::cve5::name_key(v, p) {
            keys.push(format!("name:{k}"));
        }
    }
    for s in &a.cpes {
        let Some(cpe) = jvn_cpe(s) else { continue };
        if let (Some(v), Some(p)) = (literal(&cpe.vendor), literal(&cpe.product)) {
            if let Some(k) = crate::cve5::name_key(v, p) {
                keys.push(format!("name:{k}"));
            }
        }
    }
    if let (Some(name), Some(eco)) = (
        a.package_name.as_deref(),
        a.collection_url
            .as_deref()
            .and_then(crate::cve5::ecosystem_of_collection),
    ) {
        keys.push(format!(
            "purl:{eco}:{}",
            crate::osv::normalize_name(eco, name)
        ));
        scheme = crate::cve5::scheme_of_ecosystem(eco);
    }
    keys.sort();
    keys.dedup();
    (keys, scheme)
}

/// The machine's cores (asked once: the answer reads cgroup files).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Components handed to the threads at a time by [`Matcher::match_all`]
/// (their findings are held until the batch is done).
const BATCH_COMPONENTS: usize = 25_600;

/// Fewer components than this are matched on the calling thread.
const PARALLEL_FROM: usize = 5_000;

/// Many systems matched by one [`Matcher`], sharing a cache of what each
/// component name gets on its own.
pub struct FullMatch<'m> {
    matcher: &'m Matcher,
    cache: NameCache,
    threads: usize,
}

impl FullMatch<'_> {
    /// Use at most this many threads (every core by default; at least one).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Match one system's components (all of them, so platforms are seen).
    pub fn system(&self, components: &[&Component], out: &mut dyn FnMut(Found)) {
        self.matcher
            .match_system_cached(components, &self.cache, out)
    }

    /// Match several systems, split over the machine's cores; the findings
    /// reach `out` in the order of the systems, as [`FullMatch::system`]
    /// on each in turn would give them.
    pub fn systems<'c, S>(&self, systems: &[S], out: &mut dyn FnMut(Found))
    where
        S: AsRef<[&'c Component]> + Sync,
    {
        let threads = self.threads.min(systems.len());
        // Threads cost more than they save on a few systems.
        let components: usize = systems.iter().map(|s| s.as_ref().len()).sum();
        if threads <= 1 || components < PARALLEL_FROM {
            for s in systems {
                self.system(s.as_ref(), out);
            }
            return;
        }
        let chunk = systems.len().div_ceil(threads);
        let parts: Vec<Vec<Found>> = std::thread::scope(|scope| {
            let handles: Vec<_> = systems
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut found = Vec::new();
                        for s in part {
                            self.system(s.as_ref(), &mut |f| found.push(f));
                        }
                        found
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for f in parts.into_iter().flatten() {
            out(f);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sonae_domain::vuln::{
        AffectedProduct, ConfigNode, Configuration, CpeMatch, CveId, Operator,
    };

    fn nvd(id: &str, criteria: &str, end_excl: &str) -> SourceRecord {
        let mut r = SourceRecord::new(Feed::Nvd, id, "en");
        r.cves = vec![CveId::parse(id).unwrap()];
        r.configurations = vec![Configuration {
            operator: None,
            negate: false,
            nodes: vec![ConfigNode {
                operator: Operator::Or,
                negate: false,
                cpe_match: vec![CpeMatch {
                    vulnerable: true,
                    criteria: criteria.into(),
                    match_criteria_id: None,
                    version_start_including: None,
                    version_start_excluding: None,
                    version_end_including: None,
                    version_end_excluding: Some(end_excl.into()),
                }],
            }],
        }];
        r
    }

    fn comp(id: i64, vendor: &str, product: &str, version: &str, cpe: Option<&str>) -> Component {
        Component {
            id,
            system_id: 1,
            vendor: Some(vendor.into()),
            product: product.into(),
            version: Some(version.into()),
            cpe: cpe.map(str::to_owned),
            purl: None,
        }
    }

    fn run(m: &Matcher, comps: &[Component]) -> Vec<Found> {
        let mut out = Vec::new();
        m.match_all(comps, &mut |f| out.push(f));
        out
    }

    /// The per-name cache of component-local results gives what matching
    /// each system on its own gives, across systems that share a name, and
    /// leaves platform-dependent records to each system.
    #[test]
    fn cached_local_results_agree_with_system_by_system_matching() {
        let mut m = Matcher::new(Aliases::new());
        m.add(&nvd(
            "CVE-2024-0001",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.59",
        ));
        // Vulnerable only on Windows: an AND of the application and a platform.
        let mut on_windows = nvd(
            "CVE-2024-0002",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.60",
        );
        on_windows.configurations[0].operator = Some(Operator::And);
        on_windows.configurations[0].nodes.push(ConfigNode {
            operator: Operator::Or,
            negate: false,
            cpe_match: vec![CpeMatch {
                vulnerable: false,
                criteria: "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*".into(),
                match_criteria_id: None,
                version_start_including: None,
                version_start_excluding: None,
                version_end_including: None,
                version_end_excluding: None,
            }],
        });
        m.add(&on_windows);
        let httpd = "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*";
        let mut comps = Vec::new();
        for system in 1..=3 {
            let mut c = comp(system * 10, "Apache", "httpd", "2.4.58", Some(httpd));
            c.system_id = system;
            comps.push(c);
        }
        let mut win = comp(
            21,
            "Microsoft",
            "Windows",
            "-",
            Some("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"),
        );
        win.system_id = 2;
        comps.push(win);
        let mut all: Vec<(i64, String)> = run(&m, &comps)
            .into_iter()
            .map(|f| (f.component_id, f.vuln_id.to_string()))
            .collect();
        all.sort();
        let mut one_by_one: Vec<(i64, String)> = Vec::new();
        for system in 1..=3 {
            let group: Vec<&Component> = comps.iter().filter(|c| c.system_id == system).collect();
            m.match_system(&group, &mut |f| {
                one_by_one.push((f.component_id, f.vuln_id.to_string()))
            });
        }
        one_by_one.sort();
        assert_eq!(all, one_by_one);
        assert_eq!(
            all,
            vec![
                (10, "CVE-2024-0001".to_owned()),
                (20, "CVE-2024-0001".to_owned()),
                (20, "CVE-2024-0002".to_owned()),
                (30, "CVE-2024-0001".to_owned()),
            ]
        );
    }

    /// Rocky's openssh 8.7p1-49.el9_7 carries Red Hat's backported fixes:
    /// no CPE from the alias table, so NVD's upstream range does not apply.
    #[test]
    fn distribution_packages_get_no_cpe_from_the_alias_table() {
        let mut aliases = Aliases::new();
        aliases.insert("", "openssh", "openbsd", "openssh");
        let mut m = Matcher::new(aliases);
        m.add(&nvd(
            "CVE-2023-38408",
            "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*",
            "9.3",
        ));
        let mut c = comp(1, "", "openssh", "8.7p1-49.el9_7", None);
        assert_eq!(run(&m, std::slice::from_ref(&c)).len(), 1, "by the alias");
        c.purl = Some("pkg:rpm/rocky/openssh@8.7p1-49.el9_7?distro=rocky-9.7".into());
        assert!(run(&m, &[c]).is_empty(), "a distribution package");
    }

    #[test]
    fn a_component_without_cpe_matches_through_an_alias() {
        let mut aliases = Aliases::new();
        aliases.insert("Apache", "httpd", "apache", "http_server");
        let mut m = Matcher::new(aliases);
        m.add(&nvd(
            "CVE-2024-27316",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.59",
        ));
        let found = run(&m, &[comp(7, " apache ", "HTTPD", "2.4.58", None)]);
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].vuln_id, "CVE-2024-27316");
        assert!(found[0]
            .reason
            .starts_with("alias apache HTTPD → apache:http_server"));
        assert!(run(&m, &[comp(7, "Apache", "httpd", "2.4.59", None)]).is_empty());
        // Without the alias nothing is guessed.
        let mut bare = Matcher::new(Aliases::new());
        bare.add(&nvd(
            "CVE-2024-27316",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.59",
        ));
        assert!(run(&bare, &[comp(7, "Apache", "httpd", "2.4.58", None)]).is_empty());
    }

    #[test]
    fn jvn_only_records_match_but_not_when_nvd_has_the_cve() {
        let mut jvn = SourceRecord::new(Feed::Jvn, "JVNDB-2025-000001", "ja");
        jvn.cves = vec![CveId::parse("CVE-2025-0355").unwrap()];
        jvn.affected = vec![AffectedProduct {
            vendor: "日本電気".into(),
            product: "Aterm WG2600HS".into(),
            cpe: Some("cpe:/o:nec:aterm_wg2600hs_firmware".into()),
            versions: vec!["Ver.1.7.2より前のバージョン".into()],
        }];
        let mut m = Matcher::new(Aliases::new());
        m.add(&jvn);
        let c = comp(
            1,
            "NEC",
            "Aterm",
            "1.7.1",
            Some("cpe:2.3:o:nec:aterm_wg2600hs_firmware:*:*:*:*:*:*:*:*"),
        );
        let found = run(&m, std::slice::from_ref(&c));
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].vuln_id, "CVE-2025-0355");
        assert_eq!(found[0].certainty, Certainty::Confirmed);
        m.add(&nvd(
            "CVE-2025-0355",
            "cpe:2.3:o:nec:aterm_wg2600hs_firmware:*:*:*:*:*:*:*:*",
            "1.7.0",
        ));
        assert!(run(&m, &[c]).is_empty(), "NVD's range (< 1.7.0) decides");
    }

    /// NVD configurations that name the distribution itself: decided by the
    /// distribution's advisories where the system has a package inventory,
    /// possible where it has none.
    #[test]
    fn distribution_level_configurations_are_not_proof() {
        let mut m = Matcher::new(Aliases::new());
        let mut r = nvd(
            "CVE-2024-0100",
            "cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
            "99",
        );
        r.configurations[0].nodes[0].cpe_match[0].version_end_excluding = None;
        m.add(&r);
        let os = |id, system| Component {
            system_id: system,
            ..comp(
                id,
                "Canonical",
                "Ubuntu",
                "22.04",
                Some("cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*"),
            )
        };
        let mut pkg = comp(3, "", "openssl", "3.0.2-0ubuntu1.15", None);
        pkg.system_id = 2;
        pkg.purl = Some("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.15?distro=ubuntu-22.04".into());
        let found = run(&m, &[os(1, 1), os(2, 2), pkg]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].component_id, 1, "the host without packages");
        assert_eq!(found[0].certainty, Certainty::Possible);
        assert!(found[0].reason.contains("no package inventory"));
        // The plain evaluation agrees.
        let comps = [os(1, 1)];
        let refs: Vec<&Component> = comps.iter().collect();
        let mut plain = Vec::new();
        m.match_system_reference(&refs, &mut |f| plain.push(f));
        assert_eq!(plain, found);
    }

    #[test]
    fn keys_meet() {
        let rec = nvd(
            "CVE-2024-27316",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.59",
        );
        let m = Matcher::new(Aliases::new());
        let c = comp(
            1,
            "Apache",
            "httpd",
            "2.4.58",
            Some("cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"),
        );
        let component = m.component_keys(&c);
        assert_eq!(Matcher::record_keys(&rec), ["cpe:apache:http_server"]);
        assert!(component.contains(&"cpe:apache:http_server".to_owned()));
        // The CVE 5 name keys, for records that name the product by name.
        assert!(component.contains(&"name:apache:httpd".to_owned()));
    }
}
