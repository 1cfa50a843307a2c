//! Measures token counting speed on the prompts of a CSV file (column `prompt`).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let path = std::env::args().nth(1).expect("usage: tok_bench FILE");
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let col = rdr.headers().unwrap().iter().position(|h| h == "prompt").unwrap();
    let prompts: Vec<String> = rdr.records().map(|r| r.unwrap()[col].to_string()).collect();
    let t = std::time::Instant::now();
    let total: usize = prompts.iter().map(|p| llmroute::tokenizer::count_tokens(p)).sum();
    let el = t.elapsed().as_secs_f64();
    println!(
        "{} prompts, {total} tokens, {:.3} s, {:.2} us/prompt",
        prompts.len(),
        el,
        el * 1e6 / prompts.len() as f64
    );
}
