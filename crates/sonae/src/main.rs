//! The `sonae` binary: serve, demo, migrate, user, audit, backup, restore.

mod bench;
mod bench_match;
mod collect;
mod config;
mod demo;
mod demo_continuity;
mod import;
mod inventory_import;
mod jobs;
mod matching;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use config::Config;
use sonae_domain::{Actor, Role, SystemClock};
use sonae_store::{NewUser, Store};
use sonae_web::auth::hash_password;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "sonae",
    version,
    about = "sonae (備え): security operations and business continuity for small organizations"
)]
struct Cli {
    /// Configuration file (TOML). Also SONAE_CONFIG.
    #[arg(long, global = true, env = "SONAE_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL (overrides the file and SONAE_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Listen address (overrides the file and SONAE_LISTEN).
    #[arg(long, global = true)]
    listen: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve,
    /// Run with a demo organization on an embedded database in ./sonae-demo.
    Demo {
        /// Folder for the demo database and key.
        #[arg(long, default_value = "sonae-demo")]
        data: PathBuf,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check or export the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load feed files (air-gapped sites): nvd, jvn, kev, epss, osv or cve5 (the CVE Program's
    /// bulk zip, a delta zip, a folder or single records); gzip and zip are read as they ship.
    ///
    /// `sonae import inventory FILE...` reads Vuls scan results instead: each scanned server
    /// becomes the system of the same name (created in --department when missing) and its
    /// packages, applications and CPE names that system's components.
    Import {
        feed: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// inventory: the department of systems created for new servers (its name).
        #[arg(long)]
        department: Option<String>,
        /// inventory: the exposure of created systems (internet, intranet, isolated).
        #[arg(long, default_value = "intranet")]
        exposure: String,
    },
    /// Match every component against the stored vulnerabilities (a full re-match);
    /// with --pending only what changed since the last match.
    Match {
        /// Re-match only the components and feed records changed since the last match.
        #[arg(long)]
        pending: bool,
    },
    /// Notifications by e-mail and webhook.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Read this host's installed packages (dpkg, rpm, apk) and submit them as a system's components.
    Collect {
        /// sonae's address, e.g. https://sonae.example.jp
        #[arg(long)]
        server: Option<String>,
        /// API token (better: SONAE_COLLECT_TOKEN, which stays out of the process list).
        #[arg(long, env = "SONAE_COLLECT_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// The system's id in sonae.
        #[arg(long)]
        system: Option<i64>,
        /// Print what would be sent, send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Read a mounted root file system instead of this host.
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Feed synchronization.
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
    /// Benchmarks: import FILES of a feed into a fresh database and compare with a bare parse;
    /// `bench match NVD-FILES...` matches a synthetic 1,000,000-component inventory in memory.
    Bench {
        feed: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Business continuity chores.
    Continuity {
        #[command(subcommand)]
        command: ContinuityCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while running.
    Backup { file: PathBuf },
    /// Replace the SQLite database with a verified backup FILE (server stopped).
    Restore {
        file: PathBuf,
        /// Overwrite an existing database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account. The password is read from stdin with --password-stdin, else generated and printed once.
    Add {
        username: String,
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Department name (system owners).
        #[arg(long)]
        department: Option<String>,
        /// Vendor name (vendor accounts).
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// One pass now: expire risk acceptances, refresh priorities, send
    /// what is due (for cron; `sonae serve` does this every few minutes).
    Run,
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Per feed: last success, age of the data, record counts, last error.
    Status,
    /// Sync feeds now (nvd, jvn, kev, epss, osv, or all): a full load the
    /// first time, then what changed; an interrupted run resumes.
    Run {
        #[arg(default_value = "all")]
        feed: String,
    },
}

#[derive(Subcommand)]
enum ContinuityCommand {
    /// Create one improvement action per overdue restore test (idempotent; run it from cron).
    Check,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits non-zero if any entry was altered or removed.
    Verify,
    /// Write the log as JSON lines to FILE ("-" for stdout).
    Export { file: PathBuf },
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

fn overrides(cli: &Cli) -> Vec<(&'static str, String)> {
    let mut o = Vec::new();
    if let Some(u) = &cli.database_url {
        o.push(("database_url", u.clone()));
    }
    if let Some(l) = &cli.listen {
        o.push(("listen", l.clone()));
    }
    o
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let base = match &cli.command {
        Command::Demo { data } => Config {
            database_url: format!("sqlite://{}", data.join("sonae.db").display()),
            secret_key_file: data.join("secret.key"),
            ..Config::default()
        },
        _ => Config::default(),
    };
    let cfg = config::load(base, cli.config.as_deref(), &overrides(&cli))?;
    init_logs(&cfg.log_format);
    match &cli.command {
        Command::Serve => {
            let store = open(&cfg).await?;
            serve(cfg, store, None).await
        }
        Command::Demo { data } => demo(cfg, data).await,
        Command::Migrate => {
            let store = Store::connect(&cfg.database_url, Arc::new(SystemClock)).await?;
            let before = store.pending_migrations().await.unwrap_or(0);
            store.migrate().await?;
            println!("migrations applied: {before}");
            Ok(())
        }
        Command::User { command } => user(&cfg, command).await,
        Command::Audit { command } => audit(&cfg, command).await,
        Command::Backup { file } => {
            let store = open(&cfg).await?;
            store.backup_to(&file.display().to_string()).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file, force } => restore(&cfg, file, *force).await,
        Command::Import {
            feed,
            files,
            department,
            exposure,
        } if feed == "inventory" => {
            let store = open(&cfg).await?;
            let o = inventory_import::Options {
                department: department.clone(),
                exposure: exposure.clone(),
            };
            inventory_import::run(&store, files, &o).await?;
            // Findings for what changed, as the server's background match would.
            crate::matching::run_pending(&store).await.map(|_| ())
        }
        Command::Import { feed, files, .. } => {
            let feed = parse_feed(feed)?;
            let store = open(&cfg).await?;
            import::run(&store, feed, files).await
        }
        Command::Sync {
            command: SyncCommand::Status,
        } => {
            let store = open(&cfg).await?;
            sync_status(&store).await
        }
        Command::Sync {
            command: SyncCommand::Run { feed },
        } => sync_run(&cfg, feed).await,
        Command::Collect {
            server,
            token,
            system,
            dry_run,
            root,
        } => {
            collect::run(collect::Options {
                server: server.as_deref(),
                token: token.as_deref(),
                system: *system,
                dry_run: *dry_run,
                root: root.as_deref(),
            })
            .await
        }
        Command::Match { pending: false } => {
            let store = open(&cfg).await?;
            matching::run(&store).await
        }
        Command::Notify {
            command: NotifyCommand::Run,
        } => {
            let store = open(&cfg).await?;
            let n = notifier(&cfg, store.clone())?;
            let r = jobs::pass(&store, &n).await?;
            println!(
                "mails sent {}, failed {}; webhooks sent {}, failed {}; digests {}",
                r.mails_sent, r.mails_failed, r.webhooks_sent, r.webhooks_failed, r.digests_sent
            );
            if r.mails_failed + r.webhooks_failed > 0 {
                bail!("some notifications failed; they are retried on a later run");
            }
            Ok(())
        }
        Command::Match { pending: true } => {
            let store = open(&cfg).await?;
            let p = matching::run_pending(&store).await?;
            if !p.full {
                println!(
                    "re-matched {} changed components and {} changed feed records: {} new, {} unchanged, {} no longer matching removed, {} decisions re-opened",
                    p.components, p.sources, p.stats.added, p.stats.kept, p.stats.removed, p.stats.reopened
                );
            }
            Ok(())
        }
        Command::Bench { feed, files } if feed == "match" => bench_match::run(files).await,
        Command::Bench { feed, files } => bench::run(parse_feed(feed)?, files).await,
        Command::Continuity {
            command: ContinuityCommand::Check,
        } => {
            let store = open(&cfg).await?;
            let made = store.continuity_check(&Actor::system()).await?;
            println!(
                "restore tests overdue, new improvement actions: {}",
                made.len()
            );
            Ok(())
        }
    }
}

fn parse_feed(s: &str) -> Result<sonae_domain::vuln::Feed> {
    sonae_domain::vuln::Feed::parse(s)
        .with_context(|| format!("unknown feed {s}; one of: nvd, jvn, kev, epss, osv, cve5"))
}

async fn sync_status(store: &Store) -> Result<()> {
    use sonae_domain::Clock;
    let now = SystemClock.now_ms();
    let states = store.feed_states().await?;
    println!(
        "{:<6} {:<22} {:>10} {:>10} {:>8}  last error",
        "feed", "last success (UTC)", "data age", "records", "skipped"
    );
    for feed in sonae_domain::vuln::Feed::ALL {
        let st = states
            .iter()
            .find(|s| s.feed == feed.as_str())
            .cloned()
            .unwrap_or_default();
        let when = st
            .last_success_ms
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "never".into());
        let age = st
            .data_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| format!("{}d", (now - t.timestamp_millis()) / 86_400_000))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<6} {:<22} {:>10} {:>10} {:>8}  {}",
            feed.as_str(),
            when,
            age,
            st.records,
            st.skipped,
            st.last_error.unwrap_or_default()
        );
    }
    Ok(())
}

async fn sync_run(cfg: &Config, feed: &str) -> Result<()> {
    let feeds = if feed == "all" {
        sonae_domain::vuln::Feed::ALL.to_vec()
    } else {
        vec![parse_feed(feed)?]
    };
    let store = open(cfg).await?;
    let syncer = syncer(cfg, store);
    let mut failed = 0;
    for f in feeds {
        match syncer.sync(f).await {
            Ok(r) if r.busy => {
                println!("{}: another node is syncing this feed; skipped", f.as_str())
            }
            Ok(r) => println!(
                "{}: {} records, {} skipped, {} requests{}",
                f.as_str(),
                r.records,
                r.skipped,
                r.requests,
                if r.resumed { " (resumed)" } else { "" }
            ),
            Err(e) => {
                failed += 1;
                eprintln!(
                    "{}: {e} (the last good data stays; run again to resume)",
                    f.as_str()
                );
            }
        }
    }
    if failed > 0 {
        bail!("{failed} feed(s) failed");
    }
    Ok(())
}

fn syncer(cfg: &Config, store: Store) -> sonae_sync::Syncer {
    sonae_sync::Syncer {
        store,
        config: cfg.sync.clone(),
        clock: Arc::new(SystemClock),
        node: format!("{}-{}", hostname(), std::process::id()),
    }
}

fn notifier(cfg: &Config, store: Store) -> Result<sonae_notify::Notifier> {
    let i18n = sonae_web::I18n::load().map_err(|e| anyhow::anyhow!("message catalogs: {e}"))?;
    Ok(sonae_notify::Notifier::new(
        store,
        i18n,
        &cfg.smtp,
        cfg.notify.clone(),
        cfg.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo),
        &cfg.base_url,
    )?)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "sonae".into())
}

async fn open(cfg: &Config) -> Result<Store> {
    if let Some(path) = sqlite_path(&cfg.database_url) {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    Store::open(&cfg.database_url, Arc::new(SystemClock))
        .await
        .context("opening the database")
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn serve(
    cfg: Config,
    store: Store,
    ready: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> Result<()> {
    let key = config::secret_key(&cfg.secret_key_file)?;
    let i18n = sonae_web::I18n::load().map_err(|e| anyhow::anyhow!("message catalogs: {e}"))?;
    let listener = match tokio::net::TcpListener::bind(&cfg.listen).await {
        Ok(l) => l,
        Err(e) => bail!("cannot listen on {}: {e}", cfg.listen),
    };
    let addr = listener.local_addr()?;
    let state = sonae_web::AppState {
        store: store.clone(),
        i18n,
        config: Arc::new(sonae_web::WebConfig {
            base_url: cfg.base_url.clone(),
            secret_key: key,
            secure_cookies: cfg.base_url.starts_with("https://"),
            time_zone: cfg.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo),
            max_upload_bytes: cfg.max_upload_mib * 1024 * 1024,
            feed_stale_hours: cfg.feed_stale_hours,
        }),
    };
    let app = sonae_web::router(state);
    // Scheduled feed syncs (intervals in the [sync] table; none by default).
    let mut schedules = sonae_sync::spawn_scheduler(Arc::new(syncer(&cfg, store.clone())));
    // Acceptances, priorities and notifications ([notify] interval_min).
    schedules.extend(jobs::spawn_housekeeping(
        store.clone(),
        Arc::new(notifier(&cfg, store.clone())?),
        cfg.notify.interval_min,
    ));
    // The incremental re-match: what the forms, the API, imports and syncs changed.
    schedules.push(tokio::spawn(matching::pending_loop(
        store.clone(),
        std::time::Duration::from_millis(cfg.match_interval_ms),
    )));
    tracing::info!(%addr, "listening");
    if let Some(tx) = ready {
        let _ = tx.send(addr);
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    for s in schedules {
        s.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Finish running requests on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn generated_password() -> String {
    let mut b = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

fn read_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        let p = s.trim_end_matches(['\n', '\r']).to_owned();
        if p.chars().count() < sonae_web::auth::MIN_PASSWORD_CHARS {
            bail!(
                "the password must have at least {} characters",
                sonae_web::auth::MIN_PASSWORD_CHARS
            );
        }
        Ok((p, false))
    } else {
        Ok((generated_password(), true))
    }
}

async fn user(cfg: &Config, cmd: &UserCommand) -> Result<()> {
    let store = open(cfg).await?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            display_name,
            department,
            vendor,
            password_stdin,
        } => {
            if !sonae_web::auth::valid_username(username) {
                bail!("user name may use letters, digits and . _ - @ (up to 64)");
            }
            let role = Role::parse(role).with_context(|| {
                format!(
                    "unknown role {role}; one of: {}",
                    Role::ALL.map(|r| r.as_str()).join(", ")
                )
            })?;
            let department_id = match department {
                Some(d) => Some(
                    demo::department_id(&store, d)
                        .await?
                        .with_context(|| format!("no department named {d}"))?,
                ),
                None => None,
            };
            let vendor_id = match vendor {
                Some(v) => Some(
                    demo::vendor_id(&store, v)
                        .await?
                        .with_context(|| format!("no vendor named {v}"))?,
                ),
                None => None,
            };
            match sonae_domain::access::missing_account_link(role, department_id, vendor_id) {
                Some("department_id") => bail!("a system owner needs --department"),
                Some(_) => bail!("a vendor account needs --vendor"),
                None => {}
            }
            let (password, generated) = read_password(*password_stdin)?;
            let hash = hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
            let u = store
                .create_user(
                    &Actor::system(),
                    NewUser {
                        username: username.clone(),
                        display_name: display_name.clone().unwrap_or_else(|| username.clone()),
                        email: None,
                        role,
                        department_id,
                        vendor_id,
                        password_hash: hash,
                    },
                )
                .await
                .map_err(|e| match e {
                    sonae_store::StoreError::Conflict(_) => {
                        anyhow::anyhow!("user {username} already exists")
                    }
                    e => e.into(),
                })?;
            println!("added {} ({})", u.username, u.role.as_str());
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let u = store
                .user_by_name(username)
                .await?
                .with_context(|| format!("no user {username}"))?;
            let (password, generated) = read_password(*password_stdin)?;
            let hash = hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
            store.set_password(&Actor::system(), u.id, hash).await?;
            println!("password changed for {username}");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
    }
    Ok(())
}

async fn audit(cfg: &Config, cmd: &AuditCommand) -> Result<()> {
    let store = open(cfg).await?;
    match cmd {
        AuditCommand::Verify => {
            let (n, breaks) = store.audit_verify().await?;
            if breaks.is_empty() {
                println!("audit log intact: {n} entries verified");
                Ok(())
            } else {
                for b in &breaks {
                    println!("BROKEN: {b:?}");
                }
                bail!(
                    "audit log verification failed: {} problem(s) in {n} entries",
                    breaks.len()
                )
            }
        }
        AuditCommand::Export { file } => {
            let mut out: Box<dyn std::io::Write> = if file.as_os_str() == "-" {
                Box::new(std::io::stdout().lock())
            } else {
                Box::new(std::io::BufWriter::new(std::fs::File::create(file)?))
            };
            let n = store
                .audit_for_each(|e| {
                    serde_json::to_writer(&mut out, e).map_err(std::io::Error::other)?;
                    out.write_all(b"\n")
                })
                .await?;
            out.flush()?;
            eprintln!("{n} entries exported");
            Ok(())
        }
    }
}

/// Restore: check the backup is a sound sonae database with an intact audit
/// chain, then put it in place atomically (copy beside, rename over).
async fn restore(cfg: &Config, file: &Path, force: bool) -> Result<()> {
    let target = sqlite_path(&cfg.database_url)
        .context("restore works on SQLite; for PostgreSQL use pg_restore (see README)")?;
    if !file.exists() {
        bail!("{} not found", file.display());
    }
    {
        let backup = Store::connect(
            &format!("sqlite://{}?mode=ro", file.display()),
            Arc::new(SystemClock),
        )
        .await?;
        backup.integrity_check().await?;
        if backup.pending_migrations().await? > 0 && backup.user_count().await.is_err() {
            bail!("{} is not a sonae database", file.display());
        }
        let (n, breaks) = backup
            .audit_verify()
            .await
            .context("reading the backup's audit log")?;
        if !breaks.is_empty() {
            bail!(
                "the backup's audit log is broken ({} problems); not restoring",
                breaks.len()
            );
        }
        backup.close().await;
        println!("backup verified: {n} audit entries intact");
    }
    if target.exists() && !force {
        bail!(
            "{} exists; stop the server and pass --force to replace it",
            target.display()
        );
    }
    let tmp = target.with_extension("restore-tmp");
    std::fs::copy(file, &tmp)?;
    for suffix in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", target.display()));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    std::fs::rename(&tmp, &target)?;
    let store = open(cfg).await?;
    store.integrity_check().await?;
    println!("restored {} from {}", target.display(), file.display());
    Ok(())
}

async fn demo(cfg: Config, data: &Path) -> Result<()> {
    std::fs::create_dir_all(data)?;
    let store = open(&cfg).await?;
    if demo::load(&store).await? {
        println!("loaded the demo organization into {}", cfg.database_url);
    }
    // Fresh passwords on every start, printed so the demo can be walked through.
    let mut logins = Vec::new();
    let admin_pw = generated_password();
    let admin_hash = hash_password(&admin_pw).map_err(|e| anyhow::anyhow!(e))?;
    match store.user_by_name("admin").await? {
        Some(u) => {
            store
                .set_password(&Actor::system(), u.id, admin_hash)
                .await?;
        }
        None => {
            store
                .create_user(
                    &Actor::system(),
                    NewUser {
                        username: "admin".into(),
                        display_name: "管理者 (admin)".into(),
                        email: None,
                        role: Role::Admin,
                        department_id: None,
                        vendor_id: None,
                        password_hash: admin_hash,
                    },
                )
                .await?;
        }
    }
    logins.push(("admin".to_owned(), Role::Admin, admin_pw));
    for du in demo::DEMO_USERS {
        let pw = generated_password();
        let hash = hash_password(&pw).map_err(|e| anyhow::anyhow!(e))?;
        match store.user_by_name(du.username).await? {
            Some(u) => {
                store.set_password(&Actor::system(), u.id, hash).await?;
            }
            None => {
                store
                    .create_user(&Actor::system(), du.new_user(&store, hash).await?)
                    .await?;
            }
        }
        logins.push((du.username.to_owned(), du.role, pw));
    }
    // Processes, BIA, plans, backups and a finished exercise (DESIGN §6).
    demo_continuity::load(&store).await?;
    if demo::load_findings(&store, data).await? {
        println!("matched the demo inventory against the bundled feed records");
    }
    demo::load_incident(&store).await?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut cfg = cfg;
    // Prefer the configured port; if it is taken, any free loopback port.
    if tokio::net::TcpListener::bind(&cfg.listen).await.is_err() {
        cfg.listen = "127.0.0.1:0".into();
    }
    let server = tokio::spawn(serve(cfg, store, Some(tx)));
    if let Ok(addr) = rx.await {
        println!();
        println!("sonae demo is running at http://127.0.0.1:{}", addr.port());
        println!("first login: admin / {}", logins[0].2);
        println!("other demo accounts (one per role):");
        for (name, role, pw) in &logins[1..] {
            println!("  {name:<10} {:<17} {pw}", role.as_str());
        }
        println!("stop with Ctrl-C");
    }
    server.await?
}
