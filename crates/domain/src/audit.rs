//! The audit trail: append-only entries written in the same transaction as the change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    ids::{AuditId, OrgId, UserId},
    values::vocabulary,
};

vocabulary! {
    /// What happened to the record.
    AuditAction {
        /// Created.
        Create => ("create", "Created"),
        /// Updated.
        Update => ("update", "Updated"),
        /// Deleted.
        Delete => ("delete", "Deleted"),
        /// Loaded by an import or the demo generator.
        Import => ("import", "Imported"),
    }
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// ID (time-ordered).
    pub id: AuditId,
    /// Organisation.
    pub org_id: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for system actions such as the demo loader).
    pub actor_id: Option<UserId>,
    /// Who, as shown (kept even if the user is later renamed).
    pub actor_name: String,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record (`project`, `risk`, `user`...).
    pub entity_kind: String,
    /// The record's ID.
    pub entity_id: uuid::Uuid,
    /// The project the record belongs to, if any.
    pub project_id: Option<uuid::Uuid>,
    /// The record's label at the time.
    pub label: String,
    /// The record before the change, as JSON text (none on create).
    pub before: Option<String>,
    /// The record after the change, as JSON text (none on delete).
    pub after: Option<String>,
}
