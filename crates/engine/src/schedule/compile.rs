//! Compiling a [`Schedule`] into a [`Network`]: validation, calendars, per-task arrays, summary
//! link expansion, the CSR adjacency in both directions and the topological order.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};

use super::calendar::{Calendars, WorkCalendar, to_clock, twenty_four_hour};
use super::cpm::ScheduleError;
use rayon::prelude::*;

use super::model::{Calendar, ConstraintKind, Lag, LagCalendar, LinkType, Schedule, Task, TaskKind};
use super::network::{
    A_ELAPSED, A_FAST, A_LOE, Arc, Cons, F_ALAP, F_CONS, F_ELAPSED, F_FINISHED, F_LOE, F_RES, F_STARTED, MAX_MINUTES,
    NO, NONE, Network, Role, State, Static, label,
};

fn invalid(task: &Task, field: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError::Invalid { task: label(task), field, message: message.into() }
}

fn check_minutes(task: &Task, field: &'static str, m: i64) -> Result<(), ScheduleError> {
    if m < 0 {
        return Err(invalid(task, field, format!("{m} minutes: must not be negative")));
    }
    if m > MAX_MINUTES {
        return Err(invalid(task, field, format!("{m} minutes is beyond what can be scheduled")));
    }
    Ok(())
}

fn clock_of(t: Option<NaiveDateTime>) -> i64 {
    t.map_or(NONE, to_clock)
}

/// Clock minutes of 1800-01-01 and 2400-01-01: the range dates are scheduled in.
pub(super) const FIRST_CLOCK: i64 = -62_091 * 1440;
pub(super) const LAST_CLOCK: i64 = 156_038 * 1440;

/// Checks that the dates a task brings lie in the supported range (1800 to 2400).
fn check_dates(t: &Task, role: Role) -> Result<(), ScheduleError> {
    let manual = role == Role::Manual;
    let dates = [
        ("actual_start", t.actual_start),
        ("actual_finish", t.actual_finish),
        ("deadline", t.deadline),
        ("stored.start", t.stored.start.filter(|_| manual)),
        ("stored.finish", t.stored.finish.filter(|_| manual)),
        ("constraint", t.constraint.and_then(|c| c.date)),
        ("secondary_constraint", t.secondary_constraint.and_then(|c| c.date)),
    ];
    for (field, d) in dates {
        if let Some(d) = d {
            let c = to_clock(d);
            if !(FIRST_CLOCK..LAST_CLOCK).contains(&c) {
                return Err(invalid(t, field, format!("{d} is outside the years 1800 to 2400 Keel schedules in")));
            }
        }
    }
    Ok(())
}

/// The schedule's calendars (the Standard calendar when it has none), compiled with an initial
/// horizon around the first project's start, and that date.
///
/// # Errors
/// The first calendar error, see [`Calendars::compile`].
pub(super) fn compile_calendars(
    schedule: &Schedule,
) -> Result<(Vec<Calendar>, Calendars, chrono::NaiveDate), ScheduleError> {
    let mut calendars = schedule.calendars.clone();
    if calendars.is_empty() {
        calendars.push(super::calendar::standard());
    }
    let around = schedule.projects.first().map_or(chrono::NaiveDate::MIN, |p| p.start.date());
    let around = if around.year_ce().1 < 1800 {
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
    } else {
        around
    };
    let cals = Calendars::compile(&calendars, around)?;
    Ok((calendars, cals, around))
}

/// Compiles `schedule`. `earliest`: `None` expands summary links fully (no SS/SF from summaries);
/// `Some(&[])` leaves every summary link out; otherwise SS/SF links from a summary start at the
/// given child.
pub(super) fn build(schedule: &Schedule, earliest: Option<&[u32]>) -> Result<Network, ScheduleError> {
    let opts = &schedule.options;
    let n = schedule.tasks.len();
    let mode = opts.mode;
    if schedule.projects.is_empty() && n > 0 {
        return Err(ScheduleError::Invalid {
            task: "schedule".into(),
            field: "projects",
            message: "the schedule has tasks but no project (and so no start date)".into(),
        });
    }
    for p in &schedule.projects {
        for (field, d) in
            [("start", Some(p.start)), ("status_date", p.status_date), ("finish_constraint", p.finish_constraint)]
        {
            if let Some(d) = d
                && !(FIRST_CLOCK..LAST_CLOCK).contains(&to_clock(d))
            {
                return Err(ScheduleError::Invalid {
                    task: format!("project '{}'", p.name),
                    field,
                    message: format!("{d} is outside the years 1800 to 2400 Keel schedules in"),
                });
            }
        }
    }
    let (calendars, mut cals, around) = compile_calendars(schedule)?;
    let cal24 = if opts.lag_calendar == LagCalendar::TwentyFourHour {
        cals.push(WorkCalendar::compile(&[twenty_four_hour()], 0, around)?) as u32
    } else {
        NO
    };
    let ncal = calendars.len();
    for (pi, p) in schedule.projects.iter().enumerate() {
        if p.calendar >= ncal {
            return Err(ScheduleError::Invalid {
                task: format!("project '{}'", p.name),
                field: "calendar",
                message: format!("calendar index {} is out of range ({} calendars)", p.calendar, ncal),
            });
        }
        let _ = pi;
    }

    let Rows { parent, role, cal, proj, dur, rem, mut flags, cons_ix, cons, fix_s, fix_f, has_alap, has_loe } =
        task_rows(schedule, &cals, &calendars)?;

    // Resource-driven tasks: work assignments on a calendar other than the task's. An assignment
    // works on its resource's calendar, or on the intersection of that with the task's own
    // calendar when the task has one (MS Project's rule).
    let mut per_task: Vec<(u32, (u32, i64, i64))> = Vec::new();
    let mut combined: HashMap<(u32, u32), u32> = HashMap::new();
    for a in &schedule.assignments {
        let (Some(t), Some(r)) = (schedule.tasks.get(a.task), schedule.resources.get(a.resource)) else { continue };
        let Some(work) = a.work_minutes else { continue };
        if r.kind != super::model::ResourceKind::Work
            || a.units.is_nan()
            || a.units <= 0.0
            || role[a.task] != Role::Task
            || t.is_milestone()
        {
            continue;
        }
        let tc = cal[a.task];
        let rc = match (t.calendar, r.calendar.filter(|&c| c < ncal)) {
            (_, None) => tc,
            (None, Some(rc)) => rc as u32,
            (Some(_), Some(rc)) if rc as u32 == tc => tc,
            (Some(_), Some(rc)) => *combined.entry((tc, rc as u32)).or_insert_with(|| {
                let both = cals.get(tc as usize).zip(cals.get(rc)).map(|(x, y)| x.intersection(y));
                match both {
                    Some(c) => cals.push(c) as u32,
                    None => tc,
                }
            }),
        };
        if !cals.get(rc as usize).is_some_and(WorkCalendar::has_working_time) {
            continue;
        }
        let scale = |m: i64| ((m as f64) / a.units).round().clamp(0.0, MAX_MINUTES as f64) as i64;
        let remaining = if flags[a.task] & F_STARTED != 0 { a.remaining_work_minutes.unwrap_or(work) } else { work };
        per_task.push((a.task as u32, (rc, scale(work), scale(remaining))));
    }
    per_task.sort_by_key(|x| x.0);
    let mut asg_off = vec![0u32; n + 1];
    let mut asg = Vec::new();
    let mut any_res = false;
    let mut i = 0;
    while i < per_task.len() {
        let t = per_task[i].0 as usize;
        let mut j = i;
        while j < per_task.len() && per_task[j].0 as usize == t {
            j += 1;
        }
        let list = &per_task[i..j];
        if list.iter().any(|&(_, (c, w, _))| c != cal[t] && w > 0) {
            flags[t] |= F_RES;
            any_res = true;
            asg.extend(list.iter().map(|x| x.1));
            asg_off[t + 1] = list.len() as u32;
        }
        i = j;
    }
    for t in 0..n {
        asg_off[t + 1] += asg_off[t];
    }

    // Project-calendar pairs.
    let ncals = cals.len();
    let dense = schedule.projects.len().saturating_mul(ncals) <= 1 << 20;
    let mut dense_map = if dense { vec![NO; schedule.projects.len() * ncals] } else { Vec::new() };
    let mut pair_map: HashMap<(u32, u32), u32> = HashMap::new();
    let mut pairs = Vec::new();
    let mut pc = Vec::with_capacity(n);
    for i in 0..n {
        let key = (proj[i], cal[i]);
        let ix = if dense {
            let slot = &mut dense_map[key.0 as usize * ncals + key.1 as usize];
            if *slot == NO {
                pairs.push(key);
                *slot = (pairs.len() - 1) as u32;
            }
            *slot
        } else {
            *pair_map.entry(key).or_insert_with(|| {
                pairs.push(key);
                (pairs.len() - 1) as u32
            })
        };
        pc.push(ix);
    }

    // Children, for roll-up and link expansion (none without an outline).
    let (mut kid_off, mut kids) = (Vec::new(), Vec::new());
    if parent.iter().any(|&p| p != NO) {
        let mut kid_cnt = vec![0u32; n + 1];
        for &p in &parent {
            if p != NO {
                kid_cnt[p as usize] += 1;
            }
        }
        kid_off.reserve(n + 1);
        let mut acc = 0u32;
        for c in kid_cnt.iter().take(n) {
            kid_off.push(acc);
            acc += c;
        }
        kid_off.push(acc);
        kids = vec![0u32; acc as usize];
        let mut fill = kid_off.clone();
        for (i, &p) in parent.iter().enumerate() {
            if p != NO {
                kids[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
    }
    drop(parent);

    // Links, expanded where they touch a summary.
    // Pass 1 validates and counts; links touching a summary are expanded here, the others are
    // placed directly in pass 2.
    let mut edges: Vec<(u32, u32, Arc, u32, i64)> = Vec::new();
    let mut how = vec![0u8; schedule.links.len()];
    let mut pcount = vec![0u32; n + 1];
    let mut scount = vec![0u32; n + 1];
    let mut index_order = true;
    let mut leaf_cache: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut tmp = Network {
        s: Static {
            mode,
            critical_float: opts.critical_float_minutes,
            critical_by_longest_path: opts.critical_by_longest_path,
            float_type: opts.float_type,
            progress: opts.progress,
            honour: opts.honour_constraints_over_links,
            n,
            role,
            cal,
            proj,
            pc,
            pairs,
            dur,
            rem,
            flags,
            cons_ix,
            cons,
            fix_s,
            fix_f,
            order: Vec::new(),
            pos: Vec::new(),
            pred_off: Vec::new(),
            preds: Vec::new(),
            succ_off: Vec::new(),
            succs: Vec::new(),
            mirror: Vec::new(),
            arc_link: Vec::new(),
            pcts: HashMap::new(),
            link_off: Vec::new(),
            link_arcs: Vec::new(),
            nlinks: 0,
            kid_off,
            kids,
            pstart: schedule.projects.iter().map(|p| to_clock(p.start)).collect(),
            pdata: schedule.projects.iter().map(|p| clock_of(p.status_date)).collect(),
            pfinish_cons: schedule.projects.iter().map(|p| clock_of(p.finish_constraint)).collect(),
            asg_off,
            asg,
            odd: Vec::new(),
            eager: Vec::new(),
            has_alap,
            has_loe,
            full_only: false,
        },
        cals,
        st: State::default(),
        scratch: Vec::new(),
    };
    for (li, l) in schedule.links.iter().enumerate() {
        let name = || format!("link {li}");
        if l.pred >= n {
            return Err(ScheduleError::Invalid {
                task: name(),
                field: "pred",
                message: format!("no task with index {} ({} tasks)", l.pred, n),
            });
        }
        if l.succ >= n {
            return Err(ScheduleError::Invalid {
                task: name(),
                field: "succ",
                message: format!("no task with index {} ({} tasks)", l.succ, n),
            });
        }
        if l.pred == l.succ {
            return Err(ScheduleError::Cycle { tasks: vec![label(&schedule.tasks[l.pred])] });
        }
        if l.lag.amount.abs() > MAX_MINUTES && l.lag.unit != super::model::DurationUnit::Percent {
            return Err(invalid(
                &schedule.tasks[l.succ],
                "lag",
                format!("link {li}: lag {} minutes is out of range", l.lag.amount),
            ));
        }
        let (rp, rs) = (tmp.s.role[l.pred], tmp.s.role[l.succ]);
        if rp == Role::Inactive || rs == Role::Inactive {
            continue;
        }
        if rp != Role::Summary && rs != Role::Summary {
            how[li] = 1;
            pcount[l.succ] += 1;
            scount[l.pred] += 1;
            index_order &= l.pred < l.succ;
            continue;
        }
        how[li] = 2;
        let pred_side: Vec<u32> = if rp == Role::Summary {
            match earliest {
                Some([]) => continue,
                Some(e) if matches!(l.kind, LinkType::SS | LinkType::SF) => match e.get(l.pred) {
                    Some(&x) if x != NO => vec![x],
                    _ => continue,
                },
                _ => leaf_cache.entry(l.pred).or_insert_with(|| tmp.leaves(l.pred)).clone(),
            }
        } else {
            vec![l.pred as u32]
        };
        let succ_side: Vec<u32> = if rs == Role::Summary {
            if matches!(earliest, Some([])) {
                continue;
            }
            leaf_cache.entry(l.succ).or_insert_with(|| tmp.leaves(l.succ)).clone()
        } else {
            vec![l.succ as u32]
        };
        for &p in &pred_side {
            for &q in &succ_side {
                if p == q {
                    continue;
                }
                let (arc, pct) = make_arc(&tmp.s, schedule, l.kind, l.lag, p, q, cal24);
                edges.push((p, q, arc, li as u32, pct));
                pcount[q as usize] += 1;
                scount[p as usize] += 1;
                index_order &= p < q;
            }
        }
    }

    // CSR adjacency, both directions; arcs keep link order.
    let prefix = |cnt: &[u32]| {
        let mut off = Vec::with_capacity(n + 1);
        let mut a = 0u32;
        for c in cnt.iter().take(n) {
            off.push(a);
            a += c;
        }
        off.push(a);
        off
    };
    let pred_off = prefix(&pcount);
    let succ_off = prefix(&scount);
    let placeholder = Arc { other: 0, kind: LinkType::FS, flags: 0, lag: 0, lag_cal: 0 };
    let total = pred_off[n] as usize;
    // Predecessor lists first (links usually come grouped by successor, so this fills in order).
    let mut preds = vec![placeholder; total];
    let mut pf = pred_off.clone();
    let mut arc_link = vec![0u32; total];
    let mut pcts: HashMap<u32, i64> = HashMap::new();
    let mut place = |p: u32, q: u32, arc: Arc, link: u32, pct: i64| {
        let pi = pf[q as usize] as usize;
        pf[q as usize] += 1;
        preds[pi] = Arc { other: p, ..arc };
        arc_link[pi] = link;
        if pct != 0 {
            pcts.insert(pi as u32, pct);
        }
    };
    let mut next = 0;
    for (li, l) in schedule.links.iter().enumerate() {
        match how[li] {
            1 => {
                let (p, q) = (l.pred as u32, l.succ as u32);
                let (arc, pct) = make_arc(&tmp.s, schedule, l.kind, l.lag, p, q, cal24);
                place(p, q, arc, li as u32, pct);
            }
            2 => {
                while next < edges.len() && edges[next].3 == li as u32 {
                    let (p, q, arc, link, pct) = edges[next];
                    place(p, q, arc, link, pct);
                    next += 1;
                }
            }
            _ => {}
        }
    }
    drop(edges);
    // Successor lists: scatter small (entry, successor) pairs, then gather the arcs in order;
    // scattering whole arcs costs a cache miss per link on large networks.
    let mut slot = vec![(0u32, 0u32); total];
    let mut sf = succ_off.clone();
    for q in 0..n {
        let (a, b) = (pred_off[q] as usize, pred_off[q + 1] as usize);
        for (pi, arc) in preds[a..b].iter().enumerate() {
            let p = arc.other as usize;
            slot[sf[p] as usize] = ((a + pi) as u32, q as u32);
            sf[p] += 1;
        }
    }
    // The gather reads `preds` in successor order (a cache miss per link): both threads share it.
    let gather = |&(pi, q): &(u32, u32)| Arc { other: q, ..preds[pi as usize] };
    let mut succs = Vec::with_capacity(total);
    let mut mirror = Vec::with_capacity(total);
    if total < PAR_MIN {
        succs.extend(slot.iter().map(gather));
        mirror.extend(slot.iter().map(|x| x.0));
    } else {
        slot.par_iter().with_min_len(PAR_CHUNK).map(gather).collect_into_vec(&mut succs);
        slot.par_iter().with_min_len(PAR_CHUNK).map(|x| x.0).collect_into_vec(&mut mirror);
    }
    drop(slot);

    tmp.s.pred_off = pred_off;
    tmp.s.preds = preds;
    tmp.s.succ_off = succ_off;
    tmp.s.succs = succs;
    tmp.s.mirror = mirror;
    tmp.s.arc_link = arc_link;
    tmp.s.pcts = pcts;
    tmp.s.nlinks = schedule.links.len();
    topo_sort(&mut tmp.s, &schedule.tasks, index_order)?;
    tmp.s.odd = tmp.s.order.iter().copied().filter(|&t| tmp.s.flags[t as usize] & (F_ELAPSED | F_RES) != 0).collect();
    tmp.s.mark_eager();
    tmp.st = State {
        es: vec![0; n],
        ef: vec![0; n],
        ls: vec![0; n],
        lf: vec![0; n],
        esc: vec![0; n],
        efc: vec![0; n],
        lsc: vec![0; n],
        lfc: vec![0; n],
        side: vec![false; n],
        drv: vec![NO; n],
        logic_es: vec![NONE; tmp.s.cons.len()],
        xes: if any_res { vec![NONE; n] } else { Vec::new() },
        xlf: if any_res || tmp.s.flags.iter().any(|f| f & F_ELAPSED != 0) { vec![NONE; n] } else { Vec::new() },
        pstart_ord: Vec::new(),
        pdata_ord: Vec::new(),
        pfin_ord: vec![0; tmp.s.pairs.len()],
        pef_clock: vec![NONE; schedule.projects.len()],
        pfin_clock: vec![NONE; schedule.projects.len()],
        end_task: NO,
        pmax: Vec::new(),
        parg: Vec::new(),
        ran: false,
    };
    let (mut so, mut dd) = (Vec::new(), Vec::new());
    for &(p, c) in &tmp.s.pairs {
        let cal = tmp.cals.get_mut(c as usize);
        so.push(cal.ordinal(tmp.s.pstart[p as usize]));
        let d = tmp.s.pdata[p as usize];
        dd.push(if d == NONE { NONE } else { cal.ordinal(d) });
    }
    tmp.st.pstart_ord = so;
    tmp.st.pdata_ord = dd;
    tmp.scratch = vec![false; n];
    Ok(tmp)
}

/// Below this many tasks, compiling runs on the calling thread alone.
const PAR_MIN: usize = 16_384;
/// Tasks per parallel work item.
const PAR_CHUNK: usize = 8_192;

/// Per-task arrays, as [`Static`] holds them, and the task's parent (`NO` when none).
struct Rows {
    parent: Vec<u32>,
    role: Vec<Role>,
    cal: Vec<u32>,
    proj: Vec<u32>,
    dur: Vec<i64>,
    rem: Vec<i64>,
    flags: Vec<u8>,
    cons_ix: Vec<u32>,
    cons: Vec<Cons>,
    fix_s: Vec<i64>,
    fix_f: Vec<i64>,
    has_alap: bool,
    has_loe: bool,
}

/// One chunk's share of the per-task arrays of [`Rows`].
struct RowSlices<'a> {
    first: usize,
    parent: &'a mut [u32],
    role: &'a mut [Role],
    cal: &'a mut [u32],
    proj: &'a mut [u32],
    dur: &'a mut [i64],
    rem: &'a mut [i64],
    flags: &'a mut [u8],
    cons_ix: &'a mut [u32],
    fix_s: &'a mut [i64],
    fix_f: &'a mut [i64],
}

/// What a chunk finds besides its slices: its constraints (`cons_ix` counts from 0 in each chunk),
/// its manually scheduled summaries' starts, and its flags.
#[derive(Default)]
struct ChunkRows {
    cons: Vec<Cons>,
    owns: Vec<(u32, i64)>,
    cal_ok: Vec<Option<bool>>,
    has_alap: bool,
    has_loe: bool,
}

/// Validates the tasks and compiles their per-task arrays, in chunks on several threads for a large
/// schedule (each task depends only on itself; the floors under manually scheduled summaries are
/// applied afterwards). Fails with the error the lowest-numbered failing task gives, as a single
/// pass in task order would.
fn task_rows(schedule: &Schedule, cals: &Calendars, calendars: &[Calendar]) -> Result<Rows, ScheduleError> {
    let n = schedule.tasks.len();
    let mut rows = Rows {
        parent: vec![NO; n],
        role: vec![Role::Task; n],
        cal: vec![0; n],
        proj: vec![0; n],
        dur: vec![0; n],
        rem: vec![0; n],
        flags: vec![0; n],
        cons_ix: vec![NO; n],
        cons: Vec::new(),
        fix_s: vec![0; n],
        fix_f: vec![0; n],
        has_alap: false,
        has_loe: false,
    };
    let chunk = if n < PAR_MIN { n.max(1) } else { PAR_CHUNK };
    let Rows { parent, role, cal, proj, dur, rem, flags, cons_ix, fix_s, fix_f, .. } = &mut rows;
    let mut parts = Vec::with_capacity(n.div_ceil(chunk));
    let mut first = 0;
    for (((((((((parent, role), cal), proj), dur), rem), flags), cons_ix), fix_s), fix_f) in parent
        .chunks_mut(chunk)
        .zip(role.chunks_mut(chunk))
        .zip(cal.chunks_mut(chunk))
        .zip(proj.chunks_mut(chunk))
        .zip(dur.chunks_mut(chunk))
        .zip(rem.chunks_mut(chunk))
        .zip(flags.chunks_mut(chunk))
        .zip(cons_ix.chunks_mut(chunk))
        .zip(fix_s.chunks_mut(chunk))
        .zip(fix_f.chunks_mut(chunk))
    {
        let len = parent.len();
        parts.push(RowSlices { first, parent, role, cal, proj, dur, rem, flags, cons_ix, fix_s, fix_f });
        first += len;
    }
    let fill = |out: RowSlices| row_chunk(schedule, cals, calendars, out);
    let done: Vec<Result<ChunkRows, ScheduleError>> = if parts.len() <= 1 {
        parts.into_iter().map(fill).collect()
    } else {
        parts.into_par_iter().map(fill).collect()
    };
    let mut owns = Vec::new();
    for (ci, got) in done.into_iter().enumerate() {
        let got = got?;
        if ci > 0 && !got.cons.is_empty() {
            let base = rows.cons.len() as u32;
            for c in &mut rows.cons_ix[ci * chunk..((ci + 1) * chunk).min(n)] {
                if *c != NO {
                    *c += base;
                }
            }
        }
        rows.cons.extend(got.cons);
        owns.extend(got.owns);
        rows.has_alap |= got.has_alap;
        rows.has_loe |= got.has_loe;
    }
    if !owns.is_empty() {
        apply_floors(&mut rows, &owns);
    }
    Ok(rows)
}

/// A manually scheduled summary's start holds back its auto-scheduled subtasks (at any depth):
/// sets each such task's floor, renumbering the constraints in task order. `owns`: the summaries'
/// starts (clock), by task.
fn apply_floors(rows: &mut Rows, owns: &[(u32, i64)]) {
    let n = rows.role.len();
    let mut own = vec![NONE; n];
    for &(t, c) in owns {
        own[t as usize] = c;
    }
    let mut floors = vec![NONE; n];
    let mut cons = Vec::with_capacity(rows.cons.len());
    for t in 0..n {
        // Only a parent listed before the task passes its floor down.
        let p = rows.parent[t] as usize;
        if rows.parent[t] != NO && p < t {
            floors[t] = own[p].max(floors[p]);
        }
        let floor = if rows.role[t] == Role::Task { floors[t] } else { NONE };
        let ci = rows.cons_ix[t];
        if ci == NO && floor == NONE {
            continue;
        }
        let mut c = if ci == NO {
            Cons { floor: NONE, primary: None, secondary: None, deadline: NONE }
        } else {
            rows.cons[ci as usize]
        };
        c.floor = floor;
        rows.flags[t] |= F_CONS;
        rows.cons_ix[t] = cons.len() as u32;
        cons.push(c);
    }
    rows.cons = cons;
}

/// Compiles the tasks of one chunk into `out`.
fn row_chunk(
    schedule: &Schedule,
    cals: &Calendars,
    calendars: &[Calendar],
    out: RowSlices,
) -> Result<ChunkRows, ScheduleError> {
    let n = schedule.tasks.len();
    let ncal = calendars.len();
    let mut got = ChunkRows { cal_ok: vec![None; cals.len()], ..ChunkRows::default() };
    let tasks = &schedule.tasks[out.first..out.first + out.parent.len()];
    for (j, t) in tasks.iter().enumerate() {
        let ix = out.first + j;
        out.parent[j] = t.parent.filter(|&p| p < n).map_or(NO, |p| p as u32);
        if t.project >= schedule.projects.len() {
            return Err(invalid(t, "project", format!("project index {} is out of range", t.project)));
        }
        let c = t.calendar.unwrap_or(schedule.projects[t.project].calendar);
        if c >= ncal {
            return Err(invalid(t, "calendar", format!("calendar index {c} is out of range ({ncal} calendars)")));
        }
        let r = if t.inactive {
            Role::Inactive
        } else if t.is_summary_like() && t.kind != TaskKind::LevelOfEffort {
            Role::Summary
        } else if t.manual && t.stored.start.is_some() && t.stored.finish.is_some() {
            Role::Manual
        } else {
            Role::Task
        };
        if matches!(r, Role::Task | Role::Manual) {
            let ok = *got.cal_ok[c].get_or_insert_with(|| cals.get(c).is_some_and(WorkCalendar::has_working_time));
            if !ok {
                return Err(invalid(t, "calendar", format!("calendar '{}' has no working time", calendars[c].name)));
            }
        }
        check_minutes(t, "duration", t.duration.minutes)?;
        if r != Role::Inactive {
            check_dates(t, r)?;
        }
        let mut f = 0u8;
        if t.kind == TaskKind::LevelOfEffort && r == Role::Task {
            f |= F_LOE;
            got.has_loe = true;
        }
        if t.duration.elapsed {
            f |= F_ELAPSED;
        }
        let d = if t.is_milestone() { 0 } else { t.duration.minutes };
        if let (Some(a), Some(b)) = (t.actual_start, t.actual_finish)
            && b < a
        {
            return Err(invalid(t, "actual_finish", format!("actual finish {b} is before the actual start {a}")));
        }
        let mut fs = NONE;
        let mut ff = NONE;
        if r == Role::Manual {
            fs = clock_of(t.stored.start);
            ff = clock_of(t.stored.finish);
            if ff < fs {
                ff = fs;
            }
        } else if r == Role::Task {
            if let Some(a) = t.actual_start {
                f |= F_STARTED;
                fs = to_clock(a);
                if let Some(b) = t.actual_finish {
                    f |= F_FINISHED;
                    ff = to_clock(b);
                }
            } else if let Some(b) = t.actual_finish {
                // A finish without a start: treat as finished, started a duration earlier.
                f |= F_STARTED | F_FINISHED;
                ff = to_clock(b);
                fs = ff;
            }
        }
        let remaining = if f & F_FINISHED != 0 {
            0
        } else if let Some(rd) = t.remaining.filter(|_| f & F_STARTED != 0) {
            check_minutes(t, "remaining", rd.minutes)?;
            if t.is_milestone() { 0 } else { rd.minutes }
        } else if f & F_STARTED != 0 {
            let pct = if t.percent_complete.is_finite() { t.percent_complete.clamp(0.0, 100.0) } else { 0.0 };
            ((d as f64) * (1.0 - pct / 100.0)).round() as i64
        } else {
            d
        };
        // A manually scheduled summary's start holds back its auto-scheduled subtasks: floors are
        // filled in by `apply_floors` once every chunk is done.
        if t.manual && t.is_summary_like() {
            let own = clock_of(t.stored.start);
            if own != NONE {
                got.owns.push((ix as u32, own));
            }
        }
        let mut c_rec = Cons { floor: NONE, primary: None, secondary: None, deadline: clock_of(t.deadline) };
        for (slot, which, field) in
            [(&t.constraint, 0, "constraint"), (&t.secondary_constraint, 1, "secondary_constraint")]
        {
            if let Some(k) = slot {
                match k.kind {
                    ConstraintKind::Asap => {}
                    ConstraintKind::Alap => {
                        if which == 0 && r == Role::Task {
                            f |= F_ALAP;
                            got.has_alap = true;
                        }
                    }
                    kind => {
                        let Some(date) = k.date else {
                            return Err(invalid(t, field, format!("{kind:?} needs a date")));
                        };
                        let v = Some((kind, to_clock(date)));
                        if which == 0 { c_rec.primary = v } else { c_rec.secondary = v }
                    }
                }
            }
        }
        if c_rec.primary.is_some() || c_rec.secondary.is_some() || c_rec.deadline != NONE || c_rec.floor != NONE {
            f |= F_CONS;
            out.cons_ix[j] = got.cons.len() as u32;
            got.cons.push(c_rec);
        } else {
            out.cons_ix[j] = NO;
        }
        out.role[j] = r;
        out.cal[j] = c as u32;
        out.proj[j] = t.project as u32;
        out.dur[j] = d;
        out.rem[j] = remaining;
        out.flags[j] = f;
        out.fix_s[j] = fs;
        out.fix_f[j] = ff;
    }
    Ok(got)
}

#[allow(clippy::too_many_arguments)]
fn make_arc(s: &Static, schedule: &Schedule, kind: LinkType, lag: Lag, p: u32, q: u32, cal24: u32) -> (Arc, i64) {
    let (cp, cq) = (s.cal[p as usize], s.cal[q as usize]);
    let lag_cal = match schedule.options.lag_calendar {
        LagCalendar::Successor => cq,
        LagCalendar::Predecessor => cp,
        LagCalendar::TwentyFourHour => cal24,
        LagCalendar::ProjectDefault => schedule.projects[s.proj[q as usize] as usize].calendar as u32,
    };
    let mut flags = 0u8;
    let (amount, pct) = if lag.unit == super::model::DurationUnit::Percent {
        let pd = s.dur[p as usize];
        if s.flags[p as usize] & F_ELAPSED != 0 {
            flags |= A_ELAPSED;
        }
        (pct_lag(pd, lag.amount), lag.amount)
    } else {
        if lag.elapsed {
            flags |= A_ELAPSED;
        }
        (lag.amount, 0)
    };
    if (s.flags[p as usize] | s.flags[q as usize]) & F_LOE != 0 {
        flags |= A_LOE;
    }
    let mut a = Arc { other: 0, kind, flags, lag: amount as i32, lag_cal };
    refresh_fast(&mut a, cp, cq);
    (a, pct)
}

/// Lag in minutes for `bp` basis points of a predecessor duration `d`.
pub(crate) fn pct_lag(d: i64, bp: i64) -> i64 {
    let v = (i128::from(d) * i128::from(bp)) / 10_000;
    v.clamp(-i128::from(MAX_MINUTES), i128::from(MAX_MINUTES)) as i64
}

pub(crate) fn refresh_fast(a: &mut Arc, cp: u32, cq: u32) {
    let fast = cp == cq && (i64::from(a.lag) == 0 || (a.flags & A_ELAPSED == 0 && a.lag_cal == cq));
    if fast && a.flags & A_LOE == 0 { a.flags |= A_FAST } else { a.flags &= !A_FAST }
}

/// Kahn's algorithm; on a loop, walks back along unfinished predecessors to name it.
fn topo_sort(s: &mut Static, tasks: &[Task], index_order: bool) -> Result<(), ScheduleError> {
    let n = s.n;
    let in_net = |r: Role| matches!(r, Role::Task | Role::Manual);
    if index_order {
        // Every link goes forward in index order: that order is topological.
        let mut order = Vec::with_capacity(n);
        let mut pos = vec![NO; n];
        for (t, slot) in pos.iter_mut().enumerate() {
            if in_net(s.role[t]) {
                *slot = order.len() as u32;
                order.push(t as u32);
            }
        }
        s.order = order;
        s.pos = pos;
        return Ok(());
    }
    let mut indeg: Vec<u32> = (0..n).map(|t| s.pred_off[t + 1] - s.pred_off[t]).collect();
    let mut order = Vec::with_capacity(n);
    for (t, &d) in indeg.iter().enumerate() {
        if in_net(s.role[t]) && d == 0 {
            order.push(t as u32);
        }
    }
    let mut head = 0;
    while head < order.len() {
        let t = order[head] as usize;
        head += 1;
        for a in &s.succs[s.succ_off[t] as usize..s.succ_off[t + 1] as usize] {
            let q = a.other as usize;
            indeg[q] -= 1;
            if indeg[q] == 0 {
                order.push(q as u32);
            }
        }
    }
    let members = (0..n).filter(|&t| in_net(s.role[t])).count();
    if order.len() < members {
        // Every task left has an unfinished predecessor: walk back until one repeats.
        let Some(mut t) = (0..n).find(|&t| in_net(s.role[t]) && indeg[t] > 0) else {
            return Err(ScheduleError::Cycle { tasks: Vec::new() });
        };
        let mut seen = vec![NO; n];
        let mut path = Vec::new();
        while seen[t] == NO {
            seen[t] = path.len() as u32;
            path.push(t);
            let a = s.preds[s.pred_off[t] as usize..s.pred_off[t + 1] as usize]
                .iter()
                .find(|a| indeg[a.other as usize] > 0);
            match a {
                Some(a) => t = a.other as usize,
                None => break,
            }
        }
        let start = seen[t] as usize;
        let mut cyc: Vec<usize> = path[start..].to_vec();
        cyc.reverse();
        // Start the report at the loop's lowest task index, for stable messages.
        if let Some(min_pos) = cyc.iter().enumerate().min_by_key(|(_, t)| **t).map(|(i, _)| i) {
            cyc.rotate_left(min_pos);
        }
        return Err(ScheduleError::Cycle { tasks: cyc.into_iter().map(|t| label(&tasks[t])).collect() });
    }
    let mut pos = vec![NO; n];
    for (i, &t) in order.iter().enumerate() {
        pos[t as usize] = i as u32;
    }
    s.order = order;
    s.pos = pos;
    Ok(())
}
