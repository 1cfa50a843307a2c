//! Writing files without losing what the user had: a temporary file in the same directory,
//! renamed over the target only when complete. Every command that writes a file goes through
//! [`AtomicFile`].
//!
//! Only regular files are ever replaced: a device, a FIFO or a directory at the target is refused,
//! and a symbolic link is followed (its target is replaced, the link stays). An existing file is
//! replaced only when the caller allows it (`--force`). An unfinished temporary file is removed
//! when the [`AtomicFile`] is dropped without [`AtomicFile::commit`], and when the process is
//! interrupted (SIGINT, SIGTERM, SIGHUP: the temporary files are removed, then the process exits
//! with 130).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::io_reason;
use crate::error::{Error, Result};

/// Temporary files being written, removed if the process is interrupted.
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Starts (once) the thread that cleans up after SIGINT, SIGTERM and SIGHUP.
fn watch_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                if let Ok(pending) = PENDING.lock() {
                    for p in pending.iter() {
                        let _ = std::fs::remove_file(p);
                    }
                }
                std::process::exit(130);
            }
        });
    });
}

fn forget(tmp: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != tmp);
    }
}

/// A file being written: a temporary file next to the target until [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    /// What the user named (messages speak of it, not of a symlink's target).
    shown: PathBuf,
    tmp: PathBuf,
    file: Option<std::fs::File>,
    overwrite: bool,
    committed: bool,
}

/// Where writing `path` lands: the path itself, or the file a symbolic link points to. Refuses
/// anything but a regular file or a missing one, and an existing file unless `overwrite`.
fn resolve_target(path: &Path, overwrite: bool) -> Result<PathBuf> {
    let shown = path.display();
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            Error::usage(format!("{shown}: is a symbolic link whose target cannot be resolved: {}", io_reason(&e)))
        })?,
        Ok(_) => path.to_path_buf(),
        Err(_) => return Ok(path.to_path_buf()),
    };
    let meta =
        std::fs::metadata(&target).map_err(|e| Error::usage(format!("{shown}: cannot inspect: {}", io_reason(&e))))?;
    if !meta.is_file() {
        return Err(Error::usage(format!("{shown}: is not a regular file; refusing to replace it")));
    }
    if !overwrite {
        return Err(Error::usage(format!("{shown}: already exists; pass --force to overwrite it")));
    }
    Ok(target)
}

impl AtomicFile {
    /// Starts writing `path`. The temporary file keeps `path`'s extension (image encoders read it).
    pub fn create(path: &Path, overwrite: bool) -> Result<AtomicFile> {
        let target = resolve_target(path, overwrite)?;
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".to_string());
        let tmp = dir.join(format!(".{}.{name}", std::process::id()));
        watch_signals();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::usage(format!("{}: cannot write: {}", path.display(), io_reason(&e))))?;
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(tmp.clone());
        }
        Ok(AtomicFile { target, shown: path.to_path_buf(), tmp, file: Some(file), overwrite, committed: false })
    }

    /// The temporary file's path, for writers that open files by name.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// The temporary file, for writing.
    pub fn file(&mut self) -> Result<&mut std::fs::File> {
        self.file.as_mut().ok_or_else(|| Error::usage(format!("{}: already committed", self.shown.display())))
    }

    fn fail(&self, e: &std::io::Error) -> Error {
        Error::usage(format!("{}: cannot write: {}", self.shown.display(), io_reason(e)))
    }

    /// Flushes the temporary file to disk and renames it over the target.
    pub fn commit(mut self) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(|e| self.fail(&e))?;
        }
        // The target may have appeared while writing.
        if !self.overwrite && std::fs::symlink_metadata(&self.target).is_ok() {
            return Err(Error::usage(format!(
                "{}: already exists; pass --force to overwrite it",
                self.shown.display()
            )));
        }
        std::fs::rename(&self.tmp, &self.target).map_err(|e| self.fail(&e))?;
        self.committed = true;
        forget(&self.tmp);
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
            forget(&self.tmp);
        }
    }
}

/// Reads a whole file of at most `max` bytes: only a regular file (a device, a FIFO or a
/// directory is refused before anything is read), and never more than `max` + 1 bytes even if
/// the file grows meanwhile. `what` names the file's role in messages ("model", "configuration").
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display();
    let fail = |e: std::io::Error| Error::usage(format!("{shown}: cannot read {what}: {}", io_reason(&e)));
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        return Err(Error::usage(format!("{shown}: cannot read {what}: not a regular file")));
    }
    if meta.len() > max {
        return Err(Error::usage(format!("{shown}: cannot read {what}: larger than {} MiB", max >> 20)));
    }
    let f = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(max + 1).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > max {
        return Err(Error::usage(format!("{shown}: cannot read {what}: larger than {} MiB", max >> 20)));
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` atomically. Refuses to replace an existing file unless `overwrite`.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let mut f = AtomicFile::create(path, overwrite)?;
    let written = f.file()?.write_all(bytes);
    written.map_err(|e| f.fail(&e))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_regular_files_and_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"one", false).unwrap();
        assert!(write_atomic(&p, b"two", false).unwrap_err().to_string().contains("pass --force"));
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // A symlink is followed: the target changes, the link stays a link.
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        write_atomic(&link, b"three", true).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // A directory (or device) is refused, even with --force.
        let e = write_atomic(dir.path(), b"x", true).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
        let e = write_atomic(Path::new("/dev/null"), b"x", true).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
        // Nothing is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn an_uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.png");
        {
            let mut f = AtomicFile::create(&p, false).unwrap();
            f.file().unwrap().write_all(b"partial").unwrap();
            assert!(f.temp_path().to_string_lossy().ends_with(".x.png"));
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
