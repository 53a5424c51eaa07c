//! dpkg status database (`/var/lib/dpkg/status`).

use crate::{purl, stanza::stanzas, OsRelease, Package};

/// Parses the dpkg status database: RFC 822 style stanzas separated by blank lines,
/// `Field: value` lines, continuation lines starting with a space or tab.
///
/// Only packages that are actually installed are returned: `Status` must be
/// `install ok installed` or `hold ok installed` (removed, config-files,
/// half-configured, unpacked … stanzas are skipped, as are stanzas without
/// `Package` or `Version`). `Version` is kept as written, epoch included
/// (`1:2.37.2-4`). `Source: util-linux (2.37.2-4)` gives source `util-linux`.
/// Packages come back in file order.
///
/// purl: `pkg:deb/{os.id}/{name}@{version}?arch={arch}&distro={os.id}-{os.version_id}`
/// (`debian` and no `distro` without an os-release).
pub fn parse_dpkg_status(text: &str, os: Option<&OsRelease>) -> Vec<Package> {
    let namespace = purl::namespace(os, "debian");
    let distro = purl::distro(os);
    let mut out = Vec::new();
    for st in stanzas(text) {
        let mut name = None;
        let mut version = None;
        let mut arch = None;
        let mut source = None;
        let mut status = None;
        for line in st {
            if line.starts_with([' ', '\t']) {
                continue; // continuation of a multi-line field (Description, Conffiles …)
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "package" => name = Some(value),
                "version" => version = Some(value),
                "architecture" => arch = Some(value),
                "source" => source = Some(value),
                "status" => status = Some(value),
                _ => {}
            }
        }
        let (Some(name), Some(version)) = (name, version) else {
            continue;
        };
        if name.is_empty() || version.is_empty() || !status.is_some_and(is_installed) {
            continue;
        }
        let arch = arch.filter(|a| !a.is_empty()).map(str::to_owned);
        let source = source
            .and_then(|s| s.split_whitespace().next())
            .map(str::to_owned);
        let purl = purl::build(
            "deb",
            &namespace,
            &name.to_ascii_lowercase(),
            version,
            &[
                ("arch", arch.as_deref()),
                ("distro", distro.as_deref()),
                // OSV's Debian and Ubuntu advisories name source packages.
                ("upstream", source.as_deref().filter(|s| *s != name)),
            ],
        );
        out.push(Package {
            name: name.to_owned(),
            version: version.to_owned(),
            arch,
            source,
            purl,
        });
    }
    out
}

/// `want flag status`: want install or hold, flag ok, status installed.
fn is_installed(status: &str) -> bool {
    let mut words = status.split_whitespace();
    matches!(
        (words.next(), words.next(), words.next(), words.next()),
        (
            Some("install" | "hold"),
            Some("ok"),
            Some("installed"),
            None
        )
    )
}
