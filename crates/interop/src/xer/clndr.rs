//! The XER `CALENDAR.clndr_data` field: a nested `(0||Name(attrs)(children))` structure.
//!
//! ```text
//! (0||CalendarData()(
//!   (0||DaysOfWeek()(
//!     (0||1()())                                   Sunday, no work
//!     (0||2()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))   Monday
//!     ...))
//!   (0||Exceptions()(
//!     (0||0(d|41519)())                            day 41519 since 1899-12-30, no work
//!     (0||1(d|42785)((0||0(f|17:00|s|7:00)())))))) a working exception
//! ```
//! Days of the week run 1 = Sunday .. 7 = Saturday; `f|00:00` as a finish means midnight.

use chrono::NaiveDate;
use keel_engine::schedule::{Exception, WorkingTime};

/// How deep the structure may nest; real data nests five levels.
const MAX_DEPTH: usize = 24;

/// One `(0||name(attrs)(children))` node.
#[derive(Debug, Clone, PartialEq, Default)]
struct Node {
    name: String,
    attrs: String,
    children: Vec<Node>,
}

/// A week (Monday first; `None` for a day the data leaves out) and dated exceptions.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ClndrData {
    pub week: [Option<Vec<WorkingTime>>; 7],
    pub exceptions: Vec<Exception>,
}

/// Parses `clndr_data`. The error says what was expected and at which character.
pub(crate) fn parse(data: &str) -> Result<ClndrData, String> {
    let chars: Vec<char> = data.chars().collect();
    let mut pos = 0;
    let mut roots = Vec::new();
    loop {
        skip_ws(&chars, &mut pos);
        if pos >= chars.len() {
            break;
        }
        roots.push(node(&chars, &mut pos, 0)?);
    }
    let mut out = ClndrData::default();
    let mut found_week = false;
    let mut todo: Vec<&Node> = roots.iter().collect();
    while let Some(n) = todo.pop() {
        match n.name.as_str() {
            "DaysOfWeek" => {
                found_week = true;
                for day in &n.children {
                    let d: usize =
                        day.name.trim().parse().map_err(|_| format!("day of week {:?} is not 1-7", day.name))?;
                    if !(1..=7).contains(&d) {
                        return Err(format!("day of week {d} is not 1-7"));
                    }
                    out.week[(d + 5) % 7] = Some(times(&day.children)?);
                }
            }
            "Exceptions" => {
                for ex in &n.children {
                    let serial =
                        attr(&ex.attrs, "d").ok_or_else(|| format!("exception {:?} has no d| date", ex.attrs))?;
                    let date = serial_date(serial)?;
                    out.exceptions.push(Exception {
                        name: String::new(),
                        from: date,
                        to: date,
                        working: times(&ex.children)?,
                        recurrence: None,
                    });
                }
            }
            _ => todo.extend(n.children.iter()),
        }
    }
    if !found_week {
        return Err("no DaysOfWeek section".into());
    }
    out.exceptions.sort_by_key(|e| e.from);
    Ok(out)
}

fn skip_ws(chars: &[char], pos: &mut usize) {
    while *pos < chars.len() && (chars[*pos].is_whitespace() || chars[*pos] == '\u{7f}') {
        *pos += 1;
    }
}

fn expect(chars: &[char], pos: &mut usize, c: char) -> Result<(), String> {
    skip_ws(chars, pos);
    if chars.get(*pos) == Some(&c) {
        *pos += 1;
        Ok(())
    } else {
        Err(format!("expected '{c}' at character {}", *pos + 1))
    }
}

/// Reads up to (not including) the next `stop`, at the same bracket level.
fn until(chars: &[char], pos: &mut usize, stop: char) -> Result<String, String> {
    let start = *pos;
    while *pos < chars.len() && chars[*pos] != stop {
        if chars[*pos] == '(' || chars[*pos] == ')' {
            return Err(format!("unexpected '{}' at character {}", chars[*pos], *pos + 1));
        }
        *pos += 1;
    }
    if *pos >= chars.len() {
        return Err(format!("expected '{stop}' before the end of the data"));
    }
    Ok(chars[start..*pos].iter().collect())
}

fn node(chars: &[char], pos: &mut usize, depth: usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    expect(chars, pos, '(')?;
    let head = until(chars, pos, '(')?;
    let name = match head.split_once("||") {
        Some((_, name)) => name.trim().to_string(),
        None => return Err(format!("expected '0||name' at {:?}", head)),
    };
    *pos += 1;
    let attrs = until(chars, pos, ')')?;
    *pos += 1;
    expect(chars, pos, '(')?;
    let mut children = Vec::new();
    loop {
        skip_ws(chars, pos);
        match chars.get(*pos) {
            Some(')') => {
                *pos += 1;
                break;
            }
            Some('(') => children.push(node(chars, pos, depth + 1)?),
            Some(c) => return Err(format!("unexpected '{c}' at character {}", *pos + 1)),
            None => return Err("unclosed '(' at the end of the data".into()),
        }
    }
    expect(chars, pos, ')')?;
    Ok(Node { name, attrs, children })
}

/// The value after `key|` in a `k|v|k|v` attribute list.
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let parts: Vec<&str> = attrs.split('|').collect();
    parts.chunks(2).find(|kv| kv.len() == 2 && kv[0].trim() == key).map(|kv| kv[1].trim())
}

fn times(nodes: &[Node]) -> Result<Vec<WorkingTime>, String> {
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        let s = attr(&n.attrs, "s").ok_or_else(|| format!("working time {:?} has no s| start", n.attrs))?;
        let f = attr(&n.attrs, "f").ok_or_else(|| format!("working time {:?} has no f| finish", n.attrs))?;
        let from = hhmm(s)?;
        let mut to = hhmm(f)?;
        if to <= from && to == 0 {
            to = 1440;
        }
        if to <= from {
            return Err(format!("working time {s}-{f} ends before it starts"));
        }
        out.push(WorkingTime { from, to });
    }
    out.sort_by_key(|w| w.from);
    Ok(out)
}

/// `08:00`, `7:00` or `24:00` to minutes after midnight.
pub(crate) fn hhmm(s: &str) -> Result<u16, String> {
    let bad = || format!("{s:?} is not a time of day (hh:mm)");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.get(..2).unwrap_or(m).parse().map_err(|_| bad())?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Days since 1899-12-30 (the OLE automation epoch P6 uses) to a date.
fn serial_date(s: &str) -> Result<NaiveDate, String> {
    let days: i64 = s.trim().parse().map_err(|_| format!("exception date {s:?} is not a day number"))?;
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or("bad epoch")?;
    if !(0..=2_958_465).contains(&days) {
        return Err(format!("exception date {days} is out of range"));
    }
    epoch
        .checked_add_days(chrono::Days::new(days as u64))
        .ok_or_else(|| format!("exception date {days} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_week_exceptions_midnight_and_whitespace() {
        let d = "(0||CalendarData()(  (0||DaysOfWeek()(    (0||1()())  (0||2()((0||0(s|08:00|f|12:00)()) (0||1(f|00:00|s|13:00)()))) ))  (0||VIEW(ShowTotal|N)())  (0||Exceptions()((0||0(d|41519)())(0||1(d|42785)((0||0(f|17:00|s|7:00)())))))))";
        let c = parse(d).unwrap();
        assert_eq!(c.week[6], Some(vec![]));
        assert_eq!(c.week[0], Some(vec![WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1440 }]));
        assert_eq!(c.week[1], None);
        assert_eq!(c.exceptions.len(), 2);
        assert_eq!(c.exceptions[0].from, NaiveDate::from_ymd_opt(2013, 9, 2).unwrap());
        assert!(c.exceptions[0].working.is_empty());
        assert_eq!(c.exceptions[1].working, vec![WorkingTime { from: 420, to: 1020 }]);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for d in ["", "(", "(0||", "(0||DaysOfWeek()((0||9()()))))", "((((((((((((((((((((((((((((((((", "(0||x(a)(b))"]
        {
            assert!(parse(d).is_err(), "{d}");
        }
    }
}
