//! The `quota` table: today's usage per model.

use crate::output;
use crate::quota::QuotaRow;

pub fn table(rows: &[QuotaRow]) -> String {
    let mut t = output::table(["model", "used", "quota", "remaining", "resets at"]);
    for r in rows {
        t.add_row(vec![
            r.model.clone(),
            r.used.to_string(),
            r.quota.map_or("unlimited".to_string(), |q| q.to_string()),
            r.remaining.map_or("unlimited".to_string(), |q| q.to_string()),
            r.resets_at.clone(),
        ]);
    }
    output::align_right(&mut t, &[1, 2, 3]);
    output::render(&t)
}
