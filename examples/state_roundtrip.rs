//! Times the state store's quota check-and-increment with the decision logged — the one state
//! step of every routed request — on the backend the configuration names, for
//! `bench/state.sh`. Prints the count, p50, p99 and mean in microseconds.
//!
//!   cargo run --release --example state_roundtrip -- CONFIG N
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use llmroute::config::Config;
use llmroute::state::{DecisionRecord, Location, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let config = Config::load(Some(std::path::Path::new(&args.next().expect("CONFIG")))).unwrap();
    let n: usize = args.next().map_or(10_000, |v| v.parse().unwrap());
    let at = Location::resolve(None, &config).unwrap();
    let mut store = Store::open(&at).unwrap();
    let model = config.models[0].name.clone();
    let mut times = Vec::with_capacity(n);
    for i in 0..n + 200 {
        let record = DecisionRecord {
            request_id: format!("bench-{i}"),
            ts: 1_800_000_000,
            prompt_hash: "0".repeat(64),
            prompt: None,
            model: model.clone(),
            method: "rule".to_string(),
            rule: Some("greeting".to_string()),
            tier: None,
            strategy: "chain".to_string(),
            estimated_cost: 0.0001,
            arm: "control".to_string(),
            input_tokens: Some(9),
            output_tokens: Some(100),
            cost: None,
        };
        let t = Instant::now();
        store
            .count_and_log("2027-01-01", |usage| {
                let _ = usage.get(&model);
                ((), Some(model.clone()), Some(record.clone()))
            })
            .unwrap();
        // The first 200 warm the connection and the caches.
        if i >= 200 {
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!("{} {n} {:.1} {:.1} {mean:.1}", at.describe(), q(0.5), q(0.99));
}
