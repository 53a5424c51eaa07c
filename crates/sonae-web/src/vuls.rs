//! Vuls scan results as a system's components: the rules shared by the
//! upload on a system's page and `sonae import inventory`.

use sonae_collect::ScannedHost;
use sonae_store::SourcedComponent;

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

/// The user's message for a file that is not a readable scan result,
/// naming the field or the limit.
pub fn error_text(ctx: &crate::ctx::Ctx, e: &sonae_collect::CollectError) -> String {
    use sonae_collect::CollectError as E;
    match e {
        E::VulsTooLarge { .. } => ctx.t("vuls-error-too-large"),
        E::VulsJson { source } => ctx.ta(
            "vuls-error-json",
            &[
                ("line", source.line().to_string()),
                ("column", source.column().to_string()),
            ],
        ),
        E::VulsNotObject { .. } => ctx.t("vuls-error-not-object"),
        E::VulsMissingField { field } => {
            ctx.ta("vuls-error-missing", &[("field", (*field).to_owned())])
        }
        E::VulsFieldType { path, .. } => ctx.ta("vuls-error-type", &[("field", path.clone())]),
        other => ctx.ta("vuls-error", &[("error", other.to_string())]),
    }
}
