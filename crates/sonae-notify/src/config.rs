//! The `[smtp]` and `[notify]` tables of the configuration.

use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// Mail server; empty: no e-mail is sent (webhooks still are).
    pub host: String,
    pub port: u16,
    /// Sender address, e.g. `sonae <sonae@example.jp>`.
    pub from: String,
    pub username: Option<String>,
    /// Prefer `password_file` or SONAE_SMTP_PASSWORD; never logged.
    pub password: Option<String>,
    pub password_file: Option<std::path::PathBuf>,
    /// STARTTLS (required when on); off: plain SMTP, for a relay on the
    /// same host or network.
    pub starttls: bool,
    pub timeout_s: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 587,
            from: "sonae@localhost".into(),
            username: None,
            password: None,
            password_file: None,
            starttls: true,
            timeout_s: 30,
        }
    }
}

impl std::fmt::Debug for SmtpConfig {
    // The password never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("password_file", &self.password_file)
            .field("starttls", &self.starttls)
            .finish()
    }
}

impl SmtpConfig {
    /// The password: the file's first line if a file is named, else the value.
    pub fn resolved_password(&self) -> std::io::Result<Option<String>> {
        match &self.password_file {
            Some(p) => Ok(std::fs::read_to_string(p)?
                .lines()
                .next()
                .map(str::to_owned)),
            None => Ok(self.password.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// Minutes between housekeeping passes inside `sonae serve` (expire
    /// acceptances, refresh priorities, notify); 0 = off.
    pub interval_min: u64,
    /// "Due soon" this many days before the due date.
    pub due_soon_days: i64,
    /// Escalate to the department head this many days after the due date.
    pub escalate_after_days: i64,
    /// Local hour (in `time_zone`) from which the daily digest goes out.
    pub digest_hour: u32,
    /// Language of webhook texts and of mails to department heads.
    pub lang: String,
    pub webhook_timeout_s: u64,
    /// Tries of one webhook post within a pass.
    pub webhook_tries: u32,
    /// First wait before retrying a failed notification in a later pass;
    /// doubled each time.
    pub retry_min: i64,
    /// Attempts before a notification is given up (and logged as such).
    pub max_attempts: i64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            interval_min: 5,
            due_soon_days: 3,
            escalate_after_days: 0,
            digest_hour: 8,
            lang: "ja".into(),
            webhook_timeout_s: 10,
            webhook_tries: 2,
            retry_min: 10,
            max_attempts: 6,
        }
    }
}
