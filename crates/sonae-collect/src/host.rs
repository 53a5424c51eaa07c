//! Choosing and reading the package database of a host.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{
    parse_apk_installed, parse_dpkg_status, parse_os_release, parse_rpm_qa, rpm, CollectError,
    OsRelease, Package,
};

const OS_RELEASE: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];
const DPKG_STATUS: &str = "var/lib/dpkg/status";
const APK_INSTALLED: &str = "lib/apk/db/installed";

/// Reads the host this runs on: os-release from `/etc/os-release` (or
/// `/usr/lib/os-release`); then the dpkg status database if
/// `/var/lib/dpkg/status` exists, else `rpm -qa` if `rpm` is on `PATH`, else
/// `/lib/apk/db/installed`.
pub fn collect_host() -> Result<(OsRelease, Vec<Package>), CollectError> {
    collect(Path::new("/"), true)
}

/// Like [`collect_host`], but reads the files under `root` (e.g. a mounted image
/// or a test directory) and never runs `rpm`.
pub fn collect_from(root: &Path) -> Result<(OsRelease, Vec<Package>), CollectError> {
    collect(root, false)
}

fn collect(root: &Path, run_rpm: bool) -> Result<(OsRelease, Vec<Package>), CollectError> {
    let os = read_os_release(root)?;
    let dpkg = root.join(DPKG_STATUS);
    if dpkg.exists() {
        let text = read(&dpkg)?;
        let pkgs = parse_dpkg_status(&text, Some(&os));
        return Ok((os, pkgs));
    }
    if run_rpm && rpm_on_path() {
        let text = run_rpm_qa()?;
        let pkgs = parse_rpm_qa(&text, Some(&os));
        return Ok((os, pkgs));
    }
    let apk = root.join(APK_INSTALLED);
    if apk.exists() {
        let text = read(&apk)?;
        let pkgs = parse_apk_installed(&text, Some(&os));
        return Ok((os, pkgs));
    }
    Err(CollectError::NoPackageDatabase { dpkg, apk })
}

fn read_os_release(root: &Path) -> Result<OsRelease, CollectError> {
    let tried = OS_RELEASE.map(|p| root.join(p));
    for path in &tried {
        if path.exists() {
            return Ok(parse_os_release(&read(path)?));
        }
    }
    Err(CollectError::NoOsRelease { tried })
}

/// Reads a file as text; invalid UTF-8 (seen in old package descriptions) is
/// replaced rather than rejected.
fn read(path: &Path) -> Result<String, CollectError> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|source| CollectError::Read {
            path: path.to_path_buf(),
            source,
        })
}

fn rpm_on_path() -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir: PathBuf| dir.join("rpm").is_file())
    })
}

fn run_rpm_qa() -> Result<String, CollectError> {
    let command = format!("rpm -qa --queryformat '{}'", rpm::QUERYFORMAT);
    let output = Command::new("rpm")
        .arg("-qa")
        .arg("--queryformat")
        .arg(rpm::QUERYFORMAT)
        .output()
        .map_err(|source| CollectError::RpmSpawn {
            command: command.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(CollectError::RpmFailed {
            command,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
