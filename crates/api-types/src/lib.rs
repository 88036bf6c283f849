#![doc = include_str!("../README.md")]

mod forecasts;
mod openapi;
mod reports;
mod schedules;

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::{FieldError, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use openapi::openapi;
pub use schedules::*;

/// An error body (`application/problem+json`, RFC 9457).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level errors (validation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
    /// On a version conflict: the version now stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageResponse<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to fetch the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A user of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserResponse {
    /// ID.
    pub id: uuid::Uuid,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Role in this organisation.
    pub role: Role,
    /// Disabled users cannot sign in.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// Role.
    pub role: Role,
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New role.
    #[serde(default)]
    pub role: Option<Role>,
    /// Disable or enable.
    #[serde(default)]
    pub disabled: Option<bool>,
    /// New password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What the token is for.
    pub name: String,
    /// For another user (admins only); default: yourself.
    #[serde(default)]
    pub user_id: Option<uuid::Uuid>,
}

/// An API token (without its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// ID.
    pub id: uuid::Uuid,
    /// Owner.
    pub user_id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// First characters of the secret.
    pub prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The secret: only in the response that creates the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One field changed by an audited action.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeResponse {
    /// Field.
    pub field: String,
    /// Before.
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    /// After.
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
}

/// An audit entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryResponse {
    /// ID (time-ordered; pass as `before` to page back).
    pub id: uuid::Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user ID).
    pub actor_id: Option<uuid::Uuid>,
    /// Who (name).
    pub actor_name: String,
    /// create, update, delete or import.
    pub action: String,
    /// Kind of record.
    pub entity_kind: String,
    /// Record ID.
    pub entity_id: uuid::Uuid,
    /// Project the record belongs to.
    pub project_id: Option<uuid::Uuid>,
    /// Record label at the time.
    pub label: String,
    /// The record before.
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    /// The record after.
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    /// The fields that changed.
    pub changes: Vec<ChangeResponse>,
}

/// A project's line on the portfolio dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardRow {
    /// Project ID.
    pub id: uuid::Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Portfolio code.
    pub portfolio: String,
    /// Programme name.
    pub programme: Option<String>,
    /// Project manager.
    pub manager: String,
    /// Lifecycle stage.
    pub stage: String,
    /// State.
    pub state: String,
    /// Latest overall RAG.
    pub rag: Option<String>,
    /// improving, stable, deteriorating or new.
    pub trend: String,
    /// Overall RAG of recent reports, oldest first.
    pub recent: Vec<String>,
    /// Next milestone.
    pub next_milestone: Option<String>,
    /// Its date.
    pub next_milestone_date: Option<NaiveDate>,
    /// Budget (decimal string) and currency.
    pub budget: Option<String>,
    /// Exceptions, most serious first.
    pub exceptions: Vec<String>,
    /// Sort key: higher needs more attention.
    pub attention: u32,
}

/// The portfolio dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardResponse {
    /// As of.
    pub today: NaiveDate,
    /// Green, amber, red, not reported.
    pub distribution: [usize; 4],
    /// Projects, exceptions first.
    pub rows: Vec<DashboardRow>,
}

/// The caller's organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganisationResponse {
    /// ID.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Default currency for budgets (ISO 4217).
    pub currency: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Body of `PUT /api/v1/organisation`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisationRequest {
    /// Name.
    pub name: String,
    /// Default currency (ISO 4217, e.g. GBP).
    pub currency: String,
}

/// Who am I.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    /// User ID.
    pub user_id: Option<uuid::Uuid>,
    /// Name.
    pub name: String,
    /// Organisation.
    pub org_id: uuid::Uuid,
    /// Role.
    pub role: Role,
}
