//! Renderers of the `train` and `evaluate` reports of label models: text lines and tables.

use crate::ml::metrics::EvalReport;
use crate::ml::report::{CSelection, EvaluateReport, Segments, TrainReport};
use crate::output;

/// The `evaluate` report: the model, the rows, the metrics and the `--by` segments.
pub fn evaluate(report: &EvaluateReport) -> String {
    let mut s = format!(
        "model      {}\nrows       {}\npredict    {:.3} s ({:.1} µs per query, tf-idf included)\n",
        report.model, report.metrics.n, report.predict_seconds, report.per_query_us
    );
    s.push_str(&metrics(&report.metrics));
    if let Some(seg) = &report.segments {
        s.push_str(&segments(seg));
    }
    s
}

fn segments(s: &Segments) -> String {
    let mut t = output::table([
        s.column.as_str(),
        "rows",
        "accuracy",
        "fallback",
        "after fallback",
        "under-routed",
        "over-routed",
    ]);
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1} %", v * 100.0));
    for r in &s.rows {
        t.add_row(vec![
            r.segment.clone(),
            r.rows.to_string(),
            format!("{:.4}", r.accuracy),
            pct(Some(r.fallback_rate)),
            format!("{:.4}", r.accuracy_after_fallback),
            pct(r.under_routed),
            pct(r.over_routed),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3, 4, 5, 6]);
    format!(
        "by {} (under/over-routed: sent to a cheaper/dearer model than the label's, after fallback)\n{t}\n",
        s.column
    )
}

pub fn train(r: &TrainReport) -> String {
    let depth = r.max_depth.map_or("none".to_string(), |d| d.to_string());
    let tfidf = format!(
        "{} ({} {}-{}{}, max {})",
        r.vocabulary_size,
        r.analyzer,
        r.ngram[0],
        r.ngram[1],
        if r.sublinear_tf { ", sublinear tf" } else { "" },
        r.max_features
    );
    let encoder = r.encoder.clone().unwrap_or_default();
    let features = match r.features {
        "encoder" => encoder,
        "both" => format!("{tfidf} + {encoder}"),
        _ => tfidf,
    };
    let classifier = match &r.c {
        None => format!("forest     {} trees, max depth {}, seed {}, {} nodes", r.n_estimators, depth, r.seed, r.nodes),
        Some(c) => format!("classifier logistic regression, {}", c_line(c)),
    };
    let parts = if r.features == "tfidf" { "tf-idf" } else { "features" };
    let fitted = if r.c.is_some() { "logistic" } else { "forest" };
    let mut s = format!(
        "data       {} rows ({} train, {} validation{}), {} labels\n\
         features   {features}\n\
         {classifier}\n\
         fit        {:.3} s ({parts} {:.3} s, {fitted} {:.3} s, {} threads)\n",
        r.rows,
        r.train_rows,
        r.valid_rows,
        if r.bad_rows > 0 { format!(", {} bad skipped", r.bad_rows) } else { String::new() },
        r.labels.len(),
        r.fit_seconds,
        r.tfidf_seconds,
        r.forest_seconds,
        r.threads
    );
    s.push_str(&match (r.calibration, r.classifier) {
        (Some(a), _) => format!("calibration vote shares ^ {a} (fitted on out-of-bag predictions)\n"),
        (None, "logistic") => "calibration none (the softmax's probabilities)\n".to_string(),
        (None, _) => "calibration none (raw vote shares)\n".to_string(),
    });
    if let Some(cv) = &r.cv {
        s.push_str(&format!(
            "cv         {} folds: accuracy {:.4} ± {:.4}\n",
            cv.folds, cv.accuracy_mean, cv.accuracy_std
        ));
    }
    match &r.validation {
        Some(v) => s.push_str(&metrics(v)),
        None => s.push_str(&format!("threshold  {:.4} (no validation data)\n", r.threshold)),
    }
    s.push_str(&format!("model      {} ({} bytes, threshold from {})\n", r.model, r.model_bytes, r.threshold_source));
    s
}

/// `C 0.03 (5-fold cross-validation in the training rows over 0.001…100: accuracy 0.9512)`.
pub fn c_line(c: &CSelection) -> String {
    if c.source == "flag" {
        return format!("C {} (--c)", crate::error::num(c.c));
    }
    let (lo, hi) = (c.grid.first().map_or(0.0, |g| g.0), c.grid.last().map_or(0.0, |g| g.0));
    let best = c.grid.iter().find(|g| g.0 == c.c).map_or(0.0, |g| g.1);
    format!(
        "C {} ({}-fold cross-validation in the training rows over {}…{}: score {best:.4})",
        crate::error::num(c.c),
        c.folds,
        crate::error::num(lo),
        crate::error::num(hi)
    )
}

fn metrics(m: &EvalReport) -> String {
    let mut s = output::wrap(
        &format!(
            "accuracy   {:.4}\nthreshold  {:.4}: fallback {:.1} %, confident accuracy {}, accuracy after fallback {:.4}, premium share {:.1} %\n",
            m.accuracy,
            m.threshold,
            m.fallback_rate * 100.0,
            m.confident_accuracy.map_or("-".to_string(), |a| format!("{a:.4}")),
            m.accuracy_after_fallback,
            m.premium_share * 100.0
        ),
        11,
    );
    let mut t = output::table(["label", "precision", "recall", "f1", "support"]);
    for c in &m.per_class {
        t.add_row(vec![
            c.label.clone(),
            format!("{:.4}", c.precision),
            format!("{:.4}", c.recall),
            format!("{:.4}", c.f1),
            c.support.to_string(),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3, 4]);
    s.push_str(&output::render(&t));
    let full = confusion(m, &m.labels, "true \\ predicted");
    if output::fits(&full) {
        s.push_str(&output::render(&full));
        return s;
    }
    // Too wide for the terminal (11 RouterBench models make ~300 columns): numbers for the
    // labels, with a legend, and no padding left of the counts when that is still too wide.
    let keys: Vec<String> = (1..=m.labels.len()).map(|i| i.to_string()).collect();
    let mut c = confusion(m, &keys, "true\\pred");
    if !output::fits(&c) {
        for col in c.column_iter_mut().skip(1) {
            col.set_padding((0, 1));
        }
    }
    s.push_str("confusion (rows: true label, columns: predicted)\n");
    for (k, label) in keys.iter().zip(&m.labels) {
        s.push_str(&format!("{k:>4}  {label}\n"));
    }
    s.push_str(&output::render(&c));
    s
}

/// The confusion matrix with `keys` naming the labels (the labels themselves, or numbers).
fn confusion(m: &EvalReport, keys: &[String], corner: &str) -> comfy_table::Table {
    let mut header = vec![corner.to_string()];
    header.extend(keys.iter().cloned());
    let mut c = output::table(header);
    for (i, row) in m.confusion.iter().enumerate() {
        let mut cells = vec![keys[i].clone()];
        cells.extend(row.iter().map(|v| v.to_string()));
        c.add_row(cells);
    }
    output::align_right(&mut c, &(1..=keys.len()).collect::<Vec<_>>());
    c
}

impl output::format::Render for TrainReport {
    type Json = TrainReport;
    fn json(&self) -> &TrainReport {
        self
    }
    fn text(&self) -> String {
        train(self)
    }
}

impl output::format::Render for EvaluateReport {
    type Json = EvaluateReport;
    fn json(&self) -> &EvaluateReport {
        self
    }
    fn text(&self) -> String {
        evaluate(self)
    }
}
