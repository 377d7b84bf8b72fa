//! Password hashing with Argon2id (OWASP / BSI recommendation), parameters from the PHC string so
//! they can be raised later without invalidating stored hashes.
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory on purpose. Callers on the async
//! runtime use [`run`], which hands the work to two dedicated threads: on tokio's blocking pool every
//! thread that ever hashed kept a malloc arena of that size (measured: 124 MiB RSS after the seven
//! demo hashes, against 10 MiB without them). Two threads bound the memory and the CPU an attacker
//! can make the server spend on password guesses.

use std::cell::RefCell;

use argon2::password_hash::{Output, PasswordHash};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use crate::StoreError;

type Job = Box<dyn FnOnce() + Send>;

const HASHING_THREADS: usize = 2;
/// Jobs waiting beyond this are refused at once (the user sees "busy, try again") instead of
/// queueing without bound during a flood of login attempts.
const QUEUE: usize = 64;

fn workers() -> &'static mpsc::SyncSender<Job> {
    static WORKERS: OnceLock<mpsc::SyncSender<Job>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (sender, receiver) = mpsc::sync_channel::<Job>(QUEUE);
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
    let job: Job = Box::new(move || {
        // The request may have been given up (client gone, timeout): then skip the work.
        if !done.is_closed() {
            let _ = done.send(f());
        }
    });
    workers().try_send(job).map_err(|e| match e {
        mpsc::TrySendError::Full(_) => StoreError::Busy("too many password checks at once".into()),
        mpsc::TrySendError::Disconnected(_) => {
            StoreError::Config("password hashing threads are not running".into())
        }
    })?;
    result
        .await
        .map_err(|_| StoreError::Config("password hashing job was dropped".into()))
}

fn params() -> Params {
    // OWASP's first recommended Argon2id configuration: 19 MiB, 2 iterations, 1 lane.
    Params::new(19 * 1024, 2, 1, Some(32)).unwrap_or_default()
}

thread_local! {
    /// Argon2's working memory, allocated once per hashing thread and reused: allocating 19 MiB per
    /// hash left glibc holding several copies per thread (measured 58 MiB per thread).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < blocks {
            m.resize(blocks, Block::default());
        }
        f(&mut m[..blocks])
    })
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    // The PHC string format's "B64": the standard alphabet without padding.
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
pub fn hash(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
    let params = params();
    let (m, t, p) = (params.m_cost(), params.t_cost(), params.p_cost());
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; 32];
    with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
    })
    .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))?;
    Ok(format!(
        "$argon2id$v=19$m={m},t={t},p={p}${}${}",
        b64(&salt),
        b64(&out)
    ))
}

/// Checks a password against a stored PHC string, with the parameters stored in it (so hashes made
/// with older parameters keep working). The comparison takes constant time.
pub fn verify(stored_hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    if parsed.algorithm != ARGON2ID_IDENT {
        return false;
    }
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let version = parsed
        .version
        .map(Version::try_from)
        .unwrap_or(Ok(Version::V0x13));
    let Ok(version) = version else { return false };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon = Argon2::new(Algorithm::Argon2id, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let hashed = with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    });
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
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
    fn compatible_with_the_argon2_crates_own_phc_handling() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
        let ours = hash("gleiches passwort").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("valid PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"gleiches passwort", &parsed)
                .is_ok()
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"gleiches passwort", &salt)
            .expect("hash")
            .to_string();
        assert!(verify(&theirs, "gleiches passwort"));
        assert!(!verify(&theirs, "anderes passwort"));
        // Argon2i hashes are not accepted: only the variant we issue.
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, params())
            .hash_password(b"x", &salt)
            .expect("hash")
            .to_string();
        assert!(!verify(&argon2i, "x"));
    }

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
