//! Configuration: defaults, then `keel.toml`, then `KEEL_*` environment variables, then flags.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// Every setting Keel reads. See docs/configuration.md.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Directory for the embedded SQLite database (`keel.db`).
    pub data_dir: PathBuf,
    /// `postgres://...` or `sqlite://...`; overrides `data_dir`.
    pub database_url: Option<String>,
    /// Address `keel serve` listens on.
    pub bind: String,
    /// Password of the first admin (only used when the database is initialised).
    #[serde(deserialize_with = "opt_text")]
    pub admin_password: Option<String>,
    /// Name of the first organisation.
    #[serde(deserialize_with = "text")]
    pub org_name: String,
    /// A status report older than this many days is stale.
    pub stale_after_days: i64,
    /// Hours a sign-in session lasts.
    pub session_hours: i64,
    /// Mark session cookies Secure (set when Keel is served over HTTPS).
    pub secure_cookies: bool,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Thresholds of the DCMA 14-point schedule assessment (`[dcma]` in keel.toml).
    #[serde(default)]
    pub dcma: keel_engine::schedule::dcma::Thresholds,
    /// The probability-impact matrix (`[risk_matrix]` in keel.toml): percent per probability
    /// level, cost and schedule ranges per impact level, bands.
    #[serde(default)]
    pub risk_matrix: keel_engine::risk::RiskMatrix,
    /// Reports (`[reporting]` in keel.toml): time zone, links, RAG rules per tier, retries.
    #[serde(default)]
    pub reporting: Reporting,
    /// The SMTP server scheduled reports are e-mailed through (`[smtp]` in keel.toml).
    #[serde(default)]
    pub smtp: Option<keel_app::reports::SmtpConfig>,
    /// Pins "today" (`YYYY-MM-DD`) for every date rule, the demo organisation included: for
    /// demonstrations, training and tests. Unset: the real date in the reporting time zone.
    #[serde(default)]
    pub today: Option<chrono::NaiveDate>,
}

/// `[reporting]` in keel.toml.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Reporting {
    /// The organisation's time zone (IANA name, e.g. `Europe/London`) for scheduled reports.
    pub timezone: String,
    /// Base URL of this server for links in e-mailed reports, e.g. `https://pmo.example.com`.
    pub base_url: String,
    /// Delivery attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// Seconds before the first retry (doubled at each further attempt).
    pub retry_after_secs: u64,
    /// RAG thresholds per governance tier (`[reporting.rag_rules.standard]` and so on).
    pub rag_rules: keel_engine::report::RagRules,
}

impl Default for Reporting {
    fn default() -> Self {
        let d = keel_app::ReportingConfig::default();
        Self {
            timezone: d.timezone,
            base_url: d.base_url,
            max_attempts: d.max_attempts,
            retry_after_secs: d.retry_after_secs,
            rag_rules: d.rag_rules,
        }
    }
}

impl Reporting {
    /// The application's settings.
    pub fn to_app(&self) -> keel_app::ReportingConfig {
        keel_app::ReportingConfig {
            timezone: self.timezone.clone(),
            base_url: self.base_url.clone(),
            rag_rules: self.rag_rules.clone(),
            max_attempts: self.max_attempts,
            retry_after_secs: self.retry_after_secs,
        }
    }
}

/// Environment values arrive parsed (`12345` is a number): take any scalar as text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn into_text(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Scalar::deserialize(d).map(Scalar::into_text)
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Scalar>::deserialize(d).map(|v| v.map(Scalar::into_text))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("keel-data"),
            database_url: None,
            bind: "127.0.0.1:8080".into(),
            admin_password: None,
            org_name: "My organisation".into(),
            stale_after_days: 14,
            session_hours: 12,
            secure_cookies: false,
            log_format: "text".into(),
            dcma: Default::default(),
            risk_matrix: Default::default(),
            reporting: Default::default(),
            smtp: None,
            today: None,
        }
    }
}

/// Flag values that override the file and the environment.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub today: Option<chrono::NaiveDate>,
}

impl Config {
    /// Loads the configuration from `file` (if it exists), the environment and `flags`.
    pub fn load(file: &Path, flags: &Overrides) -> Result<Self, String> {
        Figment::new()
            .merge(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("KEEL_").ignore(&["test_postgres_url", "log"]))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| format!("configuration error: {e}"))
    }

    /// The database URL in force.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.clone(),
            _ => format!("sqlite://{}", self.data_dir.join("keel.db").display()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
mod tests {
    use super::*;

    #[test]
    fn flags_beat_environment_beat_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("keel.toml", "bind = \"0.0.0.0:1\"\ndata_dir = \"from-file\"\nstale_after_days = 7")?;
            jail.set_env("KEEL_DATA_DIR", "from-env");
            let c = Config::load(Path::new("keel.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!((c.bind.as_str(), c.data_dir.to_str(), c.stale_after_days), ("0.0.0.0:1", Some("from-env"), 7));
            let flags = Overrides { bind: Some("127.0.0.1:9".into()), ..Default::default() };
            let c = Config::load(Path::new("keel.toml"), &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9");
            assert_eq!(c.url(), format!("sqlite://{}", Path::new("from-env").join("keel.db").display()));
            Ok(())
        });
    }

    #[test]
    fn an_all_digit_password_in_the_environment_is_text() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KEEL_ADMIN_PASSWORD", "12345678901");
            let c = Config::load(Path::new("keel.toml"), &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.admin_password.as_deref(), Some("12345678901"));
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_is_reported_with_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("keel.toml", "stale_after_days = \"soon\"")?;
            let e = Config::load(Path::new("keel.toml"), &Overrides::default()).unwrap_err();
            assert!(e.contains("stale_after_days"), "{e}");
            Ok(())
        });
    }
}
