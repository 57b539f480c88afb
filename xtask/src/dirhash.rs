//! Terraform's `h1:` package hash (Go's `dirhash.Hash1`): SHA-256 over a sorted list of
//! "<sha256 hex>  <path>\n" lines, one per file, base64-encoded.
//!
//! Hand-written on purpose: no Rust crate computes Go's `h1:` (the crates named for directory
//! hashing use other hashes and other layouts), the whole algorithm is a dozen lines over the
//! `sha2` and `base64` crates already used here, and it has to match Go byte for byte, which
//! the tests below and the acceptance tests (`terraform init` checking the lock file against
//! the packed zip) pin.

use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::{Result, archive, fail, io_context};

/// The `h1:` hash of files given as (slash-separated relative path, contents).
pub fn hash1<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<String> {
    let mut lines = Vec::new();
    for (name, contents) in files {
        if name.contains('\n') {
            return fail(format!("file name {name:?} contains a newline"));
        }
        lines.push(format!("{}  {name}\n", hex(&Sha256::digest(contents))));
    }
    // Go sorts the names; each line starts with the hash, so sort by name, not by line.
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    let summary = Sha256::digest(lines.concat().as_bytes());
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary)
    ))
}

/// The `h1:` hash Terraform records for a release zip (of its entries, not of the zip bytes).
pub fn hash_zip(zip: &Path) -> Result<String> {
    let entries = archive::read_entries(zip)?;
    hash1(
        entries
            .iter()
            .map(|e| (e.name.as_str(), e.contents.as_slice())),
    )
}

/// The `h1:` hash of an unpacked provider directory (what a mirror's unpacked layout holds).
pub fn hash_dir(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    collect_files(dir, "", &mut files)?;
    hash1(
        files
            .iter()
            .map(|(name, contents)| (name.as_str(), contents.as_slice())),
    )
}

fn collect_files(dir: &Path, prefix: &str, files: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(io_context("reading", dir))? {
        let path = entry.map_err(io_context("reading", dir))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let relative = if prefix.is_empty() {
            name.into_owned()
        } else {
            format!("{prefix}/{name}")
        };
        if path.is_dir() {
            collect_files(&path, &relative, files)?;
        } else {
            let contents = std::fs::read(&path).map_err(io_context("reading", &path))?;
            files.push((relative, contents));
        }
    }
    Ok(())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary text Go's dirhash hashes for two files, built by hand.
    #[test]
    fn hash1_hashes_the_sorted_summary_lines() {
        let summary = format!(
            "{}  a/x\n{}  b\n",
            sha256_hex(b"second"),
            sha256_hex(b"first")
        );
        let expected = format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes()))
        );
        // Given out of order: the names are sorted before hashing.
        let got = hash1([("b", &b"first"[..]), ("a/x", &b"second"[..])]).unwrap();
        assert_eq!(got, expected);
    }

    /// A fixed vector: one file `hello` containing "hello\n".
    #[test]
    fn hash1_of_a_known_file_is_stable() {
        let got = hash1([("hello", &b"hello\n"[..])]).unwrap();
        // sha256("hello\n") = 5891b5b5…; summary = that hex + "  hello\n".
        let summary = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  hello\n";
        let expected = format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary))
        );
        assert_eq!(got, expected);
        assert!(hash1([("bad\nname", &b""[..])]).is_err());
    }

    #[test]
    fn a_directory_hashes_like_its_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub").join("x"), b"second").unwrap();
        std::fs::write(dir.path().join("b"), b"first").unwrap();
        assert_eq!(
            hash_dir(dir.path()).unwrap(),
            hash1([("sub/x", &b"second"[..]), ("b", &b"first"[..])]).unwrap()
        );
    }
}
