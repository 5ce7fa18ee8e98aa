//! The instance's secrets: the master key (encrypts stored Partner Center credentials) and the
//! session key. Given by configuration, or, for the embedded default only, generated on first
//! run into `data_dir/secrets.toml` readable by the owner alone. Never logged.

use std::{fs, io::Write, path::Path};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::Config;

pub const MASTER_KEY_LEN: usize = 32;
pub const SESSION_KEY_LEN: usize = 64;
const FILE_NAME: &str = "secrets.toml";

/// Key bytes that print as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub struct Secrets {
    pub master_key: Key,
    pub session_key: Key,
    /// Signs workspace links (HS256), shared with the marketplace; `None`: links are off.
    pub link_secret: Option<Key>,
}

/// A shared secret for HS256 must be at least as long as the hash.
pub const MIN_LINK_SECRET: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("setting {setting}: must be base64 of exactly {len} bytes")]
    Malformed { setting: &'static str, len: usize },
    #[error(
        "setting {setting}: required when the database is not the embedded SQLite file \
         (generate one with: head -c {len} /dev/urandom | base64 -w0)"
    )]
    Missing { setting: &'static str, len: usize },
    #[error("setting {setting}: use at least {len} characters")]
    Short { setting: &'static str, len: usize },
    #[error("cannot use the secrets file {path}: {message}")]
    File { path: String, message: String },
}

#[derive(Serialize, Deserialize)]
struct SecretsFile {
    master_key: String,
    session_key: String,
    /// Added after the first release: generated into older files on the next start.
    #[serde(default)]
    link_secret: Option<String>,
}

impl Secrets {
    pub fn load(config: &Config) -> Result<Self, SecretsError> {
        let stored = if config.is_embedded()
            && (config.master_key.is_none()
                || config.session_key.is_none()
                || config.link_secret.is_none())
        {
            Some(load_or_create(&config.data_dir)?)
        } else {
            None
        };
        let resolve =
            |setting: &'static str, given: &Option<String>, stored: Option<&String>, len: usize| {
                match given.as_ref().or(stored) {
                    Some(text) => decode(setting, text, len),
                    None => Err(SecretsError::Missing { setting, len }),
                }
            };
        Ok(Secrets {
            master_key: resolve(
                "SEATWISE_MASTER_KEY",
                &config.master_key,
                stored.as_ref().map(|s| &s.master_key),
                MASTER_KEY_LEN,
            )?,
            session_key: resolve(
                "SEATWISE_SESSION_KEY",
                &config.session_key,
                stored.as_ref().map(|s| &s.session_key),
                SESSION_KEY_LEN,
            )?,
            link_secret: match config
                .link_secret
                .clone()
                .or_else(|| stored.as_ref().and_then(|s| s.link_secret.clone()))
            {
                Some(secret) if secret.chars().count() >= MIN_LINK_SECRET => {
                    Some(Key(secret.into_bytes()))
                }
                Some(_) => {
                    return Err(SecretsError::Short {
                        setting: "SEATWISE_LINK_SECRET",
                        len: MIN_LINK_SECRET,
                    })
                }
                None => None,
            },
        })
    }
}

fn decode(setting: &'static str, text: &str, len: usize) -> Result<Key, SecretsError> {
    match STANDARD.decode(text.trim()) {
        Ok(bytes) if bytes.len() == len => Ok(Key(bytes)),
        _ => Err(SecretsError::Malformed { setting, len }),
    }
}

fn random(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    STANDARD.encode(bytes)
}

fn load_or_create(dir: &Path) -> Result<SecretsFile, SecretsError> {
    let path = dir.join(FILE_NAME);
    let file_error = |message: String| SecretsError::File {
        path: path.display().to_string(),
        message,
    };
    match fs::read_to_string(&path) {
        Ok(text) => {
            check_private(&path).map_err(file_error)?;
            let mut secrets: SecretsFile =
                toml::from_str(&text).map_err(|e| file_error(e.message().to_owned()))?;
            if secrets.link_secret.is_none() {
                secrets.link_secret = Some(random(MASTER_KEY_LEN));
                let text = toml::to_string(&secrets).map_err(|e| file_error(e.to_string()))?;
                let tmp = path.with_extension("tmp");
                let _ = fs::remove_file(&tmp);
                write_private(&tmp, &text).map_err(|e| file_error(e.to_string()))?;
                fs::rename(&tmp, &path).map_err(|e| file_error(e.to_string()))?;
            }
            Ok(secrets)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|e| file_error(e.to_string()))?;
            let secrets = SecretsFile {
                master_key: random(MASTER_KEY_LEN),
                session_key: random(SESSION_KEY_LEN),
                link_secret: Some(random(MASTER_KEY_LEN)),
            };
            let text = toml::to_string(&secrets).map_err(|e| file_error(e.to_string()))?;
            write_private(&path, &text).map_err(|e| file_error(e.to_string()))?;
            tracing::info!(path = %path.display(), "generated the instance secrets");
            Ok(secrets)
        }
        Err(e) => Err(file_error(e.to_string())),
    }
}

/// Creates the file with mode 0600 from the start, so it is never readable by others.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(b"# Generated by Seatwise on first run. Keep this file private and backed up:\n# without the master key, stored Partner Center credentials cannot be read.\n")?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| e.to_string())?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "it is readable by others (mode {:o}); run chmod 600 on it",
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(dir: &Path, extra: &[(&str, &str)]) -> Config {
        let mut env: HashMap<String, String> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("SEATWISE_DATA_DIR".into(), dir.display().to_string());
        Config::from_sources(None, &env).unwrap()
    }

    #[test]
    fn embedded_default_generates_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secrets::load(&config(dir.path(), &[])).unwrap();
        assert_eq!(first.master_key.bytes().len(), MASTER_KEY_LEN);
        assert_eq!(first.session_key.bytes().len(), SESSION_KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = Secrets::load(&config(dir.path(), &[])).unwrap();
        assert!(first.link_secret.as_ref().unwrap().bytes().len() >= MIN_LINK_SECRET);
        assert_eq!(first.link_secret, again.link_secret);
        assert_eq!(first.master_key, again.master_key);
        assert_eq!(first.session_key, again.session_key);
        assert_eq!(format!("{:?}", first.master_key), "[redacted]");
    }

    #[test]
    fn configured_keys_win_and_are_validated() {
        let dir = tempfile::tempdir().unwrap();
        let master = STANDARD.encode([7u8; 32]);
        let session = STANDARD.encode([9u8; 64]);
        let s = Secrets::load(&config(
            dir.path(),
            &[
                ("SEATWISE_MASTER_KEY", &master),
                ("SEATWISE_SESSION_KEY", &session),
                (
                    "SEATWISE_LINK_SECRET",
                    "a marketplace secret of 32+ characters",
                ),
            ],
        ))
        .unwrap();
        assert_eq!(s.master_key.bytes(), &[7u8; 32]);
        assert_eq!(
            s.link_secret.unwrap().bytes(),
            b"a marketplace secret of 32+ characters"
        );
        assert!(
            !dir.path().join(FILE_NAME).exists(),
            "nothing generated when all are given"
        );
        let e = Secrets::load(&config(
            dir.path(),
            &[("SEATWISE_LINK_SECRET", "too short")],
        ))
        .unwrap_err();
        assert!(
            e.to_string().starts_with("setting SEATWISE_LINK_SECRET:"),
            "{e}"
        );

        let e =
            Secrets::load(&config(dir.path(), &[("SEATWISE_MASTER_KEY", "c2hvcnQ=")])).unwrap_err();
        assert!(
            e.to_string().starts_with("setting SEATWISE_MASTER_KEY:"),
            "{e}"
        );
    }

    #[test]
    fn postgres_requires_configured_keys() {
        let dir = tempfile::tempdir().unwrap();
        let e = Secrets::load(&config(
            dir.path(),
            &[("DATABASE_URL", "postgres://u@h/db")],
        ))
        .unwrap_err();
        assert!(e.to_string().contains("SEATWISE_MASTER_KEY"), "{e}");
        assert!(!dir.path().join(FILE_NAME).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_secrets_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        Secrets::load(&config(dir.path(), &[])).unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = Secrets::load(&config(dir.path(), &[])).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
    }
}
