use sonae_domain::inventory::{Change, Record};
use sonae_domain::FieldError;

/// Errors the store reports, mapped where they arise (STYLE habit 3).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("not permitted")]
    Forbidden,
    /// The record was saved by someone else since the caller read it.
    #[error("stale version: record is at version {}", current.version)]
    Stale {
        current: Box<Record>,
        changes: Vec<Change>,
    },
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// An import row failed; nothing of the import was saved.
    #[error("import line {line}: {errors:?}")]
    InvalidRow { line: u64, errors: Vec<FieldError> },
    /// The record is still referenced by others and cannot be deleted.
    #[error("still referenced")]
    InUse,
    /// A workflow step the rules refuse.
    #[error("workflow: {0:?}")]
    Workflow(sonae_domain::workflow::Refusal),
    /// A draft step the statement rules refuse (approval, sending).
    #[error("draft: {0:?}")]
    Draft(sonae_domain::statement::DraftRefusal),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Map constraint violations to what they mean; everything else stays a database error.
    pub(crate) fn from_write(e: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::InUse,
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Conflict(db.message().to_owned())
                }
                _ => {}
            }
        }
        StoreError::Db(e)
    }
}
