//! xer reader. (Being written.)

use keel_engine::schedule::Schedule;

use crate::ImportError;

/// Reads a xer file.
pub fn read(file: &str, _bytes: &[u8]) -> Result<Schedule, ImportError> {
    Err(ImportError::file(file, "xer reader not yet written"))
}
