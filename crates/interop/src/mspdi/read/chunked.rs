//! The chunked path for the two sections that grow with the plan, `<Tasks>` and `<Assignments>`:
//! split the section's body at its `<Task>` (`<Assignment>`) start tags, read the chunks on all
//! cores with a small scanner that knows only the plain XML MSPDI writers produce, and hand the
//! rows back in file order.
//!
//! The scanner feeds the same field handlers as the quick-xml loop, with the same element paths
//! and the same text. It is strict on purpose: attributes, namespace prefixes, comments, CDATA,
//! processing instructions, an entity other than the five predefined ones or a character
//! reference, a chunk boundary that is not between two rows, and any value a handler refuses make
//! it give up, and the quick-xml loop then reads the section as it always did. So the model is the
//! same either way, and every error (its message and its line) comes from that one loop.

use memchr::{memchr, memchr2, memmem};

use super::{Ignored, Parser};

/// Sections below this many bytes per core are read in fewer chunks (one below 2 MiB): a thread
/// costs more than it saves on a small file.
pub(super) const MIN_CHUNK: usize = 1 << 20;

/// The scanner met something outside its subset or a handler refused a value.
struct GiveUp;

/// Reads the body of the section the parser has just entered (its start tag ends at `start`),
/// whose rows are `<child>` elements. Returns where the section's end tag starts, or `None` when
/// the parser was left untouched and the caller must read the section itself.
///
/// Linear in the section's length; the chunks run in parallel, one per available core.
pub(super) fn read_section(p: &mut Parser<'_>, start: usize, child: &str, chunk_bytes: usize) -> Option<usize> {
    let bytes = p.text.as_bytes();
    let section = p.path.rsplit('/').next().unwrap_or_default();
    // The section's end tag, searched from the file's end: the sections after `<Tasks>` are
    // short, and a forward search would walk the whole section on one core before the split.
    // Any later `</Tasks>` (in a comment, a second section) makes the scanner meet the real end
    // tag first, and give up.
    let end = start + memmem::rfind(&bytes[start..], format!("</{section}>").as_bytes())?;
    let open = format!("<{child}>");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunks = ((end - start) / chunk_bytes.max(1)).clamp(1, cores.max(2));
    // Cut just before a row's start tag near each equal share; a cut that is not between two rows
    // (a `<Task>` inside a comment, say) leaves one chunk ending inside an element: it gives up.
    let mut cuts = vec![start];
    for k in 1..chunks {
        let target = start + (end - start) * k / chunks;
        if let Some(i) = memmem::find(&bytes[target..end], open.as_bytes())
            && target + i > cuts[cuts.len() - 1]
        {
            cuts.push(target + i);
        }
    }
    cuts.push(end);

    let read = |from: usize, to: usize| -> Result<Parser<'_>, GiveUp> {
        let mut q = Parser::new(p.file, p.text, p.percent_scale);
        q.path.push_str(&p.path);
        q.owner.push_str(&p.owner);
        q.cur_field = p.cur_field;
        // The first chunk's list is sized for the whole section: `finish` turns its rows into
        // tasks in place and appends the other chunks' tasks to it, without a fresh copy.
        let counted = if from == start { &bytes[start..end] } else { &bytes[from..to] };
        let rows = memmem::find_iter(counted, open.as_bytes()).count();
        match child {
            "Task" => q.tasks.reserve(rows),
            _ => q.assignments.reserve(rows),
        }
        scan(&mut q, from, to, child)?;
        Ok(q)
    };
    let parts: Vec<Result<Parser<'_>, GiveUp>> = std::thread::scope(|s| {
        // A thread the system refuses to start is read on this one instead (never a panic).
        let spawned: Vec<_> = cuts[1..]
            .windows(2)
            .map(|w| (w[0], w[1], std::thread::Builder::new().spawn_scoped(s, move || read(w[0], w[1]))))
            .collect();
        let first = read(cuts[0], cuts[1]);
        std::iter::once(first)
            .chain(spawned.into_iter().map(|(from, to, h)| match h {
                Ok(h) => h.join().unwrap_or(Err(GiveUp)),
                Err(_) => read(from, to),
            }))
            .collect()
    });
    let parts: Vec<Parser<'_>> = parts.into_iter().collect::<Result<_, _>>().ok()?;

    if !p.tasks.is_empty() {
        p.task_parts.push(std::mem::take(&mut p.tasks));
    }
    for mut q in parts {
        if !q.tasks.is_empty() {
            p.task_parts.push(q.tasks);
        }
        p.assignments.append(&mut q.assignments);
        merge(&mut p.ignored, q.ignored);
        p.owner = q.owner;
        p.cur_field = q.cur_field;
    }
    Some(end)
}

fn merge(into: &mut Ignored, from: Ignored) {
    for (kind, n) in from.kinds {
        *into.kinds.entry(kind).or_default() += n;
    }
    for (name, n) in from.task_elements {
        *into.task_elements.entry(name).or_default() += n;
    }
}

/// Feeds the elements of `text[from..to]` (whole `<child>` rows and the text between them) to
/// the parser's handlers as the quick-xml loop would.
fn scan(q: &mut Parser<'_>, from: usize, to: usize, child: &str) -> Result<(), GiveUp> {
    let text = q.text;
    let b = text.as_bytes();
    // Length of the path before each open element.
    let mut open: Vec<usize> = Vec::with_capacity(16);
    let mut scratch = String::new();
    let mut i = from;
    while let Some(k) = memchr(b'<', &b[i..to]) {
        let lt = i + k;
        if b.get(lt + 1) == Some(&b'/') {
            // `</name>`: the name must close the element the path ends with.
            let top = open.pop().ok_or(GiveUp)?;
            let name = &q.path.as_bytes()[top + 1..];
            let gt = lt + 2 + name.len();
            if gt >= to || &b[lt + 2..gt] != name || b[gt] != b'>' {
                return Err(GiveUp);
            }
            // The text since the last tag: all of the element's text, as no markup is let in.
            let v = value(&text[i..lt], &mut scratch)?;
            q.end_element_with(v).map_err(|_| GiveUp)?;
            q.path.truncate(top);
            i = gt + 1;
        } else {
            // `<name>` or `<name/>`, the name plain (no prefix, no attributes).
            let name_end = lt + 1 + b[lt + 1..to].iter().position(|&c| !plain(c)).ok_or(GiveUp)?;
            let (gt, empty) = match &b[name_end..to] {
                [b'>', ..] => (name_end, false),
                [b'/', b'>', ..] => (name_end + 1, true),
                _ => return Err(GiveUp),
            };
            let name = &text[lt + 1..name_end];
            if name.is_empty() || (open.is_empty() && name != child) {
                return Err(GiveUp);
            }
            let len = q.path.len();
            q.path.push('/');
            q.path.push_str(name);
            q.start_element().map_err(|_| GiveUp)?;
            if empty {
                q.end_element_with("").map_err(|_| GiveUp)?;
                q.path.truncate(len);
            } else {
                open.push(len);
            }
            i = gt + 1;
        }
    }
    if open.is_empty() { Ok(()) } else { Err(GiveUp) }
}

/// A byte of a name quick-xml reports unchanged as its local name (no prefix, no attributes).
fn plain(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// An element's text as the quick-xml loop builds it: each run between references with its line
/// ends normalised (`\r\n` and `\r` to `\n`), each reference replaced by its character.
fn value<'t>(raw: &'t str, scratch: &'t mut String) -> Result<&'t str, GiveUp> {
    if memchr2(b'&', b'\r', raw.as_bytes()).is_none() {
        return Ok(raw);
    }
    scratch.clear();
    let mut rest = raw;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        push_normalised(scratch, &rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = memchr(b';', after.as_bytes()).ok_or(GiveUp)?;
        scratch.push(reference(&after[..semi]).ok_or(GiveUp)?);
        rest = &after[semi + 1..];
    }
    push_normalised(scratch, rest);
    Ok(scratch)
}

fn push_normalised(out: &mut String, run: &str) {
    let mut parts = run.split('\r');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push('\n');
        out.push_str(part.strip_prefix('\n').unwrap_or(part));
    }
}

/// The character of a predefined entity or a character reference (`#65`, `#x41`); `None` for
/// anything else, which the scanner leaves to quick-xml.
fn reference(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let (digits, radix, max) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16, 6),
                None => (num, 10, 7),
            };
            if digits.is_empty() || digits.len() > max || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let code = u32::from_str_radix(digits, radix).ok()?;
            if code == 0 {
                return None;
            }
            char::from_u32(code)?
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use keel_engine::schedule::generate::{GenOptions, Shape, generate};

    use super::super::{Parser, read_with};

    /// A generated network written as MSPDI, with resources and assignments added, big enough to
    /// be cut in two at a small chunk size.
    fn file(tasks: usize, shape: Shape) -> String {
        let s = generate(&GenOptions { tasks, shape, seed: 3 });
        let xml = String::from_utf8(crate::mspdi::write(&s, None).unwrap()).unwrap();
        let mut extra = String::from(
            "<Resources><Resource><UID>1</UID><Name>R&amp;D</Name></Resource></Resources>\n<Assignments>\n",
        );
        for uid in (1..tasks).step_by(3) {
            extra.push_str(&format!(
                "  <Assignment>\n    <UID>{uid}</UID>\n    <TaskUID>{uid}</TaskUID>\n    <ResourceUID>1</ResourceUID>\n    \
                 <Units>0.5</Units>\n    <Work>PT16H0M0S</Work>\n  </Assignment>\n"
            ));
        }
        extra.push_str("</Assignments>\n</Project>");
        xml.replacen("</Project>", &extra, 1)
    }

    /// Both paths on the same text: the model, or the error with its line, must be equal.
    fn same_both_ways(text: &str) -> Result<keel_engine::schedule::Schedule, crate::ImportError> {
        let chunked = read_with("f.xml", text.as_bytes(), Some(64));
        let plain = read_with("f.xml", text.as_bytes(), None);
        assert_eq!(chunked, plain);
        chunked
    }

    /// How many chunks the tasks were read in (1 when the quick-xml loop read them).
    fn task_chunks(text: &str) -> usize {
        let mut p = Parser::new("f.xml", text, 10.0);
        p.chunk_bytes = Some(64);
        p.run().unwrap();
        p.task_parts.len() + usize::from(!p.tasks.is_empty())
    }

    /// Puts `with` in place of the `n`th occurrence of `what` (counted from 0).
    fn replace_nth(text: &str, what: &str, n: usize, with: &str) -> String {
        let at = text.match_indices(what).nth(n).unwrap().0;
        format!("{}{with}{}", &text[..at], &text[at + what.len()..])
    }

    #[test]
    fn plain_files_are_read_in_chunks_to_the_same_model() {
        for shape in [Shape::Simple, Shape::Mixed] {
            let text = file(300, shape);
            assert!(task_chunks(&text) >= 2, "the chunked path gave up on a plain file");
            let s = same_both_ways(&text).unwrap();
            assert_eq!(s.tasks.len(), 300);
            assert_eq!(s.assignments.len(), 100);
        }
    }

    #[test]
    fn entities_line_ends_and_empty_elements_read_the_same() {
        let text = file(200, Shape::Mixed);
        let variants = [
            text.replace('\n', "\r\n"),
            text.replace("\n", "\r"),
            replace_nth(
                &text,
                "<Name>",
                150,
                "<Name>A &amp; B &lt;&gt; &quot;q&quot; &apos;&#65;&#x42;\r\n&#13;\r&#10;x</Name><Name>",
            ),
            replace_nth(&text, "<Name>", 0, "<Notes/><Name>")
                .replace("</Task>", "<Notes>line 1\r\nline 2</Notes><Foo/></Task>"),
        ];
        for v in &variants {
            assert!(task_chunks(v) >= 2, "the chunked path gave up");
            same_both_ways(v).unwrap();
        }
    }

    #[test]
    fn unusual_markup_falls_back_to_the_same_model() {
        let text = file(200, Shape::Simple);
        let middle = text.match_indices("<Task>").count() * 2 / 3;
        let variants = [
            replace_nth(&text, "<Name>", middle, "<!-- <Task> </Tasks> --><Name>"),
            replace_nth(&text, "<Name>", middle, "<Notes><![CDATA[<Task> & </Tasks>]]></Notes><Name>"),
            replace_nth(&text, "<Name>", middle, "<Name xml:lang=\"en\">"),
            replace_nth(&text, "<Name>", middle, "<Name>&nbsp;x&#0;y&#xZZ;"),
            replace_nth(&text, "<Name>", middle, "<?pi x?><Name>"),
            replace_nth(&text, "<Task>", middle, "<Other/><Task>"),
            replace_nth(&text, "<Task>", middle, "<Task><Task></Task>"),
            text.replacen("</Tasks>", "</Tasks><!-- </Tasks> -->", 1),
            text.replacen(
                "</Tasks>",
                "</Tasks><Tasks><Task><UID>9999</UID><OutlineLevel>1</OutlineLevel><Name>late</Name></Task></Tasks>",
                1,
            ),
        ];
        for v in &variants {
            same_both_ways(v).unwrap();
        }
    }

    #[test]
    fn errors_name_the_same_line_either_way() {
        let text = file(200, Shape::Mixed);
        let late = text.match_indices("<Task>").count() * 3 / 4;
        let variants = [
            replace_nth(&text, "<OutlineLevel>", late, "<OutlineLevel>x"),
            replace_nth(&text, "<Duration>", late, "<Duration>8 days"),
            replace_nth(&text, "<Duration>", 10, "<Duration>8 days").replacen("<Start>", "<Start>soon", 1),
            replace_nth(&text, "</Name>", late, "</Nome>"),
            replace_nth(&text, "<Name>", late, "<Name>a < b"),
            replace_nth(&text, "<Name>", late, "<Name>a & b"),
            replace_nth(&text, "<Units>", 20, "<Units>half"),
            replace_nth(&text, "</Task>", late, ""),
            text[..text.len() * 2 / 3].to_string(),
            text.replace("</Tasks>", ""),
        ];
        for v in &variants {
            let e = same_both_ways(v).unwrap_err();
            assert!(e.line.is_some(), "{e}");
        }
    }

    /// Codes checked after reading, when the rows of each chunk are converted on their own
    /// thread: the first in file order is still the one reported.
    #[test]
    fn errors_found_after_reading_are_the_first_in_file_order() {
        let text = file(200, Shape::Mixed);
        let n = text.match_indices("<ConstraintType>").count();
        let late_type = replace_nth(&text, "<Type>", text.match_indices("<Type>").count() - 5, "<Type>7");
        let late_constraint = replace_nth(&text, "<ConstraintType>", n - 5, "<ConstraintType>9");
        let both = replace_nth(&late_type, "<ConstraintType>", 10, "<ConstraintType>9");
        for (v, expected) in
            [(&late_type, "Type 7"), (&late_constraint, "ConstraintType 9"), (&both, "ConstraintType 9")]
        {
            assert!(task_chunks(v) >= 2);
            let e = same_both_ways(v).unwrap_err();
            assert!(e.message.contains(expected), "{e}");
        }
    }
}
