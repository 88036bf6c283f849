//! Roles and what each may do. This table is the single source of truth: the application layer
//! enforces it, `docs/roles.md` is generated from it and a test keeps the two equal.

use crate::{entities::EntityKind, values::vocabulary};

vocabulary! {
    /// A user's role in one organisation.
    Role {
        /// Runs the Keel instance for the organisation: users, tokens, everything.
        Admin => ("admin", "Admin"),
        /// The PMO: governs all portfolio data, imports and exports it.
        Pmo => ("pmo", "PMO"),
        /// Manages portfolios, programmes and their projects.
        PortfolioManager => ("portfolio_manager", "Portfolio manager"),
        /// Runs projects: plans, status, RAID, decisions.
        ProjectManager => ("project_manager", "Project manager"),
        /// Contributes updates: status reports, milestones, RAID entries.
        Contributor => ("contributor", "Contributor"),
        /// Reads dashboards and records.
        Viewer => ("viewer", "Viewer"),
    }
}

vocabulary! {
    /// Something a user may be allowed to do.
    Action {
        /// See dashboards, records and their audit trail.
        Read => ("read", "Read all records and dashboards"),
        /// Create, edit and delete portfolios and programmes; issue and schedule their reports.
        ManagePortfolios => (
            "manage_portfolios",
            "Create, edit, delete portfolios and programmes; issue and schedule portfolio reports and board packs"
        ),
        /// Create and edit projects.
        EditProjects => ("edit_projects", "Create and edit projects"),
        /// Delete projects (and with them their reports and RAID log).
        DeleteProjects => ("delete_projects", "Delete projects"),
        /// Submit and correct status reports.
        SubmitStatus => ("submit_status", "Submit and edit status reports; issue a project's status report"),
        /// Create and edit milestones and RAID entries.
        EditRaid => ("edit_raid", "Create and edit milestones, risks, issues, assumptions, dependencies"),
        /// Delete status reports, milestones and RAID entries.
        DeleteRaid => ("delete_raid", "Delete status reports, milestones and RAID entries"),
        /// Record and edit decisions.
        RecordDecisions => ("record_decisions", "Record and edit decisions"),
        /// Export the organisation's data and import a data set.
        ExportImport => ("export_import", "Export and import the organisation's data"),
        /// Manage users, roles and everyone's API tokens.
        ManageUsers => ("manage_users", "Manage users, roles and all API tokens"),
        /// Create and revoke one's own API tokens.
        OwnTokens => ("own_tokens", "Create and revoke own API tokens"),
    }
}

/// The operations of the generic record services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Create a record.
    Create,
    /// Update a record.
    Update,
    /// Delete a record.
    Delete,
}

impl Action {
    /// The action needed for `op` on a record of `kind`.
    pub const fn for_record(kind: EntityKind, op: Op) -> Action {
        use EntityKind as K;
        match (kind, op) {
            (K::Portfolio | K::Programme, _) => Action::ManagePortfolios,
            (K::Project, Op::Delete) => Action::DeleteProjects,
            (K::Project, _) => Action::EditProjects,
            (K::StatusReport, Op::Delete) => Action::DeleteRaid,
            (K::StatusReport, _) => Action::SubmitStatus,
            (K::Decision, Op::Delete) => Action::DeleteRaid,
            (K::Decision, _) => Action::RecordDecisions,
            (K::Milestone | K::Risk | K::Issue | K::Assumption | K::Dependency, Op::Delete) => Action::DeleteRaid,
            (K::Milestone | K::Risk | K::Issue | K::Assumption | K::Dependency, _) => Action::EditRaid,
        }
    }
}

impl Role {
    /// Whether this role may perform `action`.
    pub const fn allows(self, action: Action) -> bool {
        use Action as A;
        match self {
            Role::Admin => true,
            Role::Pmo => !matches!(action, A::ManageUsers),
            Role::PortfolioManager => !matches!(action, A::ManageUsers | A::ExportImport),
            Role::ProjectManager => matches!(
                action,
                A::Read
                    | A::EditProjects
                    | A::SubmitStatus
                    | A::EditRaid
                    | A::DeleteRaid
                    | A::RecordDecisions
                    | A::OwnTokens
            ),
            Role::Contributor => matches!(action, A::Read | A::SubmitStatus | A::EditRaid | A::OwnTokens),
            Role::Viewer => matches!(action, A::Read | A::OwnTokens),
        }
    }

    /// The roles table in Markdown, as published in `docs/roles.md`.
    pub fn markdown_table() -> String {
        let mut out = String::from("| Action |");
        for r in Role::ALL {
            out.push_str(&format!(" {} |", r.label()));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(Role::ALL.len()));
        out.push('\n');
        for a in Action::ALL {
            out.push_str(&format!("| {} |", a.label()));
            for r in Role::ALL {
                out.push_str(if r.allows(*a) { " yes |" } else { " no |" });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_and_only_admin_manages_users() {
        for r in Role::ALL {
            assert!(r.allows(Action::Read));
            assert_eq!(r.allows(Action::ManageUsers), *r == Role::Admin);
        }
    }

    #[test]
    fn roles_are_ordered_by_power() {
        // Each role may do everything the next one may: the ladder in docs/roles.md.
        for pair in Role::ALL.windows(2) {
            for a in Action::ALL {
                if pair[1].allows(*a) {
                    assert!(pair[0].allows(*a), "{} may {} but {} may not", pair[1], a.as_str(), pair[0]);
                }
            }
        }
    }
}
