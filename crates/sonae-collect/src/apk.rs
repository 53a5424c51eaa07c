//! Alpine apk installed database (`/lib/apk/db/installed`).

use crate::{purl, stanza::stanzas, OsRelease, Package};

/// Parses the apk installed database: blank-line separated stanzas of `X:value`
/// lines with single-letter keys; `P` name, `V` version, `A` arch, `o` origin
/// (the source package, reported as [`Package::source`]). Every stanza in this
/// file is an installed package; stanzas without `P` or `V` are skipped.
///
/// purl: `pkg:apk/{os.id}/{name}@{version}?arch={arch}&distro={os.id}-{os.version_id}`
/// (`alpine` and no `distro` without an os-release).
pub fn parse_apk_installed(text: &str, os: Option<&OsRelease>) -> Vec<Package> {
    let namespace = purl::namespace(os, "alpine");
    let distro = purl::distro(os);
    let mut out = Vec::new();
    for st in stanzas(text) {
        let (mut name, mut version, mut arch, mut origin) = (None, None, None, None);
        for line in st {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key {
                "P" => name = Some(value),
                "V" => version = Some(value),
                "A" => arch = Some(value),
                "o" => origin = Some(value),
                _ => {}
            }
        }
        let (Some(name), Some(version)) = (name, version) else {
            continue;
        };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let arch = arch.filter(|a| !a.is_empty()).map(str::to_owned);
        let origin = origin.filter(|o| !o.is_empty() && *o != name);
        let purl = purl::build(
            "apk",
            &namespace,
            &name.to_ascii_lowercase(),
            version,
            &[
                ("arch", arch.as_deref()),
                ("distro", distro.as_deref()),
                // OSV's Alpine advisories name the origin (source) package.
                ("upstream", origin),
            ],
        );
        out.push(Package {
            name: name.to_owned(),
            version: version.to_owned(),
            arch,
            source: origin.map(str::to_owned),
            purl,
        });
    }
    out
}
