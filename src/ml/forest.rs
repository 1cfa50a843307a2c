//! A random forest for sparse features, with scikit-learn's semantics and our own speed.
//!
//! Semantics (as `RandomForestClassifier`): each tree is grown on a bootstrap sample (drawn with
//! replacement, used as integer sample weights); at each node `max_features` (default √features)
//! candidate features are drawn without replacement from those not known to be constant (found
//! constant in an ancestor), constant ones counting toward `max_features`, and drawing goes on
//! past it only while every draw was constant; the best split by Gini
//! impurity over every midpoint between consecutive distinct values wins; a node becomes a leaf at
//! `max_depth`, when it holds fewer than two samples, or when it is pure. `predict_proba` averages
//! the trees' leaf class distributions.
//!
//! The same trees also learn a vector of values per row (multi-output regression, as
//! `RandomForestRegressor` with several outputs): the split criterion is the summed squared error,
//! which orders splits by Σ_o left_o²/W_left + Σ_o right_o²/W_right over the outputs' weighted
//! sums (the Gini proxy, with one-hot classes as the vectors), and a leaf holds the outputs'
//! means. The outcome router learns each model's expected quality this way.
//!
//! Speed: features are never densified. A node gathers only the features present in its samples
//! (from the rows) and picks which of them the draw reached by a selection sample (every absent
//! feature is constant), or, near the root where nearly every feature is present, draws from all
//! columns; a feature's values in the node come from whichever is cheaper, a scan of
//! its column or a binary search in each sample's row. Zeros form one block in the sorted order.
//! Trees are grown in parallel, each from its own seed derived from `(seed, tree index)`, so the
//! result is identical for any thread count.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::ml::WARM_UP;
use crate::ml::sparse::{Csc, Csr, lookup};
use crate::rng::{Rng, derive};

pub const LEAF: u32 = u32::MAX;
pub const PURE: u32 = u32::MAX - 1;

/// One node: an internal node tests `x[feature] <= threshold` (left = `next`, right = `next + 1`);
/// a leaf has `feature == LEAF` and its class distribution at `values[next * n_classes..]`, or
/// `feature == PURE` when all its samples have class `next`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub feature: u32,
    pub threshold: f32,
    pub next: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub values: Vec<f32>,
}

#[derive(Debug, Clone)]
pub struct Forest {
    pub n_features: usize,
    pub n_classes: usize,
    pub trees: Vec<Tree>,
    /// The trees indexed by feature, for [`Forest::predict_row`]; `None` when a tree has too many
    /// leaves for it to pay. Built after [`WARM_UP`] predictions.
    scorer: OnceLock<Option<Scorer>>,
}

impl PartialEq for Forest {
    fn eq(&self, other: &Forest) -> bool {
        // `scorer` is derived from the trees.
        (self.n_features, self.n_classes, &self.trees) == (other.n_features, other.n_classes, &other.trees)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ForestParams {
    pub n_estimators: usize,
    /// `None` grows until leaves are pure.
    pub max_depth: Option<usize>,
    /// Features examined per split; `None` = ⌊√n_features⌋ (at least 1).
    pub max_features: Option<usize>,
    /// A split must leave at least this many (distinct, in-bag) samples on each side.
    pub min_samples_leaf: usize,
    pub seed: u64,
    pub threads: usize,
}

/// What the trees learn.
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// A class index per row, below `n`: leaves hold class distributions.
    Classes { y: &'a [u32], n: usize },
    /// `n` values per row (`values[row * n..(row + 1) * n]`): leaves hold their means.
    Values { values: &'a [f32], n: usize },
}

impl Targets<'_> {
    fn outputs(&self) -> usize {
        match self {
            Targets::Classes { n, .. } | Targets::Values { n, .. } => *n,
        }
    }
}

impl Forest {
    /// Grows the forest on rows `x` with class indices `y` (`< n_classes`). `on_tree` is called
    /// after each finished tree (progress display).
    pub fn fit(x: &Csr, y: &[u32], n_classes: usize, params: &ForestParams, on_tree: &(dyn Fn() + Sync)) -> Forest {
        Forest::fit_targets(x, Targets::Classes { y, n: n_classes }, params, on_tree)
    }

    /// Grows the forest on rows `x` for `targets` (classes, or a vector of values per row).
    pub fn fit_targets(x: &Csr, targets: Targets, params: &ForestParams, on_tree: &(dyn Fn() + Sync)) -> Forest {
        let n_classes = targets.outputs();
        let csc = x.to_csc_by_value();
        let nonempty: Vec<u32> =
            (0..x.n_cols).filter(|&c| csc.indptr[c + 1] > csc.indptr[c]).map(|c| c as u32).collect();
        let max_features = params
            .max_features
            .unwrap_or_else(|| ((x.n_cols as f64).sqrt().floor() as usize).max(1))
            .clamp(1, x.n_cols.max(1));
        let shared = Shared {
            x,
            csc: &csc,
            targets,
            min_leaf: params.min_samples_leaf.max(1),
            k: n_classes,
            max_depth: params.max_depth.unwrap_or(usize::MAX),
            max_features,
            // Gathering from rows costs about two passes over the node's non-zeros; drawing from
            // columns costs about `max_features` column scans. Measured best at half their ratio.
            bucket_below: max_features * (x.nnz() / nonempty.len().max(1)).max(1) / 2,
        };
        let next = AtomicUsize::new(0);
        let done: Mutex<Vec<(usize, Tree)>> = Mutex::new(Vec::with_capacity(params.n_estimators));
        let threads = params.threads.clamp(1, params.n_estimators.max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut b = Builder::new(&shared);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= params.n_estimators {
                            break;
                        }
                        let tree = b.grow(derive(params.seed, i as u64));
                        if let Ok(mut d) = done.lock() {
                            d.push((i, tree));
                        }
                        on_tree();
                    }
                });
            }
        });
        let mut trees = done.into_inner().unwrap_or_default();
        trees.sort_by_key(|(i, _)| *i);
        Forest::new(x.n_cols, n_classes, trees.into_iter().map(|(_, t)| t).collect())
    }

    pub fn new(n_features: usize, n_classes: usize, trees: Vec<Tree>) -> Forest {
        Forest { n_features, n_classes, trees, scorer: OnceLock::new() }
    }

    /// Class probabilities of one sparse row (columns ascending), the fastest way this forest
    /// allows; bit-identical to [`Forest::predict_proba`].
    pub fn predict_row(&self, indices: &[u32], values: &[f32], scratch: &mut Scratch, out: &mut [f64]) {
        let scorer = if self.scorer.get().is_some() || scratch.uses >= WARM_UP {
            self.scorer.get_or_init(|| Scorer::new(&self.trees, self.n_features)).as_ref()
        } else {
            scratch.uses += 1;
            None
        };
        if let Some(sc) = scorer {
            return self.accumulate(out, sc.leaves(indices, values, scratch));
        }
        // Scatter into a dense row so each test is an index, not a search.
        let dense = &mut scratch.dense;
        dense.resize(self.n_features, 0.0);
        for (&c, &v) in indices.iter().zip(values) {
            dense[c as usize] = v;
        }
        self.predict_proba_dense(dense, out);
        for &c in indices {
            dense[c as usize] = 0.0;
        }
    }

    /// Class probabilities of one sparse row, averaged over trees, into `out` (`n_classes` long).
    pub fn predict_proba(&self, indices: &[u32], values: &[f32], out: &mut [f64]) {
        self.accumulate(out, self.trees.iter().map(|t| t.leaf(|f| lookup(indices, values, f))));
    }

    /// Like [`Forest::predict_proba`] for a dense row (`n_features` long): no search per test.
    pub fn predict_proba_dense(&self, dense: &[f32], out: &mut [f64]) {
        self.accumulate(out, self.trees.iter().map(|t| t.leaf(|f| dense[f as usize])));
    }

    /// Averages the leaves reached, one per tree in tree order.
    fn accumulate(&self, out: &mut [f64], leaves: impl Iterator<Item = Node>) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let k = self.n_classes;
        for (t, n) in self.trees.iter().zip(leaves) {
            if n.feature == PURE {
                out[n.next as usize] += 1.0;
            } else {
                let at = n.next as usize * k;
                for (o, &v) in out.iter_mut().zip(&t.values[at..at + k]) {
                    *o += f64::from(v);
                }
            }
        }
        let n = self.trees.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }

    pub fn n_nodes(&self) -> usize {
        self.trees.iter().map(|t| t.nodes.len()).sum()
    }

    /// Out-of-bag class probabilities of the training rows `x` (scikit-learn's
    /// `oob_decision_function_`): each row averaged over the trees whose bootstrap sample left it
    /// out, `None` for a row every tree saw. `seed` is the one the forest was grown with; each
    /// tree's sample is drawn again from its own seed. Rows are split among `threads`, each row
    /// summed in tree order, so the result does not depend on the thread count.
    pub fn oob_proba(&self, x: &Csr, seed: u64, threads: usize) -> Vec<Option<Vec<f64>>> {
        self.oob_proba_every(x, seed, threads, 1)
    }

    /// [`Forest::oob_proba`] of every `step`-th row only (the others are `None`): calibration
    /// needs a sample, not every row of a large training set.
    pub fn oob_proba_every(&self, x: &Csr, seed: u64, threads: usize, step: usize) -> Vec<Option<Vec<f64>>> {
        let step = step.max(1);
        let n = x.n_rows();
        let k = self.n_classes;
        // Per tree, a bit per row: in its bootstrap sample.
        let words = n.div_ceil(64);
        let inbag: Vec<Vec<u64>> = (0..self.trees.len())
            .map(|i| {
                let mut bits = vec![0u64; words];
                for (r, w) in bootstrap(&mut Rng::new(derive(seed, i as u64)), n).enumerate() {
                    if w > 0 {
                        bits[r / 64] |= 1 << (r % 64);
                    }
                }
                bits
            })
            .collect();
        let chunk = n.div_ceil(threads.max(1)).max(1);
        let mut out: Vec<Option<Vec<f64>>> = vec![None; n];
        std::thread::scope(|s| {
            for (c, part) in out.chunks_mut(chunk).enumerate() {
                let inbag = &inbag;
                s.spawn(move || {
                    for (j, slot) in part.iter_mut().enumerate() {
                        let r = c * chunk + j;
                        if !r.is_multiple_of(step) {
                            continue;
                        }
                        let (idx, val) = x.row(r);
                        let mut sum = vec![0.0; k];
                        let mut trees = 0usize;
                        for (t, tree) in self.trees.iter().enumerate() {
                            if inbag[t][r / 64] >> (r % 64) & 1 == 1 {
                                continue;
                            }
                            trees += 1;
                            let leaf = tree.leaf(|f| lookup(idx, val, f));
                            if leaf.feature == PURE {
                                sum[leaf.next as usize] += 1.0;
                            } else {
                                let at = leaf.next as usize * k;
                                for (o, &v) in sum.iter_mut().zip(&tree.values[at..at + k]) {
                                    *o += f64::from(v);
                                }
                            }
                        }
                        if trees > 0 {
                            sum.iter_mut().for_each(|v| *v /= trees as f64);
                            *slot = Some(sum);
                        }
                    }
                });
            }
        });
        out
    }
}

/// A tree's bootstrap sample of `n` rows: how often each row was drawn (with replacement).
fn bootstrap(rng: &mut Rng, n: usize) -> impl Iterator<Item = u16> {
    let mut w = vec![0u16; n];
    for _ in 0..n {
        let i = rng.below(n);
        w[i] = w[i].saturating_add(1);
    }
    w.into_iter()
}

/// Reusable buffers for [`Forest::predict_row`].
#[derive(Debug, Default)]
pub struct Scratch {
    dense: Vec<f32>,
    bits: Vec<u64>,
    uses: u32,
}

/// Feature-ordered scoring ("QuickScorer", Lucchese et al., SIGIR 2015) adapted to sparse rows.
///
/// Number each tree's leaves left to right. A test `x[f] <= t` that fails sends the row right,
/// which rules out exactly the leaves of its left subtree, a contiguous range; the leaf the row
/// reaches is the leftmost leaf no failed test rules out. TF-IDF values are never negative and
/// every threshold here is ≥ 0, so a feature the row lacks fails no test: only the row's few
/// features are visited, each over its tests in threshold order until one passes. Work follows
/// the row's features instead of chains of dependent loads down every tree.
#[derive(Debug, Clone)]
struct Scorer {
    /// Per feature, its tests in ascending threshold order: `feature_at[f]..feature_at[f + 1]`.
    feature_at: Vec<u32>,
    thresholds: Vec<f32>,
    tests: Vec<Test>,
    /// Per tree: first word of its leaf bits, and its leaves in order (`leaf_at[t]..`).
    word_at: Vec<u32>,
    leaf_at: Vec<u32>,
    leaf_node: Vec<Node>,
}

/// One internal node: the first word of its tree's leaf bits and the leaves of its left
/// subtree, `lo..hi`.
#[derive(Debug, Clone, Copy)]
struct Test {
    base: u32,
    lo: u16,
    hi: u16,
}

/// Trees with more leaves than this make the per-row bit reset cost more than walking.
const SCORER_MAX_LEAVES: usize = 4096;

impl Scorer {
    fn new(trees: &[Tree], n_features: usize) -> Option<Scorer> {
        let mut by_feature: Vec<Vec<(f32, Test)>> = vec![Vec::new(); n_features];
        let (mut word_at, mut leaf_at, mut leaf_node) = (vec![0u32], vec![0u32], Vec::new());
        for (t, tree) in trees.iter().enumerate() {
            // Depth-first, left child first: leaves come out left to right. Each internal node
            // records the first leaf of its subtree, then (after its left subtree) the end.
            let mut stack: Vec<(u32, bool)> = vec![(0, false)];
            let mut open: Vec<(usize, u32)> = Vec::new(); // (internal node, first leaf)
            let first = leaf_node.len();
            let mut visited = 0usize;
            while let Some((i, left_done)) = stack.pop() {
                visited += 1;
                if visited > 2 * tree.nodes.len() {
                    return None; // shared subtrees: not a tree
                }
                let n = *tree.nodes.get(i as usize)?;
                if n.feature >= PURE {
                    leaf_node.push(n);
                    continue;
                }
                if left_done {
                    // The left subtree is numbered: its leaves are lo..(leaves so far).
                    let (node, lo) = open.pop()?;
                    debug_assert_eq!(node, i as usize);
                    let hi = leaf_node.len() - first;
                    if n.threshold < 0.0 || !n.threshold.is_finite() || hi > SCORER_MAX_LEAVES {
                        return None;
                    }
                    by_feature
                        .get_mut(n.feature as usize)?
                        .push((n.threshold, Test { base: word_at[t], lo: lo as u16, hi: hi as u16 }));
                    stack.push((n.next + 1, false));
                } else {
                    open.push((i as usize, (leaf_node.len() - first) as u32));
                    stack.push((i, true));
                    stack.push((n.next, false));
                }
            }
            let leaves = leaf_node.len() - first;
            if leaves > SCORER_MAX_LEAVES {
                return None;
            }
            leaf_at.push(leaf_node.len() as u32);
            word_at.push(word_at[t] + leaves.div_ceil(64) as u32);
        }
        let mut feature_at = Vec::with_capacity(n_features + 1);
        let (mut thresholds, mut tests) = (Vec::new(), Vec::new());
        feature_at.push(0);
        for mut list in by_feature {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.base.cmp(&b.1.base)));
            thresholds.extend(list.iter().map(|e| e.0));
            tests.extend(list.iter().map(|e| e.1));
            feature_at.push(tests.len() as u32);
        }
        Some(Scorer { feature_at, thresholds, tests, word_at, leaf_at, leaf_node })
    }

    /// The leaf each tree sends the row to, in tree order.
    fn leaves<'a>(&'a self, indices: &[u32], values: &[f32], s: &'a mut Scratch) -> impl Iterator<Item = Node> + 'a {
        // Every leaf possible, then rule out the left subtrees of failed tests. Resetting all the
        // bits costs at most 64 words per tree (leaves per tree are bounded), ~3 for typical trees.
        s.bits.clear();
        s.bits.resize(*self.word_at.last().unwrap_or(&0) as usize, u64::MAX);
        let bits = &mut s.bits;
        for (&f, &x) in indices.iter().zip(values) {
            let (a, b) = (self.feature_at[f as usize] as usize, self.feature_at[f as usize + 1] as usize);
            for (&t, test) in self.thresholds[a..b].iter().zip(&self.tests[a..b]) {
                if x <= t {
                    break;
                }
                clear_bits(&mut bits[test.base as usize..], usize::from(test.lo), usize::from(test.hi));
            }
        }
        let bits = &*bits;
        (0..self.word_at.len() - 1).map(move |t| {
            let words = &bits[self.word_at[t] as usize..self.word_at[t + 1] as usize];
            // The row's own leaf is never ruled out, so some bit is set.
            let w = words.iter().position(|&w| w != 0).unwrap_or(0);
            let leaf = w * 64 + words.get(w).map_or(0, |x| x.trailing_zeros() as usize);
            self.leaf_node[self.leaf_at[t] as usize + leaf]
        })
    }
}

/// Clears bits `lo..hi` of a bit vector.
#[inline]
fn clear_bits(words: &mut [u64], lo: usize, hi: usize) {
    if lo >= hi {
        return;
    }
    let (first, last) = (lo / 64, (hi - 1) / 64);
    let head = u64::MAX << (lo % 64);
    let tail = u64::MAX >> (63 - (hi - 1) % 64);
    if first == last {
        words[first] &= !(head & tail);
    } else {
        words[first] &= !head;
        words[first + 1..last].iter_mut().for_each(|w| *w = 0);
        words[last] &= !tail;
    }
}

impl Tree {
    /// The leaf reached by a row whose feature values `value` returns.
    #[inline]
    pub fn leaf(&self, value: impl Fn(u32) -> f32) -> Node {
        let mut i = 0usize;
        loop {
            let n = self.nodes[i];
            if n.feature >= PURE {
                return n;
            }
            i = if value(n.feature) <= n.threshold { n.next as usize } else { n.next as usize + 1 };
        }
    }
}

struct Shared<'a> {
    x: &'a Csr,
    csc: &'a Csc,
    targets: Targets<'a>,
    min_leaf: usize,
    k: usize,
    max_depth: usize,
    max_features: usize,
    /// Nodes with fewer non-zeros than this collect candidate values from their rows.
    bucket_below: usize,
}

/// Per-thread scratch space, reused across trees.
struct Builder<'a> {
    sh: &'a Shared<'a>,
    /// Per row: current tree node (`u32::MAX` = out of bag), class and bootstrap count, packed
    /// so that one memory access serves the node test and the split statistics.
    info: Vec<Info>,
    /// Per-sample mark used while partitioning.
    mark: Vec<u32>,
    feat_seen: Vec<u32>,
    feat_slot: Vec<u32>,
    buckets: Vec<Vec<Pair>>,
    stamp: u32,
    pairs: Vec<Pair>,
    cand: Vec<u32>,
    /// Every feature, in the order left by earlier draws in this tree (reset per tree, so that
    /// a tree depends on its seed only).
    all: Vec<u32>,
    tmp: Vec<u32>,
    nz: Vec<f64>,
    left: Vec<f64>,
    feat_left: Vec<f64>,
    best_left: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Info {
    node: u32,
    class: u16,
    weight: u16,
}

/// One non-zero value of a feature in a node.
#[derive(Debug, Clone, Copy)]
struct Pair {
    value: f32,
    sample: u32,
    class: u16,
    weight: u16,
}

impl Pair {
    fn order(a: &Pair, b: &Pair) -> std::cmp::Ordering {
        a.value.total_cmp(&b.value).then(a.sample.cmp(&b.sample))
    }
}

/// A node waiting to be split: its samples are `samples[start..end]`.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    /// Weighted sums of the targets (class weights, or per-output sums).
    counts: Vec<f64>,
    /// Total sample weight.
    weight: f64,
    nnz: usize,
    /// Features known to be constant here (found so in an ancestor).
    known: usize,
}

/// What a feature offers a node.
enum Cut {
    /// The same value in every sample.
    Constant,
    /// Values differ, but no threshold leaves `min_samples_leaf` on both sides.
    Nowhere,
    At(Split),
}

struct Split {
    feature: u32,
    threshold: f32,
    score: f64,
    /// Sample weight going left.
    left_weight: f64,
}

impl Shared<'_> {
    /// Adds `w` times the target of a sample (its class, or its value vector) to `acc`.
    #[inline]
    fn add(&self, acc: &mut [f64], sample: u32, class: u16, w: f64) {
        match self.targets {
            Targets::Classes { .. } => acc[class as usize] += w,
            Targets::Values { values, n } => {
                let row = &values[sample as usize * n..(sample as usize + 1) * n];
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += w * f64::from(v);
                }
            }
        }
    }

    /// Whether every sample of a node has the same target (nothing left to learn).
    fn pure(&self, samples: &[u32], counts: &[f64]) -> bool {
        match self.targets {
            Targets::Classes { .. } => counts.iter().filter(|&&c| c > 0.0).count() < 2,
            Targets::Values { values, n } => {
                let row = |s: u32| &values[s as usize * n..(s as usize + 1) * n];
                samples.first().is_none_or(|&a| samples.iter().all(|&b| row(b) == row(a)))
            }
        }
    }
}

impl<'a> Builder<'a> {
    fn new(sh: &'a Shared<'a>) -> Builder<'a> {
        let n = sh.x.n_rows();
        Builder {
            sh,
            info: vec![Info { node: u32::MAX, class: 0, weight: 0 }; n],
            mark: vec![0; n],
            feat_seen: vec![0; sh.x.n_cols],
            feat_slot: vec![0; sh.x.n_cols],
            buckets: Vec::new(),
            stamp: 0,
            pairs: Vec::new(),
            cand: Vec::new(),
            all: (0..sh.x.n_cols as u32).collect(),
            tmp: Vec::new(),
            nz: vec![0.0; sh.k],
            left: vec![0.0; sh.k],
            feat_left: vec![0.0; sh.k],
            best_left: vec![0.0; sh.k],
        }
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|v| *v = 0);
            self.feat_seen.iter_mut().for_each(|v| *v = 0);
            self.stamp = 1;
        }
        self.stamp
    }

    fn row_nnz(&self, s: u32) -> usize {
        self.sh.x.indptr[s as usize + 1] - self.sh.x.indptr[s as usize]
    }

    fn grow(&mut self, seed: u64) -> Tree {
        let mut rng = Rng::new(seed);
        let n = self.sh.x.n_rows();
        let k = self.sh.k;
        for (i, f) in self.all.iter_mut().enumerate() {
            *f = i as u32;
        }
        for (i, inf) in self.info.iter_mut().enumerate() {
            let class = match self.sh.targets {
                Targets::Classes { y, .. } => y[i] as u16,
                Targets::Values { .. } => 0,
            };
            *inf = Info { node: u32::MAX, class, weight: 0 };
        }
        for (inf, w) in self.info.iter_mut().zip(bootstrap(&mut rng, n)) {
            inf.weight = w;
        }
        // In-bag samples in ascending order; partitions are stable, so every node's samples stay
        // ascending and the per-sample arrays are read nearly sequentially. Out-of-bag rows
        // belong to no node.
        let mut samples: Vec<u32> = (0..n as u32).filter(|&s| self.info[s as usize].weight > 0).collect();
        let mut counts = vec![0.0; k];
        let mut weight = 0.0;
        let mut nnz = 0;
        for &s in &samples {
            let inf = &mut self.info[s as usize];
            inf.node = 0;
            let (class, w) = (inf.class, f64::from(inf.weight));
            self.sh.add(&mut counts, s, class, w);
            weight += w;
            nnz += self.sh.x.indptr[s as usize + 1] - self.sh.x.indptr[s as usize];
        }
        let mut tree = Tree { nodes: vec![Node { feature: LEAF, threshold: 0.0, next: 0 }], values: Vec::new() };
        let mut stack =
            vec![Pending { node: 0, start: 0, end: samples.len(), depth: 0, counts, weight, nnz, known: 0 }];
        let classes = matches!(self.sh.targets, Targets::Classes { .. });
        while let Some(p) = stack.pop() {
            let pure = self.sh.pure(&samples[p.start..p.end], &p.counts);
            let small = p.end - p.start < (2 * self.sh.min_leaf).max(2);
            let (split, found) = if p.depth >= self.sh.max_depth || small || pure {
                (None, 0)
            } else {
                let node = &samples[p.start..p.end];
                self.best_split(p.node as u32, node, &p.counts, p.weight, p.nnz, p.known, &mut rng)
            };
            let known = p.known + found;
            let Some(sp) = split else {
                tree.nodes[p.node] = if classes && pure {
                    let class = p.counts.iter().position(|&c| c > 0.0).unwrap_or(0);
                    Node { feature: PURE, threshold: 0.0, next: class as u32 }
                } else {
                    let leaf = tree.values.len() / k;
                    tree.values.extend(p.counts.iter().map(|&c| (c / p.weight) as f32));
                    Node { feature: LEAF, threshold: 0.0, next: leaf as u32 }
                };
                continue;
            };
            let left = tree.nodes.len();
            tree.nodes.push(Node { feature: LEAF, threshold: 0.0, next: 0 });
            tree.nodes.push(Node { feature: LEAF, threshold: 0.0, next: 0 });
            tree.nodes[p.node] = Node { feature: sp.feature, threshold: sp.threshold, next: left as u32 };
            let (mid, nnz_left) = self.partition(
                &mut samples[p.start..p.end],
                p.node as u32,
                sp.feature,
                sp.threshold,
                [left as u32, left as u32 + 1],
            );
            let left_counts = self.best_left.clone();
            let right_counts: Vec<f64> = p.counts.iter().zip(&left_counts).map(|(c, l)| c - l).collect();
            stack.push(Pending {
                node: left + 1,
                start: p.start + mid,
                end: p.end,
                depth: p.depth + 1,
                counts: right_counts,
                weight: p.weight - sp.left_weight,
                nnz: p.nnz - nnz_left,
                known,
            });
            stack.push(Pending {
                node: left,
                start: p.start,
                end: p.start + mid,
                depth: p.depth + 1,
                counts: left_counts,
                weight: sp.left_weight,
                nnz: nnz_left,
                known,
            });
        }
        tree
    }

    /// Collects `(value, sample)` for the non-zero values of feature `f` in tree node `id`
    /// (whose samples are `node`), sorted by value (ties by sample) when `sorted`.
    fn extract(&mut self, id: u32, node: &[u32], f: u32, sorted: bool) {
        self.pairs.clear();
        let (rows, vals) = self.sh.csc.col(f as usize);
        // A column scan costs its length; a binary search per sample costs ~log2(row length) each.
        if rows.len() <= node.len() * 6 {
            // Columns are sorted by value, so the filtered scan is sorted too.
            for (&r, &v) in rows.iter().zip(vals) {
                let inf = self.info[r as usize];
                if inf.node == id {
                    self.pairs.push(Pair { value: v, sample: r, class: inf.class, weight: inf.weight });
                }
            }
        } else {
            for &s in node {
                let (idx, val) = self.sh.x.row(s as usize);
                if let Ok(i) = idx.binary_search(&f) {
                    let inf = self.info[s as usize];
                    self.pairs.push(Pair { value: val[i], sample: s, class: inf.class, weight: inf.weight });
                }
            }
            if sorted {
                self.pairs.sort_unstable_by(Pair::order);
            }
        }
    }

    /// The best split of a node, drawing candidate features as scikit-learn's splitter does:
    /// without replacement from the features not known to be constant in the node (those found
    /// constant in an ancestor are known), counting constant draws toward `max_features`, and
    /// drawing on past `max_features` only while every draw so far was constant. Returns the split
    /// and the number of features found constant here (the children know them).
    #[allow(clippy::too_many_arguments)]
    fn best_split(
        &mut self,
        id: u32,
        node: &[u32],
        counts: &[f64],
        total_w: f64,
        node_nnz: usize,
        known: usize,
        rng: &mut Rng,
    ) -> (Option<Split>, usize) {
        let m = self.sh.max_features;
        let mut best: Option<Split> = None;
        let mut found = 0usize;
        let mut useful = 0usize;
        self.cand.clear();
        if node_nnz < self.sh.bucket_below {
            // Few non-zeros: a feature absent from every sample of the node is constant (zero),
            // so only the present ones need values. Which of them fall among the first
            // `max_features` draws from the pool is a selection sample (Knuth's algorithm S with
            // the present features first); the absent draws count as constants.
            let stamp = self.next_stamp();
            for &s in node {
                let (idx, _) = self.sh.x.row(s as usize);
                for &f in idx {
                    if self.feat_seen[f as usize] != stamp {
                        self.feat_seen[f as usize] = stamp;
                        self.cand.push(f);
                    }
                }
            }
            let present = self.cand.len();
            let pool = self.sh.x.n_cols.saturating_sub(known).max(present);
            let first = m.min(pool);
            let mut drawn = 0;
            for t in 0..present {
                if drawn < first && rng.below(pool - t) < first - drawn {
                    self.cand.swap(drawn, t);
                    drawn += 1;
                }
            }
            self.bucket_drawn(node, drawn);
            found += first - drawn;
            for d in 0..drawn {
                let f = self.cand[d];
                std::mem::swap(&mut self.pairs, &mut self.buckets[d]);
                self.pairs.sort_unstable_by(Pair::order);
                let sp = self.evaluate(node.len(), f, counts, total_w);
                std::mem::swap(&mut self.pairs, &mut self.buckets[d]);
                self.consider(sp, &mut best, &mut useful, &mut found);
            }
            // Every draw was constant: draw on. The next present feature drawn is a uniform pick
            // among the remaining ones; the absent draws before it are counted by expectation.
            let absent = pool - first - (present - drawn);
            let mut i = drawn;
            while useful == 0 && i < present {
                let j = i + rng.below(present - i);
                self.cand.swap(i, j);
                let f = self.cand[i];
                found += absent / (present - i + 1);
                i += 1;
                self.extract(id, node, f, true);
                let sp = self.evaluate(node.len(), f, counts, total_w);
                self.consider(sp, &mut best, &mut useful, &mut found);
            }
        } else {
            // Near the root nearly every feature is present: draw features one at a time from
            // all columns (an empty one is constant) and extract each one's values. A partial
            // shuffle of any permutation draws uniformly, so `all` is never reset.
            let mut i = 0;
            while i < self.all.len() && (i < m || useful == 0) {
                let j = i + rng.below(self.all.len() - i);
                self.all.swap(i, j);
                let f = self.all[i];
                i += 1;
                self.extract(id, node, f, true);
                let sp = self.evaluate(node.len(), f, counts, total_w);
                self.consider(sp, &mut best, &mut useful, &mut found);
            }
        }
        (best, found)
    }

    /// Puts the node's values of the first `drawn` candidates into their buckets, in one pass
    /// over the node's rows (bucket `d` holds candidate `d`'s values).
    #[inline]
    fn bucket_drawn(&mut self, node: &[u32], drawn: usize) {
        let stamp = self.next_stamp();
        for d in 0..drawn {
            let f = self.cand[d] as usize;
            self.feat_seen[f] = stamp;
            self.feat_slot[f] = d as u32;
        }
        if self.buckets.len() < drawn {
            self.buckets.resize_with(drawn, Vec::new);
        }
        self.buckets[..drawn].iter_mut().for_each(Vec::clear);
        for &s in node {
            let (idx, val) = self.sh.x.row(s as usize);
            let inf = self.info[s as usize];
            for (&f, &v) in idx.iter().zip(val) {
                if self.feat_seen[f as usize] == stamp {
                    self.buckets[self.feat_slot[f as usize] as usize].push(Pair {
                        value: v,
                        sample: s,
                        class: inf.class,
                        weight: inf.weight,
                    });
                }
            }
        }
    }

    /// Keeps a cut when it beats `best` (its left weights move to `best_left`); counts a
    /// constant feature in `found`, a non-constant one in `useful`.
    fn consider(&mut self, cut: Cut, best: &mut Option<Split>, useful: &mut usize, found: &mut usize) {
        let sp = match cut {
            Cut::Constant => {
                *found += 1;
                return;
            }
            Cut::Nowhere => {
                *useful += 1;
                return;
            }
            Cut::At(sp) => sp,
        };
        *useful += 1;
        if best.as_ref().is_none_or(|b| sp.score > b.score) {
            std::mem::swap(&mut self.best_left, &mut self.feat_left);
            *best = Some(sp);
        }
    }

    /// Best threshold of the extracted feature (its left class weights in `feat_left`).
    fn evaluate(&mut self, n_node: usize, f: u32, counts: &[f64], total_w: f64) -> Cut {
        if self.pairs.is_empty() {
            return Cut::Constant;
        }
        let n_zero = n_node - self.pairs.len();
        if n_zero == 0 && self.pairs[0].value == self.pairs[self.pairs.len() - 1].value {
            return Cut::Constant;
        }
        // The zero block's class weights: the node's minus the non-zero samples'.
        self.nz.copy_from_slice(counts);
        for p in &self.pairs {
            self.sh.add(&mut self.nz, p.sample, p.class, -f64::from(p.weight));
        }
        let min_leaf = self.sh.min_leaf;
        let mut nl = 0usize;
        let zero_w: f64 =
            if n_zero > 0 { total_w - self.pairs.iter().map(|p| f64::from(p.weight)).sum::<f64>() } else { 0.0 };
        self.left.iter_mut().for_each(|c| *c = 0.0);
        let mut wl = 0.0f64;
        let mut best: Option<(f64, f32, f32, f64)> = None;
        let mut prev: Option<f32> = None;
        // Sorted order: negatives, the zero block (one step), positives.
        let zero_at = if n_zero > 0 { self.pairs.partition_point(|p| p.value < 0.0) } else { usize::MAX };
        let steps = self.pairs.len() + usize::from(n_zero > 0);
        for step in 0..steps {
            let (v, pair) = if step == zero_at {
                (0.0f32, None)
            } else {
                let i = if step > zero_at { step - 1 } else { step };
                (self.pairs[i].value, Some(self.pairs[i]))
            };
            if let Some(p) = prev
                && v > p
                && nl >= min_leaf
                && n_node - nl >= min_leaf
                && let Some(score) = gini_score(&self.left, counts, wl, total_w)
                && best.is_none_or(|(b, _, _, _)| score > b)
            {
                best = Some((score, p, v, wl));
                self.feat_left.copy_from_slice(&self.left);
            }
            match pair {
                Some(p) => {
                    let ws = f64::from(p.weight);
                    self.sh.add(&mut self.left, p.sample, p.class, ws);
                    wl += ws;
                    nl += 1;
                }
                None => {
                    for (l, z) in self.left.iter_mut().zip(&self.nz) {
                        *l += z;
                    }
                    wl += zero_w;
                    nl += n_zero;
                }
            }
            prev = Some(v);
        }
        match best {
            None => Cut::Nowhere,
            Some((score, a, b, left_weight)) => {
                let mid = ((f64::from(a) + f64::from(b)) / 2.0) as f32;
                let threshold = if mid >= b || !mid.is_finite() { a } else { mid };
                Cut::At(Split { feature: f, threshold, score, left_weight })
            }
        }
    }

    /// Stable partition of `node` (tree node `id`) into left (`x[f] <= t`) then right, moving
    /// samples to tree nodes `children`. Returns the left size and the left rows' non-zeros.
    fn partition(&mut self, node: &mut [u32], id: u32, f: u32, t: f32, children: [u32; 2]) -> (usize, usize) {
        self.extract(id, node, f, false);
        let stamp = self.next_stamp();
        let zero_right = 0.0 > t;
        // Mark the samples that go to the other side than the zero block.
        for p in &self.pairs {
            if (p.value > t) != zero_right {
                self.mark[p.sample as usize] = stamp;
            }
        }
        self.tmp.clear();
        let mut nl = 0;
        let mut nnz_left = 0;
        for i in 0..node.len() {
            let s = node[i];
            let right = (self.mark[s as usize] == stamp) != zero_right;
            if right {
                self.info[s as usize].node = children[1];
                self.tmp.push(s);
            } else {
                self.info[s as usize].node = children[0];
                nnz_left += self.row_nnz(s);
                node[nl] = s;
                nl += 1;
            }
        }
        node[nl..].copy_from_slice(&self.tmp);
        (nl, nnz_left)
    }
}

/// Gini proxy of a split (higher is better): Σ left_c²/W_left + Σ right_c²/W_right, which orders
/// splits exactly as the weighted Gini impurity decrease does.
fn gini_score(left: &[f64], counts: &[f64], wl: f64, total_w: f64) -> Option<f64> {
    let wr = total_w - wl;
    if wl <= 0.0 || wr <= 0.0 {
        return None;
    }
    let (mut sl, mut sr) = (0.0, 0.0);
    for (&l, &c) in left.iter().zip(counts) {
        let r = c - l;
        sl += l * l;
        sr += r * r;
    }
    Some(sl / wl + sr / wr)
}

#[cfg(test)]
mod tests {
    use super::clear_bits;

    #[test]
    fn clear_bits_clears_exactly_the_range() {
        for (lo, hi) in [(0, 1), (0, 64), (63, 64), (5, 70), (64, 128), (1, 191), (0, 192), (10, 10), (127, 129)] {
            let mut words = [u64::MAX; 3];
            clear_bits(&mut words, lo, hi);
            for bit in 0..192 {
                let set = words[bit / 64] >> (bit % 64) & 1 == 1;
                assert_eq!(set, !(lo..hi).contains(&bit), "range {lo}..{hi}, bit {bit}");
            }
        }
    }
}
