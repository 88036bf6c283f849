//! CSV and Excel task lists. (Being written.)

use keel_engine::schedule::{Schedule, ScheduleResult};

use crate::{ExportError, ImportError};

/// Reads a CSV task list.
pub fn read_csv(file: &str, _bytes: &[u8]) -> Result<Schedule, ImportError> {
    Err(ImportError::file(file, "not yet written"))
}

/// Reads an Excel task list.
pub fn read_xlsx(file: &str, _bytes: &[u8]) -> Result<Schedule, ImportError> {
    Err(ImportError::file(file, "not yet written"))
}

/// Writes a CSV task list.
pub fn write_csv(_s: &Schedule, _r: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    Err(ExportError { format: "csv", message: "not yet written".into() })
}

/// Writes an Excel task list.
pub fn write_xlsx(_s: &Schedule, _r: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    Err(ExportError { format: "xlsx", message: "not yet written".into() })
}
