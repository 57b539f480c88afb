//! Config warnings shown once per Terraform command instead of once per graph walk.
//!
//! Terraform runs the validate, plan and apply walks of one command in three provider processes,
//! and each walk validates the configuration again (the later ones because values unknown in an
//! earlier walk may be known by then), so a warning about a literal value would be shown three
//! times ("and 2 more similar warnings elsewhere"). The processes of one command share their
//! parent, the Terraform process: a small file named after it in the temporary directory holds
//! fingerprints (hashes, never text) of the warnings already returned. Without such a file (no
//! parent id on this platform, an unwritable directory) every warning is returned, as before.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::diagnostics::{Diagnostic, Diagnostics, Severity};

/// A file older than this is from an earlier command whose process id was reused.
const STALE_AFTER: Duration = Duration::from_secs(12 * 3600);

/// The warnings already shown to the current Terraform command.
pub struct WarnOnce {
    file: Option<PathBuf>,
    shown: Mutex<HashSet<u64>>,
}

impl WarnOnce {
    /// Remembers warnings for the command that started this process; `name` tells providers
    /// apart (e.g. the provider type name).
    pub fn for_this_command(name: &str) -> WarnOnce {
        WarnOnce {
            file: command_file(name),
            shown: Mutex::new(HashSet::new()),
        }
    }

    /// Remembers warnings only within this process (tests).
    pub fn in_memory() -> WarnOnce {
        WarnOnce {
            file: None,
            shown: Mutex::new(HashSet::new()),
        }
    }

    /// `diags` without the warnings this command has already shown for `scope` (e.g. a resource
    /// type); errors always stay. The warnings kept are remembered as shown.
    pub fn keep_new(&self, scope: &str, diags: Diagnostics) -> Diagnostics {
        if !diags.iter().any(|d| d.severity == Severity::Warning) {
            return diags;
        }
        let Ok(mut shown) = self.shown.lock() else {
            return diags;
        };
        shown.extend(self.read_file());
        let mut fresh = Vec::new();
        let kept = diags
            .into_iter()
            .filter(|d| {
                if d.severity != Severity::Warning {
                    return true;
                }
                let key = fingerprint(scope, d);
                let new = shown.insert(key);
                if new {
                    fresh.push(key);
                }
                new
            })
            .collect();
        self.append_file(&fresh);
        kept
    }

    fn read_file(&self) -> Vec<u64> {
        let Some(path) = &self.file else {
            return Vec::new();
        };
        let fresh = std::fs::symlink_metadata(path).is_ok_and(|m| {
            m.file_type().is_file()
                && m.modified()
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age < STALE_AFTER)
        });
        if !fresh {
            return Vec::new();
        }
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| u64::from_str_radix(line, 16).ok())
            .collect()
    }

    fn append_file(&self, keys: &[u64]) {
        let Some(path) = &self.file else {
            return;
        };
        if keys.is_empty()
            || std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file())
        {
            return;
        }
        let stale = std::fs::metadata(path)
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        let text: String = keys.iter().map(|k| format!("{k:016x}\n")).collect();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(!stale)
            .write(true)
            .truncate(stale)
            .open(path);
        if let Ok(mut file) = file {
            let _ = file.write_all(text.as_bytes());
        }
    }
}

/// The file for the Terraform process that started this one, if there is a parent id.
fn command_file(name: &str) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        // A parent of 1 means Terraform is gone (or this is not a plugin run): nothing to share.
        (parent > 1)
            .then(|| std::env::temp_dir().join(format!("tfplugin-{name}-warnings-{parent}.txt")))
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

/// A stable hash (FNV-1a) of a warning in its scope; the same in every process.
fn fingerprint(scope: &str, diagnostic: &Diagnostic) -> u64 {
    let path = diagnostic
        .path
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [scope, &path, &diagnostic.summary, &diagnostic.detail] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::AttributePath;

    fn warning(summary: &str) -> Diagnostic {
        Diagnostic::warning(summary, "detail").at(AttributePath::root("scopes"))
    }

    fn diags(list: &[Diagnostic]) -> Diagnostics {
        list.iter().cloned().collect()
    }

    #[test]
    fn a_warning_is_returned_once_and_errors_always() {
        let once = WarnOnce::in_memory();
        let error = Diagnostic::error("Bad", "detail");
        let first = once.keep_new("t", diags(&[warning("A"), error.clone()]));
        assert_eq!(first.len(), 2);
        let second = once.keep_new("t", diags(&[warning("A"), warning("B"), error.clone()]));
        assert_eq!(second.as_slice(), &[warning("B"), error]);
        // Another scope (resource type) is another warning.
        assert_eq!(once.keep_new("u", diags(&[warning("A")])).len(), 1);
    }

    #[test]
    fn processes_of_one_command_share_what_was_shown() {
        let dir = std::env::temp_dir().join(format!("warn-once-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("warnings.txt");
        let _ = std::fs::remove_file(&file);
        let walk = || WarnOnce {
            file: Some(file.clone()),
            shown: Mutex::new(HashSet::new()),
        };
        assert_eq!(walk().keep_new("t", diags(&[warning("A")])).len(), 1);
        // A later walk (a new process) sees the file and stays quiet.
        assert!(walk().keep_new("t", diags(&[warning("A")])).is_empty());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("detail") && !text.contains('A'), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
