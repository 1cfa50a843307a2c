//! The outcome router's arithmetic: a cost model per model, the λ sweep that traces the router's
//! cost–quality curve, and the choice of the operating point on it.
//!
//! A request goes to the model with the highest expected quality − λ × expected cost
//! ([`Outcomes::choose`]); λ = 0 buys the best expected answer whatever it costs, a large λ the
//! cheapest. Sweeping λ over validation rows gives the curve (mean recorded cost and quality of
//! the models chosen); the operating point stored in the model is the λ that meets the user's
//! target on it.

use serde::Serialize;

use crate::ml::model::Outcomes;

/// The largest λ accepted (flags, config, model files).
pub const MAX_LAMBDA: f64 = 1e12;

/// Least squares per model of `cost ≈ intercept + slope × chars` (a negative slope, which only
/// noise produces, falls back to the mean).
pub fn fit_costs(chars: &[usize], cost: &[f64], k: usize) -> Vec<(f64, f64)> {
    let n = chars.len().max(1) as f64;
    let mx = chars.iter().map(|&c| c as f64).sum::<f64>() / n;
    let sxx: f64 = chars.iter().map(|&c| (c as f64 - mx).powi(2)).sum();
    (0..k)
        .map(|m| {
            let col = |r: usize| cost[r * k + m];
            let my = (0..chars.len()).map(col).sum::<f64>() / n;
            let sxy: f64 = chars.iter().enumerate().map(|(r, &c)| (c as f64 - mx) * (col(r) - my)).sum();
            let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
            if slope > 0.0 { (my - slope * mx, slope) } else { (my, 0.0) }
        })
        .collect()
}

/// λ values to sweep: 0, then 120 log-spaced values from where the dearest model's cost weighs
/// a thousandth of a quality point to where the cheapest model's weighs a hundred.
pub fn lambda_grid(mean_cost: &[f64]) -> Vec<f64> {
    let positive: Vec<f64> = mean_cost.iter().copied().filter(|&c| c > 0.0).collect();
    let (lo, hi) = positive.iter().fold((f64::MAX, 0.0f64), |(a, b), &c| (a.min(c), b.max(c)));
    let mut out = vec![0.0];
    if positive.is_empty() {
        return out;
    }
    let (from, to) = ((1e-3 / hi).ln(), (1e2 / lo).ln());
    let steps = 120;
    out.extend((0..=steps).map(|i| (from + (to - from) * f64::from(i) / f64::from(steps)).exp().min(MAX_LAMBDA)));
    out.dedup();
    out
}

/// One point of the router's curve on a set of rows.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Point {
    pub lambda: f64,
    /// Mean recorded cost per request of the models chosen.
    pub cost: f64,
    /// Mean recorded quality.
    pub quality: f64,
    /// Share of requests sent to the dearest model.
    pub premium_share: f64,
}

/// Rows to route: predicted qualities (`pred[row * k + m]`), prompt lengths, and what each model
/// really did (`quality`, `cost`, same layout).
pub struct Rows<'a> {
    pub k: usize,
    pub pred: &'a [f64],
    pub chars: &'a [usize],
    pub quality: &'a [f64],
    pub cost: &'a [f64],
}

impl Rows<'_> {
    pub fn n(&self) -> usize {
        self.chars.len()
    }

    /// The model chosen for each row at `lambda`.
    pub fn choices(&self, o: &Outcomes, lambda: f64) -> Vec<usize> {
        (0..self.n()).map(|r| o.choose(&self.pred[r * self.k..(r + 1) * self.k], self.chars[r], lambda)).collect()
    }

    /// The point at `lambda`; `premium` is the dearest model.
    pub fn point(&self, o: &Outcomes, lambda: f64, premium: usize) -> Point {
        let ch = self.choices(o, lambda);
        let n = self.n().max(1) as f64;
        let (mut c, mut q, mut p) = (0.0, 0.0, 0usize);
        for (r, &m) in ch.iter().enumerate() {
            c += self.cost[r * self.k + m];
            q += self.quality[r * self.k + m];
            p += usize::from(m == premium);
        }
        Point { lambda, cost: c / n, quality: q / n, premium_share: p as f64 / n }
    }

    /// The whole curve over `lambdas`.
    pub fn sweep(&self, o: &Outcomes, lambdas: &[f64], premium: usize) -> Vec<Point> {
        lambdas.iter().map(|&l| self.point(o, l, premium)).collect()
    }
}

/// How the operating point is chosen.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Lambda(f64),
    /// The cheapest point whose quality reaches this.
    Quality(f64),
    /// The best quality at a mean cost of at most this.
    MaxCost(f64),
    /// The best quality with at most this share on the dearest model.
    PremiumShare(f64),
}

impl Target {
    pub fn source(self) -> &'static str {
        match self {
            Target::Lambda(_) => "flag",
            Target::Quality(_) => "target-quality",
            Target::MaxCost(_) => "max-cost",
            Target::PremiumShare(_) => "premium-share",
        }
    }
}

/// The λ meeting `target` on `points`; `None` when no point does (the caller says so and uses
/// the closest).
pub fn choose_lambda(points: &[Point], target: Target) -> Option<f64> {
    let best_by = |ok: &dyn Fn(&Point) -> bool, better: &dyn Fn(&Point, &Point) -> bool| {
        points.iter().filter(|p| ok(p)).fold(None::<&Point>, |b, p| match b {
            Some(b) if !better(p, b) => Some(b),
            _ => Some(p),
        })
    };
    let higher_quality = |p: &Point, b: &Point| p.quality > b.quality || (p.quality == b.quality && p.cost < b.cost);
    let cheaper = |p: &Point, b: &Point| p.cost < b.cost || (p.cost == b.cost && p.quality > b.quality);
    let chosen = match target {
        Target::Lambda(l) => return Some(l),
        Target::Quality(q) => best_by(&|p| p.quality >= q, &cheaper),
        Target::MaxCost(c) => best_by(&|p| p.cost <= c, &higher_quality),
        Target::PremiumShare(s) => best_by(&|p| p.premium_share <= s, &higher_quality),
    };
    chosen.map(|p| p.lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(cost: Vec<(f64, f64)>) -> Outcomes {
        let mean_cost = cost.iter().map(|c| c.0).collect();
        Outcomes { cost, mean_cost, lambda: 0.0, lambda_source: "flag".into(), feature: None }
    }

    #[test]
    fn costs_are_fitted_by_least_squares() {
        // Model 0: 1e-6 + 2e-9 × chars exactly; model 1: constant 5e-3.
        let chars = [100, 200, 400, 800];
        let cost: Vec<f64> = chars.iter().flat_map(|&c| [1e-6 + 2e-9 * c as f64, 5e-3]).collect();
        let fit = fit_costs(&chars, &cost, 2);
        assert!((fit[0].0 - 1e-6).abs() < 1e-15 && (fit[0].1 - 2e-9).abs() < 1e-18, "{fit:?}");
        assert_eq!(fit[1], (5e-3, 0.0));
    }

    #[test]
    fn lambda_trades_quality_for_cost() {
        let o = outcomes(vec![(0.001, 0.0), (0.01, 0.0)]);
        // Expected qualities 0.6 and 0.9: λ 0 takes the better, a large λ the cheaper; the switch
        // is where 0.3 = λ × 0.009.
        assert_eq!(o.choose(&[0.6, 0.9], 10, 0.0), 1);
        assert_eq!(o.choose(&[0.6, 0.9], 10, 33.0), 1);
        assert_eq!(o.choose(&[0.6, 0.9], 10, 34.0), 0);
        // Equal scores go to the cheaper.
        assert_eq!(o.choose(&[0.5, 0.5], 10, 0.0), 0);
    }

    #[test]
    fn operating_points_meet_their_targets() {
        let pts = [
            Point { lambda: 0.0, cost: 0.010, quality: 0.90, premium_share: 1.0 },
            Point { lambda: 10.0, cost: 0.005, quality: 0.88, premium_share: 0.5 },
            Point { lambda: 100.0, cost: 0.001, quality: 0.70, premium_share: 0.0 },
        ];
        assert_eq!(choose_lambda(&pts, Target::Quality(0.85)), Some(10.0));
        assert_eq!(choose_lambda(&pts, Target::MaxCost(0.006)), Some(10.0));
        assert_eq!(choose_lambda(&pts, Target::PremiumShare(0.2)), Some(100.0));
        assert_eq!(choose_lambda(&pts, Target::Quality(0.95)), None);
        assert_eq!(choose_lambda(&pts, Target::Lambda(3.0)), Some(3.0));
    }
}
