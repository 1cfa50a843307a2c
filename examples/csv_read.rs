//! Baseline for the batch benchmark: read a CSV with the csv crate alone (every field of every
//! record) and print the row count and the elapsed time.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let path = std::env::args().nth(1).expect("usage: csv_read FILE");
    let t = std::time::Instant::now();
    let mut rdr = csv::Reader::from_path(&path).expect("open");
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0usize);
    while rdr.read_byte_record(&mut rec).expect("read") {
        rows += 1;
        bytes += rec.as_slice().len();
    }
    println!("{rows} rows, {bytes} field bytes, {:.3} s", t.elapsed().as_secs_f64());
}
