//! `rpm -qa` output.

use crate::{purl, OsRelease, Package};

/// The query format [`parse_rpm_qa`] expects.
pub(crate) const QUERYFORMAT: &str = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";

/// Parses the output of
/// `rpm -qa --queryformat '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n'`.
///
/// Version is `[epoch:]version-release`; an epoch of `(none)` (or empty) means no
/// epoch. An arch of `(none)` gives `None`. Blank and malformed lines (not five
/// tab-separated fields) are skipped, as are `gpg-pubkey` entries (imported signing
/// keys, not software). Packages come back in input order.
///
/// purl, per the purl-spec `rpm` type, carries the epoch as a qualifier:
/// `pkg:rpm/{os.id}/{name}@{version}-{release}?arch={arch}&distro={os.id}-{os.version_id}&epoch={epoch}`
/// (`fedora` and no `distro` without an os-release).
pub fn parse_rpm_qa(text: &str, os: Option<&OsRelease>) -> Vec<Package> {
    let namespace = purl::namespace(os, "fedora");
    let distro = purl::distro(os);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [name, epoch, version, release, arch] = fields.as_slice() else {
            continue;
        };
        if name.is_empty() || version.is_empty() || *name == "gpg-pubkey" {
            continue;
        }
        let epoch = none_if_unset(epoch);
        let arch = none_if_unset(arch);
        let vr = if release.is_empty() || *release == "(none)" {
            (*version).to_owned()
        } else {
            format!("{version}-{release}")
        };
        let full = match epoch {
            Some(e) => format!("{e}:{vr}"),
            None => vr.clone(),
        };
        let purl = purl::build(
            "rpm",
            &namespace,
            name,
            &vr,
            &[
                ("arch", arch),
                ("distro", distro.as_deref()),
                ("epoch", epoch),
            ],
        );
        out.push(Package {
            name: (*name).to_owned(),
            version: full,
            arch: arch.map(str::to_owned),
            source: None,
            purl,
        });
    }
    out
}

fn none_if_unset(s: &str) -> Option<&str> {
    (!s.is_empty() && s != "(none)").then_some(s)
}
