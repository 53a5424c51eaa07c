//! One typed configuration: defaults, then the TOML file, then `SONAE_*`
//! environment variables, then command-line flags. Unknown keys are refused.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` (embedded, the default) or `postgres://…`.
    pub database_url: String,
    /// Address the server listens on.
    pub listen: String,
    /// The address users reach sonae at; https here turns on Secure cookies.
    pub base_url: String,
    /// File holding the secret key (created with a random key if missing).
    pub secret_key_file: PathBuf,
    /// Time zone dates are shown in.
    pub time_zone: String,
    /// Largest upload, in MiB.
    pub max_upload_mib: usize,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Hours after which a feed's last successful load counts as stale.
    pub feed_stale_hours: i64,
    /// Milliseconds between runs of the incremental re-match inside `serve` (0: never).
    pub match_interval_ms: u64,
    /// Feed URLs, API key, intervals (the `[sync]` table; SONAE_SYNC_* in the environment).
    pub sync: sonae_sync::SyncConfig,
    /// Mail server (the `[smtp]` table; SONAE_SMTP_* in the environment).
    pub smtp: sonae_notify::SmtpConfig,
    /// Notification timing and the housekeeping interval (the `[notify]`
    /// table; SONAE_NOTIFY_*).
    pub notify: sonae_notify::NotifyConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://sonae.db".into(),
            listen: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            secret_key_file: "sonae-secret.key".into(),
            time_zone: "Asia/Tokyo".into(),
            max_upload_mib: 10,
            log_format: "text".into(),
            feed_stale_hours: 48,
            match_interval_ms: 10_000,
            sync: sonae_sync::SyncConfig::default(),
            smtp: sonae_notify::SmtpConfig::default(),
            notify: sonae_notify::NotifyConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    // The database URL may hold a password; show only its scheme.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self.database_url.split(':').next().unwrap_or(""),
            )
            .field("listen", &self.listen)
            .field("base_url", &self.base_url)
            .field("secret_key_file", &self.secret_key_file)
            .field("time_zone", &self.time_zone)
            .field("max_upload_mib", &self.max_upload_mib)
            .field("smtp", &self.smtp)
            .field("notify", &self.notify)
            .finish()
    }
}

pub const ENV_KEYS: &[&str] = &[
    "DATABASE_URL",
    "LISTEN",
    "BASE_URL",
    "SECRET_KEY_FILE",
    "TIME_ZONE",
    "MAX_UPLOAD_MIB",
    "LOG_FORMAT",
    "FEED_STALE_HOURS",
    "MATCH_INTERVAL_MS",
];

/// Layer the sources. `base` carries per-command defaults (the demo's data
/// folder), `overrides` the command-line flags.
pub fn load(
    base: Config,
    file: Option<&Path>,
    overrides: &[(&str, String)],
) -> anyhow::Result<Config> {
    let mut fig = Figment::from(Serialized::defaults(base));
    if let Some(f) = file {
        if !f.exists() {
            anyhow::bail!("configuration file {} not found", f.display());
        }
        fig = fig.merge(Toml::file(f));
    }
    fig = fig.merge(Env::prefixed("SONAE_").only(ENV_KEYS));
    // SONAE_SYNC_NVD_API_KEY and friends set keys of the [sync] table.
    fig = fig.merge(Env::prefixed("SONAE_SYNC_").map(|k| format!("sync.{k}").into()));
    // SONAE_SMTP_HOST, SONAE_SMTP_PASSWORD (or _PASSWORD_FILE), SONAE_NOTIFY_DIGEST_HOUR …
    fig = fig.merge(Env::prefixed("SONAE_SMTP_").map(|k| format!("smtp.{k}").into()));
    fig = fig.merge(Env::prefixed("SONAE_NOTIFY_").map(|k| format!("notify.{k}").into()));
    for (k, v) in overrides {
        fig = fig.merge((*k, v.clone()));
    }
    let cfg: Config = fig
        .extract()
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    if cfg.notify.digest_hour > 23 {
        anyhow::bail!("configuration: notify.digest_hour must be 0–23");
    }
    if cfg.notify.lang != "ja" && cfg.notify.lang != "en" {
        anyhow::bail!("configuration: notify.lang must be ja or en");
    }
    if cfg.time_zone.parse::<chrono_tz::Tz>().is_err() {
        anyhow::bail!(
            "configuration: time_zone {:?} is not a known time zone",
            cfg.time_zone
        );
    }
    Ok(cfg)
}

/// Read the secret key, creating the file with a fresh random key (mode
/// 0600) the first time.
pub fn secret_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let key = hex::decode(text.trim())
            .map_err(|_| anyhow::anyhow!("{}: not a hex key", path.display()))?;
        if key.len() < 32 {
            anyhow::bail!("{}: the key must be at least 32 bytes", path.display());
        }
        return Ok(key);
    }
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    std::io::Write::write_all(&mut f, hex::encode(key).as_bytes())?;
    tracing::info!(path = %path.display(), "created a new secret key");
    Ok(key.to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sonae.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\ntime_zone = \"UTC\"\n").unwrap();
        let c = load(Config::default(), Some(&file), &[]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000");
        assert_eq!(c.time_zone, "UTC");
        let c = load(
            Config::default(),
            Some(&file),
            &[("listen", "127.0.0.1:9001".into())],
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:9001");
    }

    #[test]
    fn sync_table_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sonae.toml");
        std::fs::write(
            &file,
            "[sync]\nnvd_interval_min = 120\nnvd_url = \"http://mirror.example/nvd\"\n",
        )
        .unwrap();
        let c = load(Config::default(), Some(&file), &[]).unwrap();
        assert_eq!(c.sync.nvd_interval_min, 120);
        assert_eq!(c.sync.nvd_url, "http://mirror.example/nvd");
        assert_eq!(c.sync.kev_interval_min, 0, "unset keys keep their defaults");
        std::fs::write(&file, "[sync]\nnvd_intervall = 1\n").unwrap();
        assert!(
            load(Config::default(), Some(&file), &[]).is_err(),
            "typos in [sync] are refused"
        );
    }

    #[test]
    fn smtp_and_notify_tables_and_hidden_password() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sonae.toml");
        std::fs::write(
            &file,
            "[smtp]\nhost = \"mail.example.jp\"\nport = 2525\nstarttls = false\npassword = \"s3cret-pw\"\n[notify]\ndue_soon_days = 5\n",
        )
        .unwrap();
        let c = load(Config::default(), Some(&file), &[]).unwrap();
        assert_eq!(c.smtp.host, "mail.example.jp");
        assert_eq!(c.smtp.port, 2525);
        assert!(!c.smtp.starttls);
        assert_eq!(c.notify.due_soon_days, 5);
        assert_eq!(c.notify.escalate_after_days, 0);
        assert!(!format!("{c:?}").contains("s3cret-pw"));
        std::fs::write(&file, "[notify]\ndigest_hour = 24\n").unwrap();
        assert!(load(Config::default(), Some(&file), &[]).is_err());
        std::fs::write(&file, "[smtp]\nhots = \"x\"\n").unwrap();
        assert!(load(Config::default(), Some(&file), &[]).is_err());
    }

    #[test]
    fn unknown_keys_and_bad_zones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sonae.toml");
        std::fs::write(&file, "listne = \"x\"\n").unwrap();
        assert!(load(Config::default(), Some(&file), &[]).is_err());
        std::fs::write(&file, "time_zone = \"Mars/Olympus\"\n").unwrap();
        assert!(load(Config::default(), Some(&file), &[]).is_err());
    }

    #[test]
    fn secret_key_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        let a = secret_key(&p).unwrap();
        let b = secret_key(&p).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
    }
}
