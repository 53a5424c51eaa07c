use std::path::PathBuf;

/// Why the host's packages could not be read. Every variant names the file or command.
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
}
