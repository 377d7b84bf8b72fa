//! Backups hold personal data, so `lotse backup` encrypts them (decision 0012, slice 7): in the
//! age format (age-encryption.org/v1), to one or more public keys (`--recipient age1…`, the
//! server never holds the secret key) or with a passphrase (`LOTSE_BACKUP_PASSPHRASE`, never an
//! argument, so it does not show in the process list). `lotse restore` reads encrypted and plain
//! backups alike; the age and rage tools read these files too. An unencrypted backup has to be
//! asked for (`--unencrypted`).
//!
//! The database is first written as a plain snapshot (the copy code needs a file to write) into
//! a directory of its own under the local temporary directory, readable by the owner only
//! (0700), never next to the target (which is often a synced share); it is encrypted into the
//! target (0600, synced to disk before the snapshot goes) and removed. A restore decrypts into
//! such a directory and reads the file there, without a second copy.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use lotse_store::{Db, StoreError, copy};

/// What an age file starts with.
const AGE_HEADER: &[u8] = b"age-encryption.org/v1";

/// The environment variable a passphrase comes in (for backup and restore).
pub(crate) const PASSPHRASE: &str = "LOTSE_BACKUP_PASSPHRASE";

fn fail(message: impl Into<String>) -> StoreError {
    StoreError::Config(message.into())
}

/// How a backup is protected.
pub(crate) enum Seal {
    Recipients(Vec<age::x25519::Recipient>),
    Passphrase(SecretString),
    Unencrypted,
}

impl Seal {
    /// From the command line: recipients, else the passphrase in the environment, else only
    /// with `--unencrypted`; a recipient that is not an age public key is named.
    pub(crate) fn choose(recipients: &[String], unencrypted: bool) -> Result<Seal, StoreError> {
        let recipients: Vec<&str> = recipients
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .collect();
        let passphrase = std::env::var(PASSPHRASE).ok().filter(|p| !p.is_empty());
        if unencrypted {
            if !recipients.is_empty() || passphrase.is_some() {
                return Err(fail(
                    "--unencrypted together with a recipient or a passphrase: choose one",
                ));
            }
            return Ok(Seal::Unencrypted);
        }
        if !recipients.is_empty() {
            let mut keys = Vec::new();
            for r in recipients {
                keys.push(r.parse::<age::x25519::Recipient>().map_err(|e| {
                    fail(format!(
                        "--recipient {r}: not an age public key (age1…): {e}"
                    ))
                })?);
            }
            return Ok(Seal::Recipients(keys));
        }
        if let Some(p) = passphrase {
            return Ok(Seal::Passphrase(SecretString::from(p)));
        }
        Err(fail(format!(
            "a backup holds personal data and is written encrypted: give --recipient with an age \
             public key (see `lotse backup-key`), or the passphrase in {PASSPHRASE}; \
             --unencrypted writes it in the clear"
        )))
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Seal::Recipients(r) => format!("encrypted to {} age recipient(s)", r.len()),
            Seal::Passphrase(_) => "encrypted with a passphrase".to_owned(),
            Seal::Unencrypted => "UNENCRYPTED".to_owned(),
        }
    }
}

/// A directory only the owner can enter, under the local temporary directory, removed with
/// everything in it when dropped.
struct Private(PathBuf);

impl Private {
    fn new() -> Result<Private, StoreError> {
        let dir = std::env::temp_dir().join(format!("lotse-{}", lotse_store::new_id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&dir)
            .map_err(|e| fail(format!("{}: {e}", dir.display())))?;
        Ok(Private(dir))
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the backup of `db` to `file` under `seal`; the number of rows written.
pub(crate) async fn backup(db: &Db, file: &Path, seal: &Seal) -> Result<u64, StoreError> {
    if file.exists() {
        return Err(fail(format!(
            "{} exists already; choose a new file name",
            file.display()
        )));
    }
    if matches!(seal, Seal::Unencrypted) {
        return Ok(copy::backup(db, file).await?.rows);
    }
    let private = Private::new()?;
    let plain = private.file("snapshot.db");
    let rows = copy::backup(db, &plain).await?.rows;
    // Only a target this run created is removed when encrypting fails.
    let created = std::cell::Cell::new(false);
    let result = encrypt(&plain, file, seal, &created);
    if result.is_err() && created.get() {
        let _ = std::fs::remove_file(file);
    }
    result.map(|()| rows)
}

fn encrypt(
    plain: &Path,
    target: &Path,
    seal: &Seal,
    created: &std::cell::Cell<bool>,
) -> Result<(), StoreError> {
    let encryptor = match seal {
        Seal::Recipients(keys) => {
            age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
                .map_err(|e| fail(format!("cannot encrypt: {e}")))?
        }
        Seal::Passphrase(p) => age::Encryptor::with_user_passphrase(p.clone()),
        Seal::Unencrypted => return Err(fail("nothing to encrypt with")),
    };
    let io = |e: std::io::Error| fail(format!("{}: {e}", target.display()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let out = options.open(target).map_err(io)?;
    created.set(true);
    let mut writer = encryptor.wrap_output(BufWriter::new(out)).map_err(io)?;
    let mut input = BufReader::new(File::open(plain).map_err(io)?);
    std::io::copy(&mut input, &mut writer).map_err(io)?;
    let buffered = writer.finish().map_err(io)?;
    // On disk before the plain snapshot goes and "written" is said.
    let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(())
}

/// Whether `file` is an age file.
fn is_sealed(file: &Path) -> Result<bool, StoreError> {
    let mut start = [0u8; AGE_HEADER.len()];
    let mut f =
        File::open(file).map_err(|e| fail(format!("cannot read {}: {e}", file.display())))?;
    let n = f.read(&mut start).unwrap_or(0);
    Ok(n == AGE_HEADER.len() && start == AGE_HEADER)
}

/// Restores `file` (encrypted or plain) into `db`; `identity` is an age identity file for a
/// backup encrypted to a key, the passphrase comes from the environment. Returns the rows
/// restored and whether the file was encrypted.
pub(crate) async fn restore(
    file: &Path,
    db: &Db,
    identity: Option<&Path>,
) -> Result<(u64, bool), StoreError> {
    if !file.is_file() {
        return Err(fail(format!("{} is not a file", file.display())));
    }
    if !is_sealed(file)? {
        return Ok((copy::restore(file, db).await?.rows, false));
    }
    let identities: Vec<Box<dyn age::Identity>> = match identity {
        Some(path) => age::IdentityFile::from_file(path.display().to_string())
            .and_then(|f| {
                f.into_identities()
                    .map_err(|e| std::io::Error::other(e.to_string()))
            })
            .map_err(|e| fail(format!("identity file {}: {e}", path.display())))?,
        None => match std::env::var(PASSPHRASE).ok().filter(|p| !p.is_empty()) {
            Some(p) => vec![Box::new(age::scrypt::Identity::new(SecretString::from(p)))],
            None => {
                return Err(fail(format!(
                    "{} is encrypted: give --identity with the age identity file, or the \
                     passphrase in {PASSPHRASE}",
                    file.display()
                )));
            }
        },
    };
    let private = Private::new()?;
    let work = private.file("restore.db");
    decrypt(file, &work, &identities)?;
    let rows = copy::restore_working_copy(&work, db).await?.rows;
    drop(private);
    Ok((rows, true))
}

fn decrypt(
    file: &Path,
    target: &Path,
    identities: &[Box<dyn age::Identity>],
) -> Result<(), StoreError> {
    let io = |e: std::io::Error| fail(format!("{}: {e}", file.display()));
    let input = BufReader::new(File::open(file).map_err(io)?);
    let decryptor = age::Decryptor::new_buffered(input)
        .map_err(|e| fail(format!("{}: not a readable age file: {e}", file.display())))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| {
            fail(format!(
                "{}: cannot decrypt (wrong key or passphrase?): {e}",
                file.display()
            ))
        })?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let out = options
        .open(target)
        .map_err(|e| fail(format!("{}: {e}", target.display())))?;
    let mut writer = BufWriter::new(out);
    std::io::copy(&mut reader, &mut writer).map_err(io)?;
    writer.flush().map_err(io)?;
    Ok(())
}

/// A new key pair: the identity file's text (to keep offline) and the public key (to give to
/// `lotse backup --recipient`).
pub(crate) fn new_key() -> (String, String) {
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let secret = identity.to_string();
    (
        format!(
            "# Lotse backup key; keep this file offline.\n# public key: {public}\n{}\n",
            secret.expose_secret()
        ),
        public,
    )
}
