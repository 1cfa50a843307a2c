//! L2-regularised logistic regression for the routers: a multinomial (softmax) classifier over
//! class labels, and a binary model over soft targets (a share of good outcomes per row), both
//! fitted by L-BFGS on the crate's sparse rows.
//!
//! The objective is scikit-learn's `LogisticRegression(penalty="l2", solver="lbfgs",
//! fit_intercept=True)`: ½‖W‖² + C·Σᵢ lossᵢ, intercepts not penalised. It is minimised in the
//! scaling sklearn's lbfgs uses (`_logistic.py`: `l2_reg_strength = 1 / (C · sw_sum)` with the
//! mean loss of `_linear_loss.py`), that is divided by C·n: mean loss + ‖W‖² / (2·C·n). So `C`
//! means what it means in sklearn, and `tol` is a bound on the largest gradient entry of that
//! scaled objective, as sklearn's `gtol = tol`. Our default is 1e-6 (sklearn's is 1e-4).
//!
//! - [`fit_multinomial`]: K-class softmax cross-entropy, sklearn's multinomial fit for K ≥ 3.
//!   For K = 2 it is still a two-column softmax, where sklearn fits one vector: the two agree
//!   with W₁ = −W₀ = w/2 and b₁ − b₀ = b, where (w, b) is sklearn's binary fit at **2C** (the
//!   penalty on two half-vectors is half the penalty on w).
//! - [`fit_binary`]: one weight vector through a sigmoid, with targets tᵢ ∈ [0, 1] and loss
//!   −t·log p − (1−t)·log(1−p): sklearn's binary fit on every row twice, as label 1 with sample
//!   weight tᵢ and as label 0 with weight 1 − tᵢ.
//!
//! Coefficients are stored as f32, feature-major: `coef[feature * columns + k]`, so a prediction
//! reads one contiguous run of `columns` weights per non-zero feature (K multiply-adds each).
//! Fitting is in f64; rounding the weights to f32 moves probabilities by about 1e-7 (measured by
//! the test `f32_coefficients_move_probabilities_by_less_than_1e_6`). Intercepts (K numbers) stay
//! f64.
//!
//! Every class must have a training row (and binary targets must not be all 0 or all 1): without
//! one the unpenalised intercepts have no finite optimum, so the fit is an error naming the class,
//! as sklearn refuses a single class. Fitting is single-threaded and bit-for-bit deterministic;
//! [`select_c`] runs its folds on threads, with results independent of the thread count.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::ml::sparse::Csr;
use crate::rng::Rng;

/// The largest number of features (columns) a model may have.
pub const MAX_FEATURES: usize = 10_000_000;
/// The largest number of classes a model may have.
pub const MAX_CLASSES: usize = 10_000;

/// L-BFGS history length.
const HISTORY: usize = 10;
/// Function evaluations per line search (sklearn passes `maxls=50` to scipy).
const MAX_LINE_SEARCH: usize = 50;
/// Sufficient decrease and curvature constants of the strong Wolfe conditions.
const WOLFE_DECREASE: f64 = 1e-4;
const WOLFE_CURVATURE: f64 = 0.9;
/// Relative objective reduction below which progress has stopped (sklearn's `ftol`).
const FTOL: f64 = 64.0 * f64::EPSILON;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// K-column softmax over class labels.
    Multinomial,
    /// One column through a sigmoid: the probability of the positive outcome.
    Binary,
}

/// Fitting settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Inverse regularisation strength, as sklearn's `C`.
    pub c: f64,
    /// Stop when every gradient entry of the scaled objective is at most this.
    pub tol: f64,
    /// The most L-BFGS iterations.
    pub max_iter: usize,
}

impl Params {
    pub const DEFAULT_TOL: f64 = 1e-6;
    pub const DEFAULT_MAX_ITER: usize = 1000;

    pub fn new(c: f64) -> Params {
        Params { c, tol: Params::DEFAULT_TOL, max_iter: Params::DEFAULT_MAX_ITER }
    }

    fn check(&self) -> Result<(), String> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(format!("C must be a positive number, not {}", self.c));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(format!("tol must be a non-negative number, not {}", self.tol));
        }
        Ok(())
    }
}

/// A fitted model. Deserialisation checks every shape and value (see [`Linear::check`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Linear {
    kind: Kind,
    n_features: usize,
    n_classes: usize,
    c: f64,
    n_iter: usize,
    converged: bool,
    intercept: Vec<f64>,
    coef: Vec<f32>,
}

/// A model as read, before its checks.
#[derive(Deserialize)]
struct Unchecked {
    kind: Kind,
    n_features: usize,
    n_classes: usize,
    c: f64,
    n_iter: usize,
    converged: bool,
    intercept: Vec<f64>,
    coef: Vec<f32>,
}

impl TryFrom<Unchecked> for Linear {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<Linear, String> {
        let m = Linear {
            kind: u.kind,
            n_features: u.n_features,
            n_classes: u.n_classes,
            c: u.c,
            n_iter: u.n_iter,
            converged: u.converged,
            intercept: u.intercept,
            coef: u.coef,
        };
        m.check()?;
        Ok(m)
    }
}

impl Linear {
    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Classes predicted: K for a multinomial model, 2 for a binary one.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Weight columns: K for a multinomial model, 1 for a binary one.
    pub fn columns(&self) -> usize {
        match self.kind {
            Kind::Multinomial => self.n_classes,
            Kind::Binary => 1,
        }
    }

    /// The `C` the model was fitted with.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// L-BFGS iterations the fit took.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the fit stopped on its tolerance (or because the objective could no longer
    /// decrease, as scipy's L-BFGS-B reports it), not on the iteration cap or a failed line search.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// One intercept per column; a multinomial model's sum to zero.
    pub fn intercept(&self) -> &[f64] {
        &self.intercept
    }

    /// Weights, `coef[feature * columns + k]`.
    pub fn coef(&self) -> &[f32] {
        &self.coef
    }

    /// Every shape and value in range: the errors name the field.
    pub fn check(&self) -> Result<(), String> {
        self.check_shape()?;
        let bad = |what: String| Err(format!("linear model: {what}"));
        if !(self.c.is_finite() && self.c > 0.0) {
            return bad(format!("c is {}; it is a positive number", self.c));
        }
        let cols = self.columns();
        if self.intercept.len() != cols {
            return bad(format!("intercept has {} values; the model has {cols} columns", self.intercept.len()));
        }
        if self.coef.len() != self.n_features * cols {
            return bad(format!(
                "coef has {} values; n_features × columns is {} × {cols}",
                self.coef.len(),
                self.n_features
            ));
        }
        if let Some(i) = self.intercept.iter().position(|v| !v.is_finite()) {
            return bad(format!("intercept[{i}] is not a finite number"));
        }
        if let Some(i) = self.coef.iter().position(|v| !v.is_finite()) {
            return bad(format!("coef[{i}] is not a finite number"));
        }
        Ok(())
    }

    /// Class probabilities of one sparse row into `out` (`n_classes` entries): the softmax of a
    /// multinomial model, `[1 − p, p]` of a binary one. Columns beyond `n_features` are ignored.
    pub fn predict_proba(&self, indices: &[u32], values: &[f32], out: &mut [f64]) {
        match self.kind {
            Kind::Multinomial => {
                let out = &mut out[..self.n_classes];
                self.scores(indices, values, out);
                softmax(out);
            }
            Kind::Binary => {
                let p = self.predict_p(indices, values);
                out[0] = 1.0 - p;
                out[1] = p;
            }
        }
    }

    /// A binary model's probability of the positive outcome (a multinomial model's probability
    /// of its last class).
    pub fn predict_p(&self, indices: &[u32], values: &[f32]) -> f64 {
        match self.kind {
            Kind::Binary => {
                let mut z = [0.0];
                self.scores(indices, values, &mut z);
                sigmoid(z[0])
            }
            Kind::Multinomial => {
                let mut p = vec![0.0; self.n_classes];
                self.predict_proba(indices, values, &mut p);
                p[self.n_classes - 1]
            }
        }
    }

    /// Turns [`Linear::scores`] into what [`Linear::predict_proba`] gives: the softmax of a
    /// multinomial model's scores, `[1 − p, p]` of a binary one (`z` holds `n_classes` entries).
    pub fn proba_of_scores(&self, z: &mut [f64]) {
        match self.kind {
            Kind::Multinomial => softmax(&mut z[..self.n_classes]),
            Kind::Binary => {
                let p = sigmoid(z[0]);
                z[0] = 1.0 - p;
                z[1] = p;
            }
        }
    }

    /// The linear scores (intercept + weights · row), one per column.
    pub fn scores(&self, indices: &[u32], values: &[f32], out: &mut [f64]) {
        let k = self.columns();
        out.copy_from_slice(&self.intercept);
        for (&f, &v) in indices.iter().zip(values) {
            let at = f as usize * k;
            if let Some(w) = self.coef.get(at..at + k) {
                let v = f64::from(v);
                for (o, &c) in out.iter_mut().zip(w) {
                    *o += v * f64::from(c);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fitting

/// Fits a softmax model on rows `x` with classes `y` (each `< n_classes`, every class present).
pub fn fit_multinomial(x: &Csr, y: &[u32], n_classes: usize, params: &Params) -> Result<Linear, String> {
    params.check()?;
    check_rows(x)?;
    check_classes(y, x.n_rows(), n_classes, 1)?;
    let mut w = vec![0.0; (x.n_cols + 1) * n_classes];
    let outcome = minimize(&Softmax::new(x, y, n_classes, params.c), &mut w, params);
    to_model(Kind::Multinomial, x.n_cols, n_classes, params.c, &w, outcome)
}

/// Fits a sigmoid model on rows `x` with soft targets `t` (each in [0, 1], not all 0 or all 1).
pub fn fit_binary(x: &Csr, t: &[f64], params: &Params) -> Result<Linear, String> {
    params.check()?;
    check_rows(x)?;
    check_targets(t, x.n_rows())?;
    let mut w = vec![0.0; x.n_cols + 1];
    let outcome = minimize(&Sigmoid::new(x, t, params.c), &mut w, params);
    to_model(Kind::Binary, x.n_cols, 2, params.c, &w, outcome)
}

/// The model of a solution `w` (weights feature-major, then the intercepts).
fn to_model(kind: Kind, n_features: usize, n_classes: usize, c: f64, w: &[f64], o: Outcome) -> Result<Linear, String> {
    let (coef, intercept) = w.split_at(w.len() - if kind == Kind::Binary { 1 } else { n_classes });
    let mut intercept = intercept.to_vec();
    if kind == Kind::Multinomial {
        // Adding a constant to every intercept changes no probability: keep them centred.
        let mean = intercept.iter().sum::<f64>() / n_classes as f64;
        intercept.iter_mut().for_each(|b| *b -= mean);
    }
    let m = Linear {
        kind,
        n_features,
        n_classes,
        c,
        n_iter: o.n_iter,
        converged: o.converged,
        intercept,
        coef: coef.iter().map(|&v| v as f32).collect(),
    };
    m.check().map_err(|e| format!("the fit diverged ({e})"))?;
    Ok(m)
}

/// Rows in range: at least one, a well-formed matrix, finite values.
fn check_rows(x: &Csr) -> Result<(), String> {
    if x.indptr.len() < 2 {
        return Err("no training rows".to_string());
    }
    if !(1..=MAX_FEATURES).contains(&x.n_cols) {
        return Err(format!("{} feature columns; a model has 1 to {MAX_FEATURES}", x.n_cols));
    }
    let nnz = x.indices.len();
    if x.data.len() != nnz || x.indptr[0] != 0 || x.indptr.last() != Some(&nnz) || !x.indptr.is_sorted() {
        return Err("malformed sparse matrix (row pointers)".to_string());
    }
    for r in 0..x.n_rows() {
        let (idx, val) = x.row(r);
        for (&c, &v) in idx.iter().zip(val) {
            if c as usize >= x.n_cols {
                return Err(format!("row {r}: column {c} is beyond the {} columns", x.n_cols));
            }
            if !v.is_finite() {
                return Err(format!("row {r}: the value of column {c} is not a finite number"));
            }
        }
    }
    Ok(())
}

/// One class per row, each class with at least `min_rows` rows.
fn check_classes(y: &[u32], n_rows: usize, n_classes: usize, min_rows: usize) -> Result<(), String> {
    if y.len() != n_rows {
        return Err(format!("{} classes for {n_rows} rows", y.len()));
    }
    if !(2..=MAX_CLASSES).contains(&n_classes) {
        return Err(format!("{n_classes} classes; a classifier has 2 to {MAX_CLASSES}"));
    }
    let mut counts = vec![0usize; n_classes];
    for (r, &c) in y.iter().enumerate() {
        match counts.get_mut(c as usize) {
            Some(n) => *n += 1,
            None => return Err(format!("row {r}: class {c} is not below {n_classes}")),
        }
    }
    match counts.iter().position(|&n| n < min_rows) {
        Some(c) if min_rows == 1 => Err(format!(
            "class {c} has no training rows; every class needs one (its intercept has no finite optimum otherwise)"
        )),
        Some(c) => Err(format!(
            "class {c} has {} rows; cross-validation needs at least {min_rows} per class, so that every training \
             fold has each class",
            counts[c]
        )),
        None => Ok(()),
    }
}

/// One target in [0, 1] per row, not all 0 and not all 1.
fn check_targets(t: &[f64], n_rows: usize) -> Result<(), String> {
    if t.len() != n_rows {
        return Err(format!("{} targets for {n_rows} rows", t.len()));
    }
    if let Some(r) = t.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(format!("row {r}: target {} is not in [0, 1]", t[r]));
    }
    if t.iter().all(|&v| v == 0.0) || t.iter().all(|&v| v == 1.0) {
        return Err(format!(
            "every target is {}: the intercept has no finite optimum",
            if t[0] == 0.0 { 0 } else { 1 }
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Objectives, in sklearn's scaling: mean loss + ½·l2·‖W‖² with l2 = 1 / (C·n).

trait Objective {
    /// The objective at `w`, its gradient written to `g`.
    fn eval(&self, w: &[f64], g: &mut [f64]) -> f64;
}

/// Multinomial cross-entropy; parameters `[W (feature-major, K per feature), b (K)]`.
struct Softmax<'a> {
    x: &'a Csr,
    y: &'a [u32],
    k: usize,
    l2: f64,
}

impl<'a> Softmax<'a> {
    fn new(x: &'a Csr, y: &'a [u32], k: usize, c: f64) -> Softmax<'a> {
        Softmax { x, y, k, l2: 1.0 / (c * x.n_rows() as f64) }
    }
}

impl Objective for Softmax<'_> {
    fn eval(&self, w: &[f64], g: &mut [f64]) -> f64 {
        let k = self.k;
        let (wc, b) = w.split_at(w.len() - k);
        g.fill(0.0);
        let (gc, gb) = g.split_at_mut(w.len() - k);
        let mut z = vec![0.0; k];
        let mut loss = 0.0;
        for (r, &y) in self.y.iter().enumerate() {
            let (idx, val) = self.x.row(r);
            z.copy_from_slice(b);
            for (&f, &v) in idx.iter().zip(val) {
                let v = f64::from(v);
                let at = f as usize * k;
                for (zk, &wk) in z.iter_mut().zip(&wc[at..at + k]) {
                    *zk += v * wk;
                }
            }
            let zy = z[y as usize];
            let lse = log_sum_exp(&z);
            loss += lse - zy;
            // z becomes the residual p − onehot(y).
            z.iter_mut().for_each(|zk| *zk = (*zk - lse).exp());
            z[y as usize] -= 1.0;
            for (&f, &v) in idx.iter().zip(val) {
                let v = f64::from(v);
                let at = f as usize * k;
                for (gk, &rk) in gc[at..at + k].iter_mut().zip(&z) {
                    *gk += v * rk;
                }
            }
            gb.iter_mut().zip(&z).for_each(|(gk, &rk)| *gk += rk);
        }
        finish(loss, self.y.len(), self.l2, wc, gc, gb)
    }
}

/// Soft-target binary cross-entropy; parameters `[w (one per feature), b]`.
struct Sigmoid<'a> {
    x: &'a Csr,
    t: &'a [f64],
    l2: f64,
}

impl<'a> Sigmoid<'a> {
    fn new(x: &'a Csr, t: &'a [f64], c: f64) -> Sigmoid<'a> {
        Sigmoid { x, t, l2: 1.0 / (c * x.n_rows() as f64) }
    }
}

impl Objective for Sigmoid<'_> {
    fn eval(&self, w: &[f64], g: &mut [f64]) -> f64 {
        let (wc, b) = w.split_at(w.len() - 1);
        g.fill(0.0);
        let (gc, gb) = g.split_at_mut(w.len() - 1);
        let mut loss = 0.0;
        for (r, &t) in self.t.iter().enumerate() {
            let (idx, val) = self.x.row(r);
            let mut z = b[0];
            for (&f, &v) in idx.iter().zip(val) {
                z += f64::from(v) * wc[f as usize];
            }
            loss += binary_loss(z, t);
            let residual = sigmoid(z) - t;
            for (&f, &v) in idx.iter().zip(val) {
                gc[f as usize] += f64::from(v) * residual;
            }
            gb[0] += residual;
        }
        finish(loss, self.t.len(), self.l2, wc, gc, gb)
    }
}

/// Scales the summed loss and gradient by 1/n and adds the penalty on the weights.
fn finish(loss: f64, n: usize, l2: f64, w: &[f64], g: &mut [f64], g_intercept: &mut [f64]) -> f64 {
    let scale = 1.0 / n as f64;
    let mut norm2 = 0.0;
    for (gj, &wj) in g.iter_mut().zip(w) {
        *gj = *gj * scale + l2 * wj;
        norm2 += wj * wj;
    }
    g_intercept.iter_mut().for_each(|gb| *gb *= scale);
    loss * scale + 0.5 * l2 * norm2
}

fn log_sum_exp(z: &[f64]) -> f64 {
    let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    m + z.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

/// In-place softmax.
fn softmax(z: &mut [f64]) {
    let lse = log_sum_exp(z);
    z.iter_mut().for_each(|v| *v = (*v - lse).exp());
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// −t·log σ(z) − (1−t)·log(1−σ(z)) = softplus(z) − t·z, without overflow.
fn binary_loss(z: f64, t: f64) -> f64 {
    let softplus = if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
    softplus - t * z
}

// ---------------------------------------------------------------------------------------------
// L-BFGS

/// How a minimisation ended.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    n_iter: usize,
    converged: bool,
}

/// A point with its objective value and gradient.
struct Point {
    x: Vec<f64>,
    g: Vec<f64>,
    f: f64,
}

impl Point {
    fn zeros(n: usize) -> Point {
        Point { x: vec![0.0; n], g: vec![0.0; n], f: 0.0 }
    }

    /// Evaluates `obj` at `base + a·d`.
    fn set(&mut self, obj: &dyn Objective, base: &[f64], d: &[f64], a: f64) {
        for ((x, &b), &d) in self.x.iter_mut().zip(base).zip(d) {
            *x = b + a * d;
        }
        self.f = obj.eval(&self.x, &mut self.g);
    }
}

/// Minimises `obj` from `w` (a warm start, or zeros), leaving the solution in `w`.
fn minimize(obj: &dyn Objective, w: &mut [f64], params: &Params) -> Outcome {
    let n = w.len();
    let mut cur = Point::zeros(n);
    cur.x.copy_from_slice(w);
    cur.f = obj.eval(&cur.x, &mut cur.g);
    let mut trial = Point::zeros(n);
    let mut memory = Memory::default();
    let mut d = vec![0.0; n];
    let mut n_iter = 0;
    let mut converged = max_abs(&cur.g) <= params.tol;
    while !converged && n_iter < params.max_iter {
        memory.direction(&cur.g, &mut d);
        let mut slope = dot(&cur.g, &d);
        if slope >= 0.0 || slope.is_nan() {
            // Not a descent direction (rounding): restart from steepest descent.
            memory.clear();
            memory.direction(&cur.g, &mut d);
            slope = dot(&cur.g, &d);
        }
        let step = if memory.is_empty() { 1.0 / slope.abs().sqrt() } else { 1.0 };
        if !line_search(obj, &cur, &d, step, &mut trial) {
            if memory.is_empty() {
                break;
            }
            memory.clear();
            continue;
        }
        memory.push(&cur, &trial);
        let before = cur.f;
        std::mem::swap(&mut cur, &mut trial);
        n_iter += 1;
        let stalled = before - cur.f <= FTOL * before.abs().max(cur.f.abs()).max(1.0);
        converged = max_abs(&cur.g) <= params.tol || stalled;
    }
    w.copy_from_slice(&cur.x);
    Outcome { n_iter, converged }
}

/// The last few steps and gradient changes, for the two-loop recursion.
#[derive(Default)]
struct Memory {
    /// (s, y, 1 / s·y), oldest first.
    pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    alpha: Vec<f64>,
}

impl Memory {
    fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn clear(&mut self) {
        self.pairs.clear();
    }

    /// Remembers the step from `a` to `b`, unless its curvature is not positive.
    fn push(&mut self, a: &Point, b: &Point) {
        let (mut s, mut y) = match self.pairs.len() {
            HISTORY => self.pairs.pop_front().map(|(s, y, _)| (s, y)).unwrap_or_default(),
            _ => (Vec::new(), Vec::new()),
        };
        s.clear();
        s.extend(b.x.iter().zip(&a.x).map(|(p, q)| p - q));
        y.clear();
        y.extend(b.g.iter().zip(&a.g).map(|(p, q)| p - q));
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            self.pairs.push_back((s, y, 1.0 / sy));
        }
    }

    /// d = −H·g, H the L-BFGS inverse Hessian approximation (the identity with no history).
    fn direction(&mut self, g: &[f64], d: &mut [f64]) {
        d.copy_from_slice(g);
        self.alpha.clear();
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * dot(s, d);
            axpy(-a, y, d);
            self.alpha.push(a);
        }
        if let Some((s, y, _)) = self.pairs.back() {
            let gamma = dot(s, y) / dot(y, y);
            d.iter_mut().for_each(|v| *v *= gamma);
        }
        for ((s, y, rho), &a) in self.pairs.iter().zip(self.alpha.iter().rev()) {
            let b = rho * dot(y, d);
            axpy(a - b, s, d);
        }
        d.iter_mut().for_each(|v| *v = -*v);
    }
}

/// One trial step: its length, objective value and directional derivative.
#[derive(Debug, Clone, Copy)]
struct Sample {
    a: f64,
    f: f64,
    slope: f64,
}

/// Finds a step along `d` from `cur` meeting the strong Wolfe conditions (bracketing, then
/// zooming by safeguarded cubic interpolation), leaving its point in `trial`. If none is found
/// within the evaluation budget, the best step with sufficient decrease is taken; `false` when
/// there is none.
fn line_search(obj: &dyn Objective, cur: &Point, d: &[f64], first: f64, trial: &mut Point) -> bool {
    let slope0 = dot(&cur.g, d);
    let armijo = |s: &Sample| s.f <= cur.f + WOLFE_DECREASE * s.a * slope0;
    let mut lo = Sample { a: 0.0, f: cur.f, slope: slope0 };
    let mut hi: Option<Sample> = None;
    let mut a = first;
    for _ in 0..MAX_LINE_SEARCH {
        trial.set(obj, &cur.x, d, a);
        let s = Sample { a, f: trial.f, slope: dot(&trial.g, d) };
        if !armijo(&s) || s.f >= lo.f {
            hi = Some(s);
        } else if s.slope.abs() <= -WOLFE_CURVATURE * slope0 {
            return true;
        } else {
            if s.slope * (hi.map_or(f64::INFINITY, |h| h.a) - s.a) >= 0.0 {
                hi = Some(lo);
            }
            lo = s;
        }
        a = match hi {
            None => 4.0 * a,
            Some(h) => interpolate(lo, h),
        };
        if hi.is_some_and(|h| (h.a - lo.a).abs() <= f64::EPSILON * lo.a.max(h.a)) {
            break;
        }
    }
    if lo.a == 0.0 {
        return false;
    }
    if trial.x.iter().zip(&cur.x).zip(d).any(|((&x, &b), &d)| x != b + lo.a * d) {
        trial.set(obj, &cur.x, d, lo.a);
    }
    true
}

/// The minimiser of the cubic through two samples, kept at least a tenth of the interval from
/// either end (bisection when the cubic has no minimum there).
fn interpolate(p: Sample, q: Sample) -> f64 {
    let (l, r) = (p.a.min(q.a), p.a.max(q.a));
    let margin = 0.1 * (r - l);
    let d1 = p.slope + q.slope - 3.0 * (p.f - q.f) / (p.a - q.a);
    let d2 = (d1 * d1 - p.slope * q.slope).sqrt() * (q.a - p.a).signum();
    let t = q.a - (q.a - p.a) * (q.slope + d2 - d1) / (q.slope - p.slope + 2.0 * d2);
    if t.is_finite() && t >= l + margin && t <= r - margin { t } else { 0.5 * (l + r) }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// y += a·x
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, &x)| *y += a * x);
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, &x| m.max(x.abs()))
}

// ---------------------------------------------------------------------------------------------
// Binary form

/// The fields of [`to_bytes`]'s JSON header.
#[derive(Serialize, Deserialize)]
struct Header {
    kind: Kind,
    n_features: usize,
    n_classes: usize,
    n_iter: usize,
    converged: bool,
}

impl Linear {
    /// The model as bytes, in the model file's style (a small JSON header, then the numbers in
    /// binary, so they round-trip exactly):
    ///
    /// ```text
    /// u32 LE header length | header JSON {kind, n_features, n_classes, n_iter, converged}
    /// | f64 LE c | f64 LE intercept × columns | f32 LE coef × (n_features × columns)
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            kind: self.kind,
            n_features: self.n_features,
            n_classes: self.n_classes,
            n_iter: self.n_iter,
            converged: self.converged,
        };
        let h = serde_json::to_vec(&header).unwrap_or_default();
        let mut out = Vec::with_capacity(4 + h.len() + 8 * (1 + self.intercept.len()) + 4 * self.coef.len());
        out.extend_from_slice(&(h.len() as u32).to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(&self.c.to_le_bytes());
        for b in &self.intercept {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for w in &self.coef {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads [`Linear::to_bytes`]'s form, all of `b`, checking every field.
    pub fn from_bytes(b: &[u8]) -> Result<Linear, String> {
        let (m, used) = Linear::read_from(b)?;
        if used != b.len() {
            return Err(format!("linear model: {} unexpected bytes after coef", b.len() - used));
        }
        Ok(m)
    }

    /// Reads a model from the start of `b`: the model and the bytes it took.
    pub fn read_from(b: &[u8]) -> Result<(Linear, usize), String> {
        let mut at = 0usize;
        let mut take = |n: usize, what: &str| -> Result<&[u8], String> {
            let end = at.checked_add(n).filter(|&e| e <= b.len()).ok_or(format!("linear model: truncated {what}"))?;
            let s = &b[at..end];
            at = end;
            Ok(s)
        };
        let word = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let double = |s: &[u8]| f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
        let len = word(take(4, "header length")?) as usize;
        let h: Header =
            serde_json::from_slice(take(len, "header")?).map_err(|e| format!("linear model: header: {e}"))?;
        // Shapes first, so the sizes below are bounded before anything is allocated.
        let mut m = Linear {
            kind: h.kind,
            n_features: h.n_features,
            n_classes: h.n_classes,
            c: 1.0,
            n_iter: h.n_iter,
            converged: h.converged,
            intercept: Vec::new(),
            coef: Vec::new(),
        };
        m.check_shape()?;
        let cols = m.columns();
        m.c = double(take(8, "c")?);
        m.intercept = take(8 * cols, "intercept")?.chunks_exact(8).map(double).collect();
        m.coef = take(4 * cols * m.n_features, "coef")?.chunks_exact(4).map(|s| f32::from_bits(word(s))).collect();
        m.check()?;
        Ok((m, at))
    }

    /// The shape fields of [`Linear::check`]: kind, classes and features.
    fn check_shape(&self) -> Result<(), String> {
        let bad = |what: String| Err(format!("linear model: {what}"));
        if !(2..=MAX_CLASSES).contains(&self.n_classes) {
            return bad(format!("n_classes is {}; a model has 2 to {MAX_CLASSES}", self.n_classes));
        }
        if self.kind == Kind::Binary && self.n_classes != 2 {
            return bad(format!("n_classes is {}; a binary model has 2", self.n_classes));
        }
        if !(1..=MAX_FEATURES).contains(&self.n_features) {
            return bad(format!("n_features is {}; a model has 1 to {MAX_FEATURES}", self.n_features));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Model selection

/// [`select_c`]'s answer: the chosen C and each candidate's mean held-out accuracy.
#[derive(Debug, Clone, PartialEq)]
pub struct CvResult {
    pub best_c: f64,
    /// Per candidate, in the order given: the mean over folds of the fold's accuracy.
    pub mean_accuracy: Vec<f64>,
}

/// [`select_c_binary`]'s answer: the chosen C and each candidate's mean held-out log-loss.
#[derive(Debug, Clone, PartialEq)]
pub struct CvBinaryResult {
    pub best_c: f64,
    /// Per candidate, in the order given: the mean over folds of the fold's mean log-loss.
    pub mean_log_loss: Vec<f64>,
}

/// Picks the C of `cs` with the best mean accuracy of a softmax model over `folds` stratified
/// folds (drawn with `seed`); ties go to the smaller C. Each fold fits the candidates from the
/// smallest C up, each starting from the previous solution. Folds run on up to `threads`
/// threads; the result does not depend on how many.
pub fn select_c(
    x: &Csr,
    y: &[u32],
    n_classes: usize,
    cs: &[f64],
    folds: usize,
    seed: u64,
    threads: usize,
) -> Result<CvResult, String> {
    check_rows(x)?;
    check_classes(y, x.n_rows(), n_classes, 2)?;
    check_cv(cs, folds, x.n_rows())?;
    let fold_of = stratified_folds(y, n_classes, folds, seed);
    let scores = run_folds(folds, threads, |f| {
        let (train, test) = split(&fold_of, f);
        let (xt, xs) = (x.select(&train), x.select(&test));
        let yt: Vec<u32> = train.iter().map(|&r| y[r]).collect();
        let mut w = vec![0.0; (x.n_cols + 1) * n_classes];
        let mut acc = vec![0.0; cs.len()];
        for i in ascending(cs) {
            let o = minimize(&Softmax::new(&xt, &yt, n_classes, cs[i]), &mut w, &Params::new(cs[i]));
            let m = to_model(Kind::Multinomial, x.n_cols, n_classes, cs[i], &w, o)?;
            acc[i] = accuracy(&m, &xs, test.iter().map(|&r| y[r]));
        }
        Ok(acc)
    })?;
    let mean = mean_over_folds(&scores, cs.len());
    let best = pick(cs, &mean, |a, b| a > b);
    Ok(CvResult { best_c: cs[best], mean_accuracy: mean })
}

/// [`select_c`] for soft targets: the C with the lowest mean held-out log-loss of a binary model
/// (folds stratified on t ≥ 0.5; ties go to the smaller C).
pub fn select_c_binary(
    x: &Csr,
    t: &[f64],
    cs: &[f64],
    folds: usize,
    seed: u64,
    threads: usize,
) -> Result<CvBinaryResult, String> {
    check_rows(x)?;
    check_targets(t, x.n_rows())?;
    check_cv(cs, folds, x.n_rows())?;
    let strata: Vec<u32> = t.iter().map(|&v| u32::from(v >= 0.5)).collect();
    let fold_of = stratified_folds(&strata, 2, folds, seed);
    let scores = run_folds(folds, threads, |f| {
        let (train, test) = split(&fold_of, f);
        let (xt, xs) = (x.select(&train), x.select(&test));
        let tt: Vec<f64> = train.iter().map(|&r| t[r]).collect();
        check_targets(&tt, tt.len())?;
        let mut w = vec![0.0; x.n_cols + 1];
        let mut loss = vec![0.0; cs.len()];
        for i in ascending(cs) {
            let o = minimize(&Sigmoid::new(&xt, &tt, cs[i]), &mut w, &Params::new(cs[i]));
            let m = to_model(Kind::Binary, x.n_cols, 2, cs[i], &w, o)?;
            loss[i] = log_loss(&m, &xs, test.iter().map(|&r| t[r]));
        }
        Ok(loss)
    })?;
    let mean = mean_over_folds(&scores, cs.len());
    let best = pick(cs, &mean, |a, b| a < b);
    Ok(CvBinaryResult { best_c: cs[best], mean_log_loss: mean })
}

fn check_cv(cs: &[f64], folds: usize, n_rows: usize) -> Result<(), String> {
    if cs.is_empty() {
        return Err("no candidate C values".to_string());
    }
    if let Some(c) = cs.iter().find(|c| !(c.is_finite() && **c > 0.0)) {
        return Err(format!("C must be a positive number, not {c}"));
    }
    if !(2..=n_rows).contains(&folds) {
        return Err(format!("{folds} folds for {n_rows} rows; cross-validation needs 2 to {n_rows}"));
    }
    Ok(())
}

/// A fold per row: each stratum's rows, shuffled, are dealt to the folds in turn (continuing
/// from where the previous stratum stopped), so every fold has its share of every stratum and a
/// stratum with two or more rows is in every training set.
fn stratified_folds(strata: &[u32], n_strata: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng::new(seed);
    let mut by_stratum: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for (r, &s) in strata.iter().enumerate() {
        by_stratum[s as usize].push(r);
    }
    let mut fold_of = vec![0; strata.len()];
    let mut next = 0;
    for rows in &mut by_stratum {
        rng.shuffle(rows);
        for &r in rows.iter() {
            fold_of[r] = next % folds;
            next += 1;
        }
    }
    fold_of
}

/// The training and the held-out rows of fold `f`.
fn split(fold_of: &[usize], f: usize) -> (Vec<usize>, Vec<usize>) {
    (0..fold_of.len()).partition(|&r| fold_of[r] != f)
}

/// Indices of `cs`, smallest C first (stable, so equal Cs keep their order).
fn ascending(cs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cs.len()).collect();
    order.sort_by(|&a, &b| cs[a].total_cmp(&cs[b]));
    order
}

/// Runs `job` for every fold on up to `threads` threads; the results in fold order.
fn run_folds<T: Send>(
    folds: usize,
    threads: usize,
    job: impl Fn(usize) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<T, String>>>> = Mutex::new((0..folds).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, folds) {
            s.spawn(|| {
                loop {
                    let f = next.fetch_add(1, Ordering::Relaxed);
                    if f >= folds {
                        break;
                    }
                    let r = job(f);
                    if let Ok(mut d) = done.lock() {
                        d[f] = Some(r);
                    }
                }
            });
        }
    });
    let done = done.into_inner().map_err(|_| "a cross-validation thread failed".to_string())?;
    done.into_iter()
        .enumerate()
        .map(|(f, r)| match r {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(format!("fold {}: {e}", f + 1)),
            None => Err(format!("fold {} did not finish", f + 1)),
        })
        .collect()
}

fn mean_over_folds(scores: &[Vec<f64>], n: usize) -> Vec<f64> {
    (0..n).map(|i| scores.iter().map(|s| s[i]).sum::<f64>() / scores.len() as f64).collect()
}

/// The index of the best score (`better(a, b)`: a beats b), the smaller C among equals.
fn pick(cs: &[f64], scores: &[f64], better: impl Fn(f64, f64) -> bool) -> usize {
    let order = ascending(cs);
    let mut best = order[0];
    for &i in &order[1..] {
        if better(scores[i], scores[best]) {
            best = i;
        }
    }
    best
}

/// Share of rows whose highest-scoring class (the first among equals) is the true one.
fn accuracy(m: &Linear, x: &Csr, y: impl Iterator<Item = u32>) -> f64 {
    let mut z = vec![0.0; m.columns()];
    let mut correct = 0usize;
    for (r, truth) in y.enumerate() {
        let (i, v) = x.row(r);
        m.scores(i, v, &mut z);
        let best = (1..z.len()).fold(0, |b, k| if z[k] > z[b] { k } else { b });
        correct += usize::from(best == truth as usize);
    }
    correct as f64 / x.n_rows() as f64
}

/// Mean binary log-loss of a binary model on rows `x` with targets `t`.
fn log_loss(m: &Linear, x: &Csr, t: impl Iterator<Item = f64>) -> f64 {
    let mut z = [0.0];
    let mut total = 0.0;
    for (r, t) in t.enumerate() {
        let (i, v) = x.row(r);
        m.scores(i, v, &mut z);
        total += binary_loss(z[0], t);
    }
    total / x.n_rows() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` dense rows of `d` features around one of `k` random centres (`spread` apart).
    fn blobs(n: usize, d: usize, k: usize, spread: f64, seed: u64) -> (Csr, Vec<u32>) {
        let mut rng = Rng::new(seed);
        let centres: Vec<f64> = (0..k * d).map(|_| spread * (rng.unit() - 0.5)).collect();
        let mut x = Csr::with_capacity(d, n, n * d);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let c = rng.below(k);
            // A sum of uniforms: roughly normal noise.
            let noise = |rng: &mut Rng| (0..4).map(|_| rng.unit() - 0.5).sum::<f64>();
            let row: Vec<(u32, f32)> =
                (0..d).map(|j| (j as u32, (centres[c * d + j] + noise(&mut rng)) as f32)).collect();
            x.push_row(row);
            y.push(c as u32);
        }
        (x, y)
    }

    /// Soft targets from a noisy linear function of the rows.
    fn soft_targets(x: &Csr, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let w: Vec<f64> = (0..x.n_cols).map(|_| rng.unit() - 0.5).collect();
        (0..x.n_rows())
            .map(|r| {
                let (i, v) = x.row(r);
                let z: f64 = i.iter().zip(v).map(|(&c, &v)| w[c as usize] * f64::from(v)).sum();
                (sigmoid(2.0 * z + rng.unit() - 0.5) * 1000.0).round() / 1000.0
            })
            .collect()
    }

    fn argmax(p: &[f64]) -> usize {
        (1..p.len()).fold(0, |b, k| if p[k] > p[b] { k } else { b })
    }

    #[test]
    fn gradients_equal_finite_differences() {
        let (x, y) = blobs(50, 6, 3, 3.0, 1);
        let t = soft_targets(&x, 2);
        let mut rng = Rng::new(3);
        let objectives: [(&dyn Objective, usize); 2] =
            [(&Softmax::new(&x, &y, 3, 0.7), 7 * 3), (&Sigmoid::new(&x, &t, 0.7), 7)];
        for (obj, n) in objectives {
            let w: Vec<f64> = (0..n).map(|_| rng.unit() - 0.5).collect();
            let mut g = vec![0.0; n];
            obj.eval(&w, &mut g);
            let mut scratch = vec![0.0; n];
            for j in 0..n {
                let h = 1e-6;
                let (mut up, mut down) = (w.clone(), w.clone());
                up[j] += h;
                down[j] -= h;
                let numeric = (obj.eval(&up, &mut scratch) - obj.eval(&down, &mut scratch)) / (2.0 * h);
                assert!((numeric - g[j]).abs() < 1e-7 * (1.0 + g[j].abs()), "entry {j}: {numeric} vs {}", g[j]);
            }
        }
    }

    #[test]
    fn fits_converge_and_report_their_iterations() {
        let (x, y) = blobs(300, 10, 4, 2.0, 4);
        let m = fit_multinomial(&x, &y, 4, &Params::new(1.0)).unwrap();
        assert!(m.converged() && m.n_iter() > 5, "{} iterations", m.n_iter());
        assert!(m.intercept().iter().sum::<f64>().abs() < 1e-12);
        let capped = fit_multinomial(&x, &y, 4, &Params { max_iter: 2, ..Params::new(1.0) }).unwrap();
        assert_eq!((capped.n_iter(), capped.converged()), (2, false));
        // The gradient of the scaled objective at the stored solution is within tolerance
        // (up to the f32 rounding of the weights).
        let mut w: Vec<f64> = m.coef().iter().map(|&v| f64::from(v)).collect();
        w.extend_from_slice(m.intercept());
        let mut g = vec![0.0; w.len()];
        Softmax::new(&x, &y, 4, 1.0).eval(&w, &mut g);
        assert!(max_abs(&g) < 1e-5, "{}", max_abs(&g));
    }

    #[test]
    fn separable_data_stays_finite_at_huge_c() {
        // Class 1 exactly when feature 0 is positive.
        let mut x = Csr::with_capacity(3, 40, 120);
        let mut y = Vec::new();
        for i in 0..40 {
            let a = (i as f32 - 19.5) / 10.0;
            x.push_row([(0, a), (1, 1.0), (2, (i % 3) as f32)]);
            y.push(u32::from(a > 0.0));
        }
        let m = fit_multinomial(&x, &y, 2, &Params::new(1e6)).unwrap();
        let t: Vec<f64> = y.iter().map(|&c| f64::from(c)).collect();
        let b = fit_binary(&x, &t, &Params::new(1e6)).unwrap();
        for model in [&m, &b] {
            assert!(model.coef().iter().all(|v| v.is_finite()) && model.intercept().iter().all(|v| v.is_finite()));
            let mut p = [0.0; 2];
            for (r, &c) in y.iter().enumerate() {
                let (i, v) = x.row(r);
                model.predict_proba(i, v, &mut p);
                assert!(p[c as usize] > 0.99, "row {r}: {p:?}");
            }
        }
        // Large weights: the data pushes them far beyond what C = 1 allows.
        assert!(m.coef()[1].abs() > 10.0, "{:?}", m.coef());
    }

    #[test]
    fn a_class_without_rows_is_an_error() {
        let (x, _) = blobs(20, 3, 2, 2.0, 5);
        let e = fit_multinomial(&x, &[0; 20], 2, &Params::new(1.0)).unwrap_err();
        assert_eq!(
            e,
            "class 1 has no training rows; every class needs one (its intercept has no finite optimum otherwise)"
        );
        let e = fit_binary(&x, &[1.0; 20], &Params::new(1.0)).unwrap_err();
        assert_eq!(e, "every target is 1: the intercept has no finite optimum");
        assert!(fit_binary(&x, &[0.0; 20], &Params::new(1.0)).unwrap_err().starts_with("every target is 0"));
    }

    #[test]
    fn bad_input_is_an_error_naming_the_problem() {
        let p = Params::new(1.0);
        assert_eq!(fit_multinomial(&Csr::with_capacity(3, 0, 0), &[], 2, &p).unwrap_err(), "no training rows");
        assert_eq!(fit_binary(&Csr::default(), &[], &p).unwrap_err(), "no training rows");
        let (mut x, y) = blobs(20, 3, 2, 2.0, 6);
        assert_eq!(fit_multinomial(&x, &y[1..], 2, &p).unwrap_err(), "19 classes for 20 rows");
        assert_eq!(fit_multinomial(&x, &y, 1, &p).unwrap_err(), "1 classes; a classifier has 2 to 10000");
        let mut y3 = y.clone();
        y3[4] = 2;
        assert_eq!(fit_multinomial(&x, &y3, 2, &p).unwrap_err(), "row 4: class 2 is not below 2");
        let mut t = vec![0.5; 20];
        t[3] = f64::NAN;
        assert_eq!(fit_binary(&x, &t, &p).unwrap_err(), "row 3: target NaN is not in [0, 1]");
        t[3] = 1.5;
        assert_eq!(fit_binary(&x, &t, &p).unwrap_err(), "row 3: target 1.5 is not in [0, 1]");
        for c in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(fit_multinomial(&x, &y, 2, &Params::new(c)).unwrap_err().starts_with("C must be a positive"));
        }
        x.data[7] = f32::NAN;
        assert_eq!(fit_multinomial(&x, &y, 2, &p).unwrap_err(), "row 2: the value of column 1 is not a finite number");
        x.data[7] = 1.0;
        x.indices[7] = 3;
        assert_eq!(fit_multinomial(&x, &y, 2, &p).unwrap_err(), "row 2: column 3 is beyond the 3 columns");
    }

    #[test]
    fn fits_are_bit_for_bit_deterministic() {
        let (x, y) = blobs(200, 12, 3, 2.0, 7);
        let t = soft_targets(&x, 8);
        let a = fit_multinomial(&x, &y, 3, &Params::new(3.0)).unwrap();
        let b = fit_multinomial(&x, &y, 3, &Params::new(3.0)).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let a = fit_binary(&x, &t, &Params::new(3.0)).unwrap();
        let b = fit_binary(&x, &t, &Params::new(3.0)).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
    }

    #[test]
    fn select_c_is_independent_of_the_thread_count() {
        let (x, y) = blobs(240, 8, 3, 1.5, 9);
        let cs = [0.01, 0.1, 1.0, 10.0];
        let one = select_c(&x, &y, 3, &cs, 5, 42, 1).unwrap();
        for threads in [2, 3, 8] {
            assert_eq!(select_c(&x, &y, 3, &cs, 5, 42, threads).unwrap(), one, "{threads} threads");
        }
        assert_eq!(one.mean_accuracy.len(), 4);
        assert!(one.mean_accuracy.iter().all(|a| (0.0..=1.0).contains(a)));
        // The best mean accuracy, and no smaller C reaches it.
        let best = cs.iter().position(|&c| c == one.best_c).unwrap();
        assert!(one.mean_accuracy.iter().all(|&a| a <= one.mean_accuracy[best]));
        assert!(one.mean_accuracy[..best].iter().all(|&a| a < one.mean_accuracy[best]));
        // Over-regularised models underfit these blobs.
        assert!(one.mean_accuracy[0] < one.mean_accuracy[best], "{one:?}");
        assert_ne!(select_c(&x, &y, 3, &cs, 5, 43, 2).unwrap().mean_accuracy, one.mean_accuracy, "another seed");

        let t = soft_targets(&x, 10);
        let one = select_c_binary(&x, &t, &cs, 4, 42, 1).unwrap();
        assert_eq!(select_c_binary(&x, &t, &cs, 4, 42, 3).unwrap(), one);
        let best = cs.iter().position(|&c| c == one.best_c).unwrap();
        assert!(one.mean_log_loss.iter().all(|&l| l >= one.mean_log_loss[best]), "{one:?}");
    }

    #[test]
    fn select_c_breaks_ties_toward_the_smaller_c() {
        // Well-separated blobs: every candidate classifies every held-out row.
        let (x, y) = blobs(90, 4, 3, 40.0, 11);
        let r = select_c(&x, &y, 3, &[100.0, 1.0, 10.0], 3, 1, 2).unwrap();
        assert_eq!(r.mean_accuracy, [1.0, 1.0, 1.0]);
        assert_eq!(r.best_c, 1.0);
        let mut y1 = y.clone();
        y1[0] = 0;
        let lone = y1.iter().position(|&c| c == 1).unwrap();
        y1.iter_mut().filter(|c| **c == 1).for_each(|c| *c = 2);
        y1[lone] = 1;
        let e = select_c(&x, &y1, 3, &[1.0], 3, 1, 1).unwrap_err();
        assert!(e.starts_with("class 1 has 1 rows; cross-validation needs at least 2 per class"), "{e}");
        assert!(select_c(&x, &y, 3, &[1.0], 1, 1, 1).unwrap_err().starts_with("1 folds for 90 rows"));
        assert_eq!(select_c(&x, &y, 3, &[], 3, 1, 1).unwrap_err(), "no candidate C values");
    }

    #[test]
    fn two_class_softmax_equals_the_binary_model_at_twice_c() {
        let (x, y) = blobs(200, 6, 2, 1.0, 12);
        let t: Vec<f64> = y.iter().map(|&c| f64::from(c)).collect();
        let p = Params { tol: 1e-10, ..Params::new(0.5) };
        let soft = fit_multinomial(&x, &y, 2, &p).unwrap();
        let bin = fit_binary(&x, &t, &Params { c: 1.0, ..p }).unwrap();
        for f in 0..6 {
            let (w0, w1) = (f64::from(soft.coef()[2 * f]), f64::from(soft.coef()[2 * f + 1]));
            assert!((w0 + w1).abs() < 1e-6, "feature {f}: {w0} {w1}");
            assert!((w1 - w0 - f64::from(bin.coef()[f])).abs() < 1e-5, "feature {f}");
        }
        assert!((soft.intercept()[1] - soft.intercept()[0] - bin.intercept()[0]).abs() < 1e-5);
    }

    #[test]
    fn f32_coefficients_move_probabilities_by_less_than_1e_6() {
        let (x, y) = blobs(400, 30, 4, 1.0, 13);
        let (xt, _) = blobs(400, 30, 4, 1.0, 14);
        let mut worst: f64 = 0.0;
        for c in [0.01, 1.0, 100.0] {
            let mut w = vec![0.0; 31 * 4];
            let o = minimize(&Softmax::new(&x, &y, 4, c), &mut w, &Params::new(c));
            let m = to_model(Kind::Multinomial, 30, 4, c, &w, o).unwrap();
            let b: Vec<f64> = m.intercept().to_vec(); // centred; the same probabilities as w's
            let (mut exact, mut stored) = ([0.0; 4], [0.0; 4]);
            for r in 0..xt.n_rows() {
                let (i, v) = xt.row(r);
                exact.copy_from_slice(&b);
                for (&f, &val) in i.iter().zip(v) {
                    for k in 0..4 {
                        exact[k] += f64::from(val) * w[f as usize * 4 + k];
                    }
                }
                softmax(&mut exact);
                m.predict_proba(i, v, &mut stored);
                worst = exact.iter().zip(&stored).fold(worst, |a, (p, q)| a.max((p - q).abs()));
                assert_eq!(argmax(&exact), argmax(&stored), "C {c} row {r}");
            }
        }
        eprintln!("largest probability change from f32 weights: {worst:.2e}");
        assert!(worst < 1e-6, "{worst}");
    }

    #[test]
    fn the_binary_form_round_trips_and_rejects_damage() {
        let (x, y) = blobs(60, 5, 3, 2.0, 15);
        let m = fit_multinomial(&x, &y, 3, &Params::new(1.0)).unwrap();
        let bytes = m.to_bytes();
        assert_eq!(Linear::from_bytes(&bytes).unwrap(), m);
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[1, 2]);
        assert_eq!(Linear::read_from(&longer).unwrap(), (m.clone(), bytes.len()));
        assert_eq!(Linear::from_bytes(&longer).unwrap_err(), "linear model: 2 unexpected bytes after coef");
        assert_eq!(Linear::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err(), "linear model: truncated coef");
        for cut in 0..bytes.len() {
            assert!(Linear::from_bytes(&bytes[..cut]).is_err());
        }
        let mut nan = bytes.clone();
        let at = bytes.len() - 4 * 15 + 4 * 3;
        nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(Linear::from_bytes(&nan).unwrap_err(), "linear model: coef[3] is not a finite number");
        let mut inf = bytes.clone();
        let at = bytes.len() - 4 * 15 - 8;
        inf[at..at + 8].copy_from_slice(&f64::INFINITY.to_le_bytes());
        assert_eq!(Linear::from_bytes(&inf).unwrap_err(), "linear model: intercept[2] is not a finite number");
        // A header that does not fit the numbers after it.
        let with_header = |from: &str, to: &str| {
            let len = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
            let header = std::str::from_utf8(&bytes[4..4 + len]).unwrap().replace(from, to);
            let mut b = (header.len() as u32).to_le_bytes().to_vec();
            b.extend_from_slice(header.as_bytes());
            b.extend_from_slice(&bytes[4 + len..]);
            Linear::from_bytes(&b).unwrap_err()
        };
        assert_eq!(with_header("\"n_features\":5", "\"n_features\":9"), "linear model: truncated coef");
        assert_eq!(with_header("\"n_features\":5", "\"n_features\":4"), "linear model: 12 unexpected bytes after coef");
        assert_eq!(
            with_header("\"n_features\":5", "\"n_features\":0"),
            "linear model: n_features is 0; a model has 1 to 10000000"
        );
        assert_eq!(
            with_header("\"n_classes\":3", "\"n_classes\":100000"),
            "linear model: n_classes is 100000; a model has 2 to 10000"
        );
        assert!(with_header("\"multinomial\"", "\"ternary\"").starts_with("linear model: header: unknown variant"));
    }

    #[test]
    fn serde_round_trips_and_checks_shapes() {
        let (x, _) = blobs(60, 5, 2, 2.0, 16);
        let t = soft_targets(&x, 17);
        let m = fit_binary(&x, &t, &Params::new(1.0)).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        let back: Linear = serde_json::from_str(&json).unwrap();
        assert_eq!(back.kind(), Kind::Binary);
        assert_eq!(back.coef(), m.coef());
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["coef"].as_array_mut().unwrap().pop();
        let e = serde_json::from_value::<Linear>(v.clone()).unwrap_err().to_string();
        assert_eq!(e, "linear model: coef has 4 values; n_features × columns is 5 × 1");
        v["coef"] = serde_json::json!([0.0, 0.0, 0.0, 0.0, 0.0]);
        v["n_classes"] = 3.into();
        let e = serde_json::from_value::<Linear>(v.clone()).unwrap_err().to_string();
        assert_eq!(e, "linear model: n_classes is 3; a binary model has 2");
        v["n_classes"] = 2.into();
        v["intercept"] = serde_json::json!([0.0, 1.0]);
        let e = serde_json::from_value::<Linear>(v.clone()).unwrap_err().to_string();
        assert_eq!(e, "linear model: intercept has 2 values; the model has 1 columns");
        v["intercept"] = serde_json::json!([0.25]);
        v["c"] = serde_json::json!(-1.0);
        let e = serde_json::from_value::<Linear>(v.clone()).unwrap_err().to_string();
        assert_eq!(e, "linear model: c is -1; it is a positive number");
        // A zero model predicts its intercept; columns beyond the model are ignored.
        v["c"] = serde_json::json!(1.0);
        let zero: Linear = serde_json::from_value(v).unwrap();
        let p = zero.predict_p(&[0, 2, 9], &[1.0, 2.0, 3.0]);
        assert_eq!(p, sigmoid(0.25));
        let mut out = [0.0; 2];
        zero.predict_proba(&[7], &[1.0], &mut out);
        assert_eq!(out, [1.0 - p, p]);
    }

    /// `cargo test --release --lib linear::tests::fit_speed -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement, not a check"]
    fn fit_speed() {
        let (x, y) = blobs(2000, 512, 4, 0.3, 18);
        for c in [0.01, 1.0, 100.0] {
            let start = std::time::Instant::now();
            let m = fit_multinomial(&x, &y, 4, &Params::new(c)).unwrap();
            eprintln!(
                "2000 rows × 512 dense features × 4 classes, C={c}: {:.3} s, {} iterations, converged {}",
                start.elapsed().as_secs_f64(),
                m.n_iter(),
                m.converged()
            );
        }
    }
}
