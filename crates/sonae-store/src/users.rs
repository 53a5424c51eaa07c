//! Accounts, sessions, API tokens, login throttling and settings.
//!
//! Password hashing and token generation happen in the caller (web/CLI);
//! this layer stores only hashes.

use crate::audit::Change as AuditChange;
use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::{Actor, Role};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub version: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    pub lang: Option<String>,
    pub disabled: bool,
    pub password_hash: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: self.username.clone(),
            role: self.role,
            department_id: self.department_id,
            vendor_id: self.vendor_id,
        }
    }

    /// The audit form: never the password hash.
    fn audit_json(&self) -> String {
        serde_json::json!({
            "row_version": self.version,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "role": self.role.as_str(),
            "department_id": self.department_id,
            "vendor_id": self.vendor_id,
            "lang": self.lang,
            "disabled": self.disabled,
        })
        .to_string()
    }
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    pub password_hash: String,
}

/// What an admin may change on an account (the password has its own call).
pub struct UserUpdate {
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

const USER_COLUMNS: &str = "id, row_version, username, display_name, email, role, department_id, vendor_id, lang, disabled, password_hash";

fn user(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        version: r.try_get("row_version")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Other(format!("unknown role {role}")))?,
        department_id: r.try_get("department_id")?,
        vendor_id: r.try_get("vendor_id")?,
        lang: r.try_get("lang")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        password_hash: r.try_get("password_hash")?,
    })
}

impl Store {
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn create_user(&self, actor: &Actor, u: NewUser) -> Result<User> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO users (row_version, created_at, updated_at, username, display_name, email, role, department_id, vendor_id, password_hash, disabled) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7, $8, 0) RETURNING {USER_COLUMNS}"
        ))
        .bind(now)
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.email)
        .bind(u.role.as_str().to_owned())
        .bind(u.department_id)
        .bind(u.vendor_id)
        .bind(u.password_hash)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(|e| match StoreError::from_write(e) {
            StoreError::Conflict(_) => StoreError::Conflict("username".to_owned()),
            StoreError::InUse => StoreError::Other("unknown department or vendor".to_owned()),
            other => other,
        })?;
        let created = user(&row)?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "create",
                object_kind: "users",
                object_id: Some(created.id),
                before: None,
                after: Some(created.audit_json()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(created)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username.to_owned())
        .fetch_optional(&self.pool)
        .await?
        .map(|r| user(&r))
        .transpose()
    }

    pub async fn user_by_id(&self, id: i64) -> Result<User> {
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| user(&r))
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user)
        .collect()
    }

    async fn change_user<'q>(
        &self,
        actor: &Actor,
        id: i64,
        base_version: Option<i64>,
        action: &str,
        sql: &'q str,
        bind: impl FnOnce(
            sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<User> {
        let before = self.user_by_id(id).await?;
        if base_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict("stale".to_owned()));
        }
        let mut w = self.begin_write().await?;
        let q = sqlx::query(sql);
        let row = bind(q)
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?
            .ok_or_else(|| StoreError::Conflict("stale".to_owned()))?;
        let after = user(&row)?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action,
                object_kind: "users",
                object_id: Some(id),
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(after)
    }

    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        password_hash: String,
    ) -> Result<User> {
        let now = self.clock.now_ms();
        let sql = format!(
            "UPDATE users SET password_hash = $1, updated_at = $2, row_version = row_version + 1 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        let u = self
            .change_user(actor, id, None, "password", &sql, |q| {
                q.bind(password_hash).bind(now).bind(id)
            })
            .await?;
        // A new password ends every session of the account.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(u)
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        u: UserUpdate,
    ) -> Result<User> {
        let now = self.clock.now_ms();
        let sql = format!(
            "UPDATE users SET display_name = $1, email = $2, role = $3, department_id = $4, vendor_id = $5, disabled = $6, \
             updated_at = $7, row_version = row_version + 1 WHERE id = $8 AND row_version = $9 RETURNING {USER_COLUMNS}"
        );
        let updated = self
            .change_user(actor, id, Some(base_version), "update", &sql, |q| {
                q.bind(u.display_name)
                    .bind(u.email)
                    .bind(u.role.as_str().to_owned())
                    .bind(u.department_id)
                    .bind(u.vendor_id)
                    .bind(i64::from(u.disabled))
                    .bind(now)
                    .bind(id)
                    .bind(base_version)
            })
            .await?;
        if updated.disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(updated)
    }

    /// The user's own language choice ("ja", "en", or None for the browser's).
    pub async fn set_user_lang(
        &self,
        actor: &Actor,
        id: i64,
        lang: Option<String>,
    ) -> Result<User> {
        let now = self.clock.now_ms();
        let sql = format!(
            "UPDATE users SET lang = $1, updated_at = $2, row_version = row_version + 1 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        self.change_user(actor, id, None, "update", &sql, |q| {
            q.bind(lang).bind(now).bind(id)
        })
        .await
    }

    // --- sessions -------------------------------------------------------

    pub async fn create_session(&self, token_hash: &str, user_id: i64, ttl_ms: i64) -> Result<()> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash.to_owned())
            .bind(user_id)
            .bind(now)
            .bind(now + ttl_ms)
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The user of a live session; disabled users have none.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        ))
        .bind(token_hash.to_owned())
        .bind(self.clock.now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user(&r)).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let _w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- API tokens -----------------------------------------------------

    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<i64> {
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(name.to_owned())
        .bind(token_hash.to_owned())
        .bind(self.clock.now_ms())
        .fetch_one(&mut *w.tx)
        .await?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "create",
                object_kind: "api_tokens",
                object_id: Some(id),
                before: None,
                after: Some(serde_json::json!({"user_id": user_id, "name": name}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at_ms: r.try_get("created_at")?,
                    last_used_at_ms: r.try_get("last_used_at")?,
                    revoked_at_ms: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revoke one of the user's own tokens.
    pub async fn revoke_token(&self, actor: &Actor, user_id: i64, token_id: i64) -> Result<()> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(self.clock.now_ms())
        .bind(token_id)
        .bind(user_id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "revoke",
                object_kind: "api_tokens",
                object_id: Some(token_id),
                before: None,
                after: None,
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The user behind a live token, recording its use.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.try_get("token_id")?;
        let user_id: i64 = row.try_get("user_id")?;
        {
            let _w = self.begin_write().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(self.clock.now_ms())
                .bind(token_id)
                .execute(&self.pool)
                .await?;
        }
        self.user_by_id(user_id).await.map(Some)
    }

    // --- login throttling -----------------------------------------------

    pub async fn record_login_failure(&self, key: &str) -> Result<()> {
        let _w = self.begin_write().await?;
        sqlx::query("INSERT INTO login_failures (throttle_key, at_ms) VALUES ($1, $2)")
            .bind(key.to_owned())
            .bind(self.clock.now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failures for a key within the last `window_ms`.
    pub async fn login_failures(&self, key: &str, window_ms: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at_ms > $2",
        )
        .bind(key.to_owned())
        .bind(self.clock.now_ms() - window_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        let _w = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(key.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- settings -------------------------------------------------------

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key.to_owned())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        let before = self.setting(key).await?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(key.to_owned())
            .bind(value.to_owned())
            .execute(&mut *w.tx)
            .await?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: &actor.name,
                action: "update",
                object_kind: "settings",
                object_id: None,
                before: before.map(|b| serde_json::json!({ key: b }).to_string()),
                after: Some(serde_json::json!({ key: value }).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }
}
