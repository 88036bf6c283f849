//! Reading a schedule file from disk, on two cores when it is large.

use std::io;
use std::path::Path;

/// Files at least this large are read in two halves in parallel; smaller ones with one read.
const PARALLEL_FROM: u64 = 16 << 20;

/// The whole content of the file at `path`, like [`std::fs::read`].
///
/// A large file (16 MiB or more, say a 100k-task MS Project XML export of 136 MB) is read in two
/// halves at once, one on another thread: most of a large read is the kernel copying into fresh
/// pages, and two cores do that in about 60% of the time. When the other thread cannot be
/// started, or the file changes size while it is read, it falls back to one plain read.
///
/// # Errors
/// What the operating system reports (no such file, no permission...).
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len >= PARALLEL_FROM
            && let Ok(len) = usize::try_from(len)
        {
            let mut buf = vec![0u8; len];
            let half = len / 2;
            let (head, tail) = buf.split_at_mut(half);
            let both = std::thread::scope(|s| {
                let other = std::thread::Builder::new().spawn_scoped(s, || file.read_exact_at(tail, half as u64));
                let first = file.read_exact_at(head, 0);
                let second = match other {
                    Ok(h) => h.join().unwrap_or_else(|_| Err(io::Error::other("the reading thread stopped"))),
                    Err(e) => Err(e),
                };
                first.and(second)
            });
            // Nothing past the size read: the file did not grow meanwhile.
            let mut probe = [0u8; 1];
            if both.is_ok() && matches!(file.read_at(&mut probe, len as u64), Ok(0)) {
                return Ok(buf);
            }
        }
    }
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_large_file_reads_the_same_as_a_plain_read() {
        let dir = tempfile::tempdir().unwrap();
        // Just over the threshold and odd-sized, so the halves differ in length, with content
        // that shows any misplaced byte.
        let content: Vec<u8> = (0..PARALLEL_FROM as usize + 12_345).map(|i| (i % 251) as u8).collect();
        let big = dir.path().join("big.xml");
        std::fs::write(&big, &content).unwrap();
        assert!(read_file(&big).unwrap() == content);
        let small = dir.path().join("small.xml");
        std::fs::write(&small, b"<Project/>").unwrap();
        assert_eq!(read_file(&small).unwrap(), b"<Project/>");
        let missing = read_file(&dir.path().join("missing.xml")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
