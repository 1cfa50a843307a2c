//! Classification metrics (computed with smartcore) and confidence calibration.

use serde::Serialize;
use smartcore::metrics::{accuracy, f1, precision, recall};

#[derive(Debug, Clone, Serialize)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Metrics of a labelled set at a confidence threshold.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub n: usize,
    /// Share of rows whose most probable label is the true label.
    pub accuracy: f64,
    pub threshold: f64,
    /// Share of rows below the threshold (sent to the low-confidence model).
    pub fallback_rate: f64,
    /// Accuracy on the rows at or above the threshold.
    pub confident_accuracy: Option<f64>,
    /// Accuracy when fallback rows count as predicting the premium label.
    pub accuracy_after_fallback: f64,
    /// Share of rows routed to the premium model (fallbacks plus confident premium predictions).
    pub premium_share: f64,
    pub labels: Vec<String>,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<u64>>,
}

/// `preds[i] = (predicted class, confidence)`; `premium` is the class whose model serves
/// low-confidence requests, when one of the labels maps to it.
pub fn evaluate(
    labels: &[String],
    y_true: &[u32],
    preds: &[(u32, f64)],
    threshold: f64,
    premium: Option<u32>,
) -> EvalReport {
    let n = y_true.len();
    let k = labels.len();
    let t: Vec<i64> = y_true.iter().map(|&c| i64::from(c)).collect();
    let p: Vec<i64> = preds.iter().map(|&(c, _)| i64::from(c)).collect();
    let acc = if n == 0 { 0.0 } else { accuracy(&t, &p) };
    let mut confusion = vec![vec![0u64; k]; k];
    for (&yt, &(yp, _)) in y_true.iter().zip(preds) {
        confusion[yt as usize][yp as usize] += 1;
    }
    let per_class = (0..k)
        .map(|c| {
            let support = y_true.iter().filter(|&&y| y as usize == c).count();
            let bt: Vec<f64> = y_true.iter().map(|&y| f64::from(u8::from(y as usize == c))).collect();
            let bp: Vec<f64> = preds.iter().map(|&(y, _)| f64::from(u8::from(y as usize == c))).collect();
            // smartcore's binary scores need the positive class in y_true; an absent class scores 0.
            let (pr, re, f) =
                if support == 0 { (0.0, 0.0, 0.0) } else { (precision(&bt, &bp), recall(&bt, &bp), f1(&bt, &bp, 1.0)) };
            ClassMetrics { label: labels[c].clone(), precision: pr, recall: re, f1: f, support }
        })
        .collect();
    let s = sweep_at(y_true, preds, threshold, premium);
    EvalReport {
        n,
        accuracy: acc,
        threshold,
        fallback_rate: ratio(s.fallback, n),
        confident_accuracy: (s.confident > 0).then(|| ratio(s.confident_correct, s.confident)),
        accuracy_after_fallback: ratio(s.after_fallback_correct, n),
        premium_share: ratio(s.premium, n),
        labels: labels.to_vec(),
        per_class,
        confusion,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

struct Sweep {
    fallback: usize,
    confident: usize,
    confident_correct: usize,
    after_fallback_correct: usize,
    premium: usize,
}

fn sweep_at(y_true: &[u32], preds: &[(u32, f64)], t: f64, premium: Option<u32>) -> Sweep {
    let mut s = Sweep { fallback: 0, confident: 0, confident_correct: 0, after_fallback_correct: 0, premium: 0 };
    for (&y, &(p, conf)) in y_true.iter().zip(preds) {
        if conf < t {
            s.fallback += 1;
            s.premium += 1;
            s.after_fallback_correct += usize::from(Some(y) == premium);
        } else {
            s.confident += 1;
            s.confident_correct += usize::from(p == y);
            s.after_fallback_correct += usize::from(p == y);
            s.premium += usize::from(Some(p) == premium);
        }
    }
    s
}

/// How a threshold was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub threshold: f64,
    pub source: &'static str,
    /// Set when `target_share` cannot be met even at threshold 0.
    pub unmet_target: Option<f64>,
}

/// Picks a threshold on validation predictions.
///
/// - With `target_share`: the highest threshold whose premium share (fallbacks plus confident
///   premium predictions) is at most the target: as much caution as the budget allows.
/// - Otherwise: the threshold that maximises accuracy-after-fallback (ties: the lowest threshold,
///   which spends least on premium).
///
/// Candidate thresholds are 0 and every distinct confidence seen.
pub fn calibrate(y_true: &[u32], preds: &[(u32, f64)], premium: Option<u32>, target_share: Option<f64>) -> Calibration {
    let mut cands: Vec<f64> = preds.iter().map(|&(_, c)| c).collect();
    cands.push(0.0);
    cands.sort_by(f64::total_cmp);
    cands.dedup();
    let n = y_true.len();
    match target_share {
        Some(x) => {
            let mut chosen = None;
            for &t in &cands {
                let s = sweep_at(y_true, preds, t, premium);
                if ratio(s.premium, n) <= x + 1e-12 {
                    chosen = Some(t);
                } else {
                    break;
                }
            }
            match chosen {
                Some(t) => Calibration { threshold: t, source: "calibrated-share", unmet_target: None },
                None => Calibration { threshold: 0.0, source: "calibrated-share", unmet_target: Some(x) },
            }
        }
        None => {
            let mut best = (f64::MIN, 0.0);
            for &t in &cands {
                let s = sweep_at(y_true, preds, t, premium);
                let acc = ratio(s.after_fallback_correct, n);
                if acc > best.0 + 1e-12 {
                    best = (acc, t);
                }
            }
            Calibration { threshold: best.1, source: "calibrated-accuracy", unmet_target: None }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["a".into(), "b".into(), "c".into()]
    }

    #[test]
    fn per_class_metrics_match_the_confusion_matrix() {
        let y = [0, 0, 1, 1, 2, 2, 2];
        let p = [(0, 0.9), (1, 0.5), (1, 0.8), (1, 0.7), (2, 0.9), (0, 0.4), (2, 0.95)];
        let r = evaluate(&labels(), &y, &p, 0.6, Some(2));
        assert!((r.accuracy - 5.0 / 7.0).abs() < 1e-12);
        assert_eq!(r.confusion, vec![vec![1, 1, 0], vec![0, 2, 0], vec![1, 0, 2]]);
        // class b: tp 2, predicted 3, actual 2
        let b = &r.per_class[1];
        assert!((b.precision - 2.0 / 3.0).abs() < 1e-12 && (b.recall - 1.0).abs() < 1e-12);
        assert!((b.f1 - 0.8).abs() < 1e-12);
        assert!((r.fallback_rate - 2.0 / 7.0).abs() < 1e-12);
        // Fallback rows: (0 -> b @0.5) wrong, (2 -> a @0.4) counts as premium = c = correct.
        assert!((r.accuracy_after_fallback - 6.0 / 7.0).abs() < 1e-12);
        assert!((r.premium_share - 4.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn calibration_meets_a_premium_share_target() {
        let y = [0, 1, 2, 0, 1];
        let p = [(0, 0.9), (1, 0.55), (2, 0.8), (0, 0.4), (1, 0.7)];
        // premium = class 2, predicted once confidently: share(0) = 1/5.
        let c = calibrate(&y, &p, Some(2), Some(0.4));
        assert_eq!(c.threshold, 0.55); // rows below 0.55: one → share 2/5
        let c = calibrate(&y, &p, Some(2), Some(0.1));
        assert_eq!(c.unmet_target, Some(0.1));
    }
}
