//! Configuration: defaults < `parkhub.toml` < environment (`PARKHUB_*`) < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "parkhub-data";
/// The default HTTP listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The config file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "parkhub.toml";

/// What can go wrong while reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown or mistyped key.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the key's name and line.
        message: String,
    },
}

/// The contents of `parkhub.toml`. Every key is optional; unknown keys are errors.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
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
}

impl ConfigFile {
    /// Reads a config file. `required` is false for the default file, which may be absent.
    pub fn load(path: &Path, required: bool) -> Result<ConfigFile, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        ConfigFile::parse(path, &text)
    }

    /// Parses the text of a config file.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text).map_err(|error| ConfigError::Parse {
            path: path.to_path_buf(),
            message: error.to_string().trim_end().to_string(),
        })
    }
}

/// The resolved configuration of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The HTTP listen address.
    pub listen: SocketAddr,
    /// The largest request body of an HTTP ingest, when the file sets it.
    pub max_ingest_bytes: Option<u64>,
    /// Limits of the query service.
    pub query_limits: parkhub_queries::QueryLimits,
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
