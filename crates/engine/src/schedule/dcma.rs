//! DCMA 14-point schedule assessment. (Being written.)
