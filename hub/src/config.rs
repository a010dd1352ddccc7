//! Configuration: defaults < `parkhub.toml` < environment (`PARKHUB_*`) < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{Error, Result};

/// The default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "parkhub-data";
/// The default HTTP listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The config file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "parkhub.toml";

/// The contents of `parkhub.toml`. Every key is optional; unknown keys are errors.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Where the lake, the catalog index and the park's contracts live.
    pub data_dir: Option<PathBuf>,
    /// The HTTP listen address of `parkhub serve`.
    pub listen: Option<SocketAddr>,
    /// The largest request body of an HTTP ingest, in bytes.
    pub max_ingest_bytes: Option<u64>,
    /// Limits of the query service (`[query]`: memory_bytes, spill_dir, spill_bytes,
    /// timeout_seconds, max_concurrent, threads).
    pub query: Option<parkhub_queries::QueryLimits>,
    /// Whether `GET /api/catalog/search` answers without a token (default false).
    pub allow_anonymous_search: Option<bool>,
    /// Limits of the HTTP edge (`[limits]`).
    pub limits: Option<LimitsFile>,
    /// Live sources (`[[sources]]`): enterprises' databases and meter brokers.
    #[serde(default)]
    pub sources: Vec<parkhub_connectors::live::SourceConfig>,
}

/// `[limits]` in `parkhub.toml`: the HTTP edge's limits. Every key is optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Sustained requests per second per token (default 50).
    pub requests_per_second: Option<u32>,
    /// Requests a token may make at once after being idle (default 200).
    pub burst: Option<u32>,
    /// The largest request body of every route but ingest, in bytes (default 2 MiB; ingest
    /// has `max_ingest_bytes`).
    pub max_request_bytes: Option<usize>,
    /// Seconds in-flight requests get to finish after a shutdown signal (default 30).
    pub shutdown_grace_seconds: Option<u64>,
}

/// The default largest request body of the routes other than ingest: 2 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 2 << 20;
/// The default time in-flight requests get to finish after a shutdown signal.
pub const DEFAULT_SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// The resolved limits of the HTTP edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeLimits {
    /// Sustained requests per second per token.
    pub requests_per_second: u32,
    /// Burst per token.
    pub burst: u32,
    /// The largest request body of every route but ingest.
    pub max_request_bytes: usize,
    /// How long in-flight requests may run on after a shutdown signal.
    pub shutdown_grace: std::time::Duration,
}

impl EdgeLimits {
    /// Resolves `[limits]` over the defaults.
    pub fn resolve(file: LimitsFile) -> EdgeLimits {
        use crate::auth::rate_limit::{DEFAULT_BURST, DEFAULT_REQUESTS_PER_SECOND};
        EdgeLimits {
            requests_per_second: file
                .requests_per_second
                .unwrap_or(DEFAULT_REQUESTS_PER_SECOND),
            burst: file.burst.unwrap_or(DEFAULT_BURST),
            max_request_bytes: file.max_request_bytes.unwrap_or(DEFAULT_MAX_REQUEST_BYTES),
            shutdown_grace: std::time::Duration::from_secs(
                file.shutdown_grace_seconds
                    .unwrap_or(DEFAULT_SHUTDOWN_GRACE_SECONDS),
            ),
        }
    }
}

impl Default for EdgeLimits {
    fn default() -> EdgeLimits {
        EdgeLimits::resolve(LimitsFile::default())
    }
}

impl ConfigFile {
    /// Reads a config file. `required` is false for the default file, which may be absent.
    pub fn load(path: &Path, required: bool) -> Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile::default());
            }
            Err(source) => {
                return Err(Error::ConfigRead {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        ConfigFile::parse(path, &text)
    }

    /// Parses the text of a config file.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
        toml::from_str(text).map_err(|source| Error::ConfigParse {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The resolved configuration of one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The HTTP listen address.
    pub listen: SocketAddr,
    /// The largest request body of an HTTP ingest, when the file sets it.
    pub max_ingest_bytes: Option<u64>,
    /// Limits of the query service.
    pub query_limits: parkhub_queries::QueryLimits,
    /// Whether catalog search answers without a token.
    pub allow_anonymous_search: bool,
    /// Limits of the HTTP edge.
    pub edge_limits: EdgeLimits,
    /// The live sources declared.
    pub sources: Vec<parkhub_connectors::live::SourceConfig>,
}

impl Config {
    /// Resolves the configuration: `flag_or_env` values (clap fills them from the flag, else
    /// from the `PARKHUB_*` variable) win over the file, which wins over the defaults.
    pub fn resolve(
        file: ConfigFile,
        data_dir_flag_or_env: Option<PathBuf>,
        listen_flag_or_env: Option<SocketAddr>,
    ) -> Config {
        let default_listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Config {
            data_dir: data_dir_flag_or_env
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            listen: listen_flag_or_env.or(file.listen).unwrap_or(default_listen),
            max_ingest_bytes: file.max_ingest_bytes,
            query_limits: file.query.unwrap_or_default(),
            allow_anonymous_search: file.allow_anonymous_search.unwrap_or(false),
            edge_limits: EdgeLimits::resolve(file.limits.unwrap_or_default()),
            sources: file.sources,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() {
        let file = ConfigFile::parse(
            Path::new("parkhub.toml"),
            "data_dir = \"/srv/park\"\nlisten = \"0.0.0.0:9000\"\n",
        )
        .expect("parses");
        let from_file = Config::resolve(file.clone(), None, None);
        assert_eq!(from_file.data_dir, PathBuf::from("/srv/park"));
        assert_eq!(from_file.listen.to_string(), "0.0.0.0:9000");
        let from_flags = Config::resolve(
            file,
            Some(PathBuf::from("/tmp/d")),
            Some("127.0.0.1:1".parse().expect("addr")),
        );
        assert_eq!(from_flags.data_dir, PathBuf::from("/tmp/d"));
        assert_eq!(from_flags.listen.to_string(), "127.0.0.1:1");
        let defaults = Config::resolve(ConfigFile::default(), None, None);
        assert_eq!(defaults.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert_eq!(defaults.listen.to_string(), DEFAULT_LISTEN);
    }

    #[test]
    fn anonymous_search_and_edge_limits_are_read_with_defaults() {
        let defaults = Config::resolve(ConfigFile::default(), None, None);
        assert!(!defaults.allow_anonymous_search);
        assert_eq!(defaults.edge_limits.requests_per_second, 50);
        assert_eq!(defaults.edge_limits.burst, 200);
        let file = ConfigFile::parse(
            Path::new("parkhub.toml"),
            "allow_anonymous_search = true\n[limits]\nrequests_per_second = 5\nshutdown_grace_seconds = 2\n",
        )
        .expect("parses");
        let config = Config::resolve(file, None, None);
        assert!(config.allow_anonymous_search);
        assert_eq!(config.edge_limits.requests_per_second, 5);
        assert_eq!(config.edge_limits.burst, 200);
        assert_eq!(config.edge_limits.shutdown_grace.as_secs(), 2);
        let error = ConfigFile::parse(Path::new("parkhub.toml"), "[limits]\nburts = 1\n")
            .expect_err("unknown key");
        assert!(
            error.to_string().contains("unknown field `burts`"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_key_is_named() {
        let error = ConfigFile::parse(Path::new("parkhub.toml"), "data_dri = \"x\"\n")
            .expect_err("unknown key");
        let message = error.to_string();
        assert!(
            message.starts_with("config file parkhub.toml:"),
            "{message}"
        );
        assert!(message.contains("unknown field `data_dri`"), "{message}");
    }

    #[test]
    fn a_missing_default_file_is_fine_but_a_missing_given_file_is_not() {
        let missing = Path::new("/nonexistent/parkhub.toml");
        assert_eq!(
            ConfigFile::load(missing, false).expect("optional"),
            ConfigFile::default()
        );
        assert!(ConfigFile::load(missing, true).is_err());
    }
}
