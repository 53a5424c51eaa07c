//! Opening feed files as they ship: plain, gzip (`.gz`) or zip archives
//! (each entry in turn; a zip inside a zip, as the CVE Program's daily
//! release ships, is opened too).

use crate::FeedError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Most bytes one zip entry may expand to (a zip bomb stops here).
pub const MAX_ENTRY_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Call `f` with a buffered reader over each document in the file: the file
/// itself, its gunzipped content, or every non-directory entry of a zip.
/// The format is told by the file's first bytes, not its name.
pub fn for_each_document(
    path: &Path,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic)?;
    drop(file);
    let name = path.display().to_string();
    if n >= 2 && magic[..2] == [0x1f, 0x8b] {
        let gz = flate2::read::MultiGzDecoder::new(BufReader::new(File::open(path)?));
        let mut r = BufReader::with_capacity(256 * 1024, gz);
        return f(&name, &mut r);
    }
    if n == 4 && magic == [b'P', b'K', 3, 4] {
        return for_each_in_zip(&name, File::open(path)?, 0, f);
    }
    let mut r = BufReader::with_capacity(256 * 1024, File::open(path)?);
    f(&name, &mut r)
}

/// Every non-directory entry of a zip archive, zips inside it opened too.
fn for_each_in_zip(
    name: &str,
    file: File,
    depth: u32,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    {
        let mut zip = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| FeedError::Archive(e.to_string()))?;
        for i in 0..zip.len() {
            let entry = zip
                .by_index(i)
                .map_err(|e| FeedError::Archive(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            let entry_name = format!("{name}:{}", entry.name());
            if entry.name().to_ascii_lowercase().ends_with(".zip") {
                if depth >= 1 {
                    return Err(FeedError::Archive(format!(
                        "{entry_name}: a zip inside a zip inside a zip is not read"
                    )));
                }
                // A zip needs to seek: copied to a temporary file first.
                let mut tmp = tempfile::tempfile()?;
                let copied = std::io::copy(&mut entry.take(MAX_ENTRY_BYTES + 1), &mut tmp)?;
                if copied > MAX_ENTRY_BYTES {
                    return Err(FeedError::Archive(format!(
                        "{entry_name}: larger than the limit of {} GiB",
                        MAX_ENTRY_BYTES >> 30
                    )));
                }
                tmp.seek(SeekFrom::Start(0))?;
                for_each_in_zip(&entry_name, tmp, depth + 1, f)?;
                continue;
            }
            let mut r = BufReader::with_capacity(256 * 1024, entry.take(MAX_ENTRY_BYTES));
            f(&entry_name, &mut r)?;
        }
    }
    Ok(())
}
