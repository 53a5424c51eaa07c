//! `sonae collect`: read the packages installed on this host (dpkg, rpm,
//! apk) and submit them as a system's components, with an API token — the
//! role MyJVN Version Checker plays in the IPA guidance.

use anyhow::{bail, Context, Result};
use std::path::Path;

pub struct Options<'a> {
    pub server: Option<&'a str>,
    pub token: Option<&'a str>,
    pub system: Option<i64>,
    pub dry_run: bool,
    /// Read a mounted image instead of this host (no rpm command there).
    pub root: Option<&'a Path>,
}

pub async fn run(o: Options<'_>) -> Result<()> {
    let (os, packages) = match o.root {
        Some(r) => sonae_collect::collect_from(r),
        None => sonae_collect::collect_host(),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let body = serde_json::json!({
        "os": os,
        "packages": packages,
    });
    if o.dry_run {
        println!("{}", serde_json::to_string_pretty(&body)?);
        eprintln!(
            "{} packages on {} (dry run: nothing sent)",
            packages.len(),
            os.pretty_name.as_deref().unwrap_or(&os.id)
        );
        return Ok(());
    }
    let (Some(server), Some(token), Some(system)) = (o.server, o.token, o.system) else {
        bail!(
            "--server, --token (or SONAE_COLLECT_TOKEN) and --system are needed unless --dry-run"
        );
    };
    let url = format!(
        "{}/api/v1/systems/{system}/collected",
        server.trim_end_matches('/')
    );
    let resp = reqwest::Client::new()
        .put(&url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("sending to {url}"))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{url}: HTTP {}: {text}", status.as_u16());
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    println!(
        "{} packages sent: {} added, {} updated, {} removed, {} unchanged",
        packages.len(),
        v["added"],
        v["updated"],
        v["removed"],
        v["unchanged"]
    );
    Ok(())
}
