//! Shape of a trained model's forest and the time of each prediction step on a CSV's prompts:
//! `forest_stats MODEL FILE.csv` (column `prompt`, first 20,000 rows).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let m = llmroute::ml::artifact::load(std::path::Path::new(&args.next().expect("MODEL"))).unwrap();
    let llmroute::ml::model::Classifier::Forest(f) = &m.classifier else { panic!("not a forest model") };
    let tfidf = m.inputs.tfidf.as_ref().expect("a TF-IDF model");
    let mut rdr = csv::Reader::from_path(args.next().expect("FILE.csv")).unwrap();
    let col = rdr.headers().unwrap().iter().position(|h| h == "prompt").unwrap();
    let prompts: Vec<String> = rdr.records().take(20_000).map(|r| r.unwrap()[col].to_string()).collect();
    let mut scratch = Default::default();
    // Each timing is the best of 3 passes.
    let mut rows: Vec<Vec<(u32, f64)>> = Vec::new();
    let mut tfidf_us = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        rows = prompts.iter().map(|p| tfidf.transform_f64(p, &mut scratch)).collect();
        tfidf_us = tfidf_us.min(t.elapsed().as_secs_f64() * 1e6 / prompts.len() as f64);
    }
    let mut dense = vec![0f32; f.n_features];
    let mut out = vec![0.0; f.n_classes];
    let mut visits = 0u64;
    let mut checksum = 0.0;
    let mut forest_us = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for row in &rows {
            for &(c, v) in row {
                dense[c as usize] = v as f32;
            }
            f.predict_proba_dense(&dense, &mut out);
            checksum += out[0];
            for &(c, _) in row {
                dense[c as usize] = 0.0;
            }
        }
        forest_us = forest_us.min(t.elapsed().as_secs_f64() * 1e6 / rows.len() as f64);
    }
    let sparse: Vec<(Vec<u32>, Vec<f32>)> =
        rows.iter().map(|r| (r.iter().map(|e| e.0).collect(), r.iter().map(|e| e.1 as f32).collect())).collect();
    let mut fs = llmroute::ml::forest::Scratch::default();
    let mut checksum2 = 0.0;
    let mut row_us = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for (i, v) in &sparse {
            f.predict_row(i, v, &mut fs, &mut out);
            checksum2 += out[0];
        }
        row_us = row_us.min(t.elapsed().as_secs_f64() * 1e6 / rows.len() as f64);
    }
    assert_eq!(checksum, checksum2);
    for row in &rows {
        for &(c, v) in row {
            dense[c as usize] = v as f32;
        }
        for t in &f.trees {
            let mut i = 0usize;
            loop {
                visits += 1;
                let n = t.nodes[i];
                if n.feature >= llmroute::ml::forest::PURE {
                    break;
                }
                i = n.next as usize + usize::from(dense[n.feature as usize] > n.threshold);
            }
        }
        for &(c, _) in row {
            dense[c as usize] = 0.0;
        }
    }
    // Internal nodes that send this row right (QuickScorer's "false nodes"), and nodes testing a
    // feature the row has.
    let (mut false_nodes, mut present_nodes) = (0u64, 0u64);
    let mut negative = 0;
    for row in rows.iter().take(2000) {
        for &(c, v) in row {
            dense[c as usize] = v as f32;
        }
        for t in &f.trees {
            for n in &t.nodes {
                if n.feature < llmroute::ml::forest::PURE {
                    negative += usize::from(n.threshold < 0.0);
                    present_nodes += u64::from(dense[n.feature as usize] != 0.0);
                    false_nodes += u64::from(dense[n.feature as usize] > n.threshold);
                }
            }
        }
        for &(c, _) in row {
            dense[c as usize] = 0.0;
        }
    }
    println!(
        "false nodes/row {:.0}, nodes on present features/row {:.0}, negative thresholds {negative}",
        false_nodes as f64 / 2000.0,
        present_nodes as f64 / 2000.0
    );
    let nnz: usize = rows.iter().map(Vec::len).sum();
    println!("trees {} features {} nodes {}", f.trees.len(), f.n_features, f.n_nodes());
    println!(
        "avg nnz {:.1}, node visits/row {:.0}; tfidf {tfidf_us:.2} us/row, forest walk {forest_us:.2} us/row, predict_row {row_us:.2} us/row (checksum {checksum:.3})",
        nnz as f64 / rows.len() as f64,
        visits as f64 / rows.len() as f64
    );
}
