//! Create, read, update, delete and list for every kind of record, with permissions, reference
//! checks, optimistic versions and the audit entry written in the same transaction.

use std::{any::Any, marker::PhantomData};

use keel_domain::{
    Action, AuditAction, AuditEntry, DecisionFields, DependencyFields, EntityKind, Id, IssueFields, MilestoneFields,
    OrgId, PortfolioFields, ProgrammeFields, ProjectFields, Record, RiskFields, StatusReportFields, ValidationErrors,
    roles::Op,
};
use keel_store::{AuditFilter, ListQuery, Page, Stored, Tx, Value, now};

use crate::{Actor, App, AppError, new_id};

/// One change to a record as the audit trail shows it: a field with its value before and after.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordChange {
    /// Field name.
    pub field: String,
    /// Value before (JSON), none if the field was absent.
    pub before: Option<serde_json::Value>,
    /// Value after (JSON), none if the field was removed.
    pub after: Option<serde_json::Value>,
}

/// The generic record services for one kind of record.
pub struct RecordService<'a, F> {
    app: &'a App,
    _kind: PhantomData<F>,
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("cannot encode record: {e}")))
}

/// Writes an audit entry for a change to `record` (before and/or after).
pub(crate) async fn audit<F: Stored>(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    before: Option<&Record<F>>,
    after: Option<&Record<F>>,
) -> Result<(), AppError> {
    let Some(any) = after.or(before) else { return Ok(()) };
    let project_id =
        if F::KIND == EntityKind::Project { Some(any.id.uuid()) } else { any.fields.project_id().map(|p| p.uuid()) };
    tx.append_audit(&AuditEntry {
        id: new_id(),
        org_id: actor.org_id,
        at: now(),
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        action,
        entity_kind: F::KIND.as_str().to_owned(),
        entity_id: any.id.uuid(),
        project_id,
        label: any.fields.label(),
        before: before.map(to_json).transpose()?,
        after: after.map(to_json).transpose()?,
    })
    .await?;
    Ok(())
}

/// Whether a record of `kind` with this ID exists in the organisation.
pub(crate) async fn exists(tx: &mut Tx, org: OrgId, kind: EntityKind, id: uuid::Uuid) -> Result<bool, AppError> {
    let id = Id::<()>::from_uuid(id);
    Ok(match kind {
        EntityKind::Portfolio => tx.get::<PortfolioFields>(org, id.cast()).await?.is_some(),
        EntityKind::Programme => tx.get::<ProgrammeFields>(org, id.cast()).await?.is_some(),
        EntityKind::Project => tx.get::<ProjectFields>(org, id.cast()).await?.is_some(),
        EntityKind::StatusReport => tx.get::<StatusReportFields>(org, id.cast()).await?.is_some(),
        EntityKind::Milestone => tx.get::<MilestoneFields>(org, id.cast()).await?.is_some(),
        EntityKind::Risk => tx.get::<RiskFields>(org, id.cast()).await?.is_some(),
        EntityKind::Issue => tx.get::<IssueFields>(org, id.cast()).await?.is_some(),
        EntityKind::Assumption => tx.get::<keel_domain::AssumptionFields>(org, id.cast()).await?.is_some(),
        EntityKind::Dependency => tx.get::<DependencyFields>(org, id.cast()).await?.is_some(),
        EntityKind::Decision => tx.get::<DecisionFields>(org, id.cast()).await?.is_some(),
    })
}

/// Checks that every record `fields` refers to exists in the organisation, and the rules that
/// span records (a project's programme is in its portfolio; a dependency's milestones belong to
/// the projects named).
pub(crate) async fn check_references<F: Stored>(tx: &mut Tx, org: OrgId, fields: &F) -> Result<(), AppError> {
    let mut errors = ValidationErrors::new();
    for (field, kind, id) in fields.references() {
        if !exists(tx, org, kind, id).await? {
            errors.add(field, format!("no {} with ID {id} in this organisation", kind.label().to_lowercase()));
        }
    }
    let any = fields as &(dyn Any + Send + Sync);
    if let Some(p) = any.downcast_ref::<ProjectFields>()
        && let Some(prog) = p.programme_id
        && let Some(prog) = tx.get::<ProgrammeFields>(org, prog).await?
        && prog.fields.portfolio_id != p.portfolio_id
    {
        errors.add(
            "programme_id",
            "the programme belongs to another portfolio: expected a programme of the project's portfolio",
        );
    }
    if let Some(d) = any.downcast_ref::<DependencyFields>() {
        for (field, milestone, project) in [
            ("milestone_id", d.milestone_id, d.project_id),
            ("supplier_milestone_id", d.supplier_milestone_id, d.supplier_project_id),
        ] {
            if let Some(m) = milestone
                && let Some(m) = tx.get::<MilestoneFields>(org, m).await?
                && m.fields.project_id != project
            {
                errors.add(field, "the milestone belongs to another project");
            }
        }
    }
    errors.into_result().map_err(AppError::from)
}

impl<'a, F: Stored> RecordService<'a, F> {
    pub(crate) fn new(app: &'a App) -> Self {
        Self { app, _kind: PhantomData }
    }

    /// Reads one record.
    pub async fn get(&self, actor: &Actor, id: Id<F>) -> Result<Record<F>, AppError> {
        actor.require(Action::Read)?;
        self.app.store.read().await?.get::<F>(actor.org_id, id).await?.ok_or(AppError::NotFound)
    }

    /// One page of records.
    pub async fn list(&self, actor: &Actor, query: &ListQuery) -> Result<Page<Record<F>>, AppError> {
        actor.require(Action::Read)?;
        Ok(self.app.store.read().await?.list::<F>(actor.org_id, query).await?)
    }

    /// The records with these IDs that exist (the names a page shows for what it refers to).
    pub async fn get_many(&self, actor: &Actor, ids: &[Id<F>]) -> Result<Vec<Record<F>>, AppError> {
        actor.require(Action::Read)?;
        Ok(self.app.store.read().await?.get_many::<F>(actor.org_id, ids).await?)
    }

    /// The distinct non-empty values of a text column, sorted (filter choices: owners, managers).
    pub async fn distinct(&self, actor: &Actor, column: &str) -> Result<Vec<String>, AppError> {
        actor.require(Action::Read)?;
        Ok(self.app.store.read().await?.distinct::<F>(actor.org_id, column).await?)
    }

    /// Every record of the kind whose `column` equals `value` (a project's risks, for example).
    pub async fn all_where(&self, actor: &Actor, column: &str, value: Value) -> Result<Vec<Record<F>>, AppError> {
        actor.require(Action::Read)?;
        Ok(self.app.store.read().await?.all_where::<F>(actor.org_id, column, value).await?)
    }

    /// Creates a record at version 1.
    pub async fn create(&self, actor: &Actor, fields: F) -> Result<Record<F>, AppError> {
        actor.require(Action::for_record(F::KIND, Op::Create))?;
        fields.validate()?;
        let t = now();
        let record = Record { id: new_id(), org_id: actor.org_id, version: 1, created_at: t, updated_at: t, fields };
        let mut tx = self.app.store.write().await?;
        check_references(&mut tx, actor.org_id, &record.fields).await?;
        tx.insert(&record).await?;
        audit(&mut tx, actor, AuditAction::Create, None, Some(&record)).await?;
        tx.commit().await?;
        self.changed(actor, &record.fields);
        Ok(record)
    }

    /// Replaces a record's fields, provided it is still at `expected_version`.
    pub async fn update(
        &self,
        actor: &Actor,
        id: Id<F>,
        expected_version: i64,
        fields: F,
    ) -> Result<Record<F>, AppError> {
        actor.require(Action::for_record(F::KIND, Op::Update))?;
        fields.validate()?;
        let mut tx = self.app.store.write().await?;
        let before = tx.get::<F>(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        if before.version != expected_version {
            return Err(AppError::StaleVersion { current: before.version });
        }
        check_references(&mut tx, actor.org_id, &fields).await?;
        let after = Record { version: before.version + 1, updated_at: now(), fields, ..before.clone() };
        tx.update(&after).await?;
        audit(&mut tx, actor, AuditAction::Update, Some(&before), Some(&after)).await?;
        tx.commit().await?;
        self.changed(actor, &after.fields);
        Ok(after)
    }

    /// Deletes a record that is still at `expected_version`. Deleting a project deletes its
    /// status reports, milestones, RAID entries and decisions too, each with its audit entry.
    pub async fn delete(&self, actor: &Actor, id: Id<F>, expected_version: i64) -> Result<(), AppError> {
        actor.require(Action::for_record(F::KIND, Op::Delete))?;
        let mut tx = self.app.store.write().await?;
        let before = tx.get::<F>(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        if before.version != expected_version {
            return Err(AppError::StaleVersion { current: before.version });
        }
        if F::KIND == EntityKind::Project {
            delete_project_children(&mut tx, actor, id.uuid()).await?;
        }
        tx.delete::<F>(actor.org_id, id, expected_version).await?;
        audit(&mut tx, actor, AuditAction::Delete, Some(&before), None).await?;
        tx.commit().await?;
        self.changed(actor, &before.fields);
        Ok(())
    }

    /// After a risk changes, its project's forecast is recomputed in the background (the risk may
    /// feed the Monte Carlo); the change itself is already kept.
    fn changed(&self, actor: &Actor, fields: &F) {
        if F::KIND != EntityKind::Risk {
            return;
        }
        if let Some(project) = fields.project_id() {
            let (app, actor) = (self.app.clone(), actor.clone());
            tokio::spawn(async move { app.refresh_forecast(&actor, project, "risk changed").await });
        }
    }

    /// The audit trail of one record, newest first.
    pub async fn history(&self, actor: &Actor, id: Id<F>) -> Result<Vec<AuditEntry>, AppError> {
        actor.require(Action::Read)?;
        let filter = AuditFilter { entity_id: Some(id.uuid()), limit: 200, ..Default::default() };
        Ok(self.app.store.read().await?.audit(actor.org_id, &filter).await?)
    }
}

async fn delete_all<F: Stored>(tx: &mut Tx, actor: &Actor, column: &str, project: uuid::Uuid) -> Result<(), AppError> {
    for r in tx.all_where::<F>(actor.org_id, column, Value::text(project.to_string())).await? {
        tx.delete::<F>(actor.org_id, r.id, r.version).await?;
        audit(tx, actor, AuditAction::Delete, Some(&r), None).await?;
    }
    Ok(())
}

async fn delete_project_children(tx: &mut Tx, actor: &Actor, project: uuid::Uuid) -> Result<(), AppError> {
    delete_all::<DependencyFields>(tx, actor, "project_id", project).await?;
    delete_all::<DependencyFields>(tx, actor, "supplier_project_id", project).await?;
    delete_all::<StatusReportFields>(tx, actor, "project_id", project).await?;
    delete_all::<MilestoneFields>(tx, actor, "project_id", project).await?;
    delete_all::<RiskFields>(tx, actor, "project_id", project).await?;
    delete_all::<IssueFields>(tx, actor, "project_id", project).await?;
    delete_all::<keel_domain::AssumptionFields>(tx, actor, "project_id", project).await?;
    delete_all::<DecisionFields>(tx, actor, "project_id", project).await?;
    Ok(())
}

/// The fields that differ between two JSON snapshots of a record (for the audit trail's display).
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<RecordChange> {
    let parse = |s: Option<&str>| -> serde_json::Map<String, serde_json::Value> {
        s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "version" | "updated_at" | "created_at"))
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| RecordChange { field: k.clone(), before: b.get(k).cloned(), after: a.get(k).cloned() })
        .collect()
}
