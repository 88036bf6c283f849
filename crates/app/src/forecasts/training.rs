//! The delivery-risk model trained on the organisation's own closed projects.
//!
//! Each closed project with a baseline (planned start and finish) and reached milestones is one
//! example: its leading indicators as they stood halfway through its baseline duration (the
//! moment a prediction would have been made), and what happened (its real finish, the last
//! milestone reached, against the planned finish). Once there are enough examples of both
//! outcomes, [`keel_engine::forecast::predict::train`] fits a logistic regression on them and
//! every forecast run uses it for the finish; until then the documented default weights are used.
//! See `docs/delivery-risk.md`.

use chrono::{Duration, NaiveDate};
use keel_domain::{MilestoneFields, ProjectFields, Record, StatusReportFields, WorkState};
use keel_engine::forecast::predict::{
    FeatureWeight, Indicators, Margin, Model, Observation, TrainError, TrainOptions, TrainingExample, TrainingReport,
    Validation, rag_share,
};
use keel_store::Value;
use serde::Serialize;

use crate::{Actor, App, AppError};

/// Share of the baseline duration at which a closed project's indicators are read.
pub const AS_OF_SHARE: f64 = 0.5;

/// Cross-validation folds once there are more examples than this (leave-one-out below).
const LEAVE_ONE_OUT_UP_TO: usize = 60;

/// What the organisation's closed projects give the delivery-risk model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStatus {
    /// `trained` when a forecast run uses the trained model for the finish, else `default`.
    pub model: String,
    /// The margin the examples are labelled with (a miss is a finish later than this share of
    /// the baseline duration).
    pub margin: Margin,
    /// Closed projects in the organisation.
    pub closed_projects: usize,
    /// Of which usable as examples (baseline dates and at least one reached milestone).
    pub examples: usize,
    /// Of the examples, those that finished late by more than the margin.
    pub missed: usize,
    /// Fewest examples needed (and at least three of each outcome).
    pub min_examples: usize,
    /// Why the finish model is not trained, when it is not.
    pub not_trained: Option<String>,
    /// Training size and honest (cross-validated) accuracy, when trained.
    pub report: Option<TrainingReport>,
    /// The fitted weights, when trained (log-odds per standard deviation of each indicator).
    pub features: Vec<FeatureWeight>,
    /// Why the budget outcome keeps the default weights.
    pub budget_note: String,
}

impl ModelStatus {
    /// One sentence for a forecast run: which model, on what evidence.
    pub fn summary(&self) -> String {
        match (&self.report, &self.not_trained) {
            (Some(r), _) => format!(
                "finish risk from a model trained on {} closed projects ({} late by more than {:.0}%), read at {:.0}% \
                 of their planned duration{}; {}",
                r.examples,
                r.positives,
                self.margin.finish * 100.0,
                AS_OF_SHARE * 100.0,
                r.cross_validated_auc.map(|a| format!(", cross-validated AUC {a:.2}")).unwrap_or_default(),
                self.budget_note
            ),
            (None, Some(why)) => format!("default weights: the trained model needs more closed projects ({why})"),
            (None, None) => "default weights".to_owned(),
        }
    }
}

/// The last reached milestone of a closed project: its real finish.
fn real_finish(milestones: &[Record<MilestoneFields>]) -> Option<NaiveDate> {
    milestones.iter().filter_map(|m| m.fields.actual).max()
}

/// The indicators of a project as they stood on `as_of`, from its milestones and status reports.
///
/// A milestone is overdue on `as_of` when its baseline date had passed and it had not been
/// reached by then. Only reports up to `as_of` count.
pub(crate) fn indicators_as_of(
    as_of: NaiveDate,
    milestones: &[Record<MilestoneFields>],
    reports: &[Record<StatusReportFields>],
) -> Indicators {
    let mut ind = Indicators::default();
    if !milestones.is_empty() {
        let overdue: Vec<_> = milestones
            .iter()
            .filter(|m| m.fields.baseline.is_some_and(|b| b < as_of) && m.fields.actual.is_none_or(|a| a > as_of))
            .collect();
        let source = overdue.first().map_or_else(|| "milestones".to_owned(), |m| format!("milestone:{}", m.id));
        ind.overdue_milestones = Some(Observation::new(overdue.len() as f64, source));
    }
    let mut before: Vec<_> = reports.iter().filter(|r| r.fields.period_end <= as_of).collect();
    before.sort_by_key(|r| r.fields.period_end);
    if let Some(last) = before.last() {
        let days = (as_of - last.fields.period_end).num_days().max(0) as f64;
        ind.report_staleness_days = Some(Observation::new(days, format!("status_report:{}", last.id)));
        let rags: Vec<_> = before.iter().rev().take(6).map(|r| r.fields.overall).collect();
        ind.rag_history = rag_share(&rags).map(|x| Observation::new(x, format!("status_report:{}", last.id)));
    }
    ind
}

/// One closed project as a training example, or `None` when it lacks a baseline or a reached
/// milestone.
pub(crate) fn example(
    project: &ProjectFields,
    milestones: &[Record<MilestoneFields>],
    reports: &[Record<StatusReportFields>],
) -> Option<TrainingExample> {
    let (start, finish) = (project.planned_start?, project.planned_finish?);
    let planned = (finish - start).num_days();
    if planned <= 0 {
        return None;
    }
    let real = real_finish(milestones)?;
    let as_of = start + Duration::days((planned as f64 * AS_OF_SHARE).round() as i64);
    Some(TrainingExample {
        indicators: indicators_as_of(as_of, milestones, reports),
        baseline_duration_days: planned as f64,
        finish_overrun: Some((real - start).num_days() as f64 / planned as f64 - 1.0),
        budget_overrun: None,
    })
}

impl App {
    /// The delivery-risk model for `margin`: trained on the organisation's closed projects when
    /// there are enough, else the default weights; with what training found.
    ///
    /// # Errors
    /// Forbidden, storage; an example the engine refuses (an indicator out of its domain).
    pub async fn delivery_risk_model(&self, actor: &Actor, margin: Margin) -> Result<(Model, ModelStatus), AppError> {
        actor.require(keel_domain::Action::Read)?;
        let mut tx = self.store.read().await?;
        let closed =
            tx.all_where::<ProjectFields>(actor.org_id, "state", Value::text(WorkState::Closed.as_str())).await?;
        let mut examples = Vec::with_capacity(closed.len());
        for p in &closed {
            let pid = || Value::text(p.id.to_string());
            let milestones = tx.all_where::<MilestoneFields>(actor.org_id, "project_id", pid()).await?;
            let reports = tx.all_where::<StatusReportFields>(actor.org_id, "project_id", pid()).await?;
            examples.extend(example(&p.fields, &milestones, &reports));
        }
        drop(tx);
        let options = TrainOptions {
            margin,
            validation: if examples.len() <= LEAVE_ONE_OUT_UP_TO {
                Validation::LeaveOneOut
            } else {
                Validation::KFold { k: 5, seed: 1 }
            },
            ..TrainOptions::default()
        };
        let missed = examples.iter().filter(|e| e.finish_overrun.is_some_and(|o| o > margin.finish)).count();
        let count = examples.len();
        let model = tokio::task::spawn_blocking(move || Model::from_history(&examples, &options))
            .await
            .map_err(|e| AppError::Internal(format!("model training stopped: {e}")))?
            .map_err(|e| AppError::Internal(format!("model training: {e}")))?;
        let (not_trained, report, features) = match &model {
            Model::Trained(t) => match &t.finish {
                Ok(fit) => (None, Some(fit.report.clone()), fit.features.clone()),
                Err(e) => (Some(reason(e)), None, Vec::new()),
            },
            Model::Default => (
                Some(format!(
                    "{count} closed projects with a baseline and reached milestones, {missed} of them late by more \
                     than {:.0}% of the planned duration: at least {} are needed, with at least {} late and {} on time",
                    margin.finish * 100.0,
                    options.min_examples,
                    options.min_per_class,
                    options.min_per_class
                )),
                None,
                Vec::new(),
            ),
        };
        let status = ModelStatus {
            model: if report.is_some() { "trained" } else { "default" }.to_owned(),
            margin,
            closed_projects: closed.len(),
            examples: count,
            missed,
            min_examples: options.min_examples,
            not_trained,
            report,
            features,
            budget_note: "closed projects carry no actual cost yet, so the budget outcome uses the default weights"
                .to_owned(),
        };
        Ok((model, status))
    }
}

fn reason(e: &TrainError) -> String {
    e.to_string()
}

#[cfg(test)]
mod tests {
    use keel_domain::{Id, Rag};

    use super::*;

    fn record<F: keel_domain::Fields>(fields: F) -> Record<F> {
        let t = chrono::Utc::now();
        Record {
            id: Id::from_uuid(uuid::Uuid::now_v7()),
            org_id: Id::from_uuid(uuid::Uuid::now_v7()),
            version: 1,
            created_at: t,
            updated_at: t,
            fields,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn milestone(baseline: &str, actual: Option<&str>) -> Record<MilestoneFields> {
        record(MilestoneFields {
            project_id: Id::from_uuid(uuid::Uuid::now_v7()),
            name: "m".into(),
            description: String::new(),
            owner: String::new(),
            baseline: Some(day(baseline)),
            forecast: None,
            actual: actual.map(day),
        })
    }

    fn report(end: &str, rag: Rag) -> Record<StatusReportFields> {
        let mut f: StatusReportFields = serde_json::from_value(serde_json::json!({
            "project_id": Id::<ProjectFields>::from_uuid(uuid::Uuid::now_v7()), "period_end": end, "overall": "green", "schedule": "green",
            "cost": "green", "scope": "green", "risk": "green", "resources": "green", "benefits": "green",
            "summary": "s"
        }))
        .unwrap();
        f.overall = rag;
        record(f)
    }

    #[test]
    fn indicators_are_read_as_they_stood_on_the_day() {
        let ms =
            [milestone("2026-01-10", Some("2026-01-20")), milestone("2026-02-01", None), milestone("2026-04-01", None)];
        let reports =
            [report("2026-01-30", Rag::Red), report("2026-02-06", Rag::Amber), report("2026-03-06", Rag::Green)];
        let ind = indicators_as_of(day("2026-02-10"), &ms, &reports);
        // The first milestone was reached late but before the day; the second is overdue; the
        // third is not due yet.
        assert_eq!(ind.overdue_milestones.unwrap().value, 1.0);
        // The March report does not exist yet on the day.
        assert_eq!(ind.report_staleness_days.unwrap().value, 4.0);
        let rags = [Rag::Amber, Rag::Red];
        assert_eq!(ind.rag_history.unwrap().value, rag_share(&rags).unwrap());
    }

    #[test]
    fn an_example_needs_a_baseline_and_a_reached_milestone() {
        let mut p: ProjectFields = serde_json::from_value(serde_json::json!({
            "portfolio_id": Id::<keel_domain::PortfolioFields>::from_uuid(uuid::Uuid::now_v7()), "code": "P-1", "name": "P", "stage": "planning",
            "tier": "standard", "state": "closed"
        }))
        .unwrap();
        let ms = [milestone("2026-06-30", Some("2026-07-30"))];
        assert!(example(&p, &ms, &[]).is_none(), "no baseline");
        p.planned_start = Some(day("2026-01-01"));
        p.planned_finish = Some(day("2026-07-01"));
        assert!(example(&p, &[milestone("2026-06-30", None)], &[]).is_none(), "nothing reached");
        let e = example(&p, &ms, &[]).unwrap();
        assert_eq!(e.baseline_duration_days, 181.0);
        assert!((e.finish_overrun.unwrap() - (210.0 / 181.0 - 1.0)).abs() < 1e-12);
    }
}
