//! The delivery-risk model trained on the organisation's own closed projects.
//!
//! Each closed project with a baseline (planned start and finish) is an example: its leading
//! indicators as they stood halfway through its baseline duration (the moment a prediction would
//! have been made), and what happened. The finish outcome is its real finish (the last milestone
//! reached) against the planned finish; the budget outcome is its recorded actual cost against
//! its budget. The indicators come from its milestones and status reports as they stood on that
//! day and, when schedules were imported while it ran, from the schedule versions whose status
//! date had passed by then (SPI(t), CPI and their trends, percent complete, float erosion,
//! critical-path churn, scope growth), and from the last forecast run kept by then (the P80 slip
//! against the baseline). Once there are enough examples of both outcomes,
//! [`keel_engine::forecast::predict::train`] fits a logistic regression per outcome and every
//! forecast run uses it; until then the documented default weights are used.
//!
//! Training reads every closed project's records and schedule versions, so the fitted model is
//! kept per organisation and margin, and refitted only when the audit log shows a change to a
//! project, milestone, status report or schedule since (by any instance sharing the database).
//! See `docs/delivery-risk.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use keel_domain::{MilestoneFields, OrgId, ProjectFields, Record, StatusReportFields, WorkState};
use keel_engine::forecast::predict::{
    FeatureWeight, Indicators, Margin, Model, Observation, Outcome, TrainError, TrainOptions, TrainedOutcome,
    TrainingExample, TrainingReport, Validation, rag_share,
};
use keel_store::Value;
use serde::Serialize;

use super::indicators::{VersionPoint, evm_across_versions, schedule_indicators};
use crate::{Actor, App, AppError, schedules::Analysis};

/// Share of the baseline duration at which a closed project's indicators are read.
pub const AS_OF_SHARE: f64 = 0.5;

/// Cross-validation folds once there are more examples than this (leave-one-out below).
const LEAVE_ONE_OUT_UP_TO: usize = 60;

/// The kinds of record whose changes can change the trained model (audit entity kinds).
const TRAINED_ON: &[&str] = &["project", "milestone", "status_report", "schedule", "organisation"];

/// What the organisation's closed projects give the delivery-risk model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStatus {
    /// `trained` when a forecast run uses the trained model for the finish, else `default`.
    pub model: String,
    /// The margin the examples are labelled with (a miss is a finish later than this share of
    /// the baseline duration, or a cost over budget by more than this share).
    pub margin: Margin,
    /// Closed projects in the organisation.
    pub closed_projects: usize,
    /// Of which usable for the finish (baseline dates and at least one reached milestone).
    pub examples: usize,
    /// Of the finish examples, those that finished late by more than the margin.
    pub missed: usize,
    /// Of the finish examples, those whose indicators include schedule, earned-value or P80-slip
    /// readings (a schedule imported while the project ran, with a status date by the halfway
    /// point, or a forecast run made by then).
    pub with_schedule: usize,
    /// Fewest examples needed (and at least three of each outcome).
    pub min_examples: usize,
    /// Why the finish model is not trained, when it is not.
    pub not_trained: Option<String>,
    /// Training size and honest (cross-validated) accuracy, when trained.
    pub report: Option<TrainingReport>,
    /// The fitted weights, when trained (log-odds per standard deviation of each indicator).
    pub features: Vec<FeatureWeight>,
    /// The budget outcome, trained on the closed projects that record a budget and an actual cost.
    pub budget: OutcomeStatus,
}

/// What training gave one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeStatus {
    /// `trained` or `default`.
    pub model: String,
    /// Closed projects labelled for this outcome.
    pub examples: usize,
    /// Of which over the margin.
    pub missed: usize,
    /// Why it is not trained, when it is not.
    pub not_trained: Option<String>,
    /// Training size and cross-validated accuracy, when trained.
    pub report: Option<TrainingReport>,
    /// The fitted weights, when trained.
    pub features: Vec<FeatureWeight>,
}

impl OutcomeStatus {
    fn of(fit: Option<&Result<TrainedOutcome, TrainError>>, examples: usize, missed: usize, why: String) -> Self {
        let (not_trained, report, features) = match fit {
            Some(Ok(f)) => (None, Some(f.report.clone()), f.features.clone()),
            Some(Err(e)) => (Some(e.to_string()), None, Vec::new()),
            None => (Some(why), None, Vec::new()),
        };
        OutcomeStatus {
            model: if report.is_some() { "trained" } else { "default" }.to_owned(),
            examples,
            missed,
            not_trained,
            report,
            features,
        }
    }
}

impl ModelStatus {
    /// One sentence for a forecast run: which model, on what evidence, for each outcome.
    pub fn summary(&self) -> String {
        let finish = match (&self.report, &self.not_trained) {
            (Some(r), _) => format!(
                "finish risk from a model trained on {} closed projects ({} late by more than {:.0}%), read at {:.0}% \
                 of their planned duration{}",
                r.examples,
                r.positives,
                self.margin.finish * 100.0,
                AS_OF_SHARE * 100.0,
                auc(r)
            ),
            (None, Some(why)) => {
                format!("finish risk from the default weights: the trained model needs more closed projects ({why})")
            }
            (None, None) => "finish risk from the default weights".to_owned(),
        };
        let b = &self.budget;
        let budget = match (&b.report, &b.not_trained) {
            (Some(r), _) => format!(
                "budget risk from a model trained on {} closed projects with an actual cost ({} over budget by more \
                 than {:.0}%){}",
                r.examples,
                r.positives,
                self.margin.budget * 100.0,
                auc(r)
            ),
            (None, Some(why)) => format!("budget risk from the default weights ({why})"),
            (None, None) => "budget risk from the default weights".to_owned(),
        };
        format!("{finish}; {budget}")
    }
}

fn auc(r: &TrainingReport) -> String {
    r.cross_validated_auc.map(|a| format!(", cross-validated AUC {a:.2}")).unwrap_or_default()
}

/// The last reached milestone of a closed project: its real finish.
fn real_finish(milestones: &[Record<MilestoneFields>]) -> Option<NaiveDate> {
    milestones.iter().filter_map(|m| m.fields.actual).max()
}

/// Adds the indicators read from a project's milestones and status reports as they stood on
/// `as_of` to `ind`.
///
/// A milestone is overdue on `as_of` when its baseline date had passed and it had not been
/// reached by then. Only reports up to `as_of` count.
pub(crate) fn indicators_as_of(
    mut ind: Indicators,
    as_of: NaiveDate,
    milestones: &[Record<MilestoneFields>],
    reports: &[Record<StatusReportFields>],
) -> Indicators {
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

/// A kept forecast run as training reads it: run ID, when it ran, its P80 finish and the baseline
/// finish it was measured against.
pub(crate) type KeptRun = (uuid::Uuid, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>);

/// The P80 slip against the baseline (calendar days) of the latest forecast run made by the end
/// of `as_of`, the reading a prediction that day would have used; `None` when no run had been
/// made by then or it had no baseline.
pub(crate) fn p80_slip_as_of(as_of: NaiveDate, runs: &[KeptRun]) -> Option<Observation> {
    let cutoff = as_of.and_time(NaiveTime::MIN) + Duration::days(1);
    let (id, _, p80, baseline) = runs.iter().filter(|r| r.1 < cutoff).max_by_key(|r| (r.1, r.0))?;
    let b = (*baseline)?;
    Some(Observation::new((*p80 - b).num_minutes() as f64 / 1440.0, format!("forecast_run:{id}")))
}

/// A stored schedule version: number, import time, body (an [`Analysis`] as JSON).
pub(crate) type StoredVersion = (i64, NaiveDateTime, String);

/// The schedule and earned-value indicators of a project as they stood on `as_of`: read from the
/// versions whose status date (or import time, when the file has none) was no later than that
/// day, the last of them as the plan. Versions that do not decode are skipped.
pub(crate) fn schedule_indicators_as_of(as_of: NaiveDate, versions: &[StoredVersion]) -> Indicators {
    let cutoff = as_of.and_time(NaiveTime::MIN) + Duration::days(1);
    let mut ordered: Vec<&StoredVersion> = versions.iter().collect();
    ordered.sort_by_key(|v| v.0);
    let mut points = Vec::new();
    let mut latest: Option<Analysis> = None;
    for (version, imported, body) in ordered {
        let Ok(a) = serde_json::from_str::<Analysis>(body) else { continue };
        let point = VersionPoint::of(*version, *imported, &a);
        if point.status_date >= cutoff {
            continue;
        }
        points.push(point);
        latest = Some(a);
    }
    let mut ind = Indicators::default();
    if let (Some(a), Some(last)) = (latest, points.last()) {
        let evm = evm_across_versions(&points[..points.len() - 1], &a.schedule, last.status_date).ok();
        schedule_indicators(&mut ind, &points, evm.as_ref().map(|(r, _)| r));
    }
    ind
}

/// One closed project as a training example, or `None` when it lacks a baseline or has neither
/// outcome (no reached milestone, no actual cost against a budget).
pub(crate) fn example(
    project: &ProjectFields,
    milestones: &[Record<MilestoneFields>],
    reports: &[Record<StatusReportFields>],
    versions: &[StoredVersion],
    runs: &[KeptRun],
) -> Option<TrainingExample> {
    let (start, finish) = (project.planned_start?, project.planned_finish?);
    let planned = (finish - start).num_days();
    if planned <= 0 {
        return None;
    }
    let finish_overrun = real_finish(milestones).map(|real| (real - start).num_days() as f64 / planned as f64 - 1.0);
    let budget_overrun = project.cost_overrun();
    if finish_overrun.is_none() && budget_overrun.is_none() {
        return None;
    }
    let as_of = start + Duration::days((planned as f64 * AS_OF_SHARE).round() as i64);
    let mut scheduled = schedule_indicators_as_of(as_of, versions);
    scheduled.p80_slip_days = p80_slip_as_of(as_of, runs);
    Some(TrainingExample {
        indicators: indicators_as_of(scheduled, as_of, milestones, reports),
        baseline_duration_days: planned as f64,
        finish_overrun,
        budget_overrun,
    })
}

/// Whether an example carries any schedule, earned-value or forecast indicator.
fn has_schedule(i: &Indicators) -> bool {
    [
        &i.spi_t,
        &i.cpi,
        &i.percent_complete,
        &i.float_erosion_days,
        &i.critical_path_churn,
        &i.task_count_growth,
        &i.p80_slip_days,
    ]
    .iter()
    .any(|o| o.is_some())
}

/// Fitted models by organisation, with the audit mark they were fitted at.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModelCache(Arc<Mutex<HashMap<OrgId, Vec<Cached>>>>);

#[derive(Debug, Clone)]
struct Cached {
    margin: Margin,
    mark: Option<uuid::Uuid>,
    model: Model,
    status: ModelStatus,
}

impl ModelCache {
    fn get(&self, org: OrgId, margin: Margin, mark: Option<uuid::Uuid>) -> Option<(Model, ModelStatus)> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let c = map.get(&org)?.iter().find(|c| c.margin == margin && c.mark == mark)?;
        Some((c.model.clone(), c.status.clone()))
    }

    fn put(&self, org: OrgId, margin: Margin, mark: Option<uuid::Uuid>, model: &Model, status: &ModelStatus) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = map.entry(org).or_default();
        // Older marks are stale for every margin; keep a few margins of the current one.
        list.retain(|c| c.mark == mark && c.margin != margin);
        list.truncate(7);
        list.push(Cached { margin, mark, model: model.clone(), status: status.clone() });
    }
}

impl App {
    /// The delivery-risk model for `margin`: trained on the organisation's closed projects when
    /// there are enough, else the default weights; with what training found. Served from the
    /// cache while no project, milestone, status report or schedule has changed since it was fitted.
    ///
    /// # Errors
    /// Forbidden, storage; an example the engine refuses (an indicator out of its domain).
    pub async fn delivery_risk_model(&self, actor: &Actor, margin: Margin) -> Result<(Model, ModelStatus), AppError> {
        actor.require(keel_domain::Action::Read)?;
        let mut tx = self.store.read().await?;
        let mark = tx.audit_mark(actor.org_id, TRAINED_ON).await?;
        if let Some(hit) = self.models.get(actor.org_id, margin, mark) {
            return Ok(hit);
        }
        let closed =
            tx.all_where::<ProjectFields>(actor.org_id, "state", Value::text(WorkState::Closed.as_str())).await?;
        let stopped = |e: tokio::task::JoinError| AppError::Internal(format!("model training stopped: {e}"));
        let mut examples = Vec::with_capacity(closed.len());
        // One project at a time, so only one project's schedule versions are held in memory.
        for p in &closed {
            let pid = || Value::text(p.id.to_string());
            let milestones = tx.all_where::<MilestoneFields>(actor.org_id, "project_id", pid()).await?;
            let reports = tx.all_where::<StatusReportFields>(actor.org_id, "project_id", pid()).await?;
            let mut versions = Vec::new();
            for r in tx.schedule_versions(actor.org_id, p.id).await? {
                if let Some((row, body)) = tx.schedule_version(actor.org_id, p.id, Some(r.version)).await? {
                    versions.push((row.version, row.created_at.naive_utc(), body));
                }
            }
            // The kept runs' summaries (not their bodies) give the P80 slip as it stood.
            let runs: Vec<KeptRun> = tx
                .forecast_runs(actor.org_id, p.id, super::KIND, 1000)
                .await?
                .iter()
                .filter_map(|r| {
                    let s: super::ForecastSummary = serde_json::from_str(&r.summary).ok()?;
                    Some((r.id, r.created_at.naive_utc(), s.p80, s.baseline))
                })
                .collect();
            let fields = p.fields.clone();
            let e = tokio::task::spawn_blocking(move || example(&fields, &milestones, &reports, &versions, &runs))
                .await
                .map_err(stopped)?;
            examples.extend(e);
        }
        drop(tx);
        let closed_projects = closed.len();
        let (model, status) =
            tokio::task::spawn_blocking(move || train(examples, margin, closed_projects)).await.map_err(stopped)??;
        self.models.put(actor.org_id, margin, mark, &model, &status);
        Ok((model, status))
    }
}

/// Fits the model on the examples and says what training found (CPU-bound).
fn train(
    examples: Vec<TrainingExample>,
    margin: Margin,
    closed_projects: usize,
) -> Result<(Model, ModelStatus), AppError> {
    let labelled = |o: Outcome| {
        let (overrun, m): (fn(&TrainingExample) -> Option<f64>, f64) = match o {
            Outcome::Finish => (|e| e.finish_overrun, margin.finish),
            Outcome::Budget => (|e| e.budget_overrun, margin.budget),
        };
        let of: Vec<f64> = examples.iter().filter_map(overrun).collect();
        (of.len(), of.iter().filter(|&&x| x > m).count())
    };
    let (count, missed) = labelled(Outcome::Finish);
    let (budget_count, over) = labelled(Outcome::Budget);
    let with_schedule = examples.iter().filter(|e| e.finish_overrun.is_some() && has_schedule(&e.indicators)).count();
    let options = TrainOptions {
        margin,
        validation: if examples.len() <= LEAVE_ONE_OUT_UP_TO {
            Validation::LeaveOneOut
        } else {
            Validation::KFold { k: 5, seed: 1 }
        },
        ..TrainOptions::default()
    };
    let model =
        Model::from_history(&examples, &options).map_err(|e| AppError::Internal(format!("model training: {e}")))?;
    let need = |what: &str, n: usize, bad: usize, worse: &str| {
        format!(
            "{n} closed projects with {what}, {bad} of them {worse}: at least {} are needed, with at least {} of each outcome",
            options.min_examples, options.min_per_class
        )
    };
    let finish_why = need(
        "a baseline and reached milestones",
        count,
        missed,
        &format!("late by more than {:.0}% of the planned duration", margin.finish * 100.0),
    );
    let budget_why = need(
        "a budget and an actual cost",
        budget_count,
        over,
        &format!("over budget by more than {:.0}%", margin.budget * 100.0),
    );
    let (finish, budget) = match &model {
        Model::Trained(t) => (
            OutcomeStatus::of(Some(&t.finish), count, missed, finish_why),
            OutcomeStatus::of(Some(&t.budget), budget_count, over, budget_why),
        ),
        Model::Default => (
            OutcomeStatus::of(None, count, missed, finish_why),
            OutcomeStatus::of(None, budget_count, over, budget_why),
        ),
    };
    let status = ModelStatus {
        model: finish.model,
        margin,
        closed_projects,
        examples: count,
        missed,
        with_schedule,
        min_examples: options.min_examples,
        not_trained: finish.not_trained,
        report: finish.report,
        features: finish.features,
        budget,
    };
    Ok((model, status))
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
        let ind = indicators_as_of(Indicators::default(), day("2026-02-10"), &ms, &reports);
        // The first milestone was reached late but before the day; the second is overdue; the
        // third is not due yet.
        assert_eq!(ind.overdue_milestones.unwrap().value, 1.0);
        // The March report does not exist yet on the day.
        assert_eq!(ind.report_staleness_days.unwrap().value, 4.0);
        let rags = [Rag::Amber, Rag::Red];
        assert_eq!(ind.rag_history.unwrap().value, rag_share(&rags).unwrap());
    }

    /// The demo plan of a project started 2026-01-05, progressed to the day before `today`, as
    /// a stored version.
    fn version(p: &Record<ProjectFields>, number: i64, today: &str) -> StoredVersion {
        let s = crate::demo_schedules::plan(p, day(today)).unwrap();
        let xml = keel_interop::export(&s, None, keel_interop::Format::Mspdi).unwrap();
        let a = crate::schedules::analyse("plan.xml", &xml, &Default::default()).unwrap();
        (number, day(today).and_time(NaiveTime::MIN), serde_json::to_string(&a).unwrap())
    }

    #[test]
    fn schedule_indicators_are_read_from_the_versions_known_on_the_day() {
        let mut fields = project_fields();
        fields.planned_start = Some(day("2026-01-05"));
        fields.planned_finish = Some(day("2026-12-18"));
        let p = record(fields);
        let versions = [version(&p, 1, "2026-03-02"), version(&p, 2, "2026-04-06"), version(&p, 3, "2026-06-01")];
        // Before the first status date: nothing.
        assert_eq!(schedule_indicators_as_of(day("2026-02-20"), &versions), Indicators::default());
        // Between the first and the second: earned value of version 1 only, no change to measure.
        let one = schedule_indicators_as_of(day("2026-03-10"), &versions);
        let spi = one.spi_t.clone().unwrap();
        assert_eq!(spi.source, "schedule_version:1");
        assert!(spi.value > 0.0 && spi.value <= 1.0, "the plan has slipped, not gained: {}", spi.value);
        assert!(one.float_erosion_days.is_none() && one.task_count_growth.is_none(), "{one:?}");
        // After the second (the third is still in the future): two periods, so change too.
        let two = schedule_indicators_as_of(day("2026-04-20"), &versions);
        assert_eq!(two.spi_t.as_ref().unwrap().source, "schedule_version:2");
        assert!(two.float_erosion_days.is_some() && two.critical_path_churn.is_some(), "{two:?}");
        let done = |i: &Indicators| i.percent_complete.as_ref().unwrap().value;
        assert!(done(&schedule_indicators_as_of(day("2026-04-20"), &versions)) > done(&one));
        // The order versions come in does not matter, and one that does not decode is skipped.
        let mut shuffled = vec![versions[2].clone(), versions[0].clone(), versions[1].clone()];
        shuffled.push((4, day("2026-03-01").and_time(NaiveTime::MIN), "not json".into()));
        assert_eq!(
            schedule_indicators_as_of(day("2026-04-20"), &shuffled),
            schedule_indicators_as_of(day("2026-04-20"), &versions)
        );
    }

    fn project_fields() -> ProjectFields {
        serde_json::from_value(serde_json::json!({
            "portfolio_id": Id::<keel_domain::PortfolioFields>::from_uuid(uuid::Uuid::now_v7()), "code": "P-1", "name": "P", "stage": "planning",
            "tier": "standard", "state": "closed"
        }))
        .unwrap()
    }

    #[test]
    fn the_budget_outcome_is_the_actual_cost_against_the_budget() {
        let mut p = project_fields();
        p.planned_start = Some(day("2026-01-01"));
        p.planned_finish = Some(day("2026-07-01"));
        let gbp = keel_domain::Currency::parse("GBP").unwrap();
        p.budget = Some(keel_domain::Money { amount: 100_000, currency: gbp });
        assert!(example(&p, &[], &[], &[], &[]).is_none(), "neither outcome");
        p.actual_cost = Some(keel_domain::Money { amount: 118_000, currency: gbp });
        // No milestone reached, but the cost is known: an example for the budget only.
        let e = example(&p, &[], &[], &[], &[]).unwrap();
        assert!(e.finish_overrun.is_none());
        assert!((e.budget_overrun.unwrap() - 0.18).abs() < 1e-12);
        // A cost in another currency than the budget is not compared.
        p.actual_cost =
            Some(keel_domain::Money { amount: 118_000, currency: keel_domain::Currency::parse("EUR").unwrap() });
        assert!(example(&p, &[], &[], &[], &[]).is_none());
    }

    #[test]
    fn the_p80_slip_is_the_last_run_made_by_the_halfway_day() {
        let at = |d: &str, h: u32| day(d).and_hms_opt(h, 0, 0).unwrap();
        let id = || uuid::Uuid::now_v7();
        let base = Some(at("2026-06-30", 17));
        let runs = [
            (id(), at("2026-03-01", 9), at("2026-07-10", 17), base),
            (id(), at("2026-03-31", 23), at("2026-07-20", 17), base),
            // Made after the day: a prediction then could not have seen it.
            (id(), at("2026-04-01", 0), at("2026-09-30", 17), base),
        ];
        assert!(p80_slip_as_of(day("2026-02-28"), &runs).is_none(), "no run yet");
        let o = p80_slip_as_of(day("2026-03-31"), &runs).unwrap();
        assert_eq!(o.value, 20.0);
        assert_eq!(o.source, format!("forecast_run:{}", runs[1].0));
        assert_eq!(p80_slip_as_of(day("2026-03-15"), &runs).unwrap().value, 10.0);
        // A run without a baseline has no slip to read.
        let unbased = [(id(), at("2026-03-01", 9), at("2026-07-10", 17), None)];
        assert!(p80_slip_as_of(day("2026-03-31"), &unbased).is_none());
        // The example carries it, and counts as one with schedule readings.
        let p: ProjectFields = serde_json::from_value(serde_json::json!({
            "portfolio_id": Id::<keel_domain::PortfolioFields>::from_uuid(uuid::Uuid::now_v7()), "code": "P-1", "name": "P", "stage": "planning",
            "tier": "standard", "state": "closed", "planned_start": "2026-01-01", "planned_finish": "2026-05-31"
        }))
        .unwrap();
        // Halfway is 2026-03-17: the run of 1 March is the last made by then.
        let e = example(&p, &[milestone("2026-06-30", Some("2026-07-30"))], &[], &[], &runs).unwrap();
        assert_eq!(e.indicators.p80_slip_days.as_ref().map(|o| o.value), Some(10.0));
        assert!(has_schedule(&e.indicators));
    }

    #[test]
    fn an_example_needs_a_baseline_and_a_reached_milestone() {
        let mut p: ProjectFields = serde_json::from_value(serde_json::json!({
            "portfolio_id": Id::<keel_domain::PortfolioFields>::from_uuid(uuid::Uuid::now_v7()), "code": "P-1", "name": "P", "stage": "planning",
            "tier": "standard", "state": "closed"
        }))
        .unwrap();
        let ms = [milestone("2026-06-30", Some("2026-07-30"))];
        assert!(example(&p, &ms, &[], &[], &[]).is_none(), "no baseline");
        p.planned_start = Some(day("2026-01-01"));
        p.planned_finish = Some(day("2026-07-01"));
        assert!(example(&p, &[milestone("2026-06-30", None)], &[], &[], &[]).is_none(), "nothing reached");
        let e = example(&p, &ms, &[], &[], &[]).unwrap();
        assert_eq!(e.baseline_duration_days, 181.0);
        assert!((e.finish_overrun.unwrap() - (210.0 / 181.0 - 1.0)).abs() < 1e-12);
    }
}
