#![doc = include_str!("../README.md")]

mod accounts;
mod dashboard;
pub mod delivery;
pub mod demo;
mod demo_schedules;
pub mod dependencies;
mod error;
pub mod forecasts;
mod records;
pub mod reports;
mod risk_analytics;
pub mod schedules;
mod transfer;

use keel_domain::{Action, OrgId, Role, UserId};
use keel_store::Store;

pub use accounts::{LoginOutcome, NewToken, NewUser, Session, generate_password};
pub use dashboard::{
    Dashboard, DashboardFilter, DashboardSort, PortfolioTrendPoint, ProjectOverview, ProjectRow, RollUp, sort_rows,
};
pub use delivery::DeliveryForecast;
pub use error::AppError;
pub use forecasts::{
    ForecastRun, ForecastRunInfo, ForecastSettings, ForecastSummary, PortfolioForecast, RunOptions, forecast_file,
};
pub use records::{RecordChange, RecordService, diff};
pub use reports::{
    RenderedReport, ReportFormat, ReportRequest, ReportScope, ReportScopes, ReportSnapshot, ReportSnapshotInfo,
    ReportingConfig,
};
pub use risk_analytics::RiskAnalytics;
pub use schedules::{
    AnalyseOptions, Analysis, DatesChoice, ImportOptions, ImportReport, Rebased, ScheduleVersion, ScheduleVersionInfo,
    analyse,
};
pub use transfer::{ExportDocument, ExportUser, ImportSummary, RecordSet};

/// Tunable rules of the application.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A status report older than this many days is stale.
    pub stale_after_days: i64,
    /// Risks scoring at least this are "high".
    pub high_risk_score: i64,
    /// Sign-in sessions last this many hours.
    pub session_hours: i64,
    /// Failed sign-ins allowed per user name and address in 15 minutes.
    pub login_attempts: i64,
    /// Thresholds of the DCMA 14-point schedule assessment.
    pub dcma: keel_engine::schedule::dcma::Thresholds,
    /// The probability-impact matrix: what each rating stands for, and each cell's band.
    pub risk_matrix: keel_engine::risk::RiskMatrix,
    /// Reporting: time zone, links, RAG rules, delivery retries.
    pub reporting: reports::ReportingConfig,
    /// The SMTP server for e-mailed reports (`None`: e-mail delivery is off).
    pub smtp: Option<reports::SmtpConfig>,
    /// Pins "today" to this date (`None`: the real date in the reporting time zone). Tests,
    /// demonstrations and what-ifs set it (`--today`, `KEEL_TODAY`, `today` in keel.toml); every
    /// date-dependent rule (staleness, overdue milestones, reporting periods, forecasts, the demo
    /// organisation) reads [`App::today`].
    pub today: Option<chrono::NaiveDate>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            stale_after_days: 14,
            high_risk_score: 15,
            session_hours: 12,
            login_attempts: 5,
            dcma: Default::default(),
            risk_matrix: Default::default(),
            reporting: Default::default(),
            smtp: None,
            today: None,
        }
    }
}

/// Who is acting: a signed-in user, a token, or the system itself (demo loader, imports).
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The user, if a person acts.
    pub user_id: Option<UserId>,
    /// Name recorded in the audit trail.
    pub name: String,
    /// The organisation acted in.
    pub org_id: OrgId,
    /// The role there.
    pub role: Role,
}

impl Actor {
    /// The system acting in `org` with full rights (demo loader, imports from the CLI).
    pub fn system(org_id: OrgId) -> Self {
        Self { user_id: None, name: "system".into(), org_id, role: Role::Admin }
    }

    /// Refuses unless the role allows `action`.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.role.allows(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the {} role may not {}",
                self.role.label(),
                action.label().to_lowercase()
            )))
        }
    }
}

/// The application: every use case hangs off this. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    config: AppConfig,
    /// Delivery-risk models fitted on each organisation's closed projects.
    models: forecasts::training::ModelCache,
}

impl App {
    /// An application over a migrated store.
    pub fn new(store: Store, config: AppConfig) -> Self {
        Self { store, config, models: Default::default() }
    }

    /// The store (health checks, shutdown).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The rules in force.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Generic record services for one kind (`app.records::<ProjectFields>()`).
    pub fn records<F: keel_store::Stored>(&self) -> RecordService<'_, F> {
        RecordService::new(self)
    }
}

pub(crate) fn new_id<T>() -> keel_domain::Id<T> {
    keel_domain::Id::from_uuid(uuid::Uuid::now_v7())
}
