//! Export an organisation's whole data set as one JSON document, import it elsewhere, and load
//! the demo organisation. Imports run in one transaction: all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::*;
use keel_store::{Stored, Tx, now};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, demo, new_id};

/// The format name written in every export.
pub const FORMAT: &str = "keel-export";
/// The format version written in every export.
pub const FORMAT_VERSION: u32 = 1;

/// A user as exported: with the password hash, so people can sign in after a move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportUser {
    /// ID.
    pub id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Argon2 hash.
    pub password_hash: String,
    /// Disabled flag.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Role in the exported organisation.
    pub role: Role,
}

/// An organisation's whole data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDocument {
    /// Always `keel-export`.
    pub format: String,
    /// Format version (1).
    pub format_version: u32,
    /// When the export was taken.
    pub exported_at: DateTime<Utc>,
    /// The organisation.
    pub organisation: Organisation,
    /// Its users and their roles.
    pub users: Vec<ExportUser>,
    /// Every record, by kind.
    #[serde(flatten)]
    pub records: RecordSet,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// Every record of an organisation, by kind, parents first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Portfolios.
    pub portfolios: Vec<Portfolio>,
    /// Programmes.
    pub programmes: Vec<Programme>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Status reports.
    pub status_reports: Vec<StatusReport>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Risks.
    pub risks: Vec<Risk>,
    /// Issues.
    pub issues: Vec<Issue>,
    /// Assumptions.
    pub assumptions: Vec<Assumption>,
    /// Dependencies.
    pub dependencies: Vec<Dependency>,
    /// Decisions.
    pub decisions: Vec<Decision>,
}

impl RecordSet {
    /// Inserts every record, parents first, checking each belongs to `org` and validates.
    async fn insert_all(&self, tx: &mut Tx, org: OrgId) -> Result<usize, AppError> {
        Ok(insert_each(tx, org, &self.portfolios).await?
            + insert_each(tx, org, &self.programmes).await?
            + insert_each(tx, org, &self.projects).await?
            + insert_each(tx, org, &self.status_reports).await?
            + insert_each(tx, org, &self.milestones).await?
            + insert_each(tx, org, &self.risks).await?
            + insert_each(tx, org, &self.issues).await?
            + insert_each(tx, org, &self.assumptions).await?
            + insert_each(tx, org, &self.dependencies).await?
            + insert_each(tx, org, &self.decisions).await?)
    }
}

/// What an import or demo load wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    /// Users created.
    pub users: usize,
    /// Records created, all kinds together.
    pub records: usize,
    /// Audit entries carried over.
    pub audit_entries: usize,
}

async fn insert_each<F: Stored>(tx: &mut Tx, org: OrgId, records: &[Record<F>]) -> Result<usize, AppError> {
    for r in records {
        if r.org_id != org {
            return Err(AppError::field(
                F::KIND.slug(),
                format!("record {} belongs to another organisation ({})", r.id, r.org_id),
            ));
        }
        r.fields.validate().map_err(|e| AppError::field(F::KIND.slug(), format!("record {} is invalid: {e}", r.id)))?;
        tx.insert(r)
            .await
            .map_err(|e| AppError::field(F::KIND.slug(), format!("record {} cannot be stored: {e}", r.id)))?;
    }
    Ok(records.len())
}

async fn check_all<F: Stored>(tx: &mut Tx, org: OrgId, records: &[Record<F>]) -> Result<(), AppError> {
    for r in records {
        crate::records::check_references(tx, org, &r.fields)
            .await
            .map_err(|e| AppError::field(F::KIND.slug(), format!("record {}: {e}", r.id)))?;
    }
    Ok(())
}

impl App {
    /// Exports the actor's organisation.
    pub async fn export(&self, actor: &Actor) -> Result<ExportDocument, AppError> {
        actor.require(Action::ExportImport)?;
        let org = actor.org_id;
        let mut tx = self.store.read().await?;
        let organisation = tx.orgs().await?.into_iter().find(|o| o.id == org).ok_or(AppError::NotFound)?;
        let users = tx
            .members(org)
            .await?
            .into_iter()
            .map(|(u, role)| ExportUser {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                password_hash: u.password_hash,
                disabled: u.disabled,
                created_at: u.created_at,
                role,
            })
            .collect();
        Ok(ExportDocument {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            exported_at: now(),
            organisation,
            users,
            records: RecordSet {
                portfolios: tx.all(org).await?,
                programmes: tx.all(org).await?,
                projects: tx.all(org).await?,
                status_reports: tx.all(org).await?,
                milestones: tx.all(org).await?,
                risks: tx.all(org).await?,
                issues: tx.all(org).await?,
                assumptions: tx.all(org).await?,
                dependencies: tx.all(org).await?,
                decisions: tx.all(org).await?,
            },
            audit: tx.all_audit(org).await?,
        })
    }

    /// Imports a whole organisation into this store, keeping every ID, version, timestamp and
    /// audit entry, in one transaction. Refused if the organisation already exists here.
    pub async fn import(&self, doc: &ExportDocument) -> Result<ImportSummary, AppError> {
        if doc.format != FORMAT || doc.format_version != FORMAT_VERSION {
            return Err(AppError::field(
                "format",
                format!(
                    "expected {FORMAT} version {FORMAT_VERSION}, found {} version {}",
                    doc.format, doc.format_version
                ),
            ));
        }
        let org = doc.organisation.id;
        let mut tx = self.store.write().await?;
        if tx.orgs().await?.iter().any(|o| o.id == org) {
            return Err(AppError::Conflict(format!(
                "organisation {} ({org}) already exists in this database",
                doc.organisation.name
            )));
        }
        tx.insert_org(&doc.organisation).await?;
        let mut summary = ImportSummary::default();
        for u in &doc.users {
            match tx.user_by_name(&u.username).await? {
                Some(existing) if existing.id == u.id => {}
                Some(_) => {
                    return Err(AppError::field(
                        "users",
                        format!("user name `{}` is taken by another user here", u.username),
                    ));
                }
                None => {
                    tx.insert_user(&User {
                        id: u.id,
                        username: u.username.clone(),
                        display_name: u.display_name.clone(),
                        email: u.email.clone(),
                        password_hash: u.password_hash.clone(),
                        disabled: u.disabled,
                        created_at: u.created_at,
                    })
                    .await?;
                    summary.users += 1;
                }
            }
            tx.set_membership(&Membership { org_id: org, user_id: u.id, role: u.role }).await?;
        }
        summary.records += doc.records.insert_all(&mut tx, org).await?;
        // The same cross-record rules as the API (same organisation, programme in portfolio,
        // milestones of the named projects), checked once everything is in.
        check_all(&mut tx, org, &doc.records.programmes).await?;
        check_all(&mut tx, org, &doc.records.projects).await?;
        check_all(&mut tx, org, &doc.records.dependencies).await?;
        for a in &doc.audit {
            if a.org_id != org {
                return Err(AppError::field(
                    "audit",
                    format!("entry {} belongs to another organisation ({})", a.id, a.org_id),
                ));
            }
            tx.append_audit(a).await?;
        }
        summary.audit_entries = doc.audit.len();
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: org,
            at: now(),
            actor_id: None,
            actor_name: "system".into(),
            action: AuditAction::Import,
            entity_kind: "organisation".into(),
            entity_id: org.uuid(),
            project_id: None,
            label: format!(
                "Imported {} records and {} users from an export of {}",
                summary.records,
                summary.users,
                doc.exported_at.format("%Y-%m-%d %H:%M UTC")
            ),
            before: None,
            after: None,
        })
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Loads the seeded demo organisation into the default organisation if it holds no projects
    /// yet. Returns `None` when there was data already.
    pub async fn load_demo(&self, opts: &demo::DemoOptions) -> Result<Option<ImportSummary>, AppError> {
        let org = self.default_org().await?.ok_or_else(|| AppError::Internal("bootstrap first".into()))?;
        let mut tx = self.store.write().await?;
        if tx.count::<ProjectFields>(org.id).await? > 0 {
            return Ok(None);
        }
        let d = demo::generate(org.id, opts, now());
        let mut summary = ImportSummary::default();
        summary.records += d.insert_all(&mut tx, org.id).await?;
        let actor = Actor::system(org.id);
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: org.id,
            at: now(),
            actor_id: None,
            actor_name: actor.name,
            action: AuditAction::Import,
            entity_kind: "organisation".into(),
            entity_id: org.id.uuid(),
            project_id: None,
            label: format!(
                "Demo portfolio loaded: {} projects, {} records (seed {})",
                d.projects.len(),
                summary.records,
                opts.seed
            ),
            before: None,
            after: None,
        })
        .await?;
        tx.commit().await?;
        // A few active projects get a schedule, imported as a user's upload would be.
        self.load_demo_schedules(&Actor::system(org.id), &d.projects, opts.today, opts.schedules).await?;
        Ok(Some(summary))
    }
}

/// Today's date in UTC (the front ends pass it to the dashboard).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}
