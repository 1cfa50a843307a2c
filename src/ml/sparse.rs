//! Compressed sparse rows (and columns) of f32 values.

/// Compressed sparse rows.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    pub n_cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f32>,
}

impl Csr {
    pub fn with_capacity(n_cols: usize, rows: usize, nnz: usize) -> Csr {
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        Csr { n_cols, indptr, indices: Vec::with_capacity(nnz), data: Vec::with_capacity(nnz) }
    }

    pub fn shrink_to_fit(&mut self) {
        self.indices.shrink_to_fit();
        self.data.shrink_to_fit();
    }

    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Appends a row; entries must be sorted by column.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f32)>) {
        for (c, v) in entries {
            if v != 0.0 {
                self.indices.push(c);
                self.data.push(v);
            }
        }
        self.indptr.push(self.indices.len());
    }

    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[r], self.indptr[r + 1]);
        (&self.indices[a..b], &self.data[a..b])
    }

    /// The rows `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Csr {
        let nnz = rows.iter().map(|&r| self.indptr[r + 1] - self.indptr[r]).sum();
        let mut out = Csr::with_capacity(self.n_cols, rows.len(), nnz);
        for &r in rows {
            let (i, v) = self.row(r);
            out.push_row(i.iter().copied().zip(v.iter().copied()));
        }
        out
    }

    /// Column-major copy: for each column, its (row, value) entries in row order.
    pub fn to_csc(&self) -> Csc {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.n_cols {
            counts[i + 1] += counts[i];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut rows = vec![0u32; self.nnz()];
        let mut data = vec![0f32; self.nnz()];
        for r in 0..self.n_rows() {
            let (idx, val) = self.row(r);
            for (&c, &v) in idx.iter().zip(val) {
                let at = next[c as usize];
                rows[at] = r as u32;
                data[at] = v;
                next[c as usize] += 1;
            }
        }
        Csc { indptr, rows, data }
    }

    /// Like [`Csr::to_csc`], with each column's entries sorted by value (ties by row), so a
    /// filtered scan of a column yields values already in order.
    pub fn to_csc_by_value(&self) -> Csc {
        let mut csc = self.to_csc();
        let mut buf: Vec<(f32, u32)> = Vec::new();
        for c in 0..self.n_cols {
            let (a, b) = (csc.indptr[c], csc.indptr[c + 1]);
            buf.clear();
            buf.extend(csc.data[a..b].iter().copied().zip(csc.rows[a..b].iter().copied()));
            buf.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            for (i, &(v, r)) in buf.iter().enumerate() {
                csc.data[a + i] = v;
                csc.rows[a + i] = r;
            }
        }
        csc
    }
}

/// Compressed sparse columns.
#[derive(Debug, Clone, Default)]
pub struct Csc {
    pub indptr: Vec<usize>,
    pub rows: Vec<u32>,
    pub data: Vec<f32>,
}

impl Csc {
    pub fn col(&self, c: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[c], self.indptr[c + 1]);
        (&self.rows[a..b], &self.data[a..b])
    }
}

/// Value of column `c` in a sorted sparse row (0 when absent).
#[inline]
pub fn lookup(indices: &[u32], values: &[f32], c: u32) -> f32 {
    match indices.binary_search(&c) {
        Ok(i) => values[i],
        Err(_) => 0.0,
    }
}
