#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let m = llmroute::ml::artifact::load(std::path::Path::new(&path)).unwrap();
    let f = &m.forest;
    println!("trees {} features {} nodes {}", f.trees.len(), f.n_features, f.n_nodes());
    let mut rdr = csv::Reader::from_path(std::env::args().nth(2).unwrap()).unwrap();
    let col = rdr.headers().unwrap().iter().position(|h| h == "prompt").unwrap();
    let prompts: Vec<String> = rdr.records().take(20000).map(|r| r.unwrap()[col].to_string()).collect();
    let mut scratch = Default::default();
    let mut visits = 0u64;
    let mut nnz = 0usize;
    for p in &prompts {
        let row = m.tfidf.transform_f64(p, &mut scratch);
        nnz += row.len();
        let mut dense = vec![0f32; f.n_features];
        for &(c, v) in &row {
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
                i = if dense[n.feature as usize] <= n.threshold { n.next as usize } else { n.next as usize + 1 };
            }
        }
    }
    println!(
        "avg nnz {:.1}, avg visits/row {:.1}",
        nnz as f64 / prompts.len() as f64,
        visits as f64 / prompts.len() as f64
    );
}
