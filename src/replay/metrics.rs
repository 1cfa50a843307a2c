//! Replay metrics: RouteLLM's APGR and CPT, RouterBench's AIQ, the quality gain over the
//! single-model hull, and seeded bootstrap intervals.

use serde::Serialize;

use crate::rng::{Rng, derive};

/// A point of a cost–quality curve, with the share of premium calls that produced it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CurvePoint {
    pub premium_share: f64,
    pub cost: f64,
    pub quality: f64,
}

/// Routes the `k` highest-scoring rows to the strong model and the rest to the weak one, for
/// every `k` where the score changes (ties are split evenly: linear between tie-block ends).
pub fn threshold_curve(score: &[f64], strong: (&[f64], &[f64]), weak: (&[f64], &[f64])) -> Vec<CurvePoint> {
    let n = score.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let (mut cost, mut quality) = (weak.0.iter().sum::<f64>(), weak.1.iter().sum::<f64>());
    let nf = n.max(1) as f64;
    let mut pts = vec![CurvePoint { premium_share: 0.0, cost: cost / nf, quality: quality / nf }];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && score[order[j]].total_cmp(&score[order[i]]).is_eq() {
            let r = order[j];
            cost += strong.0[r] - weak.0[r];
            quality += strong.1[r] - weak.1[r];
            j += 1;
        }
        pts.push(CurvePoint { premium_share: j as f64 / nf, cost: cost / nf, quality: quality / nf });
        i = j;
    }
    pts
}

/// Performance gap recovered: (q − q_weak) / (q_strong − q_weak).
pub fn pgr(q: f64, q_weak: f64, q_strong: f64) -> Option<f64> {
    let gap = q_strong - q_weak;
    (gap.abs() > 1e-12).then(|| (q - q_weak) / gap)
}

/// RouteLLM's APGR (area under PGR over premium share in [0, 1], trapezoids) and CPT(x)
/// (the smallest premium share reaching PGR x, interpolated).
#[derive(Debug, Clone, Serialize)]
pub struct GapMetrics {
    pub apgr: Option<f64>,
    pub cpt50: Option<f64>,
    pub cpt80: Option<f64>,
}

pub fn gap_metrics(curve: &[CurvePoint], q_weak: f64, q_strong: f64) -> GapMetrics {
    let p: Vec<(f64, f64)> =
        curve.iter().filter_map(|c| pgr(c.quality, q_weak, q_strong).map(|g| (c.premium_share, g))).collect();
    if p.len() < 2 {
        return GapMetrics { apgr: None, cpt50: None, cpt80: None };
    }
    let area: f64 = p.windows(2).map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0).sum();
    let cpt = |target: f64| -> Option<f64> {
        if p[0].1 >= target {
            return Some(p[0].0);
        }
        p.windows(2).find(|w| w[1].1 >= target).map(|w| {
            let (x0, y0, x1, y1) = (w[0].0, w[0].1, w[1].0, w[1].1);
            if (y1 - y0).abs() < 1e-15 { x1 } else { x0 + (target - y0) * (x1 - x0) / (y1 - y0) }
        })
    };
    GapMetrics { apgr: Some(area), cpt50: cpt(0.5), cpt80: cpt(0.8) }
}

/// The non-decreasing convex hull of cost–quality points (RouterBench's zero router when the
/// points are single models): the best quality reachable at each cost by mixing them.
pub fn hull(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    // Upper hull (Andrew's monotone chain), then keep the non-decreasing part.
    let mut up: Vec<(f64, f64)> = Vec::new();
    for p in pts {
        while up.len() >= 2 {
            let (a, b) = (up[up.len() - 2], up[up.len() - 1]);
            let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
            if cross >= 0.0 {
                up.pop();
            } else {
                break;
            }
        }
        up.push(p);
    }
    let mut out: Vec<(f64, f64)> = Vec::new();
    for p in up {
        if out.last().is_none_or(|l| p.1 > l.1) {
            out.push(p);
        }
    }
    out
}

/// Quality of a hull at `cost` (flat beyond its ends).
pub fn hull_at(h: &[(f64, f64)], cost: f64) -> Option<f64> {
    let first = h.first()?;
    if cost <= first.0 {
        return Some(first.1);
    }
    for w in h.windows(2) {
        if cost <= w[1].0 {
            let t = (cost - w[0].0) / (w[1].0 - w[0].0).max(1e-300);
            return Some(w[0].1 + t * (w[1].1 - w[0].1));
        }
    }
    h.last().map(|l| l.1)
}

/// RouterBench's AIQ: the mean quality of the hull of `points` over `[c_min, c_max]`.
pub fn aiq(points: &[(f64, f64)], c_min: f64, c_max: f64) -> Option<f64> {
    let h = hull(points);
    if h.is_empty() || c_max <= c_min {
        return None;
    }
    // Integrate the piecewise-linear hull exactly: breakpoints plus the interval ends.
    let mut xs: Vec<f64> = h.iter().map(|p| p.0).filter(|&x| x > c_min && x < c_max).collect();
    xs.push(c_min);
    xs.push(c_max);
    xs.sort_by(f64::total_cmp);
    let mut area = 0.0;
    for w in xs.windows(2) {
        let (a, b) = (hull_at(&h, w[0])?, hull_at(&h, w[1])?);
        area += (w[1] - w[0]) * (a + b) / 2.0;
    }
    Some(area / (c_max - c_min))
}

/// 95 % bootstrap intervals of the mean of `values` (NaN values are left out). Rows are resampled
/// with replacement, seeded; above `blocks` rows, contiguous blocks are resampled instead, which
/// keeps large replays fast and is exact for exchangeable rows up to block granularity.
pub fn bootstrap_mean(values: &[f64], resamples: usize, seed: u64, blocks: usize) -> Option<(f64, f64)> {
    if resamples == 0 || values.is_empty() {
        return None;
    }
    let n = values.len();
    let k = n.min(blocks.max(1));
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for (i, &v) in values.iter().enumerate() {
        let b = i * k / n;
        if v.is_finite() {
            sums[b] += v;
            counts[b] += 1;
        }
    }
    let mut rng = Rng::new(derive(seed, 0xB007));
    let mut means = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let (mut s, mut c) = (0.0, 0usize);
        for _ in 0..k {
            let b = rng.below(k);
            s += sums[b];
            c += counts[b];
        }
        if c > 0 {
            means.push(s / c as f64);
        }
    }
    if means.is_empty() {
        return None;
    }
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((means.len() - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_keeps_the_upper_non_decreasing_frontier() {
        let h = hull(&[(1.0, 0.5), (2.0, 0.55), (3.0, 0.9), (4.0, 0.8), (0.5, 0.6)]);
        assert_eq!(h, vec![(0.5, 0.6), (3.0, 0.9)]);
        assert!((hull_at(&h, 1.75).unwrap() - 0.75).abs() < 1e-12);
    }

    #[test]
    fn aiq_of_a_single_segment_is_its_mean_height() {
        let a = aiq(&[(0.0, 0.2), (1.0, 0.6)], 0.0, 1.0).unwrap();
        assert!((a - 0.4).abs() < 1e-12);
    }

    #[test]
    fn random_router_has_apgr_one_half() {
        // Random order = a straight line from weak to strong.
        let pts: Vec<CurvePoint> = (0..=10)
            .map(|i| {
                let s = i as f64 / 10.0;
                CurvePoint { premium_share: s, cost: s, quality: 0.6 + 0.2 * s }
            })
            .collect();
        let g = gap_metrics(&pts, 0.6, 0.8);
        assert!((g.apgr.unwrap() - 0.5).abs() < 1e-12);
        assert!((g.cpt50.unwrap() - 0.5).abs() < 1e-12);
        assert!((g.cpt80.unwrap() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn threshold_curve_splits_ties_linearly() {
        let score = [1.0, 1.0, 0.0, 0.0];
        let strong = ([1.0; 4], [1.0, 1.0, 1.0, 1.0]);
        let weak = ([0.0; 4], [0.0, 1.0, 0.0, 1.0]);
        let c = threshold_curve(&score, (&strong.0, &strong.1), (&weak.0, &weak.1));
        assert_eq!(c.len(), 3);
        assert_eq!((c[1].premium_share, c[1].quality), (0.5, 0.75));
        assert_eq!((c[2].premium_share, c[2].quality), (1.0, 1.0));
    }

    #[test]
    fn bootstrap_interval_contains_the_mean_and_is_seeded() {
        let v: Vec<f64> = (0..1000).map(|i| (i % 10) as f64).collect();
        let a = bootstrap_mean(&v, 500, 42, 20_000).unwrap();
        assert!(a.0 < 4.5 && a.1 > 4.5);
        assert_eq!(a, bootstrap_mean(&v, 500, 42, 20_000).unwrap());
    }
}
