//! Reproducible release zips: one executable entry, fixed timestamp, permissions and order, so
//! the same binary always gives byte-identical archives; and reading them back safely.

use std::io::{Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::{Error, Result, fail, io_context};

/// The largest entry `read_entries` unpacks (a provider binary is tens of MiB at most).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// One file inside an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub contents: Vec<u8>,
    /// Unix permission bits, when the archive records them.
    pub mode: Option<u32>,
}

/// Writes `files` (name, contents) into a new zip at `path`, in the given order, each entry
/// deflated at a fixed level, dated 1980-01-01 00:00 and marked executable (0755).
pub fn write_reproducible(path: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    let mut bytes = Vec::new();
    {
        let mut zip = ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o755);
        for (name, contents) in files {
            zip.start_file(*name, options)
                .map_err(|e| Error(format!("adding {name} to {}: {e}", path.display())))?;
            zip.write_all(contents)
                .map_err(|e| Error(format!("adding {name} to {}: {e}", path.display())))?;
        }
        zip.finish()
            .map_err(|e| Error(format!("finishing {}: {e}", path.display())))?;
    }
    std::fs::write(path, bytes).map_err(io_context("writing", path))
}

/// Every file entry of the zip at `path`, in archive order; rejects names that would escape
/// the directory they are unpacked into.
pub fn read_entries(path: &Path) -> Result<Vec<Entry>> {
    let file = std::fs::File::open(path).map_err(io_context("opening", path))?;
    let mut zip = ZipArchive::new(file)
        .map_err(|e| Error(format!("{} is not a zip archive: {e}", path.display())))?;
    let mut entries = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| Error(format!("reading {}: {e}", path.display())))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map_err(|e| Error(format!("reading an entry name in {}: {e}", path.display())))?
            .into_owned();
        if entry.enclosed_name().is_none() || name.contains('\\') {
            return fail(format!(
                "{} holds an unsafe entry name {name:?}; refusing to unpack it",
                path.display()
            ));
        }
        if entry.size() > MAX_ENTRY_BYTES {
            return fail(format!(
                "{name} in {} is larger than {MAX_ENTRY_BYTES} bytes",
                path.display()
            ));
        }
        let mut contents = Vec::with_capacity(entry.size() as usize);
        entry
            .by_ref()
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut contents)
            .map_err(|e| Error(format!("unpacking {name} from {}: {e}", path.display())))?;
        entries.push(Entry {
            name,
            mode: entry.unix_mode(),
            contents,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_input_gives_byte_identical_archives() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
        let payload = b"#!/bin/sh\necho provider\n".repeat(100);
        write_reproducible(&a, &[("terraform-provider-x_v1.0.0", &payload)]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        write_reproducible(&b, &[("terraform-provider-x_v1.0.0", &payload)]).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }

    #[test]
    fn entries_read_back_with_contents_and_executable_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.zip");
        write_reproducible(&path, &[("bin", b"one"), ("README", b"two")]).unwrap();
        let entries = read_entries(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "bin");
        assert_eq!(entries[0].contents, b"one");
        assert_eq!(entries[0].mode.map(|m| m & 0o777), Some(0o755));
        assert_eq!(entries[1].name, "README");
    }

    #[test]
    fn unsafe_names_and_non_zips_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evil.zip");
        write_reproducible(&path, &[("../escape", b"x")]).unwrap();
        let error = read_entries(&path).unwrap_err();
        assert!(error.0.contains("unsafe entry name"), "{error}");

        let not_zip = dir.path().join("not.zip");
        std::fs::write(&not_zip, b"hello").unwrap();
        let error = read_entries(&not_zip).unwrap_err();
        assert!(error.0.contains("is not a zip archive"), "{error}");
    }
}
