//! Agile and hybrid delivery: a project's team delivery history (a Jira CSV export or a simple
//! item CSV) kept per import, flow metrics, and throughput Monte Carlo forecasts of when the open
//! items (overall and per milestone) will be done, shown beside the CPM-based forecast.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use keel_domain::{Action, AuditAction, AuditEntry, ProjectFields, ProjectId};
use keel_engine::forecast::agile::{
    DateRange, DeliveryMetrics, Granularity, MetricsOptions, MilestoneForecasts, Sequencing, SimulationSettings,
    ThroughputHistory, WhenForecast, WorkItem, forecast_milestones, forecast_when, metrics, remaining_work,
};
use keel_interop::delivery::{DeliveryImport, ImportWarning, JiraOptions, read_delivery};
use keel_store::{DeliveryHistoryRow, now};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, new_id};

/// Largest delivery history file accepted (bytes).
pub const MAX_DELIVERY_FILE: usize = 32 * 1024 * 1024;

/// Weeks of history the throughput forecasts resample.
pub const HISTORY_WEEKS: i64 = 12;

/// The stored body of one import.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    items: Vec<WorkItem>,
    warnings: Vec<ImportWarning>,
}

/// A project's team delivery forecast.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryForecast {
    /// Import version.
    pub version: i64,
    /// File name as uploaded.
    pub file_name: String,
    /// `jira` or `items`.
    pub format: String,
    /// When it was imported.
    pub imported_at: chrono::DateTime<chrono::Utc>,
    /// Items in the file.
    pub items: usize,
    /// Import warnings (rows left out of a metric, and why).
    pub warnings: Vec<ImportWarning>,
    /// Throughput, cycle time, lead time and WIP, overall and per team.
    pub metrics: DeliveryMetrics,
    /// Items not done.
    pub remaining: u32,
    /// When the open items will be done (none when nothing is open or there is no throughput).
    pub when: Option<WhenForecast>,
    /// Per milestone (fix version), teams working in parallel.
    pub milestones: Option<MilestoneForecasts>,
    /// Why a forecast is missing.
    pub notes: Vec<String>,
}

impl App {
    /// Imports a team delivery history into a project as its next version.
    pub async fn import_delivery(
        &self,
        actor: &Actor,
        project: ProjectId,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<DeliveryForecast, AppError> {
        actor.require(Action::EditProjects)?;
        if bytes.len() > MAX_DELIVERY_FILE {
            return Err(AppError::field("file", format!("{file_name}: larger than {MAX_DELIVERY_FILE} bytes")));
        }
        let import: DeliveryImport = read_delivery(file_name, &bytes, &JiraOptions::default())
            .map_err(|e| AppError::field("file", e.to_string()))?;
        if import.items.is_empty() {
            return Err(AppError::field("file", format!("{file_name}: no work items in the file")));
        }
        let stored = Stored { items: import.items, warnings: import.warnings };
        let body = serde_json::to_string(&stored).map_err(|e| AppError::Internal(e.to_string()))?;
        let format = serde_json::to_value(import.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "csv".into());
        let mut tx = self.store.write().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        let row = DeliveryHistoryRow {
            id: uuid::Uuid::now_v7(),
            org_id: actor.org_id,
            project_id: project,
            version: tx.next_delivery_version(actor.org_id, project).await?,
            created_at: now(),
            created_by: actor.name.clone(),
            file_name: file_name.to_string(),
            format,
            item_count: stored.items.len() as i64,
            summary: serde_json::json!({ "warnings": stored.warnings.len() }).to_string(),
        };
        tx.insert_delivery_history(&row, &body).await?;
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: actor.org_id,
            at: row.created_at,
            actor_id: actor.user_id,
            actor_name: actor.name.clone(),
            action: AuditAction::Import,
            entity_kind: "delivery_history".into(),
            entity_id: row.id,
            project_id: Some(project.uuid()),
            label: format!("Delivery history v{} ({}, {} items)", row.version, row.file_name, row.item_count),
            before: None,
            after: Some(row.summary.clone()),
        })
        .await?;
        tx.commit().await?;
        Ok(forecast(&row, stored, self.today()))
    }

    /// The project's team delivery forecast from its latest delivery history, if it has one.
    pub async fn delivery_forecast(
        &self,
        actor: &Actor,
        project: ProjectId,
    ) -> Result<Option<DeliveryForecast>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        let Some((row, body)) = tx.latest_delivery_history(actor.org_id, project).await? else { return Ok(None) };
        drop(tx);
        let stored: Stored =
            serde_json::from_str(&body).map_err(|e| AppError::Internal(format!("unreadable delivery history: {e}")))?;
        let today = self.today();
        tokio::task::spawn_blocking(move || Some(forecast(&row, stored, today)))
            .await
            .map_err(|e| AppError::Internal(format!("delivery forecast stopped: {e}")))
    }
}

/// Metrics and forecasts of a stored history as of `today`: throughput resampled from the last
/// [`HISTORY_WEEKS`] weeks that end at the latest completion (or today).
fn forecast(row: &DeliveryHistoryRow, stored: Stored, today: NaiveDate) -> DeliveryForecast {
    let items = &stored.items;
    let last_done = items.iter().filter_map(|i| i.done).max().unwrap_or(today).min(today);
    let window = DateRange { from: last_done - Duration::weeks(HISTORY_WEEKS) + Duration::days(1), to: last_done };
    let m = metrics(items, &MetricsOptions { granularity: Granularity::Week, window: None });
    let remaining = items.iter().filter(|i| i.done.is_none()).count() as u32;
    let settings = SimulationSettings { samples: 10_000, seed: 20_260_101 };
    let mut notes = Vec::new();
    let start = today;
    let when = if remaining == 0 {
        None
    } else {
        match ThroughputHistory::from_items(items, None, Granularity::Week, window)
            .and_then(|h| forecast_when(&h, remaining, start, &settings))
        {
            Ok(w) => Some(w),
            Err(e) => {
                notes.push(format!("no completion forecast: {e}"));
                None
            }
        }
    };
    let work = remaining_work(items);
    let milestones = if work.is_empty() {
        None
    } else {
        let mut histories = BTreeMap::new();
        for w in &work {
            if !histories.contains_key(&w.team) {
                match ThroughputHistory::from_items(items, Some(&w.team), Granularity::Week, window) {
                    Ok(h) => {
                        histories.insert(w.team.clone(), h);
                    }
                    Err(e) => notes.push(format!("team {}: {e}", w.team)),
                }
            }
        }
        match forecast_milestones(&work, &histories, start, Sequencing::InOrder, &settings) {
            Ok(f) => Some(f),
            Err(e) => {
                notes.push(format!("no milestone forecast: {e}"));
                None
            }
        }
    };
    DeliveryForecast {
        version: row.version,
        file_name: row.file_name.clone(),
        format: row.format.clone(),
        imported_at: row.created_at,
        items: items.len(),
        warnings: stored.warnings,
        metrics: m,
        remaining,
        when,
        milestones,
        notes,
    }
}
