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

impl output::format::Render for [QuotaRow] {
    type Json = [QuotaRow];
    fn json(&self) -> &[QuotaRow] {
        self
    }
    fn text(&self) -> String {
        table(self)
    }
}

impl output::format::RenderTable for [QuotaRow] {
    fn csv(&self) -> String {
        table(self)
    }
}
