//! Opening feed files as they ship: plain, gzip (`.gz`) or zip archives
//! (each entry in turn).

use crate::FeedError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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
        let mut zip = zip::ZipArchive::new(BufReader::new(File::open(path)?))
            .map_err(|e| FeedError::Archive(e.to_string()))?;
        for i in 0..zip.len() {
            let entry = zip
                .by_index(i)
                .map_err(|e| FeedError::Archive(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            let entry_name = format!("{name}:{}", entry.name());
            let mut r = BufReader::with_capacity(256 * 1024, entry.take(MAX_ENTRY_BYTES));
            f(&entry_name, &mut r)?;
        }
        return Ok(());
    }
    let mut r = BufReader::with_capacity(256 * 1024, File::open(path)?);
    f(&name, &mut r)
}
