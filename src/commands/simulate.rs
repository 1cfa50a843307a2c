//! `llmroute simulate`: the savings table.

use serde::Serialize;

use crate::cli::{InputArgs, ReportFormat, SimulateArgs};
use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output;
use crate::replay::metrics::{self, CurvePoint, GapMetrics};
use crate::replay::{self, Dataset, Options, Replay, Spec, Summary};
use crate::router::Engine;

#[derive(Debug, Serialize)]
pub struct SimReport {
    pub files: Vec<String>,
    pub rows: usize,
    pub bad_rows: usize,
    pub empty_quality_cells: usize,
    pub quality_known: bool,
    pub models: Vec<ModelInfo>,
    pub baseline: String,
    pub cheapest: String,
    pub requests_per_year: f64,
    pub requests_per_year_source: &'static str,
    pub quotas_applied: bool,
    /// Catalog model -> data model serving its decisions.
    pub serving: Vec<(String, String)>,
    pub strategies: Vec<Summary>,
    pub metrics: Metrics,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Quality and cost of the adaptive router per tenth of the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptive_learning_curve: Option<Vec<replay::CurveStep>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<CanaryReport>,
    #[serde(skip)]
    pub curves: Vec<(String, Vec<CurvePoint>)>,
}

#[derive(Debug, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub catalog: Option<String>,
    pub avg_cost: f64,
    pub quality: f64,
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

/// `--map data_name=catalog_name` arguments as (data name, catalog name) pairs.
pub fn split_map(map: &[String]) -> Result<Vec<(String, String)>> {
    map.iter()
        .map(|m| {
            let (d, c) = m
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("--map `{m}`: write it as data_name=catalog_name")))?;
            Ok((d.to_string(), c.to_string()))
        })
        .collect()
}

pub fn spec_from(input: &InputArgs, by: Option<&str>) -> Result<Spec> {
    let map = split_map(&input.map)?;
    Ok(Spec {
        format: input.input_format,
        text: input.text_col.clone(),
        quality: match &input.quality_col_suffix {
            Some(s) => format!("{{model}}{s}"),
            None => input.quality.clone(),
        },
        cost: input.cost.clone(),
        response: input.response.clone(),
        models: input.models.clone(),
        long: input.long.then(|| (input.id_col.clone(), input.model_col.clone())),
        timestamp: input.timestamp_col.clone(),
        by: by.map(str::to_string),
        label: input.label_col.clone(),
        input_tokens: input.input_tokens_col.clone(),
        output_tokens: input.output_tokens_col.clone(),
        map,
        skip_bad: input.skip_bad,
    })
}

pub fn run(ctx: &Context, a: &SimulateArgs) -> Result<()> {
    let config = ctx.config()?;
    if !(0.0..=1.0).contains(&a.evaluator_error_rate) {
        return Err(Error::Usage(format!("--evaluator-error-rate {} is outside 0..=1", a.evaluator_error_rate)));
    }
    let spec = spec_from(&a.input, a.by.as_deref())?;
    let prices = crate::prices::load(a.input.prices.as_deref())?;
    let ds = replay::dataset::load(&a.files, &spec, &config, &prices)?;
    let engine = Engine::new(&config, a.model.as_deref())?;
    let threads = a.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opt = Options {
        candidates: a.candidates.clone(),
        baseline: a.baseline.clone(),
        all_models: a.all_models,
        requests_per_day: a.requests_per_day,
        requests_per_year: a.requests_per_year,
        cascade_threshold: a.cascade_threshold,
        cascade_models: a.cascade_models.clone(),
        max_attempts: a.max_attempts,
        evaluator_error_rate: a.evaluator_error_rate,
        consensus_models: a.consensus_models.clone(),
        consensus_n: a.consensus_n,
        bootstrap: a.bootstrap,
        seed: a.seed,
        threads,
    };
    let rp = replay::simulate(&ds, &config, &engine, &opt)?;
    let mut report = build_report(&a.files, &ds, &config, &rp, &opt);
    if a.canary {
        report.canary = Some(canary_report(&config, &rp, &report, &opt)?);
    }
    if let Some(p) = &a.plot {
        crate::output::plot::draw(p, &report)?;
    }
    match a.format {
        ReportFormat::Json => output::print_json(&report)?,
        ReportFormat::Csv => output::print(&render_csv(&report))?,
        ReportFormat::Table => output::print(&render_table(&report, false))?,
        ReportFormat::Markdown => output::print(&render_table(&report, true))?,
    }
    if !ds.bad_rows.is_empty() {
        return Err(Error::Partial(format!("{} bad row(s) skipped", ds.bad_rows.len())));
    }
    Ok(())
}

/// Splits the rows by the canary hash of their position in the log.
fn canary_report(config: &Config, rp: &Replay, report: &SimReport, opt: &Options) -> Result<CanaryReport> {
    let c = config.canary.as_ref().ok_or_else(|| {
        Error::Usage("--canary needs a `[canary]` section (strategy, share) in the configuration".to_string())
    })?;
    let name = match c.strategy {
        crate::config::CanaryStrategy::Rules => "rules",
        crate::config::CanaryStrategy::Difficulty => "difficulty",
        crate::config::CanaryStrategy::Ml => "ml",
        crate::config::CanaryStrategy::Adaptive => "adaptive (learns online)",
    };
    let n = report.rows;
    let (canary_rows, control_rows): (Vec<usize>, Vec<usize>) =
        (0..n).partition(|i| crate::canary::arm(&i.to_string(), c.share) == "canary");
    let pick = |rows: &[usize], strategy: &str| -> Result<Summary> {
        let scale = rows.len() as f64 / n.max(1) as f64;
        replay::summarize(rp, Some(rows), report.requests_per_year * scale, opt.bootstrap, opt.seed)
            .into_iter()
            .find(|s| s.name == strategy)
            .ok_or_else(|| {
                Error::Usage(format!("the canary strategy `{strategy}` did not run (an ML canary needs --model)"))
            })
    };
    Ok(CanaryReport {
        strategy: name.to_string(),
        share: c.share,
        control: pick(&control_rows, "chain")?,
        canary: pick(&canary_rows, name)?,
        control_rows: control_rows.len(),
        canary_rows: canary_rows.len(),
    })
}

fn build_report(files: &[String], ds: &Dataset, config: &Config, rp: &Replay, opt: &Options) -> SimReport {
    let n = ds.n();
    let (rpy, source) = match (opt.requests_per_year, &ds.timestamps) {
        (Some(r), _) => (r, "--requests-per-year"),
        (None, Some(ts)) if !ts.is_empty() => {
            let (lo, hi) = (ts.iter().min().copied().unwrap_or(0), ts.iter().max().copied().unwrap_or(0));
            let span = ((hi - lo) as f64).max(86_400.0);
            (n as f64 * 365.25 * 86_400.0 / span, "timestamp span")
        }
        _ => (replay::DEFAULT_REQUESTS_PER_YEAR, "the article's ~11.7 M/year; no timestamps"),
    };
    let strategies = replay::summarize(rp, None, rpy, opt.bootstrap, opt.seed);
    let curves = replay::curves(ds, rp);
    let single: Vec<(f64, f64)> =
        rp.candidates.iter().map(|&m| (ds.models[m].mean_cost, ds.models[m].mean_quality)).collect();
    let (c_min, c_max) = single.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let (qw, qs) = (ds.models[rp.cheapest].mean_quality, ds.models[rp.baseline].mean_quality);
    let routers = if ds.quality_known {
        curves
            .iter()
            .map(|(name, pts)| {
                let mut hull_pts = single.clone();
                hull_pts.extend(pts.iter().map(|p| (p.cost, p.quality)));
                RouterMetrics {
                    name: name.clone(),
                    gap: metrics::gap_metrics(pts, qw, qs),
                    aiq: metrics::aiq(&pts.iter().map(|p| (p.cost, p.quality)).collect::<Vec<_>>(), c_min, c_max),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let segments = match &ds.segments {
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
                        strategies: replay::summarize(
                            rp,
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
    };
    SimReport {
        files: files.to_vec(),
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
                quality: ds.models[m].mean_quality,
            })
            .collect(),
        baseline: ds.models[rp.baseline].name.clone(),
        cheapest: ds.models[rp.cheapest].name.clone(),
        requests_per_year: rpy,
        requests_per_year_source: source,
        quotas_applied: rp.quotas_applied,
        serving: config
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), ds.models[rp.serve[i]].name.clone()))
            .collect(),
        strategies,
        metrics: Metrics {
            weak: ds.models[rp.cheapest].name.clone(),
            strong: ds.models[rp.baseline].name.clone(),
            routers,
            zero_router_aiq: if ds.quality_known { metrics::aiq(&single, c_min, c_max) } else { None },
        },
        segments,
        adaptive_learning_curve: rp.runs.iter().find(|r| r.kind == "adaptive").map(replay::learning_curve),
        canary: None,
        curves,
    }
}

/// `12,345,678`.
pub fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg { format!("-{out}") } else { out }
}

fn money_year(x: f64) -> String {
    if x < 0.0 { format!("-${}", thousands(-x)) } else { format!("${}", thousands(x)) }
}

fn quality_cell(s: &Summary) -> String {
    match (s.quality, s.ci.quality) {
        (Some(q), Some((lo, hi))) => format!("{q:.4} [{lo:.4}, {hi:.4}]"),
        (Some(q), None) => format!("{q:.4}"),
        (None, _) => "unknown".to_string(),
    }
}

fn opt4(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.4}"))
}

fn strategy_table(r: &SimReport, rows: &[Summary], markdown: bool) -> String {
    let mut header =
        vec!["strategy", "avg cost/request", "quality [95% CI]", "premium share", "annual savings", "Δ hull"];
    if r.quotas_applied {
        header.push("quota fallbacks");
    }
    let mut t = output::table(header);
    if markdown {
        t.load_style(comfy_table::presets::ASCII_MARKDOWN);
    }
    for s in rows.iter().filter(|s| s.shown) {
        let name =
            if s.name == format!("all {}", r.baseline) { format!("{} (baseline)", s.name) } else { s.name.clone() };
        let mut cells = vec![
            name,
            output::usd(s.avg_cost, 6),
            quality_cell(s),
            format!("{:.1} %", s.premium_share * 100.0),
            money_year(s.annual_savings),
            s.delta_hull.map_or("-".to_string(), |d| format!("{d:+.4}")),
        ];
        if r.quotas_applied {
            cells.push(s.quota_fallbacks.to_string());
        }
        t.add_row(cells);
    }
    output::align_right(&mut t, &[1, 3, 4, 5, 6]);
    format!("{t}\n")
}

fn render_table(r: &SimReport, markdown: bool) -> String {
    let mut s = String::new();
    let models: Vec<String> = r
        .models
        .iter()
        .map(|m| match &m.catalog {
            Some(c) if *c != m.name => format!("{} (= {c})", m.name),
            _ => m.name.clone(),
        })
        .collect();
    s.push_str(&format!("replay     {} rows from {}\n", r.rows, r.files.join(", ")));
    s.push_str(&format!("models     {}\n", models.join(", ")));
    s.push_str(&format!(
        "baseline   all {} · savings at {} requests/year ({})\n",
        r.baseline,
        thousands(r.requests_per_year),
        r.requests_per_year_source
    ));
    if !r.quality_known {
        s.push_str("quality    unknown: the log has no outcome columns and no labels; costs only\n");
    } else if r.empty_quality_cells > 0 {
        s.push_str(&format!("quality    {} empty quality cells scored 0 (no usable answer)\n", r.empty_quality_cells));
    }
    if r.quotas_applied {
        s.push_str("quotas     daily quotas applied (router rows; see quota fallbacks)\n");
    }
    if r.bad_rows > 0 {
        s.push_str(&format!("skipped    {} bad rows\n", r.bad_rows));
    }
    s.push('\n');
    s.push_str(&strategy_table(r, &r.strategies, markdown));
    if !r.metrics.routers.is_empty() {
        s.push_str(&format!("\nrouting curves between {} (weak) and {} (strong)\n", r.metrics.weak, r.metrics.strong));
        let mut t = output::table(["router", "APGR", "CPT(50%)", "CPT(80%)", "AIQ"]);
        if markdown {
            t.load_style(comfy_table::presets::ASCII_MARKDOWN);
        }
        let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1} %", v * 100.0));
        for m in &r.metrics.routers {
            t.add_row(vec![m.name.clone(), opt4(m.gap.apgr), pct(m.gap.cpt50), pct(m.gap.cpt80), opt4(m.aiq)]);
        }
        t.add_row(vec![
            "zero router (single models)".to_string(),
            "-".into(),
            "-".into(),
            "-".into(),
            opt4(r.metrics.zero_router_aiq),
        ]);
        output::align_right(&mut t, &[1, 2, 3, 4]);
        s.push_str(&format!("{t}\n"));
    }
    if let Some(lc) = &r.adaptive_learning_curve {
        let steps: Vec<String> = lc.iter().map(|c| c.quality.map_or("-".to_string(), |q| format!("{q:.3}"))).collect();
        s.push_str(&format!("\nadaptive learning curve (quality per tenth of the log): {}\n", steps.join(" ")));
    }
    if let Some(c) = &r.canary {
        s.push_str(&format!(
            "\ngray release: {:.0} % of rows on `{}` ({} rows), the rest on the chain ({} rows)\n",
            c.share * 100.0,
            c.strategy,
            c.canary_rows,
            c.control_rows
        ));
        let arms = [
            Summary { name: "control: chain".to_string(), ..c.control.clone() },
            Summary { name: format!("canary: {}", c.strategy), ..c.canary.clone() },
        ];
        s.push_str(&strategy_table(r, &arms, markdown));
    }
    for seg in &r.segments {
        s.push_str(&format!("\nsegment {} ({} rows)\n", seg.segment, seg.rows));
        s.push_str(&strategy_table(r, &seg.strategies, markdown));
    }
    let served: Vec<String> =
        r.serving.iter().filter(|(c, d)| c != d).map(|(c, d)| format!("{c} → {}", replay::short(d))).collect();
    if !served.is_empty() {
        s.push_str(&format!("\nrouters' catalog decisions served by: {}\n", served.join(", ")));
    }
    s
}

fn render_csv(r: &SimReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "segment",
        "strategy",
        "avg_cost",
        "quality",
        "quality_ci_low",
        "quality_ci_high",
        "premium_share",
        "annual_savings",
        "delta_hull",
        "quota_fallbacks",
    ]);
    let f = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.10}"));
    let mut emit = |seg: &str, rows: &[Summary]| {
        for s in rows {
            let _ = w.write_record([
                seg.to_string(),
                s.name.clone(),
                format!("{:.10}", s.avg_cost),
                f(s.quality),
                f(s.ci.quality.map(|c| c.0)),
                f(s.ci.quality.map(|c| c.1)),
                format!("{:.6}", s.premium_share),
                format!("{:.2}", s.annual_savings),
                f(s.delta_hull),
                s.quota_fallbacks.to_string(),
            ]);
        }
    };
    emit("", &r.strategies);
    for seg in &r.segments {
        emit(&seg.segment, &seg.strategies);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
