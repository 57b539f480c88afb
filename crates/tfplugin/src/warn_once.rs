//! Config warnings shown once per Terraform command instead of once per graph walk.
//!
//! Terraform runs the validate, plan and apply walks of one command in three provider processes,
//! and each walk validates the configuration again (the later ones because values unknown in an
//! earlier walk may be known by then), so a warning about a literal value would be shown three
//! times ("and 2 more similar warnings elsewhere"). The processes of one command share their
//! parent, the Terraform process: a small file named after it holds fingerprints (hashes, never
//! text) of the warnings already returned. The file lives in a directory only this user can use
//! (`$XDG_RUNTIME_DIR`, else `<temp>/tfplugin-<uid>` created with mode 0700); a directory that is
//! a symbolic link, belongs to another user or lets group or others in is not used. Directory and
//! file are opened without following symbolic links (the file relative to the open directory,
//! created with mode 0600) and checked through the open handles, so nothing can be swapped in
//! between check and use. When a command writes its first warning, the files no command touched
//! for 12 hours are removed. Without such a file (not unix, no parent id, no private directory, a
//! file that is not this user's regular file) every warning is returned, as before.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use super::diagnostics::{Diagnostic, Diagnostics, Severity};

/// A file older than this is from an earlier command whose process id was reused.
const STALE_AFTER: Duration = Duration::from_secs(12 * 3600);

/// The warnings already shown to the current Terraform command.
pub struct WarnOnce {
    file: Option<SharedFile>,
    shown: Mutex<HashSet<u64>>,
}

/// Where the processes of one command keep their fingerprints: a file name inside a private
/// directory, found (or created) only when the first warning comes, not at process start.
struct SharedFile {
    dir: OnceLock<Option<PathBuf>>,
    name: String,
}

impl SharedFile {
    /// This user's private directory, if there is one.
    fn dir(&self) -> Option<&Path> {
        self.dir.get_or_init(private::user_dir).as_deref()
    }
}

impl WarnOnce {
    /// Remembers warnings for the command that started this process; `name` tells providers
    /// apart (e.g. the provider type name).
    pub fn for_this_command(name: &str) -> WarnOnce {
        let file = parent_id().and_then(|parent| shared_file(None, name, parent));
        WarnOnce {
            file,
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
        let dir = self.file.as_ref().and_then(SharedFile::dir);
        let mut file = dir
            .zip(self.file.as_ref())
            .and_then(|(dir, f)| private::open_file(dir, &f.name));
        if let (Some(file), Some(dir)) = (&mut file, dir) {
            if file.metadata().is_ok_and(|m| m.len() == 0) {
                // The first warning of a new command: forget the files of commands long gone.
                remove_stale_files(dir);
            }
            shown.extend(read_keys(file));
        }
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
        if let Some(file) = &mut file {
            append_keys(file, &fresh);
        }
        kept
    }
}

/// The file of the command whose Terraform process is `parent`, in `dir` (this user's private
/// directory when `None`); `None` for a `name` that is not a plain file name part.
fn shared_file(dir: Option<PathBuf>, name: &str, parent: u32) -> Option<SharedFile> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then(|| SharedFile {
        dir: dir.map_or_else(OnceLock::new, |dir| OnceLock::from(Some(dir))),
        name: format!("tfplugin-{name}-warnings-{parent}.txt"),
    })
}

/// Removes the fingerprint files (by their name pattern, nothing else) in `dir` that no command
/// wrote to for [`STALE_AFTER`], so one small file per Terraform command with warnings does not
/// pile up in the directory.
fn remove_stale_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| {
            n.starts_with("tfplugin-") && n.contains("-warnings-") && n.ends_with(".txt")
        });
        // `DirEntry::metadata` does not follow a symbolic link; only regular files go.
        let stale = entry.metadata().is_ok_and(|m| {
            m.file_type().is_file()
                && m.modified()
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age >= STALE_AFTER)
        });
        if ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The fingerprints in `file`, which is emptied first when it is stale.
fn read_keys(file: &mut File) -> Vec<u64> {
    let stale = file
        .metadata()
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age >= STALE_AFTER);
    if stale {
        let _ = file.set_len(0);
        return Vec::new();
    }
    let mut text = String::new();
    if file.read_to_string(&mut text).is_err() {
        return Vec::new();
    }
    text.lines()
        .filter_map(|line| u64::from_str_radix(line, 16).ok())
        .collect()
}

/// Appends `keys` to `file` (opened for appending), one hexadecimal line each.
fn append_keys(file: &mut File, keys: &[u64]) {
    if keys.is_empty() {
        return;
    }
    let text: String = keys.iter().map(|k| format!("{k:016x}\n")).collect();
    let _ = file.write_all(text.as_bytes());
}

/// The id of the process that started this one, when it can share a file with its siblings.
fn parent_id() -> Option<u32> {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        // A parent of 1 means Terraform is gone (or this is not a plugin run): nothing to share.
        (parent > 1).then_some(parent)
    }
    #[cfg(not(unix))]
    {
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

/// The private directory and the file in it, on unix.
#[cfg(unix)]
mod private {
    use std::fs::{DirBuilder, File, Metadata};
    use std::io::ErrorKind;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    use std::path::{Path, PathBuf};

    use rustix::fs::{CWD, Mode, OFlags};

    /// This user's directory for the files: `$XDG_RUNTIME_DIR` when it is private, else
    /// `<temp>/tfplugin-<uid>` (created when missing) when that is.
    pub fn user_dir() -> Option<PathBuf> {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute() && open_dir(dir).is_some());
        runtime.or_else(|| {
            let uid = rustix::process::geteuid().as_raw();
            ensure_dir(&std::env::temp_dir().join(format!("tfplugin-{uid}")))
        })
    }

    /// `dir`, created with mode 0700 when missing, if it is private to this user.
    pub fn ensure_dir(dir: &Path) -> Option<PathBuf> {
        match DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(_) => return None,
        }
        open_dir(dir).map(|_| dir.to_path_buf())
    }

    /// `dir` opened without following a symbolic link, if it is a directory private to this user.
    fn open_dir(dir: &Path) -> Option<File> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let handle = File::from(rustix::fs::openat(CWD, dir, flags, Mode::empty()).ok()?);
        let meta = handle.metadata().ok()?;
        (meta.file_type().is_dir() && is_private(&meta)).then_some(handle)
    }

    /// The file `name` in `dir`, opened (created with mode 0600 when missing) for reading and
    /// appending without following symbolic links, if it is a regular file private to this user.
    pub fn open_file(dir: &Path, name: &str) -> Option<File> {
        let dir = open_dir(dir)?;
        let flags = OFlags::RDWR
            | OFlags::APPEND
            | OFlags::CREATE
            | OFlags::NOFOLLOW
            | OFlags::NONBLOCK
            | OFlags::CLOEXEC;
        let file = rustix::fs::openat(&dir, name, flags, Mode::from_raw_mode(0o600)).ok()?;
        let file = File::from(file);
        let meta = file.metadata().ok()?;
        (meta.file_type().is_file() && is_private(&meta)).then_some(file)
    }

    /// Owned by this user, with no permission for group or others.
    fn is_private(meta: &Metadata) -> bool {
        meta.uid() == rustix::process::geteuid().as_raw() && meta.mode() & 0o077 == 0
    }
}

/// Without unix permissions to rely on, nothing is shared between processes.
#[cfg(not(unix))]
mod private {
    use std::fs::File;
    use std::path::{Path, PathBuf};

    pub fn user_dir() -> Option<PathBuf> {
        None
    }

    pub fn open_file(_dir: &Path, _name: &str) -> Option<File> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttributePath;

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
    fn a_provider_name_that_is_not_a_plain_word_gets_no_file() {
        let dir = PathBuf::from("/somewhere");
        assert!(shared_file(Some(dir.clone()), "cloudflare", 7).is_some());
        assert!(shared_file(Some(dir.clone()), "../x", 7).is_none());
        assert!(shared_file(Some(dir), "", 7).is_none());
    }

    #[cfg(unix)]
    mod unix {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::path::Path;

        use super::*;

        /// A fresh directory with `mode`, removed when the guard drops.
        fn dir_with_mode(mode: u32) -> tempfile::TempDir {
            let dir = tempfile::tempdir().unwrap();
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
            dir
        }

        /// What a new walk in `dir` returns of warning "A".
        fn warn_a_in(dir: &Path) -> Diagnostics {
            walk_in(dir).keep_new("t", diags(&[warning("A")]))
        }

        /// Sets `path`'s modification time, as if a command last wrote it then.
        fn set_modified(path: &Path, when: SystemTime) {
            File::options()
                .append(true)
                .open(path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }

        fn walk_in(dir: &Path) -> WarnOnce {
            WarnOnce {
                file: shared_file(Some(dir.to_path_buf()), "test", 4242),
                shown: Mutex::new(HashSet::new()),
            }
        }

        #[test]
        fn processes_of_one_command_share_what_was_shown() {
            let dir = dir_with_mode(0o700);
            assert_eq!(warn_a_in(dir.path()).len(), 1);
            // A later walk (a new process) sees the file and stays quiet.
            assert!(warn_a_in(dir.path()).is_empty());
            let file = dir.path().join("tfplugin-test-warnings-4242.txt");
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(!text.contains("detail") && !text.contains('A'), "{text}");
            let mode = std::fs::metadata(&file).unwrap().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }

        #[test]
        fn the_walks_of_this_process_share_the_file_of_its_parent() {
            // The real path: $XDG_RUNTIME_DIR or <temp>/tfplugin-<uid>, named after the parent.
            let name = format!("unittest{}", std::process::id());
            let summary = format!("{:?}", SystemTime::now());
            let first = WarnOnce::for_this_command(&name);
            let shared = first
                .file
                .as_ref()
                .expect("a private directory for this user");
            let dir = shared.dir().expect("a private directory for this user");
            let path = dir.join(&shared.name);
            assert_eq!(first.keep_new("t", diags(&[warning(&summary)])).len(), 1);
            let second = WarnOnce::for_this_command(&name);
            assert!(second.keep_new("t", diags(&[warning(&summary)])).is_empty());
            let dir_mode = std::fs::symlink_metadata(dir).unwrap().mode();
            assert_eq!(dir_mode & 0o077, 0, "{dir_mode:o}");
            std::fs::remove_file(path).unwrap();
        }

        #[test]
        fn a_symbolic_link_at_the_file_path_is_not_followed() {
            let dir = dir_with_mode(0o700);
            let elsewhere = tempfile::tempdir().unwrap();
            let target = elsewhere.path().join("victim.txt");
            // The target even holds the fingerprint of warning A: following the link to read it
            // would hide the warning.
            let planted = format!("{:016x}\n", fingerprint("t", &warning("A")));
            std::fs::write(&target, &planted).unwrap();
            let link = dir.path().join("tfplugin-test-warnings-4242.txt");
            std::os::unix::fs::symlink(&target, &link).unwrap();

            for _ in 0..2 {
                let kept = walk_in(dir.path()).keep_new("t", diags(&[warning("A"), warning("B")]));
                assert_eq!(
                    kept.len(),
                    2,
                    "every warning is returned when the file is unusable"
                );
            }
            assert_eq!(std::fs::read_to_string(&target).unwrap(), planted);
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }

        #[test]
        fn a_directory_others_can_use_is_refused() {
            for mode in [0o755, 0o770, 0o701, 0o1777] {
                let dir = dir_with_mode(mode);
                assert_eq!(private::ensure_dir(dir.path()), None, "mode {mode:o}");
                // Even when named directly, nothing is written there and nothing is deduplicated.
                for _ in 0..2 {
                    assert_eq!(warn_a_in(dir.path()).len(), 1);
                }
                assert_eq!(
                    std::fs::read_dir(dir.path()).unwrap().count(),
                    0,
                    "mode {mode:o}"
                );
            }
        }

        #[test]
        fn a_directory_behind_a_symbolic_link_is_refused() {
            let real = dir_with_mode(0o700);
            let holder = tempfile::tempdir().unwrap();
            let link = holder.path().join("tfplugin-link");
            std::os::unix::fs::symlink(real.path(), &link).unwrap();
            assert_eq!(private::ensure_dir(&link), None);
            for _ in 0..2 {
                assert_eq!(warn_a_in(&link).len(), 1);
            }
            assert_eq!(std::fs::read_dir(real.path()).unwrap().count(), 0);
        }

        #[test]
        fn a_missing_directory_is_created_private() {
            let holder = tempfile::tempdir().unwrap();
            let dir = holder.path().join("tfplugin-new");
            assert_eq!(private::ensure_dir(&dir), Some(dir.clone()));
            let mode = std::fs::symlink_metadata(&dir).unwrap().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        }

        #[test]
        fn the_first_warning_of_a_command_removes_files_of_commands_long_gone() {
            let dir = dir_with_mode(0o700);
            let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
            let plant = |name: &str, modified: SystemTime| {
                let path = dir.path().join(name);
                std::fs::write(&path, "0123456789abcdef\n").unwrap();
                set_modified(&path, modified);
                path
            };
            let gone = plant("tfplugin-test-warnings-1111.txt", old);
            let recent = plant("tfplugin-test-warnings-2222.txt", SystemTime::now());
            let foreign = plant("someone-elses-file.txt", old);
            assert_eq!(warn_a_in(dir.path()).len(), 1);
            assert!(!gone.exists(), "a stale fingerprint file is removed");
            assert!(recent.exists(), "another command's recent file stays");
            assert!(foreign.exists(), "files of other names are never touched");
            assert!(dir.path().join("tfplugin-test-warnings-4242.txt").exists());
        }

        #[test]
        fn a_stale_file_is_started_afresh() {
            let dir = dir_with_mode(0o700);
            assert_eq!(warn_a_in(dir.path()).len(), 1);
            let file = dir.path().join("tfplugin-test-warnings-4242.txt");
            let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
            set_modified(&file, old);
            // The process id was reused by a later command: its warnings are new.
            assert_eq!(warn_a_in(dir.path()).len(), 1);
            assert!(warn_a_in(dir.path()).is_empty());
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            assert_eq!(lines, 1);
        }
    }
}
