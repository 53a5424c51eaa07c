//! Reading the installed software of a host.
//!
//! `sonae collect` runs on a system, reads its package database and submits the
//! packages as that system's components (the role MyJVN Version Checker plays in
//! IPA guidance). This crate is only the reading part: pure parsers for
//! `/etc/os-release`, the dpkg status database, `rpm -qa` output and the Alpine
//! apk database, plus [`collect_host`] / [`collect_from`] which pick the right one.
//! [`parse_vuls_result`] reads the same inventory (and Windows applications and
//! updates, and CPE names) from a Vuls scan result file instead.
//!
//! Every [`Package`] carries a package URL (purl, see
//! <https://github.com/package-url/purl-spec>).

mod apk;
mod dpkg;
mod error;
mod host;
mod os_release;
mod purl;
mod rpm;
mod stanza;
mod vuls;

pub use apk::parse_apk_installed;
pub use dpkg::parse_dpkg_status;
pub use error::CollectError;
pub use host::{collect_from, collect_host};
pub use os_release::parse_os_release;
pub use rpm::parse_rpm_qa;
pub use vuls::{parse_vuls_result, Application, ScannedHost, VULS_RESULT_MAX_BYTES};

/// One installed binary package.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Package {
    /// Binary package name as the package manager knows it.
    pub name: String,
    /// Full version as the package manager prints it: dpkg `[epoch:]upstream[-revision]`,
    /// rpm `[epoch:]version-release`, apk `version-rN`.
    pub version: String,
    /// Architecture (`amd64`, `x86_64`, `noarch`, `all` …), when recorded.
    pub arch: Option<String>,
    /// Source package (dpkg `Source:` name without its `(version)`, apk origin `o:`,
    /// the Vuls `SrcPackages` entry listing it), only when the input records one.
    /// For dpkg, a missing `Source:` means the source package has the same name as
    /// the binary package.
    pub source: Option<String>,
    /// Package URL, e.g. `pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12`.
    pub purl: String,
}

/// The interesting part of `/etc/os-release`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OsRelease {
    /// `ID` (`debian`, `ubuntu`, `rocky`, `alpine` …); `linux` when absent, as the
    /// os-release specification says.
    pub id: String,
    /// `VERSION_ID` (`12`, `20.04`, `3.19.1`); absent on e.g. Debian sid.
    pub version_id: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split on whitespace.
    pub id_like: Vec<String>,
}
