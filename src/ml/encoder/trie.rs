//! A byte trie read in place from four arrays of the built-in encoder file, so loading the
//! encoder parses nothing: node `i`'s children are nodes `first[i] .. first[i] + count[i]`, their
//! edge labels (`labels[child]`) ascending; `value[i]` is `u32::MAX` where no key ends.
//! scripts/build-encoder.py writes the arrays (`trie_arrays`).

/// Borrowed views of the four arrays (u32 arrays as little-endian bytes).
#[derive(Debug, Clone)]
pub struct ByteTrie<'a> {
    labels: &'a [u8],
    first: &'a [u8],
    count: &'a [u8],
    value: &'a [u8],
    /// The root's child per byte (`NONE` for none): every walk starts there, and the root has
    /// the most children.
    root: Box<[u32; 256]>,
}

const NONE: u32 = u32::MAX;

fn u32_at(bytes: &[u8], i: usize) -> u32 {
    match bytes.get(i * 4..i * 4 + 4) {
        Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        None => NONE,
    }
}

impl<'a> ByteTrie<'a> {
    /// Checks that the arrays agree in length. Nodes are not checked one by one: every read is
    /// bounds-checked (an index out of range reads as "no child" / "no value"), and a walk is
    /// bounded by the length of its input, so a damaged trie gives wrong answers, never a panic
    /// or a hang. The built-in encoder's bytes are checked against their recorded digest.
    pub fn new(labels: &'a [u8], first: &'a [u8], count: &'a [u8], value: &'a [u8]) -> Result<ByteTrie<'a>, String> {
        let n = labels.len();
        if n == 0 || first.len() != n * 4 || count.len() != n * 4 || value.len() != n * 4 {
            return Err(format!("trie arrays disagree in length ({n} labels)"));
        }
        let mut t = ByteTrie { labels, first, count, value, root: Box::new([NONE; 256]) };
        let mut root = Box::new([NONE; 256]);
        for b in 0..=255u8 {
            root[b as usize] = t.search(0, b).unwrap_or(NONE);
        }
        t.root = root;
        Ok(t)
    }

    /// The child of `node` along byte `b`.
    #[inline]
    pub fn child(&self, node: u32, b: u8) -> Option<u32> {
        if node == 0 {
            let c = self.root[b as usize];
            return (c != NONE).then_some(c);
        }
        self.search(node, b)
    }

    fn search(&self, node: u32, b: u8) -> Option<u32> {
        let f = u32_at(self.first, node as usize) as usize;
        let c = u32_at(self.count, node as usize) as usize;
        let kids = self.labels.get(f..f.saturating_add(c))?;
        kids.binary_search(&b).ok().map(|k| (f + k) as u32)
    }

    /// The edge labels of `node`'s children, ascending.
    pub fn labels_of(&self, node: u32) -> &'a [u8] {
        let f = u32_at(self.first, node as usize) as usize;
        let c = u32_at(self.count, node as usize) as usize;
        self.labels.get(f..f.saturating_add(c)).unwrap_or(&[])
    }

    /// The value stored at `node`, if a key ends there.
    #[inline]
    pub fn value(&self, node: u32) -> Option<u32> {
        let v = u32_at(self.value, node as usize);
        (v != NONE).then_some(v)
    }

    /// Calls `hit(length, value)` for every key that is a prefix of `bytes`, shortest first.
    #[inline]
    pub fn prefixes(&self, bytes: &[u8], mut hit: impl FnMut(usize, u32)) {
        let mut node = 0;
        for (i, &b) in bytes.iter().enumerate() {
            match self.child(node, b) {
                Some(n) => node = n,
                None => return,
            }
            if let Some(v) = self.value(node) {
                hit(i + 1, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn finds_every_prefix_key_and_survives_bad_ranges() {
        // keys: "a" → 7, "ab" → 8, "b" → 9; nodes: root, a, b, ab
        let labels = [0, b'a', b'b', b'b'];
        let (first, count, value) = (le(&[1, 3, 4, 0]), le(&[2, 1, 0, 0]), le(&[NONE, 7, 9, 8]));
        let t = ByteTrie::new(&labels, &first, &count, &value).unwrap();
        let mut got = vec![];
        t.prefixes(b"abc", |n, v| got.push((n, v)));
        assert_eq!(got, [(1, 7), (2, 8)]);
        got.clear();
        t.prefixes(b"ba", |n, v| got.push((n, v)));
        assert_eq!(got, [(1, 9)]);
        t.prefixes(b"c", |_, _| panic!("no key starts with c"));
        assert!(ByteTrie::new(&labels, &first[..8], &count, &value).unwrap_err().contains("disagree"));
        // Node 3 claims children past the end: no child, no panic.
        let bad_count = le(&[2, 1, 0, 9]);
        let damaged = ByteTrie::new(&labels, &first, &bad_count, &value).unwrap();
        let mut got = vec![];
        damaged.prefixes(b"abb", |n, v| got.push((n, v)));
        assert_eq!(got, [(1, 7), (2, 8)]);
    }
}
