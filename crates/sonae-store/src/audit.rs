use crate::db::Store;
use crate::Result;
use sonae_domain::audit::{entry_hash, AuditEntry, ChainBreak, Verifier};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub total: i64,
}

/// What one change writes into the chain.
pub(crate) struct Change<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

const COLUMNS: &str =
    "seq, at_ms, actor, action, object_kind, object_id, before_json, after_json, prev_hash, hash";

fn entry(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at_ms")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        object_kind: r.try_get("object_kind")?,
        object_id: r.try_get("object_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// Append to the chain inside the caller's transaction, so the change and
    /// its audit entry commit together or not at all. Updating the head row
    /// first takes its lock, which orders concurrent writers on PostgreSQL.
    pub(crate) async fn append_audit(
        &self,
        tx: &mut Transaction<'static, Any>,
        c: Change<'_>,
    ) -> Result<()> {
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut **tx)
                .await?;
        let mut e = AuditEntry {
            seq: head.try_get("seq")?,
            at_ms: self.clock.now_ms(),
            actor: c.actor.to_owned(),
            action: c.action.to_owned(),
            object_kind: c.object_kind.to_owned(),
            object_id: c.object_id,
            before: c.before,
            after: c.after,
            prev_hash: head.try_get("hash")?,
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(e.seq)
        .bind(e.at_ms)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.object_kind)
        .bind(e.object_id)
        .bind(e.before)
        .bind(e.after)
        .bind(e.prev_hash)
        .bind(e.hash.clone())
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(e.hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Record an event that changes no inventory record (log-in, token use…).
    pub async fn audit_event(
        &self,
        actor: &str,
        action: &str,
        object_kind: &str,
        object_id: Option<i64>,
        after: Option<String>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        self.append_audit(
            &mut w.tx,
            Change {
                actor,
                action,
                object_kind,
                object_id,
                before: None,
                after,
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Newest first, optionally for one object.
    pub async fn audit_page(
        &self,
        object: Option<(&str, i64)>,
        offset: i64,
        limit: i64,
    ) -> Result<AuditPage> {
        let (filter, kind, id) = match object {
            Some((k, i)) => ("WHERE object_kind = $1 AND object_id = $2", k, i),
            None => ("WHERE $1 = $1 AND $2 = $2", "", 0),
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log {filter} ORDER BY seq DESC LIMIT $3 OFFSET $4"
        ))
        .bind(kind.to_owned())
        .bind(id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM audit_log {filter}"))
            .bind(kind.to_owned())
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(AuditPage {
            entries: rows.iter().map(entry).collect::<Result<_>>()?,
            total,
        })
    }

    /// Walk the whole chain in batches (memory stays bounded) and compare
    /// with the head row. Returns the number of entries checked and every break.
    pub async fn audit_verify(&self) -> Result<(u64, Vec<ChainBreak>)> {
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry(r)?;
                after = e.seq;
                v.push(&e);
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let checked = v.checked;
        Ok((
            checked,
            v.finish(head.try_get("seq")?, &head.try_get::<String, _>("hash")?),
        ))
    }

    /// Every entry in order, in batches, handed to `sink` (for export).
    pub async fn audit_for_each(
        &self,
        mut sink: impl FnMut(&AuditEntry) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut after = 0i64;
        let mut n = 0;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
            ))
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(n);
            }
            for r in &rows {
                let e = entry(r)?;
                after = e.seq;
                sink(&e).map_err(|err| crate::StoreError::Other(err.to_string()))?;
                n += 1;
            }
        }
    }
}
