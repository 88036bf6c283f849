#![doc = include_str!("../README.md")]

pub mod forecast;
pub mod health;
pub mod rag;
pub mod report;
pub mod risk;
pub mod schedule;

pub use health::{Exception, HealthInput, MilestoneInput, ProjectHealth, assess};
pub use rag::{Trend, roll_up, suggest_overall, trend};
