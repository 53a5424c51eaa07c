//! Inventory records over the field declarations of `sonae_domain::inventory`.
//!
//! Table and column names come only from those static declarations, never
//! from input; every value is a bound parameter.

use crate::audit::Change as AuditChange;
use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::{scope, Access, Actor, Scope};
use sonae_domain::inventory::{check_record, diff, FieldType, Kind, Record};
use sonae_domain::value::values_to_json;
use sonae_domain::{FieldError, FieldErrorKind, Value, Values};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row, Transaction};

/// Filters and paging for a list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Free text, matched case-insensitively against the kind's text fields.
    pub q: Option<String>,
    /// Exact matches on fields (enums, references, booleans).
    pub eq: Vec<(&'static str, Value)>,
    pub offset: i64,
    pub limit: i64,
}

pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// One parsed line of an import, with the line number for error messages.
pub struct ImportRow {
    pub line: u64,
    pub values: Values,
}

#[derive(Debug, Clone)]
enum Bind {
    Int(Option<i64>),
    Text(Option<String>),
}

pub(crate) struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub(crate) fn new() -> Self {
        Sql {
            text: String::new(),
            binds: Vec::new(),
        }
    }
    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Append a placeholder for `b`.
    fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }
    pub(crate) fn bind_int(&mut self, i: i64) -> &mut Self {
        self.bind(Bind::Int(Some(i)))
    }
    pub(crate) fn bind_text(&mut self, s: &str) -> &mut Self {
        self.bind(Bind::Text(Some(s.to_owned())))
    }
    pub(crate) fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for b in &self.binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }
    /// The WHERE condition that limits a query to the actor's scope.
    pub(crate) fn scope(&mut self, s: &Scope) -> &mut Self {
        match s {
            Scope::All => self.push("1=1"),
            Scope::Nothing => self.push("1=0"),
            Scope::FieldEq(field, id) => self.push(field).push(" = ").bind(Bind::Int(Some(*id))),
            Scope::IdEq(id) => self.push("id = ").bind(Bind::Int(Some(*id))),
            Scope::SystemIn(inner) => {
                self.push("system_id IN (SELECT id FROM systems WHERE ");
                self.scope(inner).push(")")
            }
        }
    }
}

fn bind_value(ty: FieldType, v: &Value) -> Bind {
    match (ty.is_integer(), v) {
        (true, Value::Int(i)) => Bind::Int(Some(*i)),
        (true, _) => Bind::Int(None),
        (false, Value::Text(s)) => Bind::Text(Some(s.clone())),
        (false, Value::Int(i)) => Bind::Text(Some(i.to_string())),
        (false, Value::Null) => Bind::Text(None),
    }
}

fn select_columns(kind: Kind) -> String {
    let mut cols = String::from("id, row_version, created_at, updated_at");
    for f in kind.fields() {
        cols.push_str(", ");
        cols.push_str(f.name);
    }
    cols
}

fn record(kind: Kind, r: &AnyRow) -> Result<Record> {
    let mut values = Values::new();
    for f in kind.fields() {
        let v = if f.ty.is_integer() {
            r.try_get::<Option<i64>, _>(f.name)?
                .map_or(Value::Null, Value::Int)
        } else {
            r.try_get::<Option<String>, _>(f.name)?
                .map_or(Value::Null, Value::Text)
        };
        values.insert(f.name, v);
    }
    Ok(Record {
        kind,
        id: r.try_get("id")?,
        version: r.try_get("row_version")?,
        values,
        created_at_ms: r.try_get("created_at")?,
        updated_at_ms: r.try_get("updated_at")?,
    })
}

/// The audit form of a record: its version and values as JSON text.
fn audit_json(r: &Record) -> String {
    let mut v = values_to_json(r.kind.fields(), &r.values);
    if let Some(m) = v.as_object_mut() {
        m.insert("row_version".to_owned(), r.version.into());
    }
    v.to_string()
}

fn like_pattern(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    pub async fn list(&self, actor: &Actor, kind: Kind, lq: &ListQuery) -> Result<Page<Record>> {
        let mut cond = Sql::new();
        cond.push(" WHERE ")
            .scope(&scope(actor, kind, Access::Read));
        if let Some(q) = lq.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = like_pattern(q);
            cond.push(" AND (");
            for (i, f) in kind.text_fields().enumerate() {
                if i > 0 {
                    cond.push(" OR ");
                }
                cond.push("LOWER(")
                    .push(f.name)
                    .push(") LIKE ")
                    .bind(Bind::Text(Some(pattern.clone())))
                    .push(" ESCAPE '\\'");
            }
            cond.push(")");
        }
        for (field, value) in &lq.eq {
            let Some(spec) = kind.field(field) else {
                continue;
            };
            cond.push(" AND ").push(spec.name);
            match value {
                Value::Null => cond.push(" IS NULL"),
                v => cond.push(" = ").bind(bind_value(spec.ty, v)),
            };
        }
        let mut count = Sql {
            text: format!("SELECT COUNT(*) AS n FROM {}{}", kind.slug(), cond.text),
            binds: cond.binds.clone(),
        };
        let total: i64 = count.query().fetch_one(&self.pool).await?.try_get("n")?;
        count.binds.clear();
        let mut sel = Sql {
            text: format!(
                "SELECT {} FROM {}{} ORDER BY {}, id LIMIT ",
                select_columns(kind),
                kind.slug(),
                cond.text,
                kind.order_field()
            ),
            binds: cond.binds,
        };
        sel.bind(Bind::Int(Some(lq.limit.clamp(1, 1000))))
            .push(" OFFSET ")
            .bind(Bind::Int(Some(lq.offset.max(0))));
        let rows = sel.query().fetch_all(&self.pool).await?;
        Ok(Page {
            items: rows
                .iter()
                .map(|r| record(kind, r))
                .collect::<Result<_>>()?,
            total,
        })
    }

    /// Every record of a kind in the actor's read scope, as (id, title), for
    /// selects and for resolving names in imports.
    pub async fn titles(
        &self,
        actor: &Actor,
        kind: Kind,
        access: Access,
    ) -> Result<Vec<(i64, String)>> {
        let title = kind.title_field();
        let extra = if kind == Kind::Component {
            ", version"
        } else {
            ""
        };
        let mut sql = Sql::new();
        sql.push(&format!(
            "SELECT id, {title}{extra} FROM {} WHERE ",
            kind.slug()
        ))
        .scope(&scope(actor, kind, access))
        .push(&format!(" ORDER BY {title}, id"));
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let mut t: String = r.try_get(title)?;
                if kind == Kind::Component {
                    if let Some(v) = r.try_get::<Option<String>, _>("version")? {
                        t = format!("{t} {v}");
                    }
                }
                Ok((r.try_get("id")?, t))
            })
            .collect()
    }

    async fn fetch(&self, kind: Kind, id: i64) -> Result<Option<Record>> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM {} WHERE id = $1",
            select_columns(kind),
            kind.slug()
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| record(kind, &r)).transpose()
    }

    async fn in_scope(&self, kind: Kind, id: i64, s: &Scope) -> Result<bool> {
        let mut sql = Sql::new();
        sql.push(&format!(
            "SELECT COUNT(*) AS n FROM {} WHERE id = ",
            kind.slug()
        ))
        .bind(Bind::Int(Some(id)))
        .push(" AND ")
        .scope(s);
        let n: i64 = sql.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(n > 0)
    }

    /// One record. Out of the actor's scope is `Forbidden`, missing is `NotFound`.
    pub async fn get(&self, actor: &Actor, kind: Kind, id: i64) -> Result<Record> {
        let rec = self.fetch(kind, id).await?.ok_or(StoreError::NotFound)?;
        if !self
            .in_scope(kind, id, &scope(actor, kind, Access::Read))
            .await?
        {
            return Err(StoreError::Forbidden);
        }
        Ok(rec)
    }

    /// Whether the actor may edit this record (for showing buttons).
    pub async fn may_write(&self, actor: &Actor, kind: Kind, id: i64) -> Result<bool> {
        self.in_scope(kind, id, &scope(actor, kind, Access::Write))
            .await
    }

    /// Field-level checks that need the database: references exist, unique
    /// values are free, and the new values keep the record inside the
    /// actor's write scope (a system owner cannot hand a system to another
    /// department, nor a vendor move a component to another system).
    async fn check_values(
        &self,
        actor: &Actor,
        kind: Kind,
        id: Option<i64>,
        values: &Values,
    ) -> Result<Vec<FieldError>> {
        let mut errors = match check_record(kind, values) {
            Ok(()) => Vec::new(),
            Err(e) => e,
        };
        for spec in kind.fields() {
            let v = values.get(spec.name).unwrap_or(&Value::Null);
            if let (FieldType::Ref(target), Value::Int(ref_id)) = (spec.ty, v) {
                if !self
                    .in_scope(target, *ref_id, &scope(actor, target, Access::Read))
                    .await?
                {
                    errors.push(FieldError {
                        field: spec.name,
                        kind: FieldErrorKind::UnknownReference,
                    });
                }
            }
            if spec.unique {
                if let Value::Text(t) = v {
                    let n: i64 = sqlx::query_scalar(&format!(
                        "SELECT COUNT(*) FROM {} WHERE {} = $1 AND id <> $2",
                        kind.slug(),
                        spec.name
                    ))
                    .bind(t.clone())
                    .bind(id.unwrap_or(0))
                    .fetch_one(&self.pool)
                    .await?;
                    if n > 0 {
                        errors.push(FieldError {
                            field: spec.name,
                            kind: FieldErrorKind::Duplicate,
                        });
                    }
                }
            }
        }
        match scope(actor, kind, Access::Write) {
            Scope::All => {}
            Scope::Nothing | Scope::IdEq(_) => return Err(StoreError::Forbidden),
            Scope::FieldEq(field, allowed) => {
                if values.get(field).and_then(Value::as_int) != Some(allowed) {
                    errors.push(FieldError {
                        field,
                        kind: FieldErrorKind::OutOfScope,
                    });
                }
            }
            Scope::SystemIn(inner) => {
                let ok = match values.get("system_id").and_then(Value::as_int) {
                    Some(sys) => self.in_scope(Kind::System, sys, &inner).await?,
                    None => false,
                };
                if !ok {
                    errors.push(FieldError {
                        field: "system_id",
                        kind: FieldErrorKind::OutOfScope,
                    });
                }
            }
        }
        Ok(errors)
    }

    async fn insert_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Actor,
        kind: Kind,
        values: &Values,
    ) -> Result<Record> {
        let now = self.clock.now_ms();
        let mut sql = Sql::new();
        let names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
        sql.push(&format!(
            "INSERT INTO {} (row_version, created_at, updated_at, {}) VALUES (1, ",
            kind.slug(),
            names.join(", ")
        ))
        .bind(Bind::Int(Some(now)))
        .push(", ")
        .bind(Bind::Int(Some(now)));
        for f in kind.fields() {
            sql.push(", ")
                .bind(bind_value(f.ty, values.get(f.name).unwrap_or(&Value::Null)));
        }
        sql.push(&format!(") RETURNING {}", select_columns(kind)));
        let row = sql
            .query()
            .fetch_one(&mut **tx)
            .await
            .map_err(StoreError::from_write)?;
        let rec = record(kind, &row)?;
        self.append_audit(
            tx,
            AuditChange {
                actor: &actor.name,
                action: "create",
                object_kind: kind.slug(),
                object_id: Some(rec.id),
                before: None,
                after: Some(audit_json(&rec)),
            },
        )
        .await?;
        Ok(rec)
    }

    pub async fn create(&self, actor: &Actor, kind: Kind, values: Values) -> Result<Record> {
        let errors = self.check_values(actor, kind, None, &values).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut w = self.begin_write().await?;
        let rec = self.insert_tx(&mut w.tx, actor, kind, &values).await?;
        w.tx.commit().await?;
        Ok(rec)
    }

    /// Create many records in one transaction: every row is checked first and
    /// the first failing line aborts the whole import, so a file is either
    /// imported completely or not at all.
    pub async fn create_many(
        &self,
        actor: &Actor,
        kind: Kind,
        rows: &[ImportRow],
    ) -> Result<usize> {
        for row in rows {
            let errors = self.check_values(actor, kind, None, &row.values).await?;
            if !errors.is_empty() {
                return Err(StoreError::InvalidRow {
                    line: row.line,
                    errors,
                });
            }
        }
        // Unique fields must also be unique within the file itself.
        for spec in kind.fields().iter().filter(|f| f.unique) {
            let mut seen = std::collections::HashSet::new();
            for row in rows {
                if let Some(Value::Text(t)) = row.values.get(spec.name) {
                    if !seen.insert(t.clone()) {
                        return Err(StoreError::InvalidRow {
                            line: row.line,
                            errors: vec![FieldError {
                                field: spec.name,
                                kind: FieldErrorKind::Duplicate,
                            }],
                        });
                    }
                }
            }
        }
        let mut w = self.begin_write().await?;
        for row in rows {
            self.insert_tx(&mut w.tx, actor, kind, &row.values).await?;
        }
        w.tx.commit().await?;
        Ok(rows.len())
    }

    /// Save new values over version `base_version`. If someone saved in
    /// between, nothing is written and `Stale` carries the current record and
    /// what changed since `base_version`.
    pub async fn update(
        &self,
        actor: &Actor,
        kind: Kind,
        id: i64,
        base_version: i64,
        values: Values,
    ) -> Result<Record> {
        let before = self.fetch(kind, id).await?.ok_or(StoreError::NotFound)?;
        if !self
            .in_scope(kind, id, &scope(actor, kind, Access::Write))
            .await?
        {
            return Err(StoreError::Forbidden);
        }
        if before.version != base_version {
            return Err(self.stale(before, base_version).await);
        }
        let errors = self.check_values(actor, kind, Some(id), &values).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut w = self.begin_write().await?;
        let mut sql = Sql::new();
        sql.push(&format!(
            "UPDATE {} SET row_version = row_version + 1, updated_at = ",
            kind.slug()
        ))
        .bind(Bind::Int(Some(self.clock.now_ms())));
        for f in kind.fields() {
            sql.push(", ")
                .push(f.name)
                .push(" = ")
                .bind(bind_value(f.ty, values.get(f.name).unwrap_or(&Value::Null)));
        }
        sql.push(" WHERE id = ")
            .bind(Bind::Int(Some(id)))
            .push(" AND row_version = ")
            .bind(Bind::Int(Some(base_version)))
            .push(&format!(" RETURNING {}", select_columns(kind)));
        let row = sql
            .query()
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
        let Some(row) = row else {
            // Lost a race between the read above and this write.
            drop(w);
            let current = self.fetch(kind, id).await?.ok_or(StoreError::NotFound)?;
            return Err(self.stale(current, base_version).await);
        };
        let after = record(kind, &row)?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "update",
                object_kind: kind.slug(),
                object_id: Some(id),
                before: Some(audit_json(&before)),
                after: Some(audit_json(&after)),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(after)
    }

    /// The stale-save error: the current record and the fields changed since
    /// the version the caller started from, read back from the audit log.
    async fn stale(&self, current: Record, base_version: i64) -> StoreError {
        let base = self
            .version_values(current.kind, current.id, base_version)
            .await
            .ok()
            .flatten();
        let changes = match base {
            Some(b) => diff(current.kind, &b, &current.values),
            None => Vec::new(),
        };
        StoreError::Stale {
            current: Box::new(current),
            changes,
        }
    }

    /// The values a record had at a given version, from the audit log.
    async fn version_values(&self, kind: Kind, id: i64, version: i64) -> Result<Option<Values>> {
        let rows: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE object_kind = $1 AND object_id = $2 ORDER BY seq DESC LIMIT 200",
        )
        .bind(kind.slug().to_owned())
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for text in rows.into_iter().flatten() {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if json.get("row_version").and_then(|v| v.as_i64()) != Some(version) {
                continue;
            }
            let mut values = Values::new();
            for spec in kind.fields() {
                let v = match json.get(spec.name) {
                    Some(serde_json::Value::Bool(b)) => Value::Int(i64::from(*b)),
                    Some(serde_json::Value::Number(n)) => {
                        n.as_i64().map_or(Value::Null, Value::Int)
                    }
                    Some(serde_json::Value::String(s)) => Value::Text(s.clone()),
                    _ => Value::Null,
                };
                values.insert(spec.name, v);
            }
            return Ok(Some(values));
        }
        Ok(None)
    }

    /// Delete version `base_version` of a record. Records still referenced
    /// (a department with systems) are refused with `InUse`; a system's
    /// components go with it.
    pub async fn delete(
        &self,
        actor: &Actor,
        kind: Kind,
        id: i64,
        base_version: i64,
    ) -> Result<()> {
        let before = self.fetch(kind, id).await?.ok_or(StoreError::NotFound)?;
        if !self
            .in_scope(kind, id, &scope(actor, kind, Access::Write))
            .await?
        {
            return Err(StoreError::Forbidden);
        }
        if before.version != base_version {
            return Err(self.stale(before, base_version).await);
        }
        let mut w = self.begin_write().await?;
        if kind == Kind::System {
            // Components are deleted with their system; audit each of them.
            let comps = sqlx::query(&format!(
                "SELECT {} FROM components WHERE system_id = $1",
                select_columns(Kind::Component)
            ))
            .bind(id)
            .fetch_all(&mut *w.tx)
            .await?;
            for c in &comps {
                let c = record(Kind::Component, c)?;
                self.append_audit(
                    &mut w.tx,
                    AuditChange {
                        actor: &actor.name,
                        action: "delete",
                        object_kind: Kind::Component.slug(),
                        object_id: Some(c.id),
                        before: Some(audit_json(&c)),
                        after: None,
                    },
                )
                .await?;
            }
        }
        let done = sqlx::query(&format!(
            "DELETE FROM {} WHERE id = $1 AND row_version = $2",
            kind.slug()
        ))
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?;
        if done.rows_affected() == 0 {
            drop(w);
            let current = self.fetch(kind, id).await?.ok_or(StoreError::NotFound)?;
            return Err(self.stale(current, base_version).await);
        }
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "delete",
                object_kind: kind.slug(),
                object_id: Some(id),
                before: Some(audit_json(&before)),
                after: None,
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// How many records of a kind exist (regardless of scope; for start-up decisions).
    pub async fn count(&self, kind: Kind) -> Result<i64> {
        Ok(
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", kind.slug()))
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CollectStats {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
}

/// One component as an importer reports it (collector, Vuls scan result).
#[derive(Debug, Clone, Default)]
pub struct SourcedComponent {
    pub vendor: Option<String>,
    pub product: String,
    pub version: Option<String>,
    pub cpe: Option<String>,
    pub purl: Option<String>,
}

impl SourcedComponent {
    /// What tells two reports of the same component apart from others: the
    /// purl without its version, else the CPE, else vendor and product.
    fn key(&self) -> String {
        if let Some(p) = self.purl.as_deref().filter(|p| !p.is_empty()) {
            return format!("purl:{}", p.split('@').next().unwrap_or(p));
        }
        if let Some(c) = self.cpe.as_deref().filter(|c| !c.is_empty()) {
            return format!("cpe:{c}");
        }
        format!(
            "name:{}\u{1}{}",
            self.vendor.as_deref().unwrap_or("").to_lowercase(),
            self.product.to_lowercase()
        )
    }

    fn of_record(r: &Record) -> SourcedComponent {
        let text = |f: &str| r.get(f).as_text().map(str::to_owned);
        SourcedComponent {
            vendor: text("vendor"),
            product: text("product").unwrap_or_default(),
            version: text("version"),
            cpe: text("cpe"),
            purl: text("purl"),
        }
    }
}

impl Store {
    /// Replace the components of a system that came from one source
    /// (`collector`, `vuls`) with a new report of it, in one transaction:
    /// new ones added, changed ones updated, gone ones removed, each change
    /// audited; components of other sources are left alone.
    pub async fn replace_sourced(
        &self,
        actor: &Actor,
        system_id: i64,
        source: &str,
        items: &[SourcedComponent],
    ) -> Result<CollectStats> {
        // The actor must be able to write components of this system.
        let s = scope(actor, Kind::Component, Access::Write);
        let allowed = match &s {
            Scope::All => self.fetch(Kind::System, system_id).await?.is_some(),
            Scope::SystemIn(inner) => self.in_scope(Kind::System, system_id, inner).await?,
            _ => false,
        };
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let mut stats = CollectStats::default();
        let mut w = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM components WHERE system_id = $1 AND source = $2",
            select_columns(Kind::Component)
        ))
        .bind(system_id)
        .bind(source)
        .fetch_all(&mut *w.tx)
        .await?;
        let existing: Vec<Record> = rows
            .iter()
            .map(|r| record(Kind::Component, r))
            .collect::<Result<_>>()?;
        let cut = |t: &str, n: usize| t.chars().take(n).collect::<String>();
        let opt = |t: &Option<String>, n: usize| match t.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Value::Text(cut(t, n)),
            _ => Value::Null,
        };
        let mut seen = std::collections::HashSet::new();
        for p in items {
            let k = p.key();
            if p.product.trim().is_empty() || !seen.insert(k.clone()) {
                continue;
            }
            let mut values = Values::new();
            values.insert("system_id", Value::Int(system_id));
            values.insert("vendor", opt(&p.vendor, 200));
            values.insert("product", Value::Text(cut(p.product.trim(), 200)));
            values.insert("version", opt(&p.version, 200));
            values.insert(
                "cpe",
                match p.cpe.as_deref() {
                    Some(c) if sonae_domain::value::is_cpe23(c) && c.len() <= 1000 => {
                        Value::Text(c.to_owned())
                    }
                    _ => Value::Null,
                },
            );
            values.insert(
                "purl",
                match p.purl.as_deref() {
                    Some(u) if sonae_domain::value::is_purl(u) && u.len() <= 1000 => {
                        Value::Text(u.to_owned())
                    }
                    _ => Value::Null,
                },
            );
            values.insert("source", Value::Text(source.to_owned()));
            values.insert("notes", Value::Null);
            let same = |f: &str, r: &Record| r.get(f) == values.get(f).unwrap_or(&Value::Null);
            match existing
                .iter()
                .find(|r| SourcedComponent::of_record(r).key() == k)
            {
                None => {
                    self.insert_tx(&mut w.tx, actor, Kind::Component, &values)
                        .await?;
                    stats.added += 1;
                }
                Some(r)
                    if ["version", "purl", "cpe", "vendor"]
                        .iter()
                        .all(|f| same(f, r)) =>
                {
                    stats.unchanged += 1
                }
                Some(r) => {
                    let mut after = r.clone();
                    for f in ["version", "purl", "cpe", "vendor"] {
                        after
                            .values
                            .insert(f, values.get(f).cloned().unwrap_or(Value::Null));
                    }
                    after.version += 1;
                    sqlx::query("UPDATE components SET version = $1, purl = $2, cpe = $3, vendor = $4, row_version = row_version + 1, updated_at = $5 WHERE id = $6")
                        .bind(after.get("version").as_text().map(str::to_owned))
                        .bind(after.get("purl").as_text().map(str::to_owned))
                        .bind(after.get("cpe").as_text().map(str::to_owned))
                        .bind(after.get("vendor").as_text().map(str::to_owned))
                        .bind(self.clock.now_ms())
                        .bind(r.id)
                        .execute(&mut *w.tx)
                        .await?;
                    self.append_audit(
                        &mut w.tx,
                        AuditChange {
                            actor: &actor.name,
                            action: "update",
                            object_kind: Kind::Component.slug(),
                            object_id: Some(r.id),
                            before: Some(audit_json(r)),
                            after: Some(audit_json(&after)),
                        },
                    )
                    .await?;
                    stats.updated += 1;
                }
            }
        }
        for r in &existing {
            if !seen.contains(&SourcedComponent::of_record(r).key()) {
                sqlx::query("DELETE FROM components WHERE id = $1")
                    .bind(r.id)
                    .execute(&mut *w.tx)
                    .await?;
                self.append_audit(
                    &mut w.tx,
                    AuditChange {
                        actor: &actor.name,
                        action: "delete",
                        object_kind: Kind::Component.slug(),
                        object_id: Some(r.id),
                        before: Some(audit_json(r)),
                        after: None,
                    },
                )
                .await?;
                stats.removed += 1;
            }
        }
        w.tx.commit().await?;
        Ok(stats)
    }
}
