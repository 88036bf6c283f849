//! mpx reader. (Being written.)

use keel_engine::schedule::Schedule;

use crate::ImportError;

/// Reads a mpx file.
pub fn read(file: &str, _bytes: &[u8]) -> Result<Schedule, ImportError> {
    Err(ImportError::file(file, "mpx reader not yet written"))
}
