//! Working-time calendars. (Being written.)
