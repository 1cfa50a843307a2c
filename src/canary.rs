//! Gray release: a deterministic share of requests goes to a new strategy.
//!
//! A request is in the canary arm when the hash of its key (the `--user` key, so one user stays in
//! one arm, else the request id) falls below the configured share. The hash is FNV-1a with a
//! SplitMix64 finaliser, mapped to [0, 1): stable across runs, machines and versions.

/// Position of `key` in [0, 1).
pub fn unit(key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut x = h;
    let z = crate::rng::splitmix64(&mut x);
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Which side of a gray release a request is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// The production chain.
    Control,
    /// The canary strategy of `[canary]`.
    Canary,
}

impl Arm {
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Control => "control",
            Arm::Canary => "canary",
        }
    }
}

/// The arm of a request keyed by `key`, for a canary taking `share` of the traffic.
pub fn arm(key: &str, share: f64) -> Arm {
    if unit(key) < share { Arm::Canary } else { Arm::Control }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_within_one_point_over_100k_ids_and_stable() {
        let n = 100_000;
        let canary = (0..n).filter(|i| arm(&format!("req-{i}"), 0.10) == Arm::Canary).count();
        let share = canary as f64 / f64::from(n);
        assert!((share - 0.10).abs() <= 0.01, "{share}");
        for i in 0..1000 {
            let id = format!("req-{i}");
            assert_eq!(arm(&id, 0.10), arm(&id, 0.10));
        }
        assert_eq!(arm("anything", 0.0), Arm::Control);
        assert_eq!(arm("anything", 1.0), Arm::Canary);
    }
}
