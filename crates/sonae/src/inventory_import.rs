//! `sonae import inventory FILE...`: Vuls scan results (one JSON file per
//! scanned server) as systems' components. A server becomes the system of
//! the same name (created when missing, in the department given); its
//! earlier Vuls components are replaced by the new scan, components entered
//! by hand or by other sources stay.

use anyhow::{bail, Context, Result};
use sonae_collect::{parse_vuls_result, VULS_RESULT_MAX_BYTES};
use sonae_domain::access::{Access, Actor};
use sonae_domain::inventory::Kind;
use sonae_domain::value::Value;
use sonae_store::Store;
use sonae_web::vuls::{components, system_name};
use std::io::Read;
use std::path::PathBuf;

pub struct Options {
    /// Department of systems created for servers seen the first time.
    pub department: Option<String>,
    /// Exposure of created systems: internet, intranet or isolated.
    pub exposure: String,
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
