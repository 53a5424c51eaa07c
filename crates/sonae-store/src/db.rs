use crate::{Result, StoreError};
use sonae_domain::Clock;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// The store: a connection pool, the clock, and (on SQLite) the gate that
/// serializes writers inside this process.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) clock: Arc<dyn Clock>,
    /// SQLite allows one writer; taking the gate before `BEGIN` avoids the
    /// read-then-write lock upgrade that fails with SQLITE_BUSY under load.
    /// PostgreSQL serializes the audit chain with a row lock instead.
    write_gate: Option<Arc<Mutex<()>>>,
}

pub(crate) struct WriteTx<'a> {
    pub tx: Transaction<'static, Any>,
    _gate: Option<MutexGuard<'a, ()>>,
}

impl Store {
    /// Connect and bring the schema up to date.
    pub async fn open(url: &str, clock: Arc<dyn Clock>) -> Result<Store> {
        let store = Store::connect(url, clock).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connect without migrating.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Other("database URL must start with sqlite: or postgres:".to_owned())
        })?;
        let url = match backend {
            // Create the file on first use, as an embedded database should.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                            .await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite && !url.contains("mode=ro") {
            // WAL is a property of the file; setting it once is enough, and it
            // lets readers go on while one writer commits.
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_optional(&pool)
                .await?;
        }
        Ok(Store {
            pool,
            backend,
            clock,
            write_gate: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Migrations not yet applied (for `sonae migrate --check` and readiness).
    pub async fn pending_migrations(&self) -> Result<usize> {
        let applied: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await
        .unwrap_or_default();
        Ok(self
            .backend
            .migrator()
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// A round trip to the database, for /readyz.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>> {
        let gate = match &self.write_gate {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _gate: gate })
    }

    /// A consistent copy of a live SQLite database (`VACUUM INTO`), taken
    /// while the server keeps running. PostgreSQL sites use pg_dump.
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                if std::path::Path::new(path).exists() {
                    return Err(StoreError::Other(format!("{path} already exists")));
                }
                sqlx::query("VACUUM INTO $1")
                    .bind(path.to_owned())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::Other(
                "PostgreSQL: use pg_dump --format=custom and pg_restore (see README)".to_owned(),
            )),
        }
    }

    /// `PRAGMA integrity_check` on SQLite; a query of every table elsewhere.
    pub async fn integrity_check(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let r: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&self.pool)
                .await?;
            if r != "ok" {
                return Err(StoreError::Other(format!("integrity check: {r}")));
            }
        }
        Ok(())
    }

    /// Names of the columns of a table, for the schema-matches-domain test.
    pub async fn table_columns(&self, table: &str) -> Result<Vec<String>> {
        let rows: Vec<AnyRow> = match self.backend {
            Backend::Sqlite => {
                sqlx::query("SELECT name FROM pragma_table_info($1)")
                    .bind(table.to_owned())
                    .fetch_all(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query(
                    "SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()",
                )
                .bind(table.to_owned())
                .fetch_all(&self.pool)
                .await?
            }
        };
        use sqlx::Row;
        rows.iter()
            .map(|r| r.try_get::<String, _>("name").map_err(StoreError::from))
            .collect()
    }
}

impl Store {
    /// Run one statement as written, outside the record layer: database
    /// administration (CREATE DATABASE for tests) and tamper tests. Never
    /// called with user input.
    pub async fn execute_admin(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}
