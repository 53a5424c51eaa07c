use std::path::PathBuf;

/// Why the host's packages (or an imported scan result) could not be read. Every
/// variant names the file, the command, or the field of the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A file exists (or was expected) but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Neither `etc/os-release` nor `usr/lib/os-release` exists.
    #[error("no os-release file found (tried {} and {})", tried[0].display(), tried[1].display())]
    NoOsRelease { tried: [PathBuf; 2] },
    /// No supported package database was found.
    #[error("no supported package database found (looked for {}, `rpm` on PATH, and {})", dpkg.display(), apk.display())]
    NoPackageDatabase { dpkg: PathBuf, apk: PathBuf },
    /// `rpm` could not be started.
    #[error("cannot run `{command}`: {source}")]
    RpmSpawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    /// `rpm` ran but failed.
    #[error("`{command}` failed ({status}): {stderr}")]
    RpmFailed {
        command: String,
        status: String,
        stderr: String,
    },
    /// A Vuls scan result is larger than [`crate::VULS_RESULT_MAX_BYTES`].
    #[error("Vuls scan result is {size} bytes, over the limit of {limit} bytes (64 MiB)")]
    VulsTooLarge { size: usize, limit: usize },
    /// A Vuls scan result is not valid JSON (or not UTF-8, or nested too deeply).
    #[error("Vuls scan result is not valid JSON: {source}")]
    VulsJson {
        #[source]
        source: serde_json::Error,
    },
    /// The JSON document is not an object.
    #[error("not a Vuls scan result: the top level is {found}, not a JSON object")]
    VulsNotObject { found: &'static str },
    /// A required top-level field (`serverName`, `family`) is missing, `null`,
    /// or (for `serverName`) empty.
    #[error("not a Vuls scan result: `{field}` is missing or empty")]
    VulsMissingField { field: &'static str },
    /// A field is present with the wrong JSON type; `path` names it, e.g.
    /// `packages.openssl.version` or `windowsKB.applied[3]`.
    #[error("Vuls scan result: `{path}` should be {expected}, but is {found}")]
    VulsFieldType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
}
