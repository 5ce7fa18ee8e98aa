//! Start-up configuration: defaults, then an optional TOML file, then `SEATWISE_*` environment
//! variables (and `DATABASE_URL`). Every value is validated before anything starts, and an
//! error names the setting and what it expected.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// `sqlite://…` (embedded default) or `postgres://…`.
    pub database_url: String,
    /// Where the embedded defaults keep their files (SQLite database, generated secrets).
    pub data_dir: PathBuf,
    /// The compiled site (wasm, JS, CSS, public assets).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    /// Base64 of 32 bytes; generated under `data_dir` when absent and the database is embedded.
    pub master_key: Option<String>,
    /// Base64 of 64 bytes; likewise.
    pub session_key: Option<String>,
    /// Run the Partner Center emulator in-process with a "Sandbox" connection to it.
    pub emulator: bool,
    pub emulator_listen: SocketAddr,
    /// Mark cookies `Secure`: on when `SEATWISE_PUBLIC_URL` is https.
    pub secure_cookies: bool,
    /// Where links should point (`seatwise workspace-link`); default: the listen address.
    pub public_url: Option<String>,
    /// The shared secret of workspace links (generated for the embedded default).
    pub link_secret: Option<String>,
    /// The `aud` workspace links must carry.
    pub link_audience: String,
    /// `smtp://host:port` (plain or STARTTLS when offered) or `smtps://user:pass@host`; when
    /// absent, mail stays in the outbox for the service provider to read.
    pub smtp_url: Option<String>,
    /// The From address of the mail Seatwise sends.
    pub mail_from: String,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or networks like 10.0.0.0/8);
    /// empty: the socket's peer is the client.
    pub trusted_proxies: Vec<Network>,
    /// The `iss` values workspace links may carry (the marketplaces that mint them).
    pub link_issuers: Vec<String>,
    /// How long a change (a server function that writes) may take before the page is told
    /// "not confirmed yet"; the change itself runs on to its end regardless.
    pub write_timeout_secs: u64,
    /// How often the schedule looks for work that is due (the nightly sync, monthly refreshes).
    pub schedule_secs: u64,
    /// How long a job's lease lasts without a heartbeat before another instance takes it over.
    pub job_lease_secs: u64,
    /// Every demo account's password, for tests (else each gets a random one, shown once).
    pub demo_password: Option<String>,
}

/// An address or a network (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Option<Network> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.trim().parse().ok()?, None),
        };
        let bits = match addr {
            std::net::IpAddr::V4(_) => 32,
            std::net::IpAddr::V6(_) => 128,
        };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Network { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let (a, b, bits) = match (self.addr, ip) {
            (V4(a), V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
            (V6(a), V6(b)) => (u128::from(a), u128::from(b), 128),
            (V6(a), V4(b)) | (V4(b), V6(a)) => match a.to_ipv4_mapped() {
                Some(a) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
                None => return false,
            },
        };
        let prefix = u32::from(self.prefix.min(bits));
        if prefix == 0 {
            return true;
        }
        let shift = u32::from(bits) - prefix;
        (a >> shift) == (b >> shift)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    File { path: String, message: String },
    #[error("setting {setting}: {message}")]
    Invalid {
        setting: &'static str,
        message: String,
    },
}

/// The file's keys are the environment names without the `SEATWISE_` prefix, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<Scalar>,
    database_url: Option<Scalar>,
    data_dir: Option<Scalar>,
    site_root: Option<Scalar>,
    log_format: Option<Scalar>,
    request_timeout_secs: Option<Scalar>,
    body_limit_bytes: Option<Scalar>,
    master_key: Option<Scalar>,
    session_key: Option<Scalar>,
    emulator: Option<Scalar>,
    emulator_listen: Option<Scalar>,
    public_url: Option<Scalar>,
    link_secret: Option<Scalar>,
    link_audience: Option<Scalar>,
    smtp_url: Option<Scalar>,
    mail_from: Option<Scalar>,
    trusted_proxies: Option<Scalar>,
    link_issuers: Option<Scalar>,
    write_timeout_secs: Option<Scalar>,
    schedule_secs: Option<Scalar>,
    job_lease_secs: Option<Scalar>,
    demo_password: Option<Scalar>,
}

/// A file value as the environment would give it: numbers may be written bare in TOML.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(i64),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
        }
    }
}

impl Config {
    /// Reads the process environment and, if given (or `SEATWISE_CONFIG` names one), a file.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    pub fn from_sources(
        file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let file = match file
            .map(Path::to_path_buf)
            .or_else(|| env.get("SEATWISE_CONFIG").map(PathBuf::from))
        {
            Some(path) => read_file(&path)?,
            None => FileConfig::default(),
        };
        let pick = |name: &str, from_file: &Option<Scalar>| -> Option<String> {
            env.get(name)
                .cloned()
                .or_else(|| from_file.as_ref().map(Scalar::text))
                .filter(|v| !v.trim().is_empty())
        };

        let data_dir = PathBuf::from(
            pick("SEATWISE_DATA_DIR", &file.data_dir).unwrap_or_else(|| "data".into()),
        );
        let listen = pick("SEATWISE_LISTEN", &file.listen)
            // Under `cargo leptos watch`, cargo-leptos says where to listen.
            .or_else(|| env.get("LEPTOS_SITE_ADDR").cloned())
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen = listen.parse().map_err(|_| ConfigError::Invalid {
            setting: "SEATWISE_LISTEN",
            message: format!("{listen:?} is not an address like 127.0.0.1:3000"),
        })?;

        let database_url = env
            .get("DATABASE_URL")
            .cloned()
            .or_else(|| pick("SEATWISE_DATABASE_URL", &file.database_url))
            .unwrap_or_else(|| format!("sqlite://{}/seatwise.db", data_dir.display()));
        if domain::Backend::from_url(&database_url).is_err() {
            return Err(ConfigError::Invalid {
                setting: "DATABASE_URL",
                message: "must start with sqlite: or postgres://".into(),
            });
        }

        let site_root = PathBuf::from(
            pick("SEATWISE_SITE_ROOT", &file.site_root)
                .or_else(|| env.get("LEPTOS_SITE_ROOT").cloned())
                .unwrap_or_else(|| "target/site".into()),
        );

        let log_format = match pick("SEATWISE_LOG_FORMAT", &file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    setting: "SEATWISE_LOG_FORMAT",
                    message: format!("{other:?} is neither \"text\" nor \"json\""),
                })
            }
        };

        let request_timeout_secs = number(
            "SEATWISE_REQUEST_TIMEOUT_SECS",
            pick("SEATWISE_REQUEST_TIMEOUT_SECS", &file.request_timeout_secs),
            30,
            1..=600,
        )?;
        let body_limit_bytes = number(
            "SEATWISE_BODY_LIMIT_BYTES",
            pick("SEATWISE_BODY_LIMIT_BYTES", &file.body_limit_bytes),
            1024 * 1024,
            1024..=64 * 1024 * 1024,
        )? as usize;

        let embedded = database_url.starts_with("sqlite:");
        let emulator = match pick("SEATWISE_EMULATOR", &file.emulator).as_deref() {
            None => embedded,
            Some("embedded") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    setting: "SEATWISE_EMULATOR",
                    message: format!("{other:?} is neither \"embedded\" nor \"off\""),
                })
            }
        };
        let emulator_listen = pick("SEATWISE_EMULATOR_LISTEN", &file.emulator_listen)
            .unwrap_or_else(|| "127.0.0.1:0".into());
        let emulator_listen = emulator_listen.parse().map_err(|_| ConfigError::Invalid {
            setting: "SEATWISE_EMULATOR_LISTEN",
            message: format!("{emulator_listen:?} is not an address like 127.0.0.1:0"),
        })?;

        let public_url = pick("SEATWISE_PUBLIC_URL", &file.public_url);
        if let Some(url) = &public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::Invalid {
                    setting: "SEATWISE_PUBLIC_URL",
                    message: format!("{url:?} is not an http(s) URL"),
                });
            }
        }
        let secure_cookies = public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));

        let smtp_url = pick("SEATWISE_SMTP_URL", &file.smtp_url);
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError::Invalid {
                    setting: "SEATWISE_SMTP_URL",
                    message: "use smtp://host:port or smtps://user:password@host".into(),
                });
            }
        }
        let mail_from = pick("SEATWISE_MAIL_FROM", &file.mail_from)
            .unwrap_or_else(|| "Seatwise <no-reply@seatwise.invalid>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                setting: "SEATWISE_MAIL_FROM",
                message: format!("{mail_from:?} is not a mail address like Name <a@b.com>"),
            });
        }

        let mut trusted_proxies = Vec::new();
        for item in pick("SEATWISE_TRUSTED_PROXIES", &file.trusted_proxies)
            .unwrap_or_default()
            .split(',')
            .filter(|i| !i.trim().is_empty())
        {
            trusted_proxies.push(Network::parse(item).ok_or_else(|| ConfigError::Invalid {
                setting: "SEATWISE_TRUSTED_PROXIES",
                message: format!("{item:?} is not an address or a network like 10.0.0.0/8"),
            })?);
        }
        let link_issuers: Vec<String> = pick("SEATWISE_LINK_ISSUERS", &file.link_issuers)
            .unwrap_or_else(|| "seatwise-cli".into())
            .split(',')
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
        let write_timeout_secs = number(
            "SEATWISE_WRITE_TIMEOUT_SECS",
            pick("SEATWISE_WRITE_TIMEOUT_SECS", &file.write_timeout_secs),
            300,
            1..=3600,
        )?;
        let schedule_secs = number(
            "SEATWISE_SCHEDULE_SECS",
            pick("SEATWISE_SCHEDULE_SECS", &file.schedule_secs),
            600,
            1..=86_400,
        )?;
        let job_lease_secs = number(
            "SEATWISE_JOB_LEASE_SECS",
            pick("SEATWISE_JOB_LEASE_SECS", &file.job_lease_secs),
            60,
            2..=3600,
        )?;
        let demo_password = pick("SEATWISE_DEMO_PASSWORD", &file.demo_password);
        if demo_password
            .as_ref()
            .is_some_and(|p| p.chars().count() < domain::access::MIN_PASSWORD)
        {
            return Err(ConfigError::Invalid {
                setting: "SEATWISE_DEMO_PASSWORD",
                message: format!("use at least {} characters", domain::access::MIN_PASSWORD),
            });
        }

        Ok(Config {
            trusted_proxies,
            link_issuers,
            write_timeout_secs,
            schedule_secs,
            job_lease_secs,
            demo_password,
            smtp_url,
            mail_from,
            link_secret: pick("SEATWISE_LINK_SECRET", &file.link_secret),
            link_audience: pick("SEATWISE_LINK_AUDIENCE", &file.link_audience)
                .unwrap_or_else(|| "seatwise".into()),
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            secure_cookies,
            emulator,
            emulator_listen,
            listen,
            database_url,
            data_dir,
            site_root,
            log_format,
            request_timeout_secs,
            body_limit_bytes,
            master_key: pick("SEATWISE_MASTER_KEY", &file.master_key),
            session_key: pick("SEATWISE_SESSION_KEY", &file.session_key),
        })
    }

    /// True when the database is the embedded SQLite file, where we may generate secrets.
    pub fn is_embedded(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        message: e.message().to_owned(),
    })
}

fn number(
    setting: &'static str,
    value: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            setting,
            message: format!(
                "{value:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn networks_contain_their_addresses() {
        let n = super::Network::parse("10.0.0.0/8").unwrap();
        assert!(n.contains("10.2.3.4".parse().unwrap()));
        assert!(!n.contains("11.0.0.1".parse().unwrap()));
        assert!(!n.contains("::1".parse().unwrap()));
        let one = super::Network::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(one.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(super::Network::parse("10.0.0.0/33").is_none());
        assert!(super::Network::parse("example.com").is_none());
    }

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://data/seatwise.db");
        assert!(c.is_embedded());
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.request_timeout_secs, 30);
        assert!(c.emulator, "the embedded default runs the sandbox emulator");
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatwise.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:4000\"\nlog_format = \"json\"\ndata_dir = \"/tmp/sw\"\nrequest_timeout_secs = 12\n",
        )
        .unwrap();
        let c = Config::from_sources(
            Some(&path),
            &env(&[
                ("SEATWISE_LISTEN", "0.0.0.0:5000"),
                ("DATABASE_URL", "postgres://u@h/db"),
            ]),
        )
        .unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:5000");
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/sw"));
        assert_eq!(c.database_url, "postgres://u@h/db");
        assert_eq!(c.request_timeout_secs, 12);
        assert!(!c.is_embedded());
        assert!(!c.emulator, "no emulator by default beside PostgreSQL");
    }

    #[test]
    fn errors_name_the_bad_setting() {
        let err = |pairs: &[(&str, &str)]| {
            Config::from_sources(None, &env(pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[("SEATWISE_LISTEN", "nope")]).starts_with("setting SEATWISE_LISTEN:"));
        assert!(err(&[("DATABASE_URL", "mysql://x")]).starts_with("setting DATABASE_URL:"));
        assert!(err(&[("SEATWISE_LOG_FORMAT", "xml")]).contains("SEATWISE_LOG_FORMAT"));
        assert!(err(&[("SEATWISE_REQUEST_TIMEOUT_SECS", "0")])
            .contains("SEATWISE_REQUEST_TIMEOUT_SECS"));
        assert!(err(&[("SEATWISE_BODY_LIMIT_BYTES", "lots")]).contains("SEATWISE_BODY_LIMIT_BYTES"));
        assert!(err(&[("SEATWISE_EMULATOR", "yes")]).starts_with("setting SEATWISE_EMULATOR:"));
    }

    #[test]
    fn unknown_file_keys_and_missing_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let e = Config::from_sources(Some(&path), &env(&[])).unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
        let e =
            Config::from_sources(Some(&dir.path().join("missing.toml")), &env(&[])).unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }));
    }
}
