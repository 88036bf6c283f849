//! Forecasting engines: Monte Carlo on the CPM network, earned value and earned schedule, agile
//! throughput forecasts and delivery-risk prediction.
//!
//! Every engine here is pure: input structs in, results out, a seed passed in where randomness is
//! used, no clock and no IO. Results carry what reproduces them (seed, iterations, engine version).

pub mod agile;
pub mod blend;
pub mod evm;
pub mod montecarlo;
pub mod predict;

/// The engine version stored with every forecast result, so a stored run says what computed it.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
