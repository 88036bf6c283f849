//! MSPDI reader and writer. (Being written.)

use keel_engine::schedule::{Schedule, ScheduleResult};

use crate::{ExportError, ImportError};

/// Reads an MSPDI file.
pub fn read(file: &str, _bytes: &[u8]) -> Result<Schedule, ImportError> {
    Err(ImportError::file(file, "MSPDI reader not yet written"))
}

/// Writes MSPDI XML.
pub fn write(_s: &Schedule, _r: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    Err(ExportError { format: "mspdi", message: "not yet written".into() })
}
