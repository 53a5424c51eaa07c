//! What the incremental re-match and the alias table need of the store:
//! the queue of changes (filled by triggers on every write path), the keys
//! by which records and components meet, scoped replacement of findings,
//! the reviewed vendor/product aliases and CPE suggestions.

use crate::db::Store;
use crate::findings::{MatchComponent, MatchStats, NewFinding};
use crate::{Result, StoreError};
use sonae_domain::access::{Actor, Role};
use sonae_domain::vuln::{Feed, SourceRecord};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Changes waiting for the incremental re-match.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MatchQueue {
    /// The last queue entry read; [`Store::finish_match_queue`] removes up to it.
    pub upto: i64,
    pub sources: Vec<(Feed, String)>,
    pub components: Vec<i64>,
}

/// Which findings a partial match speaks for: those of `components`, and
/// those on `vulns` (on `systems` only, when given). Findings outside stay
/// as they are.
#[derive(Debug, Default, Clone)]
pub struct MatchScope {
    pub components: Vec<i64>,
    pub vulns: Vec<String>,
    pub systems: Vec<i64>,
}

impl MatchScope {
    fn covers(&self, component_id: i64, system_id: i64, vuln_id: &str) -> bool {
        self.components.contains(&component_id)
            || (self.vulns.iter().any(|v| v == vuln_id)
                && (self.systems.is_empty() || self.systems.contains(&system_id)))
    }
}

/// One alias: an inventory spelling (normalized) and its CPE vendor:product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRow {
    pub id: i64,
    /// Empty: any vendor.
    pub vendor: String,
    pub product: String,
    pub cpe_vendor: String,
    pub cpe_product: String,
}

/// A CPE vendor:product seen in the stored feeds, with how many records name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpeSuggestion {
    pub vendor: String,
    pub product: String,
    pub records: i64,
}

/// A finding in scope: id, system, status, the reason a decision was made on.
type Existing = (i64, i64, String, Option<String>, bool);

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn component_row(r: &sqlx::any::AnyRow) -> Result<MatchComponent> {
    Ok(MatchComponent {
        id: r.try_get("id")?,
        system_id: r.try_get("system_id")?,
        vendor: r.try_get("vendor")?,
        product: r.try_get("product")?,
        version: r.try_get("version")?,
        cpe: r.try_get("cpe")?,
        purl: r.try_get("purl")?,
    })
}

/// Inventory names as the alias table keeps them (see sonae-match's `normalize`).
fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase()
}

fn may_edit_aliases(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::SecurityOfficer)
}

impl Store {
    /// What changed since the last match (at most `limit` entries; more
    /// waiting makes `upto` stop short, and the caller comes back).
    pub async fn match_queue(&self, limit: i64) -> Result<MatchQueue> {
        let rows = sqlx::query("SELECT id, kind, ref FROM match_queue ORDER BY id LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut q = MatchQueue::default();
        let mut seen_s = HashSet::new();
        let mut seen_c = HashSet::new();
        for r in &rows {
            q.upto = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let reference: String = r.try_get("ref")?;
            match kind.as_str() {
                "source" => {
                    if let Some((feed, id)) = reference.split_once(':') {
                        if let Some(feed) = Feed::parse(feed) {
                            if seen_s.insert(reference.clone()) {
                                q.sources.push((feed, id.to_owned()));
                            }
                        }
                    }
                }
                "component" => {
                    if let Ok(id) = reference.parse::<i64>() {
                        if seen_c.insert(id) {
                            q.components.push(id);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// How many changes wait.
    pub async fn match_queue_len(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM match_queue")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Forget the queue entries up to `upto` (they have been matched).
    pub async fn finish_match_queue(&self, upto: i64) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM match_queue WHERE id <= $1")
            .bind(upto)
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The newest queue entry (0 when empty).
    pub async fn match_queue_last(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM match_queue")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }

    /// Stored records by (feed, id); missing ones are left out.
    pub async fn source_records(&self, ids: &[(Feed, String)]) -> Result<Vec<SourceRecord>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(400) {
            let mut sql = String::from("SELECT data FROM vuln_sources WHERE ");
            let mut binds: Vec<&str> = Vec::new();
            for (i, (feed, id)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                sql.push_str(&format!(
                    "(feed = ${} AND source_id = ${})",
                    binds.len() + 1,
                    binds.len() + 2
                ));
                binds.push(feed.as_str());
                binds.push(id.as_str());
            }
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(b);
            }
            for r in q.fetch_all(&self.pool).await? {
                let text: String = r.try_get("data")?;
                if let Ok(rec) = serde_json::from_str::<SourceRecord>(&text) {
                    out.push(rec);
                }
            }
        }
        Ok(out)
    }

    /// The records that speak of any of `vulns` (every feed).
    pub async fn sources_of_vulns(&self, vulns: &[String]) -> Result<Vec<(Feed, String)>> {
        let mut out = Vec::new();
        for chunk in vulns.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT feed, source_id FROM vuln_source_links WHERE vuln_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = q.bind(v.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let feed: String = r.try_get("feed")?;
                if let Some(f) = Feed::parse(&feed) {
                    out.push((f, r.try_get("source_id")?));
                }
            }
        }
        Ok(out)
    }

    /// The records filed under any of `keys`.
    pub async fn sources_with_keys(&self, keys: &[String]) -> Result<Vec<(Feed, String)>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT feed, source_id FROM match_source_keys WHERE match_key IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let feed: String = r.try_get("feed")?;
                if let Some(f) = Feed::parse(&feed) {
                    out.push((f, r.try_get("source_id")?));
                }
            }
        }
        Ok(out)
    }

    /// The components filed under some match keys (see
    /// `set_component_keys`): all that a feed record naming those keys can
    /// touch, platforms included.
    pub async fn match_components_with_keys(&self, keys: &[String]) -> Result<Vec<MatchComponent>> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT id, system_id, vendor, product, version, cpe, purl FROM components WHERE id IN \
                 (SELECT component_id FROM match_component_keys WHERE match_key IN ({})) ORDER BY id",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let c = component_row(&r)?;
                if seen.insert(c.id) {
                    out.push(c);
                }
            }
        }
        out.sort_by_key(|c| (c.system_id, c.id));
        Ok(out)
    }

    /// Every component of some systems.
    pub async fn match_components_of_systems(
        &self,
        systems: &[i64],
    ) -> Result<Vec<MatchComponent>> {
        let mut out = Vec::new();
        for chunk in systems.chunks(500) {
            let sql = format!(
                "SELECT id, system_id, vendor, product, version, cpe, purl FROM components WHERE system_id IN ({}) ORDER BY id",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(*s);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(component_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The systems of some components (those that still exist).
    pub async fn systems_of_components(&self, components: &[i64]) -> Result<Vec<i64>> {
        let mut out = Vec::new();
        for chunk in components.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT system_id FROM components WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(*c);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(r.try_get("system_id")?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The vulnerabilities some components have findings for.
    pub async fn finding_vulns_of_components(&self, components: &[i64]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for chunk in components.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT vuln_id FROM findings WHERE component_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(*c);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(r.try_get("vuln_id")?);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Replace the keys of some records (each with its new keys).
    pub async fn set_source_keys(&self, keys: &[((Feed, String), Vec<String>)]) -> Result<()> {
        let mut w = self.begin_write().await?;
        for ((feed, id), ks) in keys {
            sqlx::query("DELETE FROM match_source_keys WHERE feed = $1 AND source_id = $2")
                .bind(feed.as_str())
                .bind(id.as_str())
                .execute(&mut *w.tx)
                .await?;
            for k in ks {
                sqlx::query(
                    "INSERT INTO match_source_keys (feed, source_id, match_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(feed.as_str())
                .bind(id.as_str())
                .bind(k.as_str())
                .execute(&mut *w.tx)
                .await?;
            }
        }
        w.tx.commit().await?;
        Ok(())
    }

    /// Replace the keys of some components: (component, system, keys).
    pub async fn set_component_keys(&self, keys: &[(i64, i64, Vec<String>)]) -> Result<()> {
        let mut w = self.begin_write().await?;
        for (c, s, ks) in keys {
            sqlx::query("DELETE FROM match_component_keys WHERE component_id = $1")
                .bind(*c)
                .execute(&mut *w.tx)
                .await?;
            for k in ks {
                sqlx::query(
                    "INSERT INTO match_component_keys (component_id, system_id, match_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(*c)
                .bind(*s)
                .bind(k.as_str())
                .execute(&mut *w.tx)
                .await?;
            }
        }
        w.tx.commit().await?;
        Ok(())
    }

    /// Forget every key (a full match writes them all again).
    pub async fn clear_match_keys(&self) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM match_source_keys")
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM match_component_keys")
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Replace the findings within `scope` by `found` (those of `found`
    /// outside the scope are ignored), with the rules of
    /// [`Store::replace_findings`]: new matches are added, existing ones
    /// get the new reason, a decision is re-opened when the match it was
    /// made on changed, and only untouched ("new") findings that no longer
    /// match are removed.
    pub async fn replace_findings_in(
        &self,
        scope: &MatchScope,
        found: &[NewFinding],
    ) -> Result<MatchStats> {
        let now = self.clock.now_ms();
        let mut stats = MatchStats::default();
        let mut w = self.begin_write().await?;
        // What the scope holds now: (component, vuln) → (id, system, status, decided_reason).
        let mut existing: HashMap<(i64, String), Existing> = HashMap::new();
        let select = "SELECT id, component_id, system_id, vuln_id, status, decided_reason, fix_known FROM findings WHERE ";
        let mut queries: Vec<(String, Vec<String>, Vec<i64>)> = Vec::new();
        for chunk in scope.components.chunks(500) {
            queries.push((
                format!("{select}component_id IN ({})", placeholders(1, chunk.len())),
                Vec::new(),
                chunk.to_vec(),
            ));
        }
        for chunk in scope.vulns.chunks(400) {
            let mut sql = format!("{select}vuln_id IN ({})", placeholders(1, chunk.len()));
            if !scope.systems.is_empty() {
                sql.push_str(&format!(
                    " AND system_id IN ({})",
                    placeholders(chunk.len() + 1, scope.systems.len())
                ));
            }
            queries.push((sql, chunk.to_vec(), scope.systems.clone()));
        }
        for (sql, texts, ints) in &queries {
            let mut q = sqlx::query(sql);
            for t in texts {
                q = q.bind(t.as_str());
            }
            for i in ints {
                q = q.bind(*i);
            }
            for r in q.fetch_all(&mut *w.tx).await? {
                existing.insert(
                    (r.try_get("component_id")?, r.try_get("vuln_id")?),
                    (
                        r.try_get("id")?,
                        r.try_get("system_id")?,
                        r.try_get("status")?,
                        r.try_get("decided_reason")?,
                        r.try_get::<i64, _>("fix_known")? != 0,
                    ),
                );
            }
        }
        let mut wanted: HashSet<(i64, &str)> = HashSet::new();
        for f in found
            .iter()
            .filter(|f| scope.covers(f.component_id, f.system_id, &f.vuln_id))
        {
            if !wanted.insert((f.component_id, f.vuln_id.as_str())) {
                continue;
            }
            match existing.get(&(f.component_id, f.vuln_id.clone())) {
                Some((id, _, status, decided_on, fix_then)) => {
                    stats.kept += 1;
                    // The same rules as the full match (Store::replace_findings).
                    if let Some(why) = sonae_domain::workflow::reopen_on_rematch(
                        status,
                        decided_on.as_deref(),
                        *fix_then,
                        &f.reason,
                    ) {
                        stats.reopened += 1;
                        self.reopen_in(
                            &mut w.tx,
                            *id,
                            status,
                            why,
                            now,
                            serde_json::json!({"reason": f.reason}),
                        )
                        .await?;
                    }
                    sqlx::query("UPDATE findings SET certainty = CASE WHEN certainty_confirmed_by IS NULL THEN $1 ELSE 'confirmed' END, reason = $2, matched_at = $3 WHERE id = $4")
                        .bind(f.certainty.as_str())
                        .bind(f.reason.as_str())
                        .bind(now)
                        .bind(*id)
                        .execute(&mut *w.tx)
                        .await?;
                }
                None => {
                    stats.added += 1;
                    sqlx::query(
                        "INSERT INTO findings (row_version, created_at, updated_at, component_id, system_id, vuln_id, certainty, reason, status, matched_at, status_at) \
                         VALUES (1, $1, $1, $2, $3, $4, $5, $6, 'new', $1, $1)",
                    )
                    .bind(now)
                    .bind(f.component_id)
                    .bind(f.system_id)
                    .bind(f.vuln_id.as_str())
                    .bind(f.certainty.as_str())
                    .bind(f.reason.as_str())
                    .execute(&mut *w.tx)
                    .await
                    .map_err(StoreError::from_write)?;
                }
            }
        }
        for ((c, v), (id, _, status, _, _)) in &existing {
            // Only untouched findings go; someone's work stays.
            if status == "new" && !wanted.contains(&(*c, v.as_str())) {
                stats.removed += 1;
                sqlx::query("DELETE FROM findings WHERE id = $1")
                    .bind(*id)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.tx.commit().await?;
        Ok(stats)
    }
}

impl Store {
    /// The alias table, by inventory spelling.
    pub async fn aliases(&self) -> Result<Vec<AliasRow>> {
        let rows = sqlx::query(
            "SELECT id, vendor, product, cpe_vendor, cpe_product FROM product_aliases ORDER BY product, vendor",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AliasRow {
                    id: r.try_get("id")?,
                    vendor: r.try_get("vendor")?,
                    product: r.try_get("product")?,
                    cpe_vendor: r.try_get("cpe_vendor")?,
                    cpe_product: r.try_get("cpe_product")?,
                })
            })
            .collect()
    }

    /// Add an alias (admin and security officer; audited). The inventory
    /// side is normalized; the CPE side must be a CPE vendor and product
    /// (no spaces, colons or wildcards). The components it may concern are
    /// queued for re-matching.
    pub async fn add_alias(
        &self,
        actor: &Actor,
        vendor: &str,
        product: &str,
        cpe_vendor: &str,
        cpe_product: &str,
    ) -> Result<i64> {
        if !may_edit_aliases(actor) {
            return Err(StoreError::Forbidden);
        }
        let (vendor, product) = (normalize(vendor), normalize(product));
        let (cv, cp) = (
            cpe_vendor.trim().to_lowercase(),
            cpe_product.trim().to_lowercase(),
        );
        let cpe_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 200
                && s.chars()
                    .all(|c| c.is_ascii_graphic() && !matches!(c, ':' | '*' | '?' | '\\'))
        };
        let mut errors = Vec::new();
        if product.is_empty() || product.len() > 200 {
            errors.push(sonae_domain::FieldError {
                field: "product",
                kind: sonae_domain::FieldErrorKind::Required,
            });
        }
        if vendor.len() > 200 {
            errors.push(sonae_domain::FieldError {
                field: "vendor",
                kind: sonae_domain::FieldErrorKind::TooLong { max: 200 },
            });
        }
        if !cpe_ok(&cv) {
            errors.push(sonae_domain::FieldError {
                field: "cpe_vendor",
                kind: sonae_domain::FieldErrorKind::BadCpe,
            });
        }
        if !cpe_ok(&cp) {
            errors.push(sonae_domain::FieldError {
                field: "cpe_product",
                kind: sonae_domain::FieldErrorKind::BadCpe,
            });
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO product_aliases (vendor, product, cpe_vendor, cpe_product, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(vendor.as_str())
        .bind(product.as_str())
        .bind(cv.as_str())
        .bind(cp.as_str())
        .bind(self.clock.now_ms())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?
        .try_get("id")?;
        let after = serde_json::json!({"vendor": vendor, "product": product, "cpe_vendor": cv, "cpe_product": cp});
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "product_aliases",
                object_id: Some(id),
                before: None,
                after: Some(after.to_string()),
            },
        )
        .await?;
        queue_alias_components(&mut w.tx, &product).await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Delete an alias (admin and security officer; audited).
    pub async fn delete_alias(&self, actor: &Actor, id: i64) -> Result<()> {
        if !may_edit_aliases(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows = self.aliases().await?;
        let Some(a) = rows.into_iter().find(|a| a.id == id) else {
            return Err(StoreError::NotFound);
        };
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM product_aliases WHERE id = $1")
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        let before = serde_json::json!({"vendor": a.vendor, "product": a.product, "cpe_vendor": a.cpe_vendor, "cpe_product": a.cpe_product});
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "delete",
                object_kind: "product_aliases",
                object_id: Some(id),
                before: Some(before.to_string()),
                after: None,
            },
        )
        .await?;
        queue_alias_components(&mut w.tx, &a.product).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// CPE vendor:product pairs the stored feeds name that contain `text`
    /// (its words, normalized), most-named first.
    pub async fn cpe_suggestions(&self, text: &str, limit: i64) -> Result<Vec<CpeSuggestion>> {
        let words: Vec<String> = normalize(text)
            .split(['_', '-', '/'])
            .filter(|w| w.len() >= 2)
            .map(|w| w.replace(['%', '\\'], ""))
            .filter(|w| !w.is_empty())
            .take(4)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT match_key, COUNT(*) AS n FROM match_source_keys WHERE match_key LIKE 'cpe:%'",
        );
        for i in 0..words.len() {
            sql.push_str(&format!(" AND match_key LIKE ${}", i + 1));
        }
        sql.push_str(&format!(
            " GROUP BY match_key ORDER BY n DESC, match_key LIMIT ${}",
            words.len() + 1
        ));
        let mut q = sqlx::query(&sql);
        for w in &words {
            q = q.bind(format!("%{w}%"));
        }
        q = q.bind(limit.clamp(1, 50));
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in rows {
            let key: String = r.try_get("match_key")?;
            let rest = key.strip_prefix("cpe:").unwrap_or(&key);
            if let Some((v, p)) = rest.split_once(':') {
                out.push(CpeSuggestion {
                    vendor: v.to_owned(),
                    product: p.to_owned(),
                    records: r.try_get("n")?,
                });
            }
        }
        Ok(out)
    }
}

/// Queue the components an alias for `product` may concern (those without
/// a CPE whose product reads the same once normalized).
async fn queue_alias_components(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    product: &str,
) -> Result<()> {
    let rows = sqlx::query("SELECT id, product FROM components WHERE cpe IS NULL OR cpe = ''")
        .fetch_all(&mut **tx)
        .await?;
    for r in rows {
        let p: String = r.try_get("product")?;
        if normalize(&p) == product {
            let id: i64 = r.try_get("id")?;
            sqlx::query("INSERT INTO match_queue (kind, ref) VALUES ('component', $1)")
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
