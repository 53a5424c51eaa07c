//! `sonae import inventory FILE...`: Vuls scan results (one JSON file per
//! scanned server) as systems' components. A server becomes the system of
//! the same name (created when missing, in the department given); its
//! earlier Vuls components are replaced by the new scan, components entered
//! by hand or by other sources stay.

use anyhow::{bail, Context, Result};
use sonae_collect::{parse_vuls_result, ScannedHost, VULS_RESULT_MAX_BYTES};
use sonae_domain::access::{Access, Actor};
use sonae_domain::inventory::Kind;
use sonae_domain::value::Value;
use sonae_store::{SourcedComponent, Store};
use std::io::Read;
use std::path::PathBuf;

pub struct Options {
    /// Department of systems created for servers seen the first time.
    pub department: Option<String>,
    /// Exposure of created systems: internet, intranet or isolated.
    pub exposure: String,
}

/// The system name of a scanned host: `container@server` for a container.
pub fn system_name(h: &ScannedHost) -> String {
    match &h.container {
        Some(c) => format!("{c}@{}", h.server_name),
        None => h.server_name.clone(),
    }
}

/// What a scan result holds, as components: packages (with their package
/// URL), installed applications, the Windows release with its build, and
/// the CPE names listed for the server.
pub fn components(h: &ScannedHost) -> Vec<SourcedComponent> {
    let mut out: Vec<SourcedComponent> = h
        .packages
        .iter()
        .map(|p| SourcedComponent {
            vendor: None,
            product: p.name.clone(),
            version: Some(p.version.clone()),
            cpe: None,
            purl: Some(p.purl.clone()),
        })
        .collect();
    if h.family.eq_ignore_ascii_case("windows") && !h.release.trim().is_empty() {
        // Microsoft's CVE records name the release without the architecture
        // ("Windows 10 Version 21H2") and give build-number ranges.
        let mut product = h.release.trim().to_owned();
        for arch in [
            " for x64-based Systems",
            " for 32-bit Systems",
            " for ARM64-based Systems",
            " for Itanium-Based Systems",
        ] {
            if let Some(p) = product.strip_suffix(arch) {
                product = p.to_owned();
            }
        }
        out.push(SourcedComponent {
            vendor: Some("Microsoft".into()),
            product,
            version: h.windows_build.clone(),
            cpe: None,
            purl: None,
        });
    }
    for a in &h.applications {
        out.push(SourcedComponent {
            vendor: a.vendor.clone(),
            product: a.name.clone(),
            version: a.version.clone(),
            cpe: None,
            purl: None,
        });
    }
    for c in &h.cpes {
        let parsed = if c.trim_start().starts_with("cpe:/") {
            sonae_match::cpe::Cpe23::parse_uri22(c.trim())
        } else {
            sonae_match::cpe::Cpe23::parse(c.trim())
        };
        let Ok(cpe) = parsed else { continue };
        let text = |v: &sonae_match::cpe::AttrValue| v.as_text().map(str::to_owned);
        out.push(SourcedComponent {
            vendor: text(&cpe.vendor),
            product: text(&cpe.product).unwrap_or_else(|| c.clone()),
            version: text(&cpe.version).filter(|v| v != "-"),
            cpe: Some(cpe.to_formatted_string()),
            purl: None,
        });
    }
    out
}

pub async fn run(store: &Store, files: &[PathBuf], o: &Options) -> Result<()> {
    if !matches!(o.exposure.as_str(), "internet" | "intranet" | "isolated") {
        bail!(
            "--exposure must be internet, intranet or isolated (not {:?})",
            o.exposure
        );
    }
    let actor = Actor::system();
    let mut failed = 0;
    for f in files {
        match import_one(store, &actor, f, o).await {
            Ok(line) => println!("{}: {line}", f.display()),
            Err(e) => {
                eprintln!("error: {}: {e:#}", f.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} file(s) failed", files.len());
    }
    Ok(())
}

async fn import_one(store: &Store, actor: &Actor, path: &PathBuf, o: &Options) -> Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .context("cannot open")?
        .take(VULS_RESULT_MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .context("cannot read")?;
    let host = parse_vuls_result(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = system_name(&host);
    let systems = store.titles(actor, Kind::System, Access::Write).await?;
    let (id, created) = match systems.iter().find(|(_, n)| *n == name) {
        Some((id, _)) => (*id, false),
        None => {
            let Some(dept) = &o.department else {
                bail!("no system is named {name:?}: give --department NAME to create it");
            };
            let depts = store.titles(actor, Kind::Department, Access::Read).await?;
            let Some((dept_id, _)) = depts.iter().find(|(_, n)| n == dept) else {
                bail!("--department: no department is named {dept:?}");
            };
            let mut v = sonae_domain::Values::new();
            v.insert("name", Value::Text(name.clone()));
            v.insert("owner_department_id", Value::Int(*dept_id));
            v.insert("exposure", Value::Text(o.exposure.clone()));
            for cia in ["confidentiality", "integrity", "availability"] {
                v.insert(cia, Value::Int(2));
            }
            for flag in ["personal_data", "customer_data", "critical_data"] {
                v.insert(flag, Value::Int(0));
            }
            v.insert(
                "notes",
                Value::Text(format!(
                    "Vuls scan result: {} {}",
                    host.family, host.release
                )),
            );
            let rec = store
                .create(actor, Kind::System, v)
                .await
                .with_context(|| format!("creating system {name:?}"))?;
            (rec.id, true)
        }
    };
    let items = components(&host);
    let s = store.replace_sourced(actor, id, "vuls", &items).await?;
    Ok(format!(
        "{} system {name:?}: {} components ({} added, {} updated, {} removed, {} unchanged)",
        if created { "new" } else { "existing" },
        items.len(),
        s.added,
        s.updated,
        s.removed,
        s.unchanged
    ))
}
