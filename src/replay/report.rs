//! The replay report: every strategy's figures, the routing curves and their metrics, segments,
//! the gray-release arms and the adaptive learning curve. Built here, rendered by
//! the output module (table, markdown, CSV, JSON, plot).

use serde::Serialize;

use crate::canary::Arm;
use crate::config::Config;
use crate::replay::metrics::{self, CurvePoint, GapMetrics};
use crate::replay::strategy::Kind;
use crate::replay::{BOOTSTRAP_BLOCKS, DEFAULT_REQUESTS_PER_YEAR, Dataset, Options, Replay, Run};
use crate::router::Strategy;

#[derive(Debug, Serialize)]
pub struct SimReport {
    pub files: Vec<String>,
    pub rows: usize,
    pub bad_rows: usize,
    pub empty_quality_cells: usize,
    pub quality_known: bool,
    pub models: Vec<ModelInfo>,
    pub baseline: String,
    /// Where the baseline comes from.
    pub baseline_source: String,
    pub cheapest: String,
    pub requests_per_year: f64,
    pub requests_per_year_source: &'static str,
    pub quotas_applied: bool,
    /// The cascade's judge error rate (the perfect self-check row is an upper bound).
    pub judge_error_rate: f64,
    pub cascade_threshold: f64,
    /// The cascade's data models, in order, and the consensus voters.
    pub cascade_models: Vec<String>,
    pub consensus_models: Vec<String>,
    /// Catalog model -> data model serving its decisions.
    pub serving: Vec<(String, String)>,
    pub strategies: Vec<Summary>,
    pub metrics: Metrics,
    /// Strategies left out, and why.
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Quality and cost of the adaptive router per tenth of the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptive_learning_curve: Option<Vec<CurveStep>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryReport>,
    #[serde(skip)]
    pub curves: Vec<Curve>,
}

/// A router's cost–quality curve.
#[derive(Debug, Clone)]
pub struct Curve {
    pub name: String,
    pub points: Vec<CurvePoint>,
    /// An outcome router's λ sweep over every model: `premium_share` is cost-equivalent.
    pub swept: bool,
}

#[derive(Debug, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub catalog: Option<String>,
    pub avg_cost: f64,
    pub quality: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Metrics {
    /// Between the cheapest model (weak) and the baseline (strong).
    pub weak: String,
    pub strong: String,
    pub routers: Vec<RouterMetrics>,
    /// RouterBench's zero router: the non-decreasing convex hull of the single models.
    pub zero_router_aiq: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct RouterMetrics {
    pub name: String,
    /// The curve's x-axis is the cost-equivalent premium share (a λ sweep over every model).
    pub cost_equivalent_share: bool,
    #[serde(flatten)]
    pub gap: GapMetrics,
    pub aiq: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct CanaryReport {
    pub strategy: String,
    pub share: f64,
    pub control_rows: usize,
    pub canary_rows: usize,
    pub control: Summary,
    pub canary: Summary,
}

#[derive(Debug, Serialize)]
pub struct Segment {
    pub segment: String,
    pub rows: usize,
    pub strategies: Vec<Summary>,
}

/// One strategy's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub name: String,
    /// The strategy's name in `--decisions`.
    pub key: String,
    /// An upper bound no deployment reaches (oracle, perfect self-check cascade).
    pub upper_bound: bool,
    /// A single-model row.
    #[serde(skip)]
    pub single: bool,
    /// The baseline's single-model row.
    #[serde(skip)]
    pub baseline: bool,
    pub avg_cost: f64,
    /// Mean quality over rows with a known quality; `None` when unknown.
    pub quality: Option<f64>,
    /// Share of requests on which the baseline model was called.
    pub premium_share: f64,
    pub annual_savings: f64,
    pub quota_fallbacks: usize,
    /// Requests refused because every quota was exhausted.
    pub refused: usize,
    /// Requests no model the strategy may use could serve (prompt longer than its context
    /// window); refused: no cost, quality 0.
    pub unservable: usize,
    /// Performance gap recovered between the cheapest model and the baseline.
    pub pgr: Option<f64>,
    /// Quality above (or below) the mix of single models at the same cost.
    pub delta_hull: Option<f64>,
    pub ci: Ci,
    /// Whether the table shows it (single models: the baseline and the cheapest, or all with
    /// `--all-models`); JSON and CSV list every strategy.
    #[serde(skip)]
    pub shown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ci {
    pub avg_cost: Option<(f64, f64)>,
    pub quality: Option<(f64, f64)>,
}

/// Quality and cost of a run per tenth of the log (the adaptive router's learning curve).
#[derive(Debug, Clone, Serialize)]
pub struct CurveStep {
    pub from_row: usize,
    pub to_row: usize,
    pub avg_cost: f64,
    pub quality: Option<f64>,
}

fn mean_finite(v: &[f64], rows: Option<&[usize]>) -> Option<f64> {
    let (mut s, mut c) = (0.0, 0usize);
    let mut add = |x: f64| {
        if x.is_finite() {
            s += x;
            c += 1;
        }
    };
    match rows {
        Some(rs) => rs.iter().for_each(|&r| add(v[r])),
        None => v.iter().for_each(|&x| add(x)),
    }
    (c > 0).then(|| s / c as f64)
}

/// Aggregates runs over `rows` (all rows when `None`).
pub fn summarize(
    replay: &Replay,
    ds: &Dataset,
    rows: Option<&[usize]>,
    requests_per_year: f64,
    bootstrap: usize,
    seed: u64,
) -> Vec<Summary> {
    let n = rows.map_or_else(|| replay.runs.first().map_or(0, |r| r.cost.len()), <[usize]>::len).max(1) as f64;
    let avg = |r: &Run| -> (f64, Option<f64>, f64) {
        let cost = mean_finite(&r.cost, rows).unwrap_or(0.0);
        let q = mean_finite(&r.quality, rows);
        let prem = match rows {
            Some(rs) => rs.iter().filter(|&&i| r.premium[i]).count(),
            None => r.premium.iter().filter(|&&p| p).count(),
        } as f64
            / n;
        (cost, q, prem)
    };
    let single: Vec<(f64, f64)> = replay
        .runs
        .iter()
        .filter(|r| matches!(r.kind, Kind::Single(_)))
        .map(avg)
        .filter_map(|(c, q, _)| q.map(|q| (c, q)))
        .collect();
    let h = metrics::hull(&single);
    let (base_cost, base_q) = replay.baseline_run().map_or((0.0, None), |b| {
        let (c, q, _) = avg(b);
        (c, q)
    });
    let cheapest_q = replay.cheapest_run().and_then(|r| avg(r).1);
    let one = |r: &Run| {
        let (cost, q, prem) = avg(r);
        let sub = |v: &[f64]| -> Vec<f64> {
            match rows {
                Some(rs) => rs.iter().map(|&i| v[i]).collect(),
                None => v.to_vec(),
            }
        };
        Summary {
            name: r.label.clone(),
            key: r.kind.key(ds),
            upper_bound: r.kind.upper_bound(),
            single: matches!(r.kind, Kind::Single(_)),
            baseline: r.kind == Kind::Single(replay.baseline),
            avg_cost: cost,
            quality: q,
            premium_share: prem,
            annual_savings: (base_cost - cost) * requests_per_year,
            // Counted over the whole log only.
            quota_fallbacks: if rows.is_some() { 0 } else { r.quota_fallbacks },
            refused: if rows.is_some() { 0 } else { r.refused },
            unservable: if rows.is_some() { 0 } else { r.unservable },
            pgr: match (q, cheapest_q, base_q) {
                (Some(q), Some(w), Some(s)) => metrics::pgr(q, w, s),
                _ => None,
            },
            delta_hull: q.and_then(|q| metrics::hull_at(&h, cost).map(|hq| q - hq)),
            ci: Ci {
                avg_cost: metrics::bootstrap_mean(&sub(&r.cost), bootstrap, seed, BOOTSTRAP_BLOCKS),
                quality: q
                    .and_then(|_| metrics::bootstrap_mean(&sub(&r.quality), bootstrap, seed ^ 1, BOOTSTRAP_BLOCKS)),
            },
            shown: r.shown,
        }
    };
    // The bootstrap is most of the work: runs are summarised on every core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(replay.runs.len()).max(1);
    let per = replay.runs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> =
            replay.runs.chunks(per).map(|part| s.spawn(|| part.iter().map(&one).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

pub fn learning_curve(run: &Run) -> Vec<CurveStep> {
    let n = run.cost.len();
    (0..10)
        .filter_map(|d| {
            let (a, b) = (d * n / 10, (d + 1) * n / 10);
            (b > a).then(|| {
                let rows: Vec<usize> = (a..b).collect();
                CurveStep {
                    from_row: a,
                    to_row: b,
                    avg_cost: mean_finite(&run.cost, Some(&rows)).unwrap_or(0.0),
                    quality: mean_finite(&run.quality, Some(&rows)),
                }
            })
        })
        .collect()
}

/// Threshold curves of the scoring strategies, between the cheapest model and the baseline.
pub fn curves(ds: &Dataset, replay: &Replay) -> Vec<Curve> {
    if !ds.quality_known {
        return Vec::new();
    }
    let (Some(strong), Some(weak)) = (replay.baseline_run(), replay.cheapest_run()) else { return Vec::new() };
    let (sc, sq) = (&strong.cost, &strong.quality);
    let (wc, wq) = (&weak.cost, &weak.quality);
    let n = ds.n();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n.max(1) as f64;
    let mut out = Vec::new();
    for r in &replay.runs {
        if let Some(score) = &r.score {
            let points = metrics::threshold_curve(score, (sc, sq), (wc, wq));
            out.push(Curve { name: r.label.clone(), points, swept: false });
        }
        if let Some(c) = &r.curve {
            // A λ sweep uses every model, so its x-axis is the cost-equivalent premium share
            // (cost − weak) / (strong − weak), which equals the premium share of a two-model
            // router. Closed at the all-baseline point, the strong end of every other curve.
            let (cw, cs) = (mean(wc), mean(sc));
            let share = |cost: f64| if cs > cw { ((cost - cw) / (cs - cw)).clamp(0.0, 1.0) } else { 0.0 };
            let mut pts: Vec<CurvePoint> =
                c.iter().map(|p| CurvePoint { premium_share: share(p.cost), ..*p }).collect();
            pts.sort_by(|a, b| a.premium_share.total_cmp(&b.premium_share).then(a.quality.total_cmp(&b.quality)));
            if pts.last().is_none_or(|p| p.premium_share < 1.0) {
                pts.push(CurvePoint { premium_share: 1.0, cost: cs, quality: mean(sq) });
            }
            out.push(Curve { name: format!("{} (λ swept)", r.label), points: pts, swept: true });
        }
    }
    // The random router's expected curve is the straight line between the two models.
    let line: Vec<CurvePoint> = (0..=20)
        .map(|i| {
            let s = f64::from(i) / 20.0;
            CurvePoint {
                premium_share: s,
                cost: mean(wc) + s * (mean(sc) - mean(wc)),
                quality: mean(wq) + s * (mean(sq) - mean(wq)),
            }
        })
        .collect();
    out.push(Curve { name: "random".to_string(), points: line, swept: false });
    // The oracle's curve: strong only where it helps, most helpful first.
    let gain: Vec<f64> = (0..n).map(|r| sq[r] - wq[r]).collect();
    let points = metrics::threshold_curve(&gain, (sc, sq), (wc, wq));
    out.push(Curve { name: "oracle".to_string(), points, swept: false });
    out
}

/// Builds the report of a replay.
pub fn build(files: &[std::path::PathBuf], ds: &Dataset, config: &Config, rp: &Replay, opt: &Options) -> SimReport {
    let n = ds.n();
    let (rpy, source) = requests_per_year(ds, opt);
    let strategies = summarize(rp, ds, None, rpy, opt.bootstrap, opt.seed);
    let curves = curves(ds, rp);
    let metrics = router_metrics(ds, rp, &curves);
    let segments = segments(ds, rp, rpy, opt);
    let baseline = ds.models[rp.baseline].name.clone();
    let baseline_source = baseline_source(config, rp, &baseline);
    SimReport {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        rows: n,
        bad_rows: ds.bad_rows.len(),
        empty_quality_cells: ds.empty_cells,
        quality_known: ds.quality_known,
        models: rp
            .candidates
            .iter()
            .map(|&m| ModelInfo {
                name: ds.models[m].name.clone(),
                catalog: ds.models[m].catalog.map(|c| config.models[c].name.clone()),
                avg_cost: ds.models[m].mean_cost,
                quality: ds.quality_known.then_some(ds.models[m].mean_quality),
            })
            .collect(),
        baseline,
        baseline_source,
        cheapest: ds.models[rp.cheapest].name.clone(),
        requests_per_year: rpy,
        requests_per_year_source: source,
        quotas_applied: rp.quotas_applied,
        judge_error_rate: rp.judge_error_rate,
        cascade_threshold: rp.cascade_threshold,
        cascade_models: rp.cascade_models.iter().map(|&m| ds.models[m].name.clone()).collect(),
        consensus_models: rp.consensus_voters.iter().map(|&m| ds.models[m].name.clone()).collect(),
        serving: config
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), ds.models[rp.serve[i]].name.clone()))
            .collect(),
        strategies,
        metrics,
        notes: rp.notes.clone(),
        segments,
        adaptive_learning_curve: rp.run(Kind::AdaptiveOnline).map(learning_curve),
        canary: None,
        curves,
    }
}

/// Requests a year, and where the figure comes from: the flag, the log's timestamp span, or the
/// design article's traffic.
fn requests_per_year(ds: &Dataset, opt: &Options) -> (f64, &'static str) {
    match (opt.requests_per_year, &ds.timestamps) {
        (Some(r), _) => (r, "--requests-per-year"),
        (None, Some(ts)) if !ts.is_empty() => {
            let (lo, hi) = (ts.iter().min().copied().unwrap_or(0), ts.iter().max().copied().unwrap_or(0));
            let span = ((hi - lo) as f64).max(86_400.0);
            (ds.n() as f64 * 365.25 * 86_400.0 / span, "timestamp span")
        }
        _ => (DEFAULT_REQUESTS_PER_YEAR, "the design article's ~11.7 M/year; no timestamps"),
    }
}

/// The routers' gap metrics and AIQ against the single models (when quality is known).
fn router_metrics(ds: &Dataset, rp: &Replay, curves: &[Curve]) -> Metrics {
    let single: Vec<(f64, f64)> = rp
        .candidates
        .iter()
        .filter_map(|&m| rp.run(Kind::Single(m)))
        .map(|r| (mean_finite(&r.cost, None).unwrap_or(0.0), mean_finite(&r.quality, None).unwrap_or(f64::NAN)))
        .collect();
    let (c_min, c_max) = single.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let q_of = |r: Option<&Run>| r.and_then(|r| mean_finite(&r.quality, None));
    let (qw, qs) = (q_of(rp.cheapest_run()), q_of(rp.baseline_run()));
    let routers = match (ds.quality_known, qw, qs) {
        (true, Some(qw), Some(qs)) => curves
            .iter()
            .map(|c| RouterMetrics {
                name: c.name.clone(),
                cost_equivalent_share: c.swept,
                gap: metrics::gap_metrics(&c.points, qw, qs),
                aiq: metrics::aiq(&c.points.iter().map(|p| (p.cost, p.quality)).collect::<Vec<_>>(), c_min, c_max),
            })
            .collect(),
        _ => Vec::new(),
    };
    Metrics {
        weak: ds.models[rp.cheapest].name.clone(),
        strong: ds.models[rp.baseline].name.clone(),
        routers,
        zero_router_aiq: if ds.quality_known { metrics::aiq(&single, c_min, c_max) } else { None },
    }
}

/// Each `--by` segment's summary, segments by name.
fn segments(ds: &Dataset, rp: &Replay, rpy: f64, opt: &Options) -> Vec<Segment> {
    let n = ds.n();
    match &ds.segments {
        Some((ids, names)) => {
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&x, &y| names[x].cmp(&names[y]));
            order
                .into_iter()
                .map(|s| {
                    let rows: Vec<usize> = (0..n).filter(|&r| ids[r] as usize == s).collect();
                    Segment {
                        segment: names[s].clone(),
                        rows: rows.len(),
                        strategies: summarize(
                            rp,
                            ds,
                            Some(&rows),
                            rpy * rows.len() as f64 / n as f64,
                            opt.bootstrap,
                            opt.seed,
                        ),
                    }
                })
                .collect()
        }
        None => Vec::new(),
    }
}

/// Where the baseline comes from, for the report.
fn baseline_source(config: &Config, rp: &Replay, baseline: &str) -> String {
    let premium = &config.models[rp.premium_catalog].name;
    if rp.baseline_from_flag {
        "--baseline".to_string()
    } else if *premium == baseline {
        format!("the catalog's premium model `{premium}`")
    } else {
        format!("serves the catalog's premium model `{premium}`")
    }
}

/// The gray release's arms: the chain on the control rows and the canary strategy on its rows,
/// both from the replayed gray release.
pub fn canary(config: &Config, ds: &Dataset, rp: &Replay, report: &SimReport, opt: &Options) -> Option<CanaryReport> {
    let c = config.canary.as_ref()?;
    let gray = rp.runs.iter().position(|r| r.kind == Kind::Router { strategy: Strategy::CHAIN, gray: true })?;
    let arms = rp.runs[gray].arms.as_ref()?;
    let (canary_rows, control_rows): (Vec<usize>, Vec<usize>) = (0..arms.len()).partition(|&i| arms[i] == Arm::Canary);
    let n = report.rows.max(1) as f64;
    let summary = |rows: &[usize], name: String| -> Option<Summary> {
        let rpy = report.requests_per_year * rows.len() as f64 / n;
        let mut s = summarize(rp, ds, Some(rows), rpy, opt.bootstrap, opt.seed).into_iter().nth(gray)?;
        s.name = name;
        Some(s)
    };
    Some(CanaryReport {
        strategy: c.strategy.as_str().to_string(),
        share: c.share,
        control: summary(&control_rows, "control: chain".to_string())?,
        canary: summary(&canary_rows, format!("canary: {}", c.strategy.as_str()))?,
        control_rows: control_rows.len(),
        canary_rows: canary_rows.len(),
    })
}
