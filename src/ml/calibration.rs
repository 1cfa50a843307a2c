//! Calibrated class probabilities for label models.
//!
//! A forest's averaged votes are usually under-confident: probability spreads over classes that
//! few trees pick, so a 0.6 threshold sends many correct predictions to the fallback. Raising the
//! probabilities to a power `a` and renormalising (`p_c^a / Σ p^a`) keeps every prediction's
//! class (the order of the classes never changes) and fixes the spread; `a` minimises the
//! log-loss of the out-of-bag predictions of the training rows (each row judged only by trees
//! that did not see it), so no validation data is spent on it.

/// Out-of-bag rows the power is fitted on: every row of a smaller training set, else an even
/// sample of this many (one parameter needs no more; all of 100,000 rows would double `train`'s time).
pub const ROWS: usize = 10_000;

/// The powers considered.
pub const RANGE: std::ops::RangeInclusive<f64> = 0.25..=8.0;

/// Probabilities below this count as this in the log-loss (a class no tree voted for).
const FLOOR: f64 = 1e-3;

/// Raises `p` to the power `a` and renormalises, in place.
pub fn apply(p: &mut [f64], a: f64) {
    let mut sum = 0.0;
    for v in p.iter_mut() {
        *v = v.powf(a);
        sum += *v;
    }
    if sum > 0.0 {
        p.iter_mut().for_each(|v| *v /= sum);
    }
}

/// Mean log-loss of the true classes `y` under power `a`.
fn log_loss(oob: &[(&[f64], u32)], a: f64) -> f64 {
    let mut q = Vec::new();
    let total: f64 = oob
        .iter()
        .map(|(p, y)| {
            q.clear();
            q.extend_from_slice(p);
            apply(&mut q, a);
            -q[*y as usize].max(FLOOR).ln()
        })
        .sum();
    total / oob.len().max(1) as f64
}

/// The power minimising the log-loss of the out-of-bag predictions (rows every tree saw are
/// left out), by golden-section search over ln a; `None` without out-of-bag rows.
pub fn fit(oob: &[Option<Vec<f64>>], y: &[u32]) -> Option<f64> {
    let rows: Vec<(&[f64], u32)> = oob.iter().zip(y).filter_map(|(p, &y)| p.as_deref().map(|p| (p, y))).collect();
    if rows.is_empty() {
        return None;
    }
    let (mut lo, mut hi) = (RANGE.start().ln(), RANGE.end().ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let f = |x: f64| log_loss(&rows, x.exp());
    let (mut c, mut d) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..40 {
        if fc < fd {
            hi = d;
            (d, fd) = (c, fc);
            c = hi - g * (hi - lo);
            fc = f(c);
        } else {
            lo = c;
            (c, fc) = (d, fd);
            d = lo + g * (hi - lo);
            fd = f(d);
        }
    }
    // Rounded, so that the stored value reads the same everywhere.
    Some((((lo + hi) / 2.0).exp() * 1e4).round() / 1e4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpens_under_confident_votes_and_keeps_the_class() {
        // Votes of 0.6 for a class that is right 95 % of the time: the fitted power sharpens them.
        let mut oob = Vec::new();
        let mut y = Vec::new();
        for i in 0..100 {
            oob.push(Some(vec![0.6, 0.25, 0.15]));
            y.push(if i < 95 { 0 } else { 1 });
        }
        let a = fit(&oob, &y).unwrap();
        assert!(a > 1.5, "{a}");
        let mut p = vec![0.6, 0.25, 0.15];
        apply(&mut p, a);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > 0.9 && p[0] < 0.97, "{p:?}");
        // Over-confident votes are softened.
        let y: Vec<u32> = (0..100).map(|i| if i < 50 { 0 } else { 1 }).collect();
        let oob: Vec<Option<Vec<f64>>> = (0..100).map(|_| Some(vec![0.9, 0.08, 0.02])).collect();
        assert!(fit(&oob, &y).unwrap() < 1.0);
        assert_eq!(fit(&[None], &[0]), None);
    }

    #[test]
    fn the_fitted_power_is_the_log_loss_minimum_of_a_brute_force_grid() {
        // Mixed votes and outcomes; the grid evaluates the log-loss independently of the search.
        let rows: Vec<(Vec<f64>, u32)> = (0..300)
            .map(|i| {
                let p0 = 0.3 + 0.6 * ((i * 37 % 100) as f64 / 100.0);
                let y = u32::from((i * 53 % 100) as f64 / 100.0 > p0 * 1.2);
                (vec![p0, 1.0 - p0], y)
            })
            .collect();
        let loss = |a: f64| {
            rows.iter()
                .map(|(p, y)| {
                    let (x0, x1) = (p[0].powf(a), p[1].powf(a));
                    -([x0, x1][*y as usize] / (x0 + x1)).max(FLOOR).ln()
                })
                .sum::<f64>()
                / rows.len() as f64
        };
        let best = (0..=20_000)
            .map(|i| RANGE.start() + (RANGE.end() - RANGE.start()) * i as f64 / 20_000.0)
            .min_by(|a, b| loss(*a).total_cmp(&loss(*b)))
            .unwrap();
        assert!(best > 0.3 && best < 7.9, "an interior minimum: {best}");
        let oob: Vec<Option<Vec<f64>>> = rows.iter().map(|(p, _)| Some(p.clone())).collect();
        let y: Vec<u32> = rows.iter().map(|(_, y)| *y).collect();
        let a = fit(&oob, &y).unwrap();
        assert!((a - best).abs() < 1e-3, "golden section {a}, grid {best}");
    }
}
