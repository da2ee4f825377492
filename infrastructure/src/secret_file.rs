//! Secret files (key-encryption keys, blind-index keys, the token signing secret, database
//! passwords of the embedded default): one way to create and one way to read them.
//!
//! - A secret directory is created with mode 0700 and refused when group or other may write it.
//! - A secret file is written so that no reader ever sees a partial file: a temporary file in
//!   the same directory (mode 0600), `fsync`, a hard link to the final name (which fails when
//!   that name exists, so a concurrent creator never overwrites), removal of the temporary
//!   name, `fsync` of the directory.
//! - A secret file is read only when it is a regular file that neither group nor other may
//!   read or write (the same rule as OpenSSH's for private keys).
//!
//! Nothing here logs or formats a secret: errors name the path and the mode only.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use uuid::Uuid;
use zeroize::Zeroizing;

/// Errors of secret files. They name the path, never the contents.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} has mode {mode:04o}: a secret file must not be readable or writable by group or \
         other (chmod 600), and its directory not writable by them (chmod 700)",
        path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },
    #[error("{} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{} is larger than {limit} bytes: not a secret file of kenpo", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SecretFileError + '_ {
    move |source| SecretFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Create `dir` (and its parents) with mode 0700 when missing; refuse a directory that group
/// or other may write.
pub fn ensure_private_dir(dir: &Path) -> Result<(), SecretFileError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_error(dir))?;
    let metadata = fs::metadata(dir).map_err(io_error(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(SecretFileError::InsecurePermissions {
                path: dir.to_owned(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    Ok(())
}

/// Write `contents` to the new file `path` (mode 0600) atomically and durably (see the module
/// documentation). The parent directory must exist ([`ensure_private_dir`]). `Ok(false)` when
/// `path` already exists: nothing is written and the existing file is left as it is.
pub fn create_secret_file(path: &Path, contents: &[u8]) -> Result<bool, SecretFileError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("secret");
    let tmp = dir.join(format!(".{name}.{}.tmp", Uuid::new_v4().simple()));

    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(SecretFileError::Io { path: tmp, source });
    }
    let linked = fs::hard_link(&tmp, path);
    fs::remove_file(&tmp).map_err(io_error(&tmp))?;
    match linked {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(source) => {
            return Err(SecretFileError::Io {
                path: path.to_owned(),
                source,
            })
        }
    }
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(io_error(dir))?;
    Ok(true)
}

/// Read the secret file `path`: a regular file of at most `limit` bytes that group and other
/// may neither read nor write. The bytes are zeroed when dropped.
pub fn read_secret_file(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>, SecretFileError> {
    let file = fs::File::open(path).map_err(io_error(path))?;
    let metadata = file.metadata().map_err(io_error(path))?;
    if !metadata.is_file() {
        return Err(SecretFileError::NotAFile {
            path: path.to_owned(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretFileError::InsecurePermissions {
                path: path.to_owned(),
                mode,
            });
        }
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    if bytes.len() as u64 > limit {
        return Err(SecretFileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            TempDir(std::env::temp_dir().join(format!("kenpo-secret-{}", Uuid::new_v4())))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn created_private_never_overwritten_and_read_back() {
        let temp = TempDir::new();
        let dir = temp.0.join("secrets");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let path = dir.join("s.key");
        assert!(create_secret_file(&path, b"first").unwrap());
        assert_eq!(mode(&path), 0o600);
        assert!(!create_secret_file(&path, b"second").unwrap());
        assert_eq!(&read_secret_file(&path, 64).unwrap()[..], b"first");
        // no temporary file is left behind
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.key")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_readable_by_others_or_too_large_or_not_a_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let temp = TempDir::new();
        ensure_private_dir(&temp.0).unwrap();
        let path = temp.0.join("s.key");
        assert!(create_secret_file(&path, b"0123456789").unwrap());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_secret_file(&path, 64),
            Err(SecretFileError::InsecurePermissions { mode: 0o644, .. })
        ));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(
            read_secret_file(&path, 4),
            Err(SecretFileError::TooLarge { limit: 4, .. })
        ));
        assert!(matches!(
            read_secret_file(&temp.0, 64),
            Err(SecretFileError::NotAFile { .. })
        ));
        let open = temp.0.join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            ensure_private_dir(&open),
            Err(SecretFileError::InsecurePermissions { .. })
        ));
    }
}
