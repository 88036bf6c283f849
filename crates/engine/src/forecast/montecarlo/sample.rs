//! Drawing durations: a counter-based random stream, the distributions as inverse CDFs, the
//! correlation copula and the batch sampler shared by both scheduling kernels.
//!
//! Every random number is a pure function of (seed, stream, iteration), so a run gives the same
//! numbers however its iterations are split into chunks and threads, and the sensitivity pass can
//! draw the same numbers again instead of storing them.

#![allow(clippy::needless_range_loop)] // lane loops index several arrays in step; they auto-vectorise

use std::collections::HashMap;

use super::{Distribution, Estimate};

/// Iterations per lane batch: rows of `[f32; L]` auto-vectorise.
pub(super) const L: usize = 16;
/// Largest sampled duration or risk impact, in minutes (2^22 - 1: integers stay exact in `f32`
/// and the rounding trick below holds).
pub(super) const MAX_DRAW: f32 = 4_194_303.0;
/// Intervals of a PERT inverse-CDF table.
const TABLE: usize = 256;

/// Rounds `x` in `0..2^22` to the nearest integer (ties to even), exactly and vectorisably.
#[inline(always)]
pub(super) fn rint(x: f32) -> f32 {
    (x + 12_582_912.0) - 12_582_912.0
}

/// Work whose lane loops should run on the widest vector instructions the CPU has; see [`wide`].
/// `run` must be `#[inline(always)]`, and so must what it calls in its hot loops: code is compiled
/// for the wider instructions only where it is inlined into the dispatched function.
pub(super) trait Wide {
    type Out;
    fn run(self) -> Self::Out;
}

/// Runs `w` with the widest vector instructions the CPU has (AVX2 and FMA on x86-64 when present,
/// detected once), through `pulp`'s safe dispatch, so the lane loops auto-vectorise 8 lanes wide
/// instead of SSE2's 4 (and 32-bit multiplies are one instruction). Results are the same bit for
/// bit on every path: the lane code uses only IEEE add, multiply, divide, square root, compare and
/// select, and Rust never fuses a multiply and an add.
#[inline(always)]
pub(super) fn wide<W: Wide>(w: W) -> W::Out {
    struct D<W>(W);
    impl<W: Wide> pulp::WithSimd for D<W> {
        type Output = W::Out;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> W::Out {
            self.0.run()
        }
    }
    pulp::Arch::new().dispatch(D(w))
}

/// `max` as one vector instruction (`maxps`): the larger of `a` and `b`, `b` when they tie. The
/// values here are never NaN, so it agrees with `f32::max`, whose NaN rule costs extra instructions.
#[inline(always)]
pub(super) fn mx(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// `min` as one vector instruction (`minps`); see [`mx`].
#[inline(always)]
pub(super) fn mn(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// Clamps a draw to `0..=MAX_DRAW` and rounds it to whole minutes.
#[inline(always)]
fn whole(x: f32) -> f32 {
    rint(mn(mx(x, 0.0), MAX_DRAW))
}

/// SplitMix64 finaliser.
pub(super) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A keyed stream of uniforms indexed by iteration.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stream {
    k1: u32,
    k2: u32,
}

impl Stream {
    /// Stream `id` of a run seeded with `seed`.
    pub(super) fn new(seed: u64, id: u64) -> Stream {
        let z = splitmix(seed ^ splitmix(id));
        Stream { k1: z as u32, k2: (z >> 32) as u32 }
    }

    /// Uniforms of iterations `base..base + L`. Iteration `i`'s is in (0, 1) with 24 random bits:
    /// `lowbias32` (two multiply-xorshift rounds, a full-avalanche bijection) of the iteration
    /// offset by the stream's key. Two streams are the same sequence shifted by the difference of their random
    /// 32-bit keys, so at one iteration their values are as unrelated as the sequence's values far
    /// apart.
    #[inline(always)]
    pub(super) fn lanes(self, base: u32, out: &mut [f32; L]) {
        // One broadcast plus a constant lane offset, so the index vector is a single add.
        const IOTA: [u32; L] = {
            let mut a = [0u32; L];
            let mut j = 0;
            while j < L {
                a[j] = j as u32;
                j += 1;
            }
            a
        };
        let b = base.wrapping_add(self.k1);
        for j in 0..L {
            let mut x = b.wrapping_add(IOTA[j]) ^ self.k2;
            x ^= x >> 16;
            x = x.wrapping_mul(0x7feb_352d);
            x ^= x >> 15;
            x = x.wrapping_mul(0x846c_a68b);
            x ^= x >> 16;
            out[j] = ((x >> 8) as i32 as f32 + 0.5) * (1.0 / 16_777_216.0);
        }
    }
}

/// Stream ids: task durations, risk occurrences and risk impacts never share one.
pub(super) fn task_stream(seed: u64, t: usize) -> Stream {
    Stream::new(seed, (t as u64) << 2)
}
pub(super) fn risk_occ_stream(seed: u64, r: usize) -> Stream {
    Stream::new(seed, ((r as u64) << 2) | 1)
}
pub(super) fn risk_impact_stream(seed: u64, r: usize) -> Stream {
    Stream::new(seed, ((r as u64) << 2) | 2)
}

/// Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).
pub(super) fn norm_inv(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let lo = 0.02425;
    if p < lo {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - lo {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Standard normal CDF (complementary error function, fractional error below 1.2e-7).
pub(super) fn norm_cdf(x: f64) -> f64 {
    let z = (x / std::f64::consts::SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { 1.0 - 0.5 * r } else { 0.5 * r }
}

/// How one quantity is drawn, compiled from an [`Estimate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Draw {
    /// Always `lo`.
    Fixed { lo: f32 },
    /// `lo + span * u`.
    Uniform { lo: f32, span: f32 },
    /// Triangular with the mode at `lo + span * c`.
    Triangular { lo: f32, span: f32, c: f32, sc: f32, s1c: f32 },
    /// PERT-beta through inverse-CDF table `table`.
    Pert { lo: f32, span: f32, table: u32 },
    /// Lognormal with median `median`, log-sd `sigma`, never below `lo` nor above `hi`.
    LogNormal { lo: f64, median: f64, sigma: f64, hi: f64 },
}

impl Draw {
    /// Compiles `e` scaled by `scale` (remaining over planned duration for a started task).
    pub(super) fn new(e: &Estimate, scale: f64, tables: &mut Tables) -> Draw {
        let o = e.optimistic_minutes as f64 * scale;
        let m = e.most_likely_minutes as f64 * scale;
        let p = e.pessimistic_minutes as f64 * scale;
        let span = p - o;
        if span <= 0.0 {
            return Draw::Fixed { lo: o as f32 };
        }
        let c = ((m - o) / span).clamp(0.0, 1.0);
        match e.distribution {
            Distribution::Uniform => Draw::Uniform { lo: o as f32, span: span as f32 },
            Distribution::Triangular => {
                let c = c as f32;
                Draw::Triangular { lo: o as f32, span: span as f32, c, sc: c, s1c: 1.0 - c }
            }
            Distribution::Pert => Draw::Pert { lo: o as f32, span: span as f32, table: tables.pert(c) },
            Distribution::LogNormal => {
                if m <= 0.0 || p <= m {
                    return Draw::Fixed { lo: m as f32 };
                }
                let hi = (20.0 * p).min(f64::from(MAX_DRAW));
                Draw::LogNormal { lo: o, median: m, sigma: (p / m).ln() / 1.281_551_565_544_6, hi }
            }
        }
    }

    /// Quantities for uniforms `u`, rounded to whole minutes and clamped to `0..=MAX_DRAW`.
    #[inline(always)]
    pub(super) fn lanes(&self, u: &[f32; L], tables: &Tables, out: &mut [f32; L]) {
        match *self {
            Draw::Fixed { lo } => {
                let v = rint(lo.clamp(0.0, MAX_DRAW));
                *out = [v; L];
            }
            Draw::Uniform { lo, span } => {
                for j in 0..L {
                    out[j] = whole(lo + span * u[j]);
                }
            }
            Draw::Triangular { lo, span, c, sc, s1c } => triangular(lo, span, c, sc, s1c, u, out),
            Draw::Pert { lo, span, table } => {
                let tab = &tables.pert[table as usize];
                for j in 0..L {
                    let x = u[j] * TABLE as f32;
                    let i = (x as usize).min(TABLE - 1);
                    let f = x - i as f32;
                    let q = tab[i] + f * (tab[i + 1] - tab[i]);
                    out[j] = whole(lo + span * q);
                }
            }
            Draw::LogNormal { lo, median, sigma, hi } => {
                for j in 0..L {
                    let v = (median * (sigma * norm_inv(f64::from(u[j]))).exp()).clamp(lo, hi);
                    out[j] = whole(v as f32);
                }
            }
        }
    }

    /// Whether the drawn value varies.
    pub(super) fn varies(&self) -> bool {
        !matches!(self, Draw::Fixed { .. })
    }

    /// Smallest value this draw can give.
    pub(super) fn min(&self) -> f32 {
        match *self {
            Draw::Fixed { lo } | Draw::Uniform { lo, .. } | Draw::Triangular { lo, .. } | Draw::Pert { lo, .. } => {
                rint(lo.clamp(0.0, MAX_DRAW))
            }
            Draw::LogNormal { lo, .. } => rint((lo as f32).clamp(0.0, MAX_DRAW)),
        }
    }

    /// Largest value this draw can give.
    pub(super) fn max(&self) -> f32 {
        match *self {
            Draw::Fixed { lo } => rint(lo.clamp(0.0, MAX_DRAW)),
            Draw::Uniform { lo, span } | Draw::Triangular { lo, span, .. } | Draw::Pert { lo, span, .. } => {
                rint((lo + span).clamp(0.0, MAX_DRAW))
            }
            Draw::LogNormal { hi, .. } => rint((hi as f32).clamp(0.0, MAX_DRAW)),
        }
    }
}

/// Triangular quantities for uniforms `u` (see [`Draw::Triangular`]).
#[inline(always)]
pub(super) fn triangular(lo: f32, span: f32, c: f32, sc: f32, s1c: f32, u: &[f32; L], out: &mut [f32; L]) {
    for j in 0..L {
        // One square root per draw: the branch picks its argument, and `|o - r|` its sign (`r`
        // below the mode, `1 - r` above, as `r <= 1`). Written as `if low { r } else { 1 - r }`
        // the compiler threads the two branches on `low` into one and computes both square
        // roots (twice the `vsqrtps` per draw).
        let low = u[j] < c;
        let r = (if low { u[j] * sc } else { (1.0 - u[j]) * s1c }).sqrt();
        let o = if low { 0.0 } else { 1.0 };
        let q = (o - r).abs();
        out[j] = whole(lo + span * q);
    }
}

/// A task drawn from a plain triangular (no correlation group, risk or progress): the common case,
/// sampled in one tight loop.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tri {
    pub t: u32,
    stream: Stream,
    lo: f32,
    span: f32,
    c: f32,
    sc: f32,
    s1c: f32,
}

impl Tri {
    /// The task's durations for iterations `base..base + L`.
    #[inline(always)]
    pub(super) fn draw(&self, base: u32, out: &mut [f32; L]) {
        let mut u = [0f32; L];
        self.stream.lanes(base, &mut u);
        triangular(self.lo, self.span, self.c, self.sc, self.s1c, &u, out);
    }
}

/// PERT inverse-CDF tables, one per distinct mode position.
#[derive(Debug, Clone, Default)]
pub(super) struct Tables {
    pert: Vec<[f32; TABLE + 1]>,
    by_c: HashMap<u64, u32>,
}

impl Tables {
    /// The table of the PERT-beta with the mode at `c` in 0..=1 (alpha = 1 + 4c, beta = 1 + 4(1-c)).
    fn pert(&mut self, c: f64) -> u32 {
        if let Some(&ix) = self.by_c.get(&c.to_bits()) {
            return ix;
        }
        let (a, b) = (1.0 + 4.0 * c, 1.0 + 4.0 * (1.0 - c));
        // CDF on a fine grid by the trapezoid rule, then inverted by linear interpolation.
        const G: usize = 8192;
        let dens = |x: f64| x.powf(a - 1.0) * (1.0 - x).powf(b - 1.0);
        let mut cdf = vec![0.0f64; G + 1];
        let mut prev = dens(0.0);
        for k in 1..=G {
            let x = k as f64 / G as f64;
            let d = dens(x);
            cdf[k] = cdf[k - 1] + 0.5 * (prev + d) / G as f64;
            prev = d;
        }
        let total = cdf[G];
        let mut tab = [0f32; TABLE + 1];
        let mut k = 0;
        for (i, slot) in tab.iter_mut().enumerate() {
            let target = i as f64 / TABLE as f64 * total;
            while k < G && cdf[k + 1] < target {
                k += 1;
            }
            let (c0, c1) = (cdf[k], cdf[(k + 1).min(G)]);
            let f = if c1 > c0 { ((target - c0) / (c1 - c0)).clamp(0.0, 1.0) } else { 0.0 };
            *slot = ((k as f64 + f) / G as f64).clamp(0.0, 1.0) as f32;
        }
        tab[0] = 0.0;
        tab[TABLE] = 1.0;
        let ix = self.pert.len() as u32;
        self.pert.push(tab);
        self.by_c.insert(c.to_bits(), ix);
        ix
    }
}

/// A correlation group compiled for the copula: `z_i = a * e_i + beta * sum(e)`, which gives every
/// pair of members the normal correlation `r` (chosen so the rank correlation is the one asked for).
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub members: Vec<u32>,
    pub a: f64,
    pub beta: f64,
}

impl Group {
    /// Compiles a group of `k` members with Spearman rank correlation `rho`; `None` when no valid
    /// equicorrelated normal exists (`rho` below `-1/(k-1)`).
    pub(super) fn new(members: Vec<u32>, rho: f64) -> Option<Group> {
        let k = members.len() as f64;
        // Spearman rho of a Gaussian copula is (6/pi) asin(r/2): invert it.
        let r = 2.0 * (std::f64::consts::PI * rho / 6.0).sin();
        let disc = (1.0 - r) + k * r;
        if disc < -1e-12 || r >= 1.0 {
            return None;
        }
        let a = (1.0 - r).max(0.0).sqrt();
        let beta = (-a + disc.max(0.0).sqrt()) / k;
        Some(Group { members, a, beta })
    }
}

/// Everything the sampler reads, compiled once per run.
#[derive(Debug, Clone)]
pub(super) struct Model {
    /// Per task: its duration stream ([`task_stream`]), keyed once.
    pub streams: Vec<Stream>,
    /// Per risk: its occurrence and impact streams.
    pub risk_streams: Vec<(Stream, Stream)>,
    /// Per task: how its (remaining) duration is drawn; `None` for tasks that keep their duration.
    pub draws: Vec<Option<Draw>>,
    /// Per task: minutes of the planned duration already done (started tasks), added to the draw.
    pub done: Vec<f32>,
    /// Per task: the planned duration used when the task is not drawn.
    pub planned: Vec<f32>,
    /// Per task: correlation group, `u32::MAX` when none.
    pub group_of: Vec<u32>,
    pub groups: Vec<Group>,
    pub tables: Tables,
    /// Risks: probability, impact draw, linked tasks, cost.
    pub risks: Vec<RiskModel>,
    /// Task -> risks affecting it (CSR).
    pub risk_off: Vec<u32>,
    pub risk_ix: Vec<u32>,
    /// Cost: fixed part, and per drawn task the cost per minute of duration.
    pub cost_fixed: f64,
    pub cost_rate: Vec<(u32, f64)>,
    pub has_cost: bool,
    /// Tasks drawn from a plain triangular, and the other tasks the sampler writes (set by
    /// [`Model::split`]).
    pub tri: Vec<Tri>,
    pub rest: Vec<u32>,
}

/// A risk event compiled.
#[derive(Debug, Clone)]
pub(super) struct RiskModel {
    pub probability: f32,
    pub impact: Draw,
    pub cost: f64,
}

/// One batch of drawn quantities for `L` consecutive iterations.
#[derive(Debug, Clone)]
pub(super) struct Batch {
    /// First iteration.
    pub base: u32,
    /// Per task: duration in working minutes (planned for tasks not drawn).
    pub dur: Vec<[f32; L]>,
    /// Per risk: impact in minutes, 0 where it does not occur.
    pub risk: Vec<[f32; L]>,
    /// Cost at completion of each iteration.
    pub cost: [f64; L],
    /// Scratch: group sums of normals.
    gsum: Vec<[f64; L]>,
    /// The kernel draws the [`Model::tri`] tasks itself (their rows of `dur` are not written).
    pub fused: bool,
}

impl Model {
    /// Sorts the tasks into [`Model::tri`] and [`Model::rest`]; call once the model is built.
    pub(super) fn split(&mut self) {
        self.tri.clear();
        self.rest.clear();
        for (t, draw) in self.draws.iter().enumerate() {
            let has_risk = self.risk_off[t] != self.risk_off[t + 1];
            match *draw {
                Some(Draw::Triangular { lo, span, c, sc, s1c })
                    if !has_risk && self.done[t] == 0.0 && self.group_of[t] == u32::MAX =>
                {
                    self.tri.push(Tri { t: t as u32, stream: self.streams[t], lo, span, c, sc, s1c });
                }
                Some(_) => self.rest.push(t as u32),
                None if has_risk => self.rest.push(t as u32),
                None => {}
            }
        }
    }

    /// An empty batch sized for this model.
    pub(super) fn batch(&self) -> Batch {
        Batch {
            base: 0,
            dur: self.planned.iter().map(|&p| [p; L]).collect(),
            risk: vec![[0.0; L]; self.risks.len()],
            cost: [0.0; L],
            gsum: vec![[0.0; L]; self.groups.len()],
            fused: false,
        }
    }

    /// Group sums of the members' normals for iterations `base..base + L`.
    #[inline(always)]
    pub(super) fn group_sums(&self, base: u32, gsum: &mut [[f64; L]]) {
        let mut u = [0f32; L];
        for (g, grp) in self.groups.iter().enumerate() {
            let mut s = [0f64; L];
            for &t in &grp.members {
                self.streams[t as usize].lanes(base, &mut u);
                for j in 0..L {
                    s[j] += norm_inv(f64::from(u[j]));
                }
            }
            gsum[g] = s;
        }
    }

    /// The uniforms that drive task `t`'s duration draw (after the copula for a correlated task).
    #[inline(always)]
    pub(super) fn task_uniforms(&self, t: usize, base: u32, gsum: &[[f64; L]], u: &mut [f32; L]) {
        self.streams[t].lanes(base, u);
        let g = self.group_of[t];
        if g != u32::MAX {
            let grp = &self.groups[g as usize];
            let s = &gsum[g as usize];
            for j in 0..L {
                let z = grp.a * norm_inv(f64::from(u[j])) + grp.beta * s[j];
                u[j] = (norm_cdf(z) as f32).clamp(1.0 / 16_777_216.0, 1.0 - 1.0 / 16_777_216.0);
            }
        }
    }

    /// Risk occurrences (1.0 or 0.0) for iterations `base..base + L`.
    #[inline(always)]
    pub(super) fn risk_occurs(&self, r: usize, base: u32, occ: &mut [f32; L]) {
        let mut u = [0f32; L];
        self.risk_streams[r].0.lanes(base, &mut u);
        let p = self.risks[r].probability;
        for j in 0..L {
            occ[j] = if u[j] < p { 1.0 } else { 0.0 };
        }
    }

    /// Draws iterations `base..base + L` into `b`.
    pub(super) fn sample(&self, base: u32, b: &mut Batch) {
        struct Op<'a>(&'a Model, u32, &'a mut Batch);
        impl Wide for Op<'_> {
            type Out = ();
            #[inline(always)]
            fn run(self) {
                self.0.sample_lanes(self.1, self.2);
            }
        }
        wide(Op(self, base, b));
    }

    #[inline(always)]
    fn sample_lanes(&self, base: u32, b: &mut Batch) {
        b.base = base;
        if !self.groups.is_empty() {
            let mut gs = std::mem::take(&mut b.gsum);
            self.group_sums(base, &mut gs);
            b.gsum = gs;
        }
        let mut u = [0f32; L];
        let mut occ = [0f32; L];
        let mut cost = [self.cost_fixed; L];
        for (r, rm) in self.risks.iter().enumerate() {
            self.risk_occurs(r, base, &mut occ);
            self.risk_streams[r].1.lanes(base, &mut u);
            let mut imp = [0f32; L];
            rm.impact.lanes(&u, &self.tables, &mut imp);
            for j in 0..L {
                b.risk[r][j] = imp[j] * occ[j];
                cost[j] += rm.cost * f64::from(occ[j]);
            }
        }
        if !b.fused {
            for x in &self.tri {
                x.draw(base, &mut b.dur[x.t as usize]);
            }
        }
        for &t in &self.rest {
            let t = t as usize;
            let has_risk = self.risk_off[t] != self.risk_off[t + 1];
            let Some(draw) = &self.draws[t] else {
                // Not drawn, but delayed by a risk.
                b.dur[t] = [self.planned[t]; L];
                self.add_risks(t, b);
                continue;
            };
            let mut d = [0f32; L];
            if draw.varies() {
                self.task_uniforms(t, base, &b.gsum, &mut u);
            }
            draw.lanes(&u, &self.tables, &mut d);
            let done = self.done[t];
            for j in 0..L {
                d[j] += done;
            }
            b.dur[t] = d;
            if has_risk {
                self.add_risks(t, b);
            }
        }
        for &(t, rate) in &self.cost_rate {
            let d = &b.dur[t as usize];
            for j in 0..L {
                cost[j] += rate * f64::from(d[j]);
            }
        }
        b.cost = cost;
    }

    #[inline(always)]
    fn add_risks(&self, t: usize, b: &mut Batch) {
        for k in self.risk_off[t]..self.risk_off[t + 1] {
            let r = self.risk_ix[k as usize] as usize;
            for j in 0..L {
                b.dur[t][j] += b.risk[r][j];
            }
        }
    }
}
