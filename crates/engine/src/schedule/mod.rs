//! Schedules: the model, working-time calendars, the critical-path engine, the stored-date check
//! and the DCMA 14-point quality assessment.
//!
//! Pure code: a [`Schedule`] in, results or errors out. Importers and exporters live in
//! `keel-interop`; storage and use cases in `keel-store` and `keel-app`.

pub mod calendar;
mod calendar_rules;
pub mod check;
pub mod combine;
mod compile;
pub mod cpm;
pub mod dcma;
pub mod generate;
pub mod incremental;
pub mod model;
pub mod network;
mod passes;
mod plain;
pub mod rebase;
mod results;
mod special;
pub mod variance;

pub use check::{CheckReport, FieldCounts, TaskDiff, compare};
pub use cpm::{ScheduleError, ScheduleResult, TaskResult, schedule};
pub use incremental::Recalc;
pub use model::*;
pub use network::Network;
