#![doc = include_str!("../README.md")]

use keel_engine::schedule::{Schedule, ScheduleResult};

pub mod csv_list;
pub mod delivery;
pub mod dslib;
mod file;
pub mod mpx;
pub mod mspdi;
pub mod pmxml;
pub mod xer;

pub use file::read_file;

/// A schedule file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// MS Project XML (MSPDI).
    Mspdi,
    /// MPX (MS Project exchange, text).
    Mpx,
    /// Primavera P6 XER (text, tab-separated).
    Xer,
    /// Primavera P6 XML (PMXML / APIBusinessObjects).
    Pmxml,
    /// CSV task list: `id, name, duration, predecessors`.
    Csv,
    /// Excel task list (first sheet, same columns as CSV).
    Xlsx,
}

impl Format {
    /// Short lower-case name, as the CLI and API accept it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Mspdi => "mspdi",
            Format::Mpx => "mpx",
            Format::Xer => "xer",
            Format::Pmxml => "pmxml",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// Parses a format name (`mspdi`/`xml`, `mpx`, `xer`, `pmxml`, `csv`, `xlsx`).
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "mspdi" | "xml" => Format::Mspdi,
            "mpx" => Format::Mpx,
            "xer" => Format::Xer,
            "pmxml" | "p6xml" => Format::Pmxml,
            "csv" => Format::Csv,
            "xlsx" | "excel" => Format::Xlsx,
            _ => return None,
        })
    }
}

/// Why a file could not be read. Names the file and, where known, the line and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default(), .field.as_ref().map(|f| format!(": {f}")).unwrap_or_default())]
pub struct ImportError {
    /// File name as given.
    pub file: String,
    /// 1-based line (text formats) where known.
    pub line: Option<usize>,
    /// Field, element or column where known.
    pub field: Option<String>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl ImportError {
    /// An error about the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        ImportError { file: file.to_string(), line: None, field: None, message: message.into() }
    }
}

/// Guesses the format from the file name's extension and the first bytes.
pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let lower = file_name.to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Format::Xlsx);
    }
    if head.starts_with("ERMHDR") {
        return Some(Format::Xer);
    }
    if head.starts_with("MPX") {
        return Some(Format::Mpx);
    }
    if head.contains("APIBusinessObjects") {
        return Some(Format::Pmxml);
    }
    if head.contains("schemas.microsoft.com/project") || head.contains("<Project") {
        return Some(Format::Mspdi);
    }
    let ext = lower.rsplit('.').next().unwrap_or_default();
    match ext {
        "csv" | "txt" => Some(Format::Csv),
        other => Format::parse(other),
    }
}

/// Reads a schedule file in the given format (or the detected one when `None`).
pub fn import(file_name: &str, bytes: &[u8], format: Option<Format>) -> Result<Schedule, ImportError> {
    let format = match format.or_else(|| detect(file_name, bytes)) {
        Some(f) => f,
        None => {
            return Err(ImportError::file(
                file_name,
                "unrecognised schedule format: expected MSPDI XML, MPX, XER, P6 XML, CSV or XLSX",
            ));
        }
    };
    match format {
        Format::Mspdi => mspdi::read(file_name, bytes),
        Format::Mpx => mpx::read(file_name, bytes),
        Format::Xer => xer::read(file_name, bytes),
        Format::Pmxml => pmxml::read(file_name, bytes),
        Format::Csv => csv_list::read_csv(file_name, bytes),
        Format::Xlsx => csv_list::read_xlsx(file_name, bytes),
    }
}

/// Why a schedule could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write {format}: {message}")]
pub struct ExportError {
    /// Target format name.
    pub format: &'static str,
    /// What went wrong.
    pub message: String,
}

/// Writes a schedule (with computed dates when given) as MSPDI XML, CSV or Excel.
pub fn export(schedule: &Schedule, result: Option<&ScheduleResult>, format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Mspdi => mspdi::write(schedule, result),
        Format::Csv => csv_list::write_csv(schedule, result),
        Format::Xlsx => csv_list::write_xlsx(schedule, result),
        Format::Mpx | Format::Xer | Format::Pmxml => {
            Err(ExportError { format: format.name(), message: "Keel exports MSPDI XML, CSV and Excel".into() })
        }
    }
}
