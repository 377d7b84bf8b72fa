//! Password hashing with Argon2id (OWASP / BSI recommendation), parameters from the PHC string so
//! they can be raised later without invalidating stored hashes.
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory on purpose. Callers on the async
//! runtime use [`run`], which hands the work to two dedicated threads: on tokio's blocking pool every
//! thread that ever hashed kept a malloc arena of that size (measured: 124 MiB RSS after the seven
//! demo hashes, against 10 MiB without them). Two threads bound the memory and the CPU an attacker
//! can make the server spend on password guesses.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use crate::StoreError;

type Job = Box<dyn FnOnce() + Send>;

const HASHING_THREADS: usize = 2;

fn workers() -> &'static mpsc::Sender<Job> {
    static WORKERS: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..HASHING_THREADS {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("lotse-password-{i}"))
                .spawn(move || {
                    loop {
                        // The guard is dropped at the end of this statement, before the job runs.
                        let job = match receiver.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start password hashing thread");
            }
        }
        sender
    })
}

/// Runs a hashing job on the password threads and waits for it without blocking the runtime.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let (done, result) = tokio::sync::oneshot::channel();
    workers()
        .send(Box::new(move || {
            let _ = done.send(f());
        }))
        .map_err(|_| StoreError::Config("password hashing threads are not running".into()))?;
    result
        .await
        .map_err(|_| StoreError::Config("password hashing job was dropped".into()))
}

fn hasher() -> Argon2<'static> {
    // OWASP's first recommended Argon2id configuration: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Config(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))
}

pub fn verify(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a password nobody knows. Logins for unknown usernames verify against it, so
/// that the time a failed login takes does not reveal whether the account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that is never accepted").unwrap_or_default())
}

/// Random bytes encoded URL-safe; used for session and API tokens and TOTP secrets.
pub fn random_token(bytes: usize) -> Result<String, StoreError> {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

pub fn random_bytes(len: usize) -> Result<Vec<u8>, StoreError> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
    Ok(buf)
}

/// Tokens are high-entropy secrets, so a plain SHA-256 is enough to keep a database leak from
/// yielding usable tokens (no need for a slow hash).
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::audit::hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("richtig lang genug").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "richtig lang genug"));
        assert!(!verify(&h, "falsch"));
        assert!(!verify("not a hash", "x"));
        assert!(!verify(decoy_hash(), "x"));
    }
}
