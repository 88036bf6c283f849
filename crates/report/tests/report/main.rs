//! Keel report renderers, checked on one hand-built document that uses every block, cell and
//! chart kind, with hostile text in its title and records.

mod charts;
mod fixture;
mod html;
mod markdown;
mod xlsx;
