//! Renderers of the replay report: the savings table (box or markdown) and CSV. JSON is the
//! report serialised as is.

use crate::output;
use crate::replay::report::{SimReport, Summary};
use crate::replay::short;

/// `12,345,678`.
pub fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let out = crate::error::grouped(&digits);
    if neg && digits != "0" { format!("-{out}") } else { out }
}

fn money_year(x: f64) -> String {
    if x < 0.0 && thousands(-x) != "0" { format!("-${}", thousands(-x)) } else { format!("${}", thousands(x.abs())) }
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

fn strategy_table(r: &SimReport, rows: &[Summary]) -> String {
    let full = full_strategy_table(r, rows);
    if output::fits(&full) {
        return output::render(&full);
    }
    // Too wide for the terminal: the columns a decision needs, names without their
    // organisation, and where the rest is.
    let mut t = output::table(["strategy", "$/request", "quality", "premium", "savings"]);
    for s in rows.iter().filter(|s| s.shown) {
        let name = match s.name.strip_prefix("all ") {
            Some(model) => format!("all {}", short(model)),
            None => s.name.replace("perfect self-check", "ideal judge"),
        };
        let name = if s.baseline { format!("{name} (baseline)") } else { name };
        t.add_row(vec![
            name,
            output::usd(s.avg_cost, 6),
            s.quality.map_or("unknown".to_string(), |q| format!("{q:.4}")),
            format!("{:.1} %", s.premium_share * 100.0),
            money_year(s.annual_savings),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3, 4]);
    let mut hidden = Vec::new();
    if r.quality_known {
        hidden.extend(["95 % intervals", "Δ hull"]);
    }
    if r.quotas_applied {
        hidden.extend(["quota fallbacks", "refused"]);
    }
    let mut out = output::render(&t);
    if !hidden.is_empty() {
        out.push_str(&output::wrap(
            &format!(
                "({}: --format plain, --json, or a {}-column terminal)\n",
                hidden.join(" and "),
                output::natural_width(&full)
            ),
            1,
        ));
    }
    out
}

fn full_strategy_table(r: &SimReport, rows: &[Summary]) -> comfy_table::Table {
    let mut header = vec!["strategy", "avg cost/request"];
    if r.quality_known {
        header.push("quality [95% CI]");
    }
    header.extend(["premium share", "annual savings"]);
    if r.quality_known {
        header.push("Δ hull");
    }
    if r.quotas_applied {
        header.extend(["quota fallbacks", "refused"]);
    }
    let mut t = output::table(header.clone());
    for s in rows.iter().filter(|s| s.shown) {
        let name = if s.baseline { format!("{} (baseline)", s.name) } else { s.name.clone() };
        let mut cells = vec![name, output::usd(s.avg_cost, 6)];
        if r.quality_known {
            cells.push(quality_cell(s));
        }
        cells.extend([format!("{:.1} %", s.premium_share * 100.0), money_year(s.annual_savings)]);
        if r.quality_known {
            cells.push(s.delta_hull.map_or("-".to_string(), |d| format!("{d:+.4}")));
        }
        if r.quotas_applied {
            cells.extend([s.quota_fallbacks.to_string(), s.refused.to_string()]);
        }
        t.add_row(cells);
    }
    output::align_right(&mut t, &(1..header.len()).collect::<Vec<_>>());
    t
}

/// The lines above the savings table: the replay, the baseline and what the figures assume.
fn head(r: &SimReport) -> String {
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
    s.push_str(&format!("baseline   all {} ({})\n", r.baseline, r.baseline_source));
    s.push_str(&format!(
        "savings    against the baseline at {} requests/year ({})\n",
        thousands(r.requests_per_year),
        r.requests_per_year_source
    ));
    s.push_str(&format!("premium    share of requests on which {} was called\n", r.baseline));
    if !r.quality_known {
        s.push_str("quality    unknown: the log has no outcome columns and no labels; costs only\n");
    } else if r.empty_quality_cells > 0 {
        s.push_str(&format!("quality    {} empty quality cells scored 0 (no usable answer)\n", r.empty_quality_cells));
    }
    if r.quality_known {
        let names = |v: &[String]| v.iter().map(|m| short(m)).collect::<Vec<_>>().join(" → ");
        s.push_str(&format!(
            "cascade    {}: accepts a recorded quality >= {}; the judge errs on {:.0} % of checks (--judge-error-rate)\n",
            names(&r.cascade_models),
            r.cascade_threshold,
            r.judge_error_rate * 100.0
        ));
        let voters: Vec<&str> = r.consensus_models.iter().map(|m| short(m)).collect();
        s.push_str(&format!("consensus  {}: the majority answer wins\n", voters.join(", ")));
    }
    if r.quotas_applied {
        s.push_str("quotas     daily quotas applied (router rows; see quota fallbacks and refused)\n");
    }
    if r.bad_rows > 0 {
        s.push_str(&format!("skipped    {} bad rows\n", r.bad_rows));
    }
    for n in &r.notes {
        s.push_str(&format!("not run    {n}\n"));
    }
    for st in r.strategies.iter().filter(|st| st.unservable > 0) {
        s.push_str(&format!(
            "too long   {}: {} rows longer than the context window of every model it may use; refused (no cost, quality 0)\n",
            st.name,
            thousands(st.unservable as f64)
        ));
    }
    s
}

/// The routers' curves between the weak and the strong model: APGR, CPT and AIQ.
fn curves(r: &SimReport) -> String {
    let mut s = String::new();
    s.push_str(&output::wrap(
        &format!("\nrouting curves between {} (weak) and {} (strong)\n", r.metrics.weak, r.metrics.strong),
        2,
    ));
    let mut t = output::table(["router", "APGR", "CPT(50%)", "CPT(80%)", "AIQ"]);
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
    s.push_str(&output::render(&t));
    if r.metrics.routers.iter().any(|m| m.cost_equivalent_share) {
        s.push_str(&output::wrap(
            "λ swept: the outcome router chooses among every model; its premium share is cost-equivalent, (cost − \
             weak) / (strong − weak), and its curve ends at the all-baseline point\n",
            0,
        ));
    }
    s
}

/// The savings table with its header lines, curves, learning curve, arms and segments.
pub fn table(r: &SimReport) -> String {
    let mut s = output::wrap(&head(r), 11);
    s.push('\n');
    s.push_str(&strategy_table(r, &r.strategies));
    if !r.metrics.routers.is_empty() {
        s.push_str(&curves(r));
    }
    if let Some(lc) = &r.adaptive_learning_curve {
        let steps: Vec<String> = lc.iter().map(|c| c.quality.map_or("-".to_string(), |q| format!("{q:.3}"))).collect();
        s.push_str(&output::wrap(
            &format!("\nadaptive learning curve (quality per tenth of the log): {}\n", steps.join(" ")),
            2,
        ));
    }
    if let Some(c) = &r.canary {
        s.push_str(&format!(
            "\ngray release: {:.0} % of requests on `{}` ({} rows), the rest on the chain ({} rows)\n",
            c.share * 100.0,
            c.strategy,
            c.canary_rows,
            c.control_rows
        ));
        s.push_str(&strategy_table(r, &[c.control.clone(), c.canary.clone()]));
    }
    for seg in &r.segments {
        s.push_str(&format!("\nsegment {} ({} rows)\n", seg.segment, seg.rows));
        s.push_str(&strategy_table(r, &seg.strategies));
    }
    let served: Vec<String> =
        r.serving.iter().filter(|(c, d)| c != d).map(|(c, d)| format!("{c} → {}", short(d))).collect();
    if !served.is_empty() {
        s.push_str(&output::wrap(&format!("\nrouters' catalog decisions served by: {}\n", served.join(", ")), 2));
    }
    s
}

/// One CSV line per (segment, strategy).
pub fn csv(r: &SimReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "segment",
        "strategy",
        "key",
        "avg_cost",
        "quality",
        "quality_ci_low",
        "quality_ci_high",
        "premium_share",
        "annual_savings",
        "delta_hull",
        "quota_fallbacks",
        "refused",
        "unservable",
        "upper_bound",
    ]);
    let f = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.10}"));
    let mut emit = |seg: &str, rows: &[Summary]| {
        for s in rows {
            let _ = w.write_record([
                seg.to_string(),
                s.name.clone(),
                s.key.clone(),
                format!("{:.10}", s.avg_cost),
                f(s.quality),
                f(s.ci.quality.map(|c| c.0)),
                f(s.ci.quality.map(|c| c.1)),
                format!("{:.6}", s.premium_share),
                format!("{:.2}", s.annual_savings),
                f(s.delta_hull),
                s.quota_fallbacks.to_string(),
                s.refused.to_string(),
                s.unservable.to_string(),
                s.upper_bound.to_string(),
            ]);
        }
    };
    emit("", &r.strategies);
    for seg in &r.segments {
        emit(&seg.segment, &seg.strategies);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

impl output::format::Render for SimReport {
    type Json = SimReport;
    fn json(&self) -> &SimReport {
        self
    }
    fn text(&self) -> String {
        table(self)
    }
}

impl output::format::RenderTable for SimReport {
    fn csv(&self) -> String {
        csv(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_and_never_prints_minus_zero() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(-0.3), "0");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(money_year(-0.2), "$0");
        assert_eq!(money_year(-207.0), "-$207");
    }
}
