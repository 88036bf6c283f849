//! A seeded, deterministic demo organisation: three portfolios, their programmes and projects, a
//! year of weekly status reports, milestones, RAID logs and decisions. Used to try Keel out, for
//! screenshots and for load tests. The generator is pure: no clock reads, no system randomness.

use std::{collections::HashSet, ops::Range};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use keel_domain::{
    AssumptionFields, AssumptionState, Code, Currency, CustomFields, CustomValue, DecisionFields, DecisionState,
    DependencyFields, DependencyState, EntityKind, Fields, GovernanceTier, Id, IssueFields, IssueState, LifecycleStage,
    Milestone, MilestoneFields, Money, OrgId, PortfolioFields, Priority, ProgrammeFields, Project, ProjectFields, Rag,
    Rating, Record, RecordRef, RiskFields, RiskResponse, RiskState, StatusReport, StatusReportFields, WorkState,
};
use rand::{RngExt, SeedableRng, rngs::StdRng, seq::SliceRandom};

/// Everything the demo organisation holds: the same record set an export carries.
pub type DemoData = crate::RecordSet;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Seed of the random generator: the same seed gives the same organisation.
    pub seed: u64,
    /// How many projects (programmes scale with it, about one per six projects).
    pub projects: usize,
    /// The date the demo is "as of": plans, reports and RAID dates are placed around it.
    pub today: NaiveDate,
    /// How many weeks of status reports to generate, ending at the last Friday on or before `today`.
    pub weeks_of_history: usize,
    /// How many active projects get a demo schedule (MS Project plan, baselined and progressed).
    pub schedules: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            projects: 60,
            today: NaiveDate::from_ymd_opt(2026, 11, 20).expect("2026-11-20 is a valid date"),
            weeks_of_history: 52,
            schedules: 6,
        }
    }
}

/// Generates the demo organisation. Pure: the same `org`, `opts` and `now` give the same data, IDs
/// included. Every record has version 1 and `created_at = updated_at = now`. IDs are v7 UUIDs whose
/// timestamps start at `now` and rise by one millisecond per record, so they sort in creation
/// order; their random bits depend on the seed and the organisation, so two organisations seeded
/// alike never share IDs.
pub fn generate(org: OrgId, opts: &DemoOptions, now: DateTime<Utc>) -> DemoData {
    let o = org.uuid().as_u128();
    let mut g = Gen {
        rng: StdRng::seed_from_u64(opts.seed),
        ids: StdRng::seed_from_u64(opts.seed ^ (o as u64) ^ ((o >> 64) as u64) ^ 0x9E37_79B9_7F4A_7C15),
        next_ms: u64::try_from(now.timestamp_millis()).unwrap_or(0),
        org,
        now,
        today: opts.today,
        gbp: Currency::parse("GBP").expect("GBP is a valid currency code"),
    };
    let mut d = DemoData::default();
    let t = opts.today;
    let n = opts.projects;

    for (code, name, description) in PORTFOLIOS {
        let (sponsor, manager) = (g.sponsor(), g.manager());
        let fields = PortfolioFields {
            code: Code::parse(code).expect("portfolio codes are valid"),
            name: name.into(),
            description: description.into(),
            sponsor: sponsor.into(),
            manager: manager.into(),
            stage: LifecycleStage::Delivery,
            tier: GovernanceTier::Strict,
            state: WorkState::Active,
            planned_start: None,
            planned_finish: None,
            budget: None,
            custom_fields: CustomFields::new(),
        };
        d.portfolios.push(g.record(fields));
    }

    let n_prog = n.div_ceil(6).max(1);
    for i in 0..n_prog {
        let (th, wave) = (&THEMES[i % THEMES.len()], i / THEMES.len());
        let (name, code) = match wave {
            0 => (th.name.to_owned(), th.code.to_owned()),
            w => (format!("{} Wave {}", th.name, w + 1), format!("{}-W{}", th.code, w + 1)),
        };
        let (sponsor, manager) = (g.sponsor(), g.manager());
        let mut custom = CustomFields::new();
        custom.insert("strategic_theme".into(), CustomValue::Text(th.strategic.into()));
        let fields = ProgrammeFields {
            portfolio_id: d.portfolios[th.portfolio].id.cast(),
            code: Code::parse(&code).expect("programme codes are short upper-case words"),
            name,
            description: th.purpose.into(),
            sponsor: sponsor.into(),
            manager: manager.into(),
            stage: LifecycleStage::Delivery,
            tier: GovernanceTier::Standard,
            state: WorkState::Active,
            planned_start: Some(t - TimeDelta::days(365)),
            planned_finish: Some(t + TimeDelta::days(365)),
            budget: None,
            custom_fields: custom,
        };
        d.programmes.push(g.record(fields));
    }

    // Exact state quotas, shuffled, so every state appears whenever there are enough projects.
    let quota = |pct: usize| (n * pct + 50) / 100;
    let mut states = Vec::with_capacity(n);
    for (state, count) in [
        (WorkState::Proposed, quota(8)),
        (WorkState::OnHold, quota(7)),
        (WorkState::Closed, quota(13)),
        (WorkState::Cancelled, quota(7)),
    ] {
        states.extend(std::iter::repeat_n(state, count));
    }
    states.resize(n, WorkState::Active);
    states.shuffle(&mut g.rng);

    let width = if n <= 60 { 3 } else { n.to_string().len().max(4) };
    let mut theme_count = [0usize; THEMES.len()];
    let mut made = Vec::with_capacity(n);
    for (i, state) in states.into_iter().enumerate() {
        let prog = i % n_prog;
        let theme = prog % THEMES.len();
        let k = theme_count[theme];
        theme_count[theme] += 1;
        let in_programme = !g.chance(0.15);
        let mut project = g.project(&d, i, width, theme, k, state, in_programme.then_some(prog));
        let first_report = d.status_reports.len();
        let health = g.status_reports(&mut d.status_reports, &project, opts.weeks_of_history);
        if state == WorkState::Closed {
            project.fields.actual_cost = outturn(&project.fields, &d.status_reports[first_report..]);
        }
        let ms = g.milestones(&mut d.milestones, &project, health);
        let risks = g.raid(&mut d, &project, health);
        g.project_decisions(&mut d, &project, risks);
        made.push(Made { state, ms, prog: in_programme.then_some(prog), theme });
        d.projects.push(project);
    }

    g.dependencies(&mut d, &made);
    for i in g.distinct(PORTFOLIO_DECISIONS.len(), 5) {
        let (title, context, options, decision) = PORTFOLIO_DECISIONS[i];
        let p = g.int(0, PORTFOLIOS.len() as i64 - 1) as usize;
        let decided = g.chance(0.6);
        let fields = DecisionFields {
            project_id: None,
            title: title.into(),
            context: context.into(),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            decision: if decided { decision.into() } else { String::new() },
            decided_by: if decided {
                g.pick(&["Portfolio board", "Executive committee"]).into()
            } else {
                String::new()
            },
            decided_on: decided.then(|| g.day(-200, -3)),
            state: if decided { DecisionState::Decided } else { DecisionState::Pending },
            links: vec![RecordRef { kind: EntityKind::Portfolio, id: d.portfolios[p].id.uuid() }],
        };
        d.decisions.push(g.record(fields));
    }
    roll_up(&mut d, &made, t, g.gbp);
    d
}

/// A closed project's outturn cost: over budget by about 0.8 times its share of red and amber cost
/// RAGs (red 1, amber 0.5) in the reports of the first half of its planned duration, where cost
/// trouble usually shows first, give or take 6%. The noise comes from a hash of the code, not
/// the generator, so adding it left the rest of the demo as it was.
fn outturn(f: &ProjectFields, reports: &[StatusReport]) -> Option<Money> {
    let budget = f.budget?;
    let (start, finish) = (f.planned_start?, f.planned_finish?);
    let half = start + (finish - start) / 2;
    let rags: Vec<Rag> = reports.iter().filter(|r| r.fields.period_end <= half).map(|r| r.fields.cost).collect();
    let share = keel_engine::forecast::predict::rag_share(&rags).unwrap_or(0.0);
    let noise = (fnv1a(f.code.as_str().bytes()) % 1201) as f64 / 10_000.0 - 0.06;
    let overrun = -0.05 + 0.8 * share + noise;
    let amount = (budget.amount as f64 * (1.0 + overrun) / 100_000.0).round() as i64 * 100_000;
    Some(Money { amount: amount.max(0), currency: budget.currency })
}

/// FNV-1a of `bytes`: a small deterministic hash for per-project variation that leaves the
/// generator's stream alone.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// What the generator remembers about each project for the cross-project passes.
struct Made {
    state: WorkState,
    ms: Range<usize>,
    prog: Option<usize>,
    theme: usize,
}

/// The generator: content randomness and ID randomness are separate streams, so IDs can depend on
/// the organisation without changing the content.
struct Gen {
    rng: StdRng,
    ids: StdRng,
    next_ms: u64,
    org: OrgId,
    now: DateTime<Utc>,
    today: NaiveDate,
    gbp: Currency,
}

impl Gen {
    fn record<F: Fields>(&mut self, fields: F) -> Record<F> {
        let bytes: [u8; 10] = self.ids.random();
        let uuid = uuid::Builder::from_unix_timestamp_millis(self.next_ms, &bytes).into_uuid();
        self.next_ms += 1;
        Record {
            id: Id::from_uuid(uuid),
            org_id: self.org,
            version: 1,
            created_at: self.now,
            updated_at: self.now,
            fields,
        }
    }
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.rng.random_range(lo..=hi) }
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())]
    }
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        v.shuffle(&mut self.rng);
        v.truncate(k);
        v
    }
    /// Two different sentences from a pool, as one paragraph.
    fn two(&mut self, pool: &[&str]) -> String {
        let i = self.rng.random_range(0..pool.len());
        let j = (i + self.rng.random_range(1..pool.len())) % pool.len();
        format!("{} {}", pool[i], pool[j])
    }
    fn day(&mut self, lo: i64, hi: i64) -> NaiveDate {
        self.today + TimeDelta::days(self.int(lo, hi))
    }
    fn between(&mut self, a: NaiveDate, b: NaiveDate) -> NaiveDate {
        a + TimeDelta::days(self.int(0, (b - a).num_days()))
    }
    fn sponsor(&mut self) -> &'static str {
        PEOPLE[self.rng.random_range(0..SPONSORS)]
    }
    fn manager(&mut self) -> &'static str {
        PEOPLE[self.rng.random_range(SPONSORS..PEOPLE.len())]
    }
    fn rating(&mut self, bump: i64) -> Rating {
        // Mostly middling ratings, few at 5: in a real register about one risk in ten or fifteen
        // scores high (15 or more), more on a troubled project (`bump`).
        let v = (self.int(1, 5) + self.int(1, 5)) / 2 + bump;
        Rating::new(v.clamp(1, 5)).expect("clamped to 1-5")
    }

    #[allow(clippy::too_many_arguments)]
    fn project(
        &mut self,
        d: &DemoData,
        i: usize,
        width: usize,
        theme: usize,
        k: usize,
        state: WorkState,
        prog: Option<usize>,
    ) -> Project {
        let th = &THEMES[theme];
        let t = self.today;
        let (start, finish, stage) = match state {
            WorkState::Proposed => {
                let s = self.day(30, 240);
                let stage = if self.chance(0.5) { LifecycleStage::Concept } else { LifecycleStage::Initiation };
                (s, s + TimeDelta::days(self.int(180, 480)), stage)
            }
            WorkState::Active | WorkState::OnHold => {
                let ago = if self.chance(0.8) { self.int(330, 730) } else { self.int(30, 329) };
                let stage = match ago {
                    ..90 if self.chance(0.3) => LifecycleStage::Initiation,
                    ..150 => LifecycleStage::Planning,
                    _ if state == WorkState::OnHold && self.chance(0.4) => LifecycleStage::Planning,
                    _ => LifecycleStage::Delivery,
                };
                (t - TimeDelta::days(ago), self.day(30, 540), stage)
            }
            WorkState::Closed => {
                let f = self.day(-365, -15);
                let s = (f - TimeDelta::days(self.int(180, 540))).max(t - TimeDelta::days(730));
                (s, f, LifecycleStage::Closure)
            }
            WorkState::Cancelled => {
                let s = self.day(-540, -60);
                let stage =
                    self.pick(&[LifecycleStage::Initiation, LifecycleStage::Planning, LifecycleStage::Delivery]);
                (s, s + TimeDelta::days(self.int(270, 720)), stage)
            }
        };
        let u: f64 = self.rng.random();
        let (lo, hi) = (150_000f64.ln(), 25_000_000f64.ln());
        let pounds = (((lo + u * (hi - lo)).exp() / 5_000.0).round() as i64 * 5_000).clamp(150_000, 25_000_000);
        let tier = match pounds {
            5_000_000.. if self.chance(0.9) => GovernanceTier::Strict,
            ..500_000 if self.chance(0.8) => GovernanceTier::Light,
            _ if self.chance(0.15) => GovernanceTier::Strict,
            _ => GovernanceTier::Standard,
        };
        let mut custom = CustomFields::new();
        let cc = 1000 + theme as i64 * 40 + self.int(0, 39);
        custom.insert("cost_centre".into(), CustomValue::Text(format!("CC-{cc}")));
        custom.insert("strategic_theme".into(), CustomValue::Text(th.strategic.into()));
        if self.chance(0.5) {
            custom.insert("capitalisable".into(), CustomValue::Bool(self.chance(0.7)));
        }
        let name = project_name(theme, k);
        let (sponsor, manager) = (self.sponsor(), self.manager());
        let fields = ProjectFields {
            portfolio_id: d.portfolios[th.portfolio].id.cast(),
            programme_id: prog.map(|p| d.programmes[p].id.cast()),
            code: Code::parse(&format!("PRJ-{:0width$}", i + 1)).expect("PRJ- and digits make a valid code"),
            description: format!("{name}. {}", th.purpose),
            name,
            sponsor: sponsor.into(),
            manager: manager.into(),
            stage,
            tier,
            state,
            planned_start: Some(start),
            planned_finish: Some(finish),
            budget: Some(Money { amount: pounds * 100, currency: self.gbp }),
            actual_cost: None,
            custom_fields: custom,
        };
        self.record(fields)
    }

    /// Weekly reports following a persistent RAG random walk; returns the latest overall RAG (or a
    /// guess for projects that do not report).
    fn status_reports(&mut self, out: &mut Vec<StatusReport>, p: &Project, weeks: usize) -> Rag {
        let f = &p.fields;
        let (start, finish) = (f.planned_start.unwrap_or(self.today), f.planned_finish.unwrap_or(self.today));
        let last = friday_on_or_before(self.today);
        let end = match f.state {
            WorkState::Active if self.chance(0.08) => last - TimeDelta::weeks(self.int(3, 6)),
            WorkState::Active => last,
            WorkState::OnHold => last - TimeDelta::weeks(self.int(1, 8)),
            WorkState::Closed => friday_on_or_before(finish),
            WorkState::Proposed | WorkState::Cancelled => {
                return if self.chance(0.75) { Rag::Green } else { Rag::Amber };
            }
        };
        let first = last - TimeDelta::weeks(weeks as i64 - 1);
        let mut date = friday_on_or_before(start + TimeDelta::days(13)).max(first);
        let trouble = 0.5 + 1.5 * self.rng.random::<f64>();
        let mut rag = match self.int(0, 99) {
            0..65 => Rag::Green,
            65..92 => Rag::Amber,
            _ => Rag::Red,
        };
        while weeks > 0 && date <= end {
            let r: f64 = self.rng.random();
            rag = match rag {
                Rag::Green if r < 0.05 * trouble => Rag::Amber,
                Rag::Amber if r < 0.07 * trouble => Rag::Red,
                Rag::Amber if r < 0.07 * trouble + 0.12 / trouble => Rag::Green,
                Rag::Red if r < 0.2 => Rag::Amber,
                same => same,
            };
            let dims = self.dimensions(rag);
            let (summary, decisions_p) = match rag {
                Rag::Green => (self.pick(SUMMARY_GREEN), 0.05),
                Rag::Amber => (self.pick(SUMMARY_AMBER), 0.5),
                Rag::Red => (self.pick(SUMMARY_RED), 0.9),
            };
            let decisions_needed = if self.chance(decisions_p) { self.pick(DECISIONS_NEEDED) } else { "" };
            let fields = StatusReportFields {
                project_id: p.id.cast(),
                period_end: date,
                overall: rag,
                schedule: dims[0],
                cost: dims[1],
                scope: dims[2],
                risk: dims[3],
                resources: dims[4],
                benefits: dims[5],
                summary: summary.into(),
                achievements: self.two(ACHIEVEMENTS),
                next_steps: self.two(NEXT_STEPS),
                decisions_needed: decisions_needed.into(),
                submitted_by: f.manager.clone(),
            };
            out.push(self.record(fields));
            date += TimeDelta::weeks(1);
        }
        rag
    }

    /// Dimension RAGs consistent with the overall one: red has schedule or cost red, amber has at
    /// least one amber and no red, green is mostly green.
    fn dimensions(&mut self, overall: Rag) -> [Rag; 6] {
        let mut dims = [Rag::Green; 6];
        for x in &mut dims {
            *x = match overall {
                Rag::Green if self.chance(0.08) => Rag::Amber,
                Rag::Green => Rag::Green,
                Rag::Amber => self.pick(&[Rag::Green, Rag::Green, Rag::Amber]),
                Rag::Red => self.pick(&[Rag::Green, Rag::Amber, Rag::Amber, Rag::Red]),
            };
        }
        match overall {
            Rag::Amber if !dims.contains(&Rag::Amber) => dims[self.int(0, 2) as usize] = Rag::Amber,
            Rag::Red => dims[self.int(0, 1) as usize] = Rag::Red,
            _ => {}
        }
        dims
    }

    fn milestones(&mut self, out: &mut Vec<Milestone>, p: &Project, health: Rag) -> Range<usize> {
        let f = &p.fields;
        let (start, finish) = (f.planned_start.unwrap_or(self.today), f.planned_finish.unwrap_or(self.today));
        let span = (finish - start).num_days() as f64;
        let mut keep = [true; MILESTONES.len()];
        let drop = MILESTONES.len() - self.int(3, MILESTONES.len() as i64) as usize;
        for j in self.distinct(MILESTONES.len() - 1, drop) {
            keep[if j >= 4 { j + 1 } else { j }] = false; // never drop go-live (index 4)
        }
        let first = out.len();
        for (j, (name, description, frac)) in MILESTONES.iter().enumerate().filter(|(j, _)| keep[*j]) {
            let baseline = (start + TimeDelta::days((span * frac) as i64 + self.int(-5, 5))).max(start);
            let slip = match (f.state, health) {
                (WorkState::Proposed, _) => 0,
                (_, Rag::Green) if self.chance(0.6) => 0,
                (_, Rag::Green) => self.int(1, 7),
                (_, Rag::Amber) => self.int(0, 30),
                (_, Rag::Red) => self.int(14, 90),
            };
            let forecast = baseline + TimeDelta::days((slip as f64 * (0.5 + frac)) as i64);
            let achieved = forecast < self.today
                && match f.state {
                    WorkState::Proposed => false,
                    WorkState::Cancelled => j <= 1,
                    WorkState::Closed => true,
                    // A troubled project has a few recent milestones overdue; older ones were
                    // reached late, as on a real project (nobody leaves a milestone a year overdue
                    // on a live plan without re-forecasting it).
                    _ => {
                        health == Rag::Green
                            || !self.chance(0.35)
                            || (self.today - forecast).num_days() > if health == Rag::Red { 75 } else { 30 }
                    }
                };
            let actual = achieved.then(|| (forecast + TimeDelta::days(self.int(-3, 5))).min(self.today));
            let owner = if self.chance(0.6) { f.manager.clone() } else { self.manager().into() };
            let fields = MilestoneFields {
                project_id: p.id.cast(),
                name: (*name).into(),
                description: (*description).into(),
                owner,
                baseline: Some(baseline),
                forecast: Some(forecast),
                actual,
            };
            out.push(self.record(fields));
        }
        first..out.len()
    }

    /// Risks, issues and assumptions; returns the range of the project's risks.
    fn raid(&mut self, d: &mut DemoData, p: &Project, health: Rag) -> Range<usize> {
        let f = &p.fields;
        let (start, finish) = (f.planned_start.unwrap_or(self.today), f.planned_finish.unwrap_or(self.today));
        let done = matches!(f.state, WorkState::Closed | WorkState::Cancelled);
        let (risks, issues) = match f.state {
            WorkState::Active => (self.int(2, 8), self.int(0, 4)),
            WorkState::OnHold => (self.int(1, 4), self.int(0, 2)),
            WorkState::Closed => (self.int(1, 3), self.int(0, 2)),
            WorkState::Proposed => (self.int(1, 2), 0),
            WorkState::Cancelled => (self.int(0, 1), 0),
        };
        let bump = i64::from(health == Rag::Red);
        let first_risk = d.risks.len();
        for i in self.distinct(RISKS.len(), risks as usize) {
            let (title, category, plan) = RISKS[i];
            let state = match self.int(0, 99) {
                _ if done => RiskState::Closed,
                0..80 => RiskState::Open,
                80..94 => RiskState::Closed,
                _ => RiskState::Occurred,
            };
            let fields = RiskFields {
                project_id: p.id.cast(),
                title: title.into(),
                description: format!("{} {}.", category_effect(category), f.name),
                category: category.into(),
                probability: self.rating(bump),
                impact: self.rating(bump),
                owner: if self.chance(0.5) { f.manager.clone() } else { self.manager().into() },
                response: self.pick(&[
                    RiskResponse::Reduce,
                    RiskResponse::Reduce,
                    RiskResponse::Reduce,
                    RiskResponse::Accept,
                    RiskResponse::Transfer,
                    RiskResponse::Avoid,
                ]),
                response_plan: plan.into(),
                proximity: if done {
                    Some(self.between(start, finish))
                } else {
                    self.chance(0.8).then(|| self.day(-14, 180))
                },
                state,
                probability_pct: None,
                cost_impact: self.chance(0.7).then(|| Money { amount: self.int(5, 250) * 100_000, currency: self.gbp }),
                schedule_impact_days: self.chance(0.6).then(|| self.int(2, 20) as u32),
                tasks: if self.chance(0.6) {
                    let names = crate::demo_schedules::plan_task_names();
                    vec![names[self.int(0, names.len() as i64 - 1) as usize].to_owned()]
                } else {
                    vec![]
                },
            };
            let mut r = self.record(fields);
            // Identified on a believable day in the project's life (at most a year back), so the
            // exposure trend rebuilt from the register has a history. Derived from the record, not
            // drawn, so the rest of the demo stays as seeded.
            let from = start.max(self.today - TimeDelta::days(365)).min(self.today);
            let to = if done { finish.clamp(from, self.today) } else { self.today };
            let span = (to - from).num_days().max(0) as u64 + 1;
            let day = from + TimeDelta::days((fnv1a(r.id.uuid().as_bytes().iter().copied()) % span) as i64);
            let at = day.and_time(chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()).and_utc();
            r.created_at = at.min(self.now);
            r.updated_at = r.created_at;
            d.risks.push(r);
        }
        for i in self.distinct(ISSUES.len(), issues as usize) {
            let (title, resolution) = ISSUES[i];
            let (lo, hi) =
                if done { (start, finish) } else { (start.max(self.today - TimeDelta::days(150)), self.today) };
            let raised_on = self.between(lo, hi.max(lo));
            let state = match self.int(0, 99) {
                _ if done => IssueState::Resolved,
                0..35 => IssueState::Open,
                35..70 => IssueState::InProgress,
                _ => IssueState::Resolved,
            };
            let priority = self.pick(&[Priority::Low, Priority::Medium, Priority::Medium, Priority::High]);
            let fields = IssueFields {
                project_id: p.id.cast(),
                title: title.into(),
                description: format!("Raised by the {} team; affects delivery of {}.", f.name, f.code),
                priority: if health == Rag::Red && self.chance(0.4) { Priority::Critical } else { priority },
                owner: if self.chance(0.5) { f.manager.clone() } else { self.manager().into() },
                raised_on,
                due: Some(raised_on + TimeDelta::days(self.int(7, 45))),
                state,
                resolution: if state == IssueState::Resolved { resolution.into() } else { String::new() },
            };
            d.issues.push(self.record(fields));
        }
        let n_assumptions = self.int(1, 3) as usize;
        for i in self.distinct(ASSUMPTIONS.len(), n_assumptions) {
            let validate_by = (start + TimeDelta::days(self.int(30, 240))).min(finish);
            let state = match self.int(0, 99) {
                _ if validate_by >= self.today => AssumptionState::Open,
                0..75 => AssumptionState::Validated,
                75..90 => AssumptionState::Invalidated,
                _ => AssumptionState::Open,
            };
            let fields = AssumptionFields {
                project_id: p.id.cast(),
                title: ASSUMPTIONS[i].into(),
                description: "If this proves false the plan, budget or benefits case must be revisited.".into(),
                owner: if self.chance(0.5) { f.manager.clone() } else { f.sponsor.clone() },
                validate_by: Some(validate_by),
                state,
            };
            d.assumptions.push(self.record(fields));
        }
        first_risk..d.risks.len()
    }

    fn project_decisions(&mut self, d: &mut DemoData, p: &Project, risks: Range<usize>) {
        let f = &p.fields;
        if !matches!(f.state, WorkState::Active | WorkState::OnHold | WorkState::Closed) || !self.chance(0.55) {
            return;
        }
        let count = self.int(1, 2) as usize;
        for i in self.distinct(DECISIONS.len(), count) {
            let (title, context, options) = DECISIONS[i];
            let options = &options[..self.int(2, 3) as usize];
            let state = match self.int(0, 99) {
                _ if f.state == WorkState::Closed => DecisionState::Decided,
                0..55 => DecisionState::Decided,
                55..90 => DecisionState::Pending,
                _ => DecisionState::Superseded,
            };
            let decided = state != DecisionState::Pending;
            let chosen = self.pick(options);
            let rationale = self.pick(RATIONALES);
            let lo = f.planned_start.unwrap_or(self.today).max(self.today - TimeDelta::days(300)).min(self.today);
            let hi = f.planned_finish.unwrap_or(self.today).clamp(lo, self.today);
            let links = if !risks.is_empty() && self.chance(0.5) {
                let r = self.rng.random_range(risks.clone());
                vec![RecordRef { kind: EntityKind::Risk, id: d.risks[r].id.uuid() }]
            } else {
                Vec::new()
            };
            let fields = DecisionFields {
                project_id: Some(p.id.cast()),
                title: title.into(),
                context: context.into(),
                options: options.iter().map(|o| (*o).to_owned()).collect(),
                decision: if decided { format!("{chosen}. {rationale}") } else { String::new() },
                decided_by: if decided { self.pick(FORUMS).into() } else { String::new() },
                decided_on: decided.then(|| self.between(lo, hi)),
                state,
                links,
            };
            d.decisions.push(self.record(fields));
        }
    }

    /// About two dependencies for every three projects, between live projects, never on itself.
    fn dependencies(&mut self, d: &mut DemoData, made: &[Made]) {
        let live: Vec<usize> = (0..made.len())
            .filter(|&i| matches!(made[i].state, WorkState::Active | WorkState::OnHold | WorkState::Proposed))
            .collect();
        if live.len() < 2 {
            return;
        }
        let target = d.projects.len() * 2 / 3;
        let mut seen = HashSet::with_capacity(target);
        for _ in 0..target * 10 {
            if seen.len() == target {
                break;
            }
            let (a, b) = (self.pick(&live), self.pick(&live));
            if a == b || !seen.insert((a, b)) {
                continue;
            }
            let ms = self.chance(0.6).then(|| self.rng.random_range(made[a].ms.clone()));
            let sms = self.chance(0.7).then(|| self.rng.random_range(made[b].ms.clone()));
            let (dep, sup) = (&d.projects[a].fields, &d.projects[b].fields);
            let needed_by = match ms {
                Some(m) => d.milestones[m].fields.forecast,
                None => Some(self.day(14, 200)),
            };
            let delivered = sms.is_some_and(|m| d.milestones[m].fields.actual.is_some());
            let state = match self.int(0, 99) {
                _ if delivered => DependencyState::Delivered,
                0..65 => DependencyState::Open,
                65..90 => DependencyState::AtRisk,
                90..95 => DependencyState::Cancelled,
                _ => DependencyState::Delivered,
            };
            let what = self.pick(&THEMES[made[b].theme].offers);
            let before = ms.map_or("go-live", |m| d.milestones[m].fields.name.as_str()).to_ascii_lowercase();
            let fields = DependencyFields {
                project_id: d.projects[a].id.cast(),
                milestone_id: ms.map(|m| d.milestones[m].id.cast()),
                supplier_project_id: d.projects[b].id.cast(),
                supplier_milestone_id: sms.map(|m| d.milestones[m].id.cast()),
                title: format!("{what} from {}", sup.name),
                description: format!(
                    "{} {} needs this from {} {} before {before}.",
                    dep.code, dep.name, sup.code, sup.name
                ),
                owner: dep.manager.clone(),
                needed_by,
                state,
            };
            d.dependencies.push(self.record(fields));
        }
    }
}

/// Programme and portfolio dates, budgets and states from their projects.
fn roll_up(d: &mut DemoData, made: &[Made], today: NaiveDate, gbp: Currency) {
    #[derive(Clone, Default)]
    struct Acc {
        start: Option<NaiveDate>,
        finish: Option<NaiveDate>,
        budget: i64,
        live: usize,
        proposed: usize,
        done: usize,
    }
    let mut progs = vec![Acc::default(); d.programmes.len()];
    let mut ports = vec![Acc::default(); d.portfolios.len()];
    for (p, m) in d.projects.iter().zip(made) {
        let f = &p.fields;
        let targets = [m.prog.map(|i| &mut progs[i]), Some(&mut ports[THEMES[m.theme].portfolio])];
        for acc in targets.into_iter().flatten() {
            acc.start = [acc.start, f.planned_start].into_iter().flatten().min();
            acc.finish = acc.finish.max(f.planned_finish);
            acc.budget += f.budget.map_or(0, |b| b.amount);
            match f.state {
                WorkState::Active | WorkState::OnHold => acc.live += 1,
                WorkState::Proposed => acc.proposed += 1,
                WorkState::Closed | WorkState::Cancelled => acc.done += 1,
            }
        }
    }
    for (prog, acc) in d.programmes.iter_mut().zip(&progs) {
        let f = &mut prog.fields;
        (f.state, f.stage) = match acc {
            a if a.live > 0 => (WorkState::Active, LifecycleStage::Delivery),
            a if a.proposed > 0 => (WorkState::Proposed, LifecycleStage::Initiation),
            a if a.done > 0 => (WorkState::Closed, LifecycleStage::Closure),
            _ => (WorkState::Proposed, LifecycleStage::Concept),
        };
        if acc.start.is_some() {
            (f.planned_start, f.planned_finish) = (acc.start, acc.finish);
            f.budget = Some(Money { amount: acc.budget, currency: gbp });
            f.tier = if acc.budget >= 2_000_000_000 { GovernanceTier::Strict } else { GovernanceTier::Standard };
        }
    }
    for (port, acc) in d.portfolios.iter_mut().zip(&ports) {
        let f = &mut port.fields;
        f.planned_start = acc.start.or(Some(today));
        f.planned_finish = acc.finish.or(Some(today));
        // Approved envelope: the projects plus 10% portfolio contingency, rounded to £1m.
        let amount = (acc.budget + acc.budget / 10).div_euclid(100_000_000) * 100_000_000 + 100_000_000;
        f.budget = Some(Money { amount, currency: gbp });
    }
}

fn friday_on_or_before(d: NaiveDate) -> NaiveDate {
    d - TimeDelta::days(i64::from((d.weekday().num_days_from_monday() + 3) % 7))
}

/// The `k`-th project name of a theme: the curated names first, then object/action/phase
/// combinations, then numbered tranches, so names stay distinct within a theme.
fn project_name(theme: usize, k: usize) -> String {
    let th = &THEMES[theme];
    if let Some(name) = th.projects.get(k) {
        return (*name).to_owned();
    }
    let i = k - th.projects.len();
    let (o, a, p) = (th.objects.len(), ACTIONS.len(), PHASES.len());
    let base = format!("{} {}{}", th.objects[i % o], ACTIONS[(i / o) % a], PHASES[(i / (o * a)) % p]);
    match i / (o * a * p) {
        0 => base,
        tranche => format!("{base} Tranche {}", tranche + 1),
    }
}

fn category_effect(category: &str) -> &'static str {
    match category {
        "technical" => "Could force rework of the solution and delay testing on",
        "commercial" => "Could raise costs or weaken our contractual position on",
        "people" => "Could leave critical roles unfilled or slow adoption on",
        "regulatory" => "Could bring compliance findings or block go-live of",
        _ => "Could push the critical path and the go-live date of",
    }
}

/// One delivery theme: a programme, its portfolio and the raw material for its project names.
struct Theme {
    name: &'static str,
    code: &'static str,
    portfolio: usize,
    strategic: &'static str,
    purpose: &'static str,
    projects: [&'static str; 6],
    objects: [&'static str; 8],
    /// What its projects deliver to other projects (dependency titles).
    offers: [&'static str; 2],
}

#[rustfmt::skip]
const PORTFOLIOS: [(&str, &str, &str); 3] = [
    ("DIGITAL", "Digital & Technology", "Technology platforms, cloud, cyber security, data and the digital workplace."),
    ("OPEX", "Operations Excellence", "Finance, supply chain and regulatory change that makes operations leaner and compliant."),
    ("GROWTH", "Growth & Customer", "Customer experience, branch network and new-market investments that drive revenue."),
];

#[rustfmt::skip]
const THEMES: [Theme; 10] = [
    Theme { name: "Cloud Migration", code: "CLOUD", portfolio: 0, strategic: "Cloud first",
        purpose: "Moves workloads out of the owned data centres onto the cloud landing zone, cutting run costs and risk.",
        projects: ["Payroll Cloud Cutover", "Data Centre Exit", "Mainframe Batch Re-platform", "Landing Zone Build", "Legacy Email Decommission", "Backup Service Modernisation"],
        objects: ["Payroll", "Document Management", "Batch Scheduling", "File Transfer", "Telephony", "Test Environments", "Print Services", "Backup"],
        offers: ["Production landing zone", "Managed file transfer service"] },
    Theme { name: "ERP Replacement", code: "ERP", portfolio: 1, strategic: "Operational efficiency",
        purpose: "Replaces the end-of-life ERP with a single cloud suite for finance, procurement and HR.",
        projects: ["Finance Ledger Migration", "Procure-to-Pay Redesign", "HR Core System Replacement", "Chart of Accounts Redesign", "ERP Data Cleansing", "Fixed Assets Module Rollout"],
        objects: ["General Ledger", "Accounts Payable", "Procurement", "Fixed Assets", "Expenses", "Treasury", "Budgeting", "Time Recording"],
        offers: ["Updated chart of accounts", "Cleansed vendor master data"] },
    Theme { name: "Customer 360", code: "C360", portfolio: 2, strategic: "Customer growth",
        purpose: "Gives every channel one view of the customer and their history.",
        projects: ["CRM Consolidation Phase 2", "Single Customer View", "Contact Centre Telephony Upgrade", "Customer Consent Platform", "Loyalty App Relaunch", "Complaints Handling Automation"],
        objects: ["CRM", "Customer Portal", "Contact Centre", "Marketing Automation", "Customer Data", "Complaints", "Loyalty", "Case Management"],
        offers: ["Cleansed customer master data", "Customer profile API"] },
    Theme { name: "Cyber Resilience", code: "CYBER", portfolio: 0, strategic: "Security by design",
        purpose: "Raises our ability to prevent, detect and recover from cyber attacks to the board's risk appetite.",
        projects: ["SOC 2 Readiness", "Privileged Access Management", "Zero Trust Network Access", "Security Operations Centre Uplift", "Ransomware Recovery Capability", "Identity Governance Rollout"],
        objects: ["Endpoint Security", "Identity Governance", "Privileged Access", "Email Security", "Vulnerability Management", "Security Monitoring", "Third-Party Risk", "Backup Immutability"],
        offers: ["Single sign-on integration", "Security monitoring integration"] },
    Theme { name: "Data Platform", code: "DATA", portfolio: 0, strategic: "Data-driven decisions",
        purpose: "Builds the enterprise data platform and retires the legacy warehouses and reporting tools.",
        projects: ["Data Warehouse Decommission", "Lakehouse Foundation", "Master Data Management", "Self-Service BI Rollout", "Data Quality Framework", "Finance Data Mart"],
        objects: ["Data Warehouse", "Reporting", "Master Data", "Data Catalogue", "Analytics", "Data Lake", "Data Quality", "Finance Data"],
        offers: ["Data platform ingestion pipeline", "Reporting data mart"] },
    Theme { name: "Supply Chain Modernisation", code: "SCM", portfolio: 1, strategic: "Operational efficiency",
        purpose: "Modernises planning, warehousing and transport to cut stock-holding and improve availability.",
        projects: ["Warehouse Management System", "Demand Forecasting Upgrade", "Transport Management Rollout", "Supplier Portal", "Inventory Optimisation", "Returns Process Automation"],
        objects: ["Warehouse Management", "Transport Planning", "Demand Forecasting", "Supplier Onboarding", "Inventory", "Order Management", "Returns", "Fleet Telematics"],
        offers: ["Supplier portal onboarding", "Inventory feed to the data platform"] },
    Theme { name: "Branch Network Refresh", code: "BRANCH", portfolio: 2, strategic: "Customer growth",
        purpose: "Refreshes the branch estate and its technology for a better in-person customer experience.",
        projects: ["Branch Estate Rationalisation", "Self-Service Kiosk Rollout", "Branch Wi-Fi Refresh", "Flagship Store Refit", "Queue Management System", "Branch Staff Tablets"],
        objects: ["Branch Estate", "Kiosk", "Branch Wi-Fi", "Store Signage", "Queue Management", "Point of Sale", "Branch Security", "ATM"],
        offers: ["Network upgrade at pilot sites", "Branch device build"] },
    Theme { name: "Regulatory Reporting", code: "REGREP", portfolio: 1, strategic: "Regulatory compliance",
        purpose: "Delivers new and changed regulatory returns on time, with controls the regulator can rely on.",
        projects: ["IFRS 17 Reporting", "Basel 3.1 Capital Reporting", "Operational Resilience Mapping", "Consumer Duty Implementation", "ESG Disclosure Reporting", "AML Transaction Monitoring Upgrade"],
        objects: ["Capital Reporting", "Liquidity Reporting", "AML Monitoring", "Consumer Duty", "ESG Disclosure", "Transaction Reporting", "Operational Resilience", "Sanctions Screening"],
        offers: ["Regulatory data lineage", "Signed-off reporting controls"] },
    Theme { name: "Workplace Transformation", code: "WORKPLACE", portfolio: 0, strategic: "Modern workplace",
        purpose: "Equips colleagues for hybrid working with modern devices, tools and offices.",
        projects: ["Laptop Refresh 2026", "Microsoft 365 Adoption", "Hybrid Meeting Rooms", "Head Office Consolidation", "Intranet Replacement", "Service Desk Re-tender"],
        objects: ["Laptop Estate", "Collaboration Tools", "Meeting Rooms", "Intranet", "Service Desk", "Mobile Devices", "Printing", "Office Estate"],
        offers: ["New laptop build", "Identity and access roles"] },
    Theme { name: "New Markets Expansion", code: "MARKETS", portfolio: 2, strategic: "International growth",
        purpose: "Takes our products into new countries and channels with local partners.",
        projects: ["Ireland Market Entry", "Nordics E-commerce Launch", "Multi-Currency Payments", "Localisation Platform", "Partner Onboarding Portal", "Benelux Distribution Hub"],
        objects: ["Ireland Launch", "Nordics E-commerce", "Payments", "Localisation", "Partner Portal", "Distribution Hub", "Tax Engine", "Pricing"],
        offers: ["Multi-currency payment service", "Localised product catalogue"] },
];

#[rustfmt::skip]
const ACTIONS: [&str; 12] = [
    "Upgrade", "Replacement", "Consolidation", "Cloud Cutover", "Decommission", "Rollout", "Re-platform", "Automation",
    "Integration", "Modernisation", "Readiness", "Optimisation",
];
const PHASES: [&str; 6] = ["", " Phase 2", " Phase 3", " Pilot", " Release 2", " Wave 2"];

/// The first `SPONSORS` people are executives (sponsors); the rest manage and own things.
const SPONSORS: usize = 10;
#[rustfmt::skip]
const PEOPLE: [&str; 40] = [
    "Catherine Ellwood", "Richard Okonjo", "Margaret Lindsay", "Anil Kapoor", "Fiona Grant", "Stephen Whitaker",
    "Julia Novak", "Graham Pearce", "Nadia Rahman", "Hugh Templeton", "Amelia Hughes", "Priya Raman", "Tom Gallagher",
    "Sophie Clarke", "Daniel Okafor", "Hannah Whitfield", "Marcus Chen", "Fatima Begum", "James Thornton",
    "Laura McAllister", "Oliver Bennett", "Aisha Mensah", "Rob Kowalski", "Emma Fitzgerald", "Raj Patel", "Grace Turner",
    "Liam O'Connor", "Chloe Davies", "Samuel Adeyemi", "Zara Hussain", "Ben Harrison", "Isabel Moreno", "Kieran Walsh",
    "Natalie Brooks", "Arjun Mehta", "Rachel Goldberg", "Erik Lindqvist", "Megan Price", "Yusuf Demir", "Charlotte Reid",
];

const MILESTONES: [(&str, &str, f64); 6] = [
    ("Business case approved", "Investment committee approves the full business case.", 0.05),
    ("Design signed off", "Design authority signs off the solution and service design.", 0.3),
    ("Build complete", "All in-scope components built, integrated and system tested.", 0.55),
    ("UAT complete", "User acceptance testing passed with no open severity 1 or 2 defects.", 0.75),
    ("Go-live", "Service live for all users and hypercare started.", 0.9),
    ("Benefits review", "Post-implementation review of benefits against the business case.", 1.0),
];

const SUMMARY_GREEN: &[&str] = &[
    "Delivery is on plan; all milestones this period were met and the team is fully staffed.",
    "Good progress this week. Build remains on track for the planned go-live date.",
    "On track against the baseline schedule and budget; no new risks above threshold.",
    "Sprint goals achieved and feedback from the business showcase was positive.",
    "All workstreams reporting green. Spend is in line with the forecast.",
    "Testing is progressing well with defect rates below target.",
    "No material changes this period. Dependencies on other projects are being met.",
];
const SUMMARY_AMBER: &[&str] = &[
    "Testing is running a week behind plan because of environment instability; recoverable within the phase.",
    "Two key roles remain unfilled; contractors are being onboarded to close the gap.",
    "Forecast spend is 6% above budget after the reporting change request; mitigation options are being costed.",
    "Supplier mobilisation was slower than planned. The critical path is protected but float is under two weeks.",
    "Trial data loads exposed quality issues in legacy records; cleansing effort is being re-estimated.",
    "Scope has grown through late business requirements; change control has been reinforced.",
    "Dependency on the identity platform is at risk; a revised date is being agreed with the supplying project.",
    "Business readiness is lagging: training materials are behind schedule ahead of UAT.",
];
const SUMMARY_RED: &[&str] = &[
    "Vendor delivery of the integration layer slipped three weeks; recovery plan under review.",
    "The go-live date is no longer achievable. A re-plan goes to the steering group next week.",
    "Forecast cost at completion exceeds the approved budget by 18%; a funding change request is being prepared.",
    "UAT exit criteria not met: 14 severity 2 defects remain open and the fix rate is below plan.",
    "Loss of the lead architect and two developers has stalled the build; resourcing escalated to the sponsor.",
    "Regulatory feedback requires material design changes; the impact on scope and timeline is being assessed.",
    "The migration dress rehearsal failed reconciliation; cutover is postponed pending root-cause analysis.",
    "A critical dependency on the network upgrade has not been delivered and there is no agreed recovery date.",
];
const ACHIEVEMENTS: &[&str] = &[
    "Completed the sprint with all committed stories accepted.",
    "Design authority approved the integration pattern.",
    "Signed the statement of work with the implementation partner.",
    "Ran the first end-to-end test cycle.",
    "Onboarded three new developers.",
    "Delivered the showcase to the business unit leads.",
    "Closed 22 defects from the system test backlog.",
    "Completed the trial migration of customer records.",
    "Published the training needs analysis.",
    "Agreed the cutover approach with operations.",
    "Completed the supplier security assessment.",
    "Decommissioned two legacy interfaces.",
    "Finalised the benefits realisation plan.",
    "Completed penetration testing of the new portal.",
];
const NEXT_STEPS: &[&str] = &[
    "Start user acceptance testing with the finance team.",
    "Complete the cutover rehearsal.",
    "Present the revised plan to the steering group.",
    "Finalise the test strategy and entry criteria.",
    "Recruit the remaining business analyst role.",
    "Agree hypercare arrangements with the service desk.",
    "Run the second data migration trial.",
    "Confirm go-live readiness criteria with operations.",
    "Deliver end-user training to the pilot group.",
    "Update the benefits profile for the quarterly review.",
    "Close out the remaining design actions.",
    "Baseline the detailed plan for the next phase.",
];
const DECISIONS_NEEDED: &[&str] = &[
    "Approve drawdown of contingency to fund two additional testers.",
    "Agree to move go-live to the next release window.",
    "Confirm that advanced reporting can be deferred to phase 2.",
    "Approve the change request for the additional integration work.",
    "Choose between extending the supplier contract and insourcing the build.",
    "Sponsor to release two SMEs from business-as-usual duties for UAT.",
    "Approve the revised budget at completion.",
    "Decide whether to switch from a big-bang to a phased rollout.",
    "Agree the risk appetite for going live with known minor defects.",
];

#[rustfmt::skip]
const RISKS: &[(&str, &str, &str)] = &[
    ("Third-party API rate limits throttle peak volumes", "technical", "Agree higher limits with the provider; add caching and back-off."),
    ("Legacy data quality worse than assumed", "technical", "Profile data early and fund a cleansing sprint before trial loads."),
    ("Platform performance below target under peak load", "technical", "Load test two releases early and tune with the vendor."),
    ("Core ledger integration more complex than estimated", "technical", "Spike the integration next sprint and re-estimate."),
    ("Test environments unavailable or unstable", "technical", "Book environments early and agree support hours with infrastructure."),
    ("Security vulnerabilities found late in penetration testing", "technical", "Shift security testing left; threat-model at design."),
    ("Single sign-on incompatible with legacy applications", "technical", "Prove SSO with the three riskiest applications first."),
    ("Supplier fails to meet contracted delivery dates", "commercial", "Weekly supplier reviews; invoke service credits if needed."),
    ("Licence costs increase at contract renewal", "commercial", "Negotiate a multi-year price lock before the renewal window."),
    ("Exchange-rate movements raise the cost of US-dollar contracts", "commercial", "Hedge committed spend through treasury."),
    ("Implementation partner ownership change disrupts the account team", "commercial", "Key-person clauses and a named escalation route."),
    ("Budget reduced in the mid-year reforecast", "commercial", "Prioritise scope so a minimum viable release fits a smaller budget."),
    ("Key SME availability during UAT", "people", "Agree backfill with the business and book SMEs into the plan now."),
    ("Loss of key technical staff to other programmes", "people", "Document knowledge, pair on critical components, hold retention talks."),
    ("End-user resistance to new ways of working", "people", "Change champions network and early hands-on previews."),
    ("Insufficient training capacity before go-live", "people", "Train-the-trainer approach and e-learning for low-risk roles."),
    ("Contractor rates rise above the budgeted day rate", "people", "Use the framework agreement and convert long-term roles to permanent."),
    ("Regulator changes reporting requirements before go-live", "regulatory", "Track consultations; keep the rules engine configurable."),
    ("Data protection impact assessment not approved in time", "regulatory", "Engage the DPO now and submit a draft DPIA at design sign-off."),
    ("Data residency rules exclude the preferred hosting region", "regulatory", "Confirm residency requirements with legal before contract signature."),
    ("Audit findings require extra controls before go-live", "regulatory", "Invite internal audit to design reviews and fix findings early."),
    ("Dependency on another project's deliverables slips", "delivery", "Joint plan and fortnightly dependency review with the supplier project."),
    ("Year-end change freeze compresses the deployment window", "delivery", "Deploy before the freeze; agree exceptions in advance."),
    ("Scope creep from late business requirements", "delivery", "Strict change control; defer non-critical items to phase 2."),
    ("Cutover window too short for full data migration", "delivery", "Rehearse cutover twice and prepare a phased fallback."),
    ("Business readiness not achieved for go-live", "delivery", "Readiness checklist owned by the business, reviewed weekly."),
    ("Steering group decisions delayed by competing priorities", "delivery", "Pre-brief the sponsor; agree delegated decision rights."),
];

#[rustfmt::skip]
const ISSUES: &[(&str, &str)] = &[
    ("Test environment down for three days", "Environment restored and monitored; lost test time recovered over two weekends."),
    ("Supplier missed the sprint 9 delivery", "Supplier added two developers at their cost; backlog recovered by sprint 11."),
    ("Critical defect in payment reconciliation", "Root cause fixed in release 2.3 and regression tests added."),
    ("Lead business analyst resigned", "Replacement contractor onboarded within two weeks after a full handover."),
    ("Cloud hosting spend over budget", "Non-production environments rightsized and shut down overnight."),
    ("Legacy data extract incomplete", "Extract script corrected and re-run; reconciliation now passes."),
    ("Firewall change request rejected", "Revised design approved by the security architecture board."),
    ("Licence expired in pre-production", "Licences renewed and expiry alerts added."),
    ("UAT testers not released by the business", "Sponsor agreed backfill; testers released for four weeks."),
    ("Functional design sign-off delayed", "Walkthrough held with approvers; signed off with two minor actions."),
    ("Upstream team changed the interface specification", "Impact assessed, change request approved and interface updated."),
    ("Vendor invoice dispute blocks the milestone payment", "Commercial settlement agreed and the payment released."),
    ("Performance test results below threshold", "Database indexes tuned; the re-test met the threshold."),
    ("Data sharing agreement with partner missing", "Agreement signed by both legal teams."),
];

const ASSUMPTIONS: &[&str] = &[
    "Business SMEs are available two days a week during UAT",
    "The existing network carries the extra traffic without an upgrade",
    "The vendor's standard product meets 90% of requirements without customisation",
    "Phase 2 funding is approved in the next budget round",
    "The legacy system stays supported until it is decommissioned",
    "The regulatory deadline does not move",
    "The identity platform is live before our build starts",
    "Data owners sign off migration reconciliation within five working days",
    "Contractor day rates stay within the budgeted range",
    "Users already have the devices the new application needs",
    "The implementation partner mobilises within four weeks of signature",
    "Change freeze dates are as published by IT operations",
];

const FORUMS: &[&str] = &["Steering group", "Programme board", "Design authority", "Investment committee"];
const RATIONALES: &[&str] = &[
    "Lowest delivery risk for an acceptable cost.",
    "Best balance of cost, risk and timing of benefits.",
    "Recommended by the design authority.",
    "Keeps the critical path intact.",
    "Affordable within the approved contingency.",
    "Supported by operations and the business unit leads.",
];

#[rustfmt::skip]
const DECISIONS: &[(&str, &str, [&str; 3])] = &[
    ("Deployment approach for go-live", "The plan assumed one cutover, but readiness varies across business units.",
        ["Big-bang cutover in one weekend", "Phased rollout by region", "Pilot with one business unit, then phased rollout"]),
    ("Use of contingency to fund additional testing", "Defect rates in system test are above plan and the test team is at capacity.",
        ["Draw down contingency for two extra testers", "Extend the test phase by three weeks", "Reduce coverage of low-risk areas"]),
    ("Build or buy the reporting component", "The vendor's reporting module is costly; the data platform could host it instead.",
        ["Buy the vendor's reporting module", "Build on the enterprise data platform", "Defer reporting to phase 2"]),
    ("Extend the implementation partner contract", "The current statement of work ends before go-live.",
        ["Extend for six months on current rates", "Re-tender the remaining work", "Insource the remaining work"]),
    ("Hosting region for production", "Data residency requirements limit where customer data may be held.",
        ["UK South only", "UK South with EU West disaster recovery", "On-premise data centre"]),
    ("Go-live with known minor defects", "Twelve minor defects remain open with workarounds in place.",
        ["Go live and fix in the first patch", "Delay go-live until all are fixed", "Go live for the pilot group only"]),
    ("Cleanse data before or after migration", "Trial loads show 8% of legacy records fail validation.",
        ["Cleanse in the legacy system first", "Cleanse in flight during migration", "Migrate as-is and cleanse afterwards"]),
    ("Resourcing model for the build phase", "The internal team cannot staff the build alone.",
        ["Insource with fixed-term contracts", "Extend the current supplier", "Blended team with knowledge transfer"]),
    ("Hypercare duration", "Operations asked for longer support after go-live.",
        ["Four weeks", "Eight weeks", "Until two weeks pass without a P1 incident"]),
    ("Training approach for end users", "Over 2,000 users need training within a month of go-live.",
        ["Classroom training", "E-learning with floor walkers", "Train-the-trainer"]),
];

#[rustfmt::skip]
const PORTFOLIO_DECISIONS: &[(&str, &str, &[&str], &str)] = &[
    ("Pause new project starts until the Q1 funding review", "Forecast spend exceeds the annual envelope by 7%.",
        &["Pause all new starts", "Pause new starts below tier strict", "Proceed and absorb the overspend"], "Pause new starts below tier strict until the Q1 review."),
    ("Reallocate £2m from Branch Network Refresh to Cyber Resilience", "Threat assessment raised the priority of cyber controls.",
        &["Reallocate £2m now", "Reallocate £1m now and review in Q2"], "Reallocate £2m now; branch wave 3 is re-phased."),
    ("Adopt a single delivery partner framework", "Twelve suppliers on different terms make commercial oversight costly.",
        &["Single framework with three lots", "Keep current contracts until expiry"], "Single framework with three lots from April."),
    ("Set portfolio contingency at 10% of approved budgets", "Contingency is held inconsistently across programmes.",
        &["10% held at portfolio level", "Contingency held by each programme", "5% programme and 5% portfolio"], "10% held at portfolio level, released by the portfolio board."),
    ("Standardise weekly status reporting in Keel", "Reports arrive in five formats, making portfolio roll-ups manual.",
        &["Mandate Keel reports from next quarter", "Keep local formats with a monthly summary"], "Mandate Keel weekly reports for all active projects from next quarter."),
    ("Prioritise regulatory projects in the 2027 plan", "Regulatory deadlines cluster in the first half of 2027.",
        &["Ring-fence capacity for regulatory work", "Prioritise case by case"], "Ring-fence 30% of delivery capacity for regulatory projects."),
];

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use chrono::TimeZone;

    use super::*;

    fn org() -> OrgId {
        OrgId::from_uuid(uuid::Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001))
    }
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).single().expect("valid timestamp")
    }
    fn default_data() -> DemoData {
        generate(org(), &DemoOptions::default(), now())
    }
    fn check<F: Fields + std::fmt::Debug>(records: &[Record<F>], ids: &mut HashSet<uuid::Uuid>) {
        for r in records {
            assert!(r.fields.validate().is_ok(), "{:?} is invalid: {:?}", r.fields, r.fields.validate());
            // Risks are dated when they were identified (for the exposure trend); nothing is
            // dated after the load.
            assert_eq!((r.version, r.org_id), (1, org()));
            assert!(r.created_at <= now() && r.created_at == r.updated_at, "{:?} dated {}", r.fields, r.created_at);
            if F::KIND != EntityKind::Risk {
                assert_eq!(r.created_at, now());
            }
            assert!(ids.insert(r.id.uuid()), "duplicate id {}", r.id);
        }
    }

    #[test]
    fn same_seed_same_data_and_different_seed_different_data() {
        let a = default_data();
        assert_eq!(a, default_data());
        let other = generate(org(), &DemoOptions { seed: 7, ..DemoOptions::default() }, now());
        assert_ne!(a, other);
        assert_ne!(a.projects[0].id, other.projects[0].id);
        let other_org = generate(OrgId::from_uuid(uuid::Uuid::from_u128(2)), &DemoOptions::default(), now());
        assert_ne!(a.projects[0].id, other_org.projects[0].id);
        let content = |d: &DemoData| {
            let projects = d.projects.iter().map(|p| (p.fields.code.clone(), p.fields.name.clone(), p.fields.budget));
            let reports =
                d.status_reports.iter().map(|r| (r.fields.period_end, r.fields.overall, r.fields.summary.clone()));
            (projects.collect::<Vec<_>>(), reports.collect::<Vec<_>>())
        };
        assert_eq!(content(&a), content(&other_org), "the organisation changes IDs only");
    }

    #[test]
    fn every_record_validates_and_ids_are_unique_and_ordered() {
        let d = default_data();
        let mut ids = HashSet::new();
        check(&d.portfolios, &mut ids);
        check(&d.programmes, &mut ids);
        check(&d.projects, &mut ids);
        check(&d.status_reports, &mut ids);
        check(&d.milestones, &mut ids);
        check(&d.risks, &mut ids);
        check(&d.issues, &mut ids);
        check(&d.assumptions, &mut ids);
        check(&d.dependencies, &mut ids);
        check(&d.decisions, &mut ids);
        assert!(d.projects.windows(2).all(|w| w[0].id < w[1].id), "IDs sort in creation order");
        assert!(d.issues.iter().all(|i| i.fields.raised_on <= DemoOptions::default().today));
        assert!(d.decisions.iter().all(|x| (2..=3).contains(&x.fields.options.len())));
    }

    #[test]
    fn default_organisation_is_realistic_and_consistent() {
        let opts = DemoOptions::default();
        let d = default_data();
        assert_eq!(d.portfolios.len(), 3);
        assert_eq!(d.programmes.len(), 10);
        assert_eq!(d.projects.len(), 60);
        for s in WorkState::ALL {
            assert!(d.projects.iter().any(|p| p.fields.state == *s), "no {s} project");
        }
        assert!(d.risks.len() + d.issues.len() >= 200, "{} risks, {} issues", d.risks.len(), d.issues.len());
        assert!((30..=50).contains(&d.dependencies.len()));
        assert!(d.decisions.iter().filter(|x| x.fields.project_id.is_none()).count() == 5);

        let ports: HashSet<_> = d.portfolios.iter().map(|p| p.id).collect();
        let progs: HashMap<_, _> = d.programmes.iter().map(|p| (p.id, p.fields.portfolio_id)).collect();
        let projects: HashSet<_> = d.projects.iter().map(|p| p.id).collect();
        let milestones: HashMap<_, _> = d.milestones.iter().map(|m| (m.id, m.fields.project_id)).collect();
        let risks: HashSet<_> = d.risks.iter().map(|r| r.id.uuid()).collect();
        assert!(d.programmes.iter().all(|p| ports.contains(&p.fields.portfolio_id)));
        for p in &d.projects {
            assert!(ports.contains(&p.fields.portfolio_id));
            if let Some(prog) = p.fields.programme_id {
                assert_eq!(progs.get(&prog), Some(&p.fields.portfolio_id), "{} is in another portfolio", p.fields.code);
            }
            assert!(p.fields.planned_start < p.fields.planned_finish);
        }
        let standalone = d.projects.iter().filter(|p| p.fields.programme_id.is_none()).count();
        assert!((3..=18).contains(&standalone), "{standalone} projects outside programmes");
        let codes: HashSet<_> = d.projects.iter().map(|p| p.fields.code.as_str()).collect();
        assert_eq!(codes.len(), 60);
        assert!(codes.contains("PRJ-001") && codes.contains("PRJ-060"));

        let ids_ok = |id| projects.contains(&id);
        assert!(d.milestones.iter().all(|m| ids_ok(m.fields.project_id)));
        assert!(d.risks.iter().all(|m| ids_ok(m.fields.project_id)));
        assert!(d.issues.iter().all(|m| ids_ok(m.fields.project_id)));
        assert!(d.assumptions.iter().all(|m| ids_ok(m.fields.project_id)));
        assert!(d.decisions.iter().all(|m| m.fields.project_id.is_none_or(ids_ok)));
        for x in d.decisions.iter().flat_map(|x| &x.fields.links) {
            assert!(x.kind != EntityKind::Risk || risks.contains(&x.id));
        }
        for dep in &d.dependencies {
            let f = &dep.fields;
            assert!(ids_ok(f.project_id) && ids_ok(f.supplier_project_id) && f.project_id != f.supplier_project_id);
            assert!(f.milestone_id.is_none_or(|m| milestones.get(&m) == Some(&f.project_id)));
            assert!(f.supplier_milestone_id.is_none_or(|m| milestones.get(&m) == Some(&f.supplier_project_id)));
        }

        let mut periods = HashSet::new();
        let mut per_project: HashMap<_, usize> = HashMap::new();
        for r in &d.status_reports {
            let f = &r.fields;
            assert!(ids_ok(f.project_id) && periods.insert((f.project_id, f.period_end)));
            assert_eq!(f.period_end.weekday(), chrono::Weekday::Fri);
            assert!(f.period_end <= opts.today);
            if f.overall == Rag::Red {
                assert!(f.schedule == Rag::Red || f.cost == Rag::Red);
            }
            *per_project.entry(f.project_id).or_default() += 1;
        }
        let active: Vec<_> = d.projects.iter().filter(|p| p.fields.state == WorkState::Active).collect();
        let long = active.iter().filter(|p| per_project.get(&p.id).copied().unwrap_or(0) >= 40).count();
        assert!(long * 10 >= active.len() * 6, "{long} of {} active projects have 40+ weeks", active.len());
        let overall: HashSet<_> = d.status_reports.iter().map(|r| r.fields.overall).collect();
        assert_eq!(overall.len(), 3, "reports use every RAG");
    }

    #[test]
    fn scales_to_hundreds_of_projects_with_unique_codes() {
        let d = generate(org(), &DemoOptions { projects: 500, ..DemoOptions::default() }, now());
        assert_eq!(d.projects.len(), 500);
        assert_eq!(d.portfolios.len(), 3);
        let codes: HashSet<_> = d.projects.iter().map(|p| p.fields.code.as_str()).collect();
        assert_eq!(codes.len(), 500);
        assert!(codes.contains("PRJ-0001") && codes.contains("PRJ-0500"));
        let programme_codes: HashSet<_> = d.programmes.iter().map(|p| p.fields.code.as_str()).collect();
        assert_eq!(programme_codes.len(), d.programmes.len());
        assert!(d.projects.iter().all(|p| p.fields.validate().is_ok()));
    }

    #[test]
    fn tiny_and_empty_organisations_work() {
        for projects in [0, 1, 2, 7] {
            let d = generate(org(), &DemoOptions { projects, weeks_of_history: 3, ..DemoOptions::default() }, now());
            assert_eq!(d.projects.len(), projects);
            assert!(d.dependencies.iter().all(|x| x.fields.project_id != x.fields.supplier_project_id));
        }
    }

    /// Run with `cargo test --release -- --ignored --nocapture` to time a large organisation.
    #[test]
    #[ignore = "timing only"]
    fn five_thousand_projects_timing() {
        let start = std::time::Instant::now();
        let d = generate(org(), &DemoOptions { projects: 5000, ..DemoOptions::default() }, now());
        println!("5000 projects: {} reports, {} risks in {:?}", d.status_reports.len(), d.risks.len(), start.elapsed());
    }
}
