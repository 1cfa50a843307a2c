//! `llmroute state export` / `import`: the whole state as JSON Lines, to move it between backends
//! (SQLite ↔ Redis) or machines without loss.
//!
//! One object per line, tagged by `kind`: `quota` (day, model, used), `decision` (the decision
//! log's fields) and `feedback`. Lines are sorted (quota by day and model, the others by time
//! and request id), so two exports of the same state are byte-identical. Importing is all or
//! nothing: every line is checked before anything is written. Decisions and feedback replace
//! the records of the same request id; a quota counter is raised to the imported value and
//! never lowered, so importing the same file twice counts nothing twice.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{DecisionRecord, FeedbackRecord, QuotaRow, Store};
use crate::error::{Error, Result};

/// Largest export file `import` reads.
pub const MAX_IMPORT_BYTES: u64 = 1 << 30;

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    Quota(QuotaRow),
    Decision(DecisionRecord),
    Feedback(FeedbackRecord),
}

/// How many records of each kind moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub quota: usize,
    pub decisions: usize,
    pub feedback: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} quota counter(s), {} decision(s), {} feedback record(s)",
            self.quota, self.decisions, self.feedback
        )
    }
}

/// Writes every record of `store` to `out`.
pub fn export(store: &mut Store, out: &mut dyn Write) -> Result<Counts> {
    let quota = store.quota_rows()?;
    let decisions = store.decisions_since(None)?;
    let feedback = store.feedback_since(None)?;
    let counts = Counts { quota: quota.len(), decisions: decisions.len(), feedback: feedback.len() };
    let lines = quota
        .into_iter()
        .map(Line::Quota)
        .chain(decisions.into_iter().map(Line::Decision))
        .chain(feedback.into_iter().map(Line::Feedback));
    for line in lines {
        let mut text =
            serde_json::to_string(&line).map_err(|e| Error::usage(format!("cannot encode a record: {e}")))?;
        text.push('\n');
        out.write_all(text.as_bytes()).map_err(Error::from_stdout)?;
    }
    out.flush().map_err(Error::from_stdout)?;
    Ok(counts)
}

/// Parses an export (`name` for messages); a bad line is an error naming `name:line:column`.
fn parse(name: &str, text: &str) -> Result<(Vec<QuotaRow>, Vec<DecisionRecord>, Vec<FeedbackRecord>)> {
    let (mut quota, mut decisions, mut feedback) = (Vec::new(), Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Quota(q)) => quota.push(q),
            Ok(Line::Decision(d)) => decisions.push(d),
            Ok(Line::Feedback(f)) => feedback.push(f),
            Err(e) => {
                return Err(Error::usage(format!(
                    "{name}:{}:{}: not a state record: {e}; nothing was imported",
                    i + 1,
                    e.column()
                )));
            }
        }
    }
    Ok((quota, decisions, feedback))
}

/// Reads an export from `bytes` into `store`.
pub fn import(store: &mut Store, name: &str, bytes: &[u8]) -> Result<Counts> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::usage(format!("{name}:{line}: not UTF-8; nothing was imported"))
    })?;
    let (quota, decisions, feedback) = parse(name, text)?;
    let counts = Counts { quota: quota.len(), decisions: decisions.len(), feedback: feedback.len() };
    store.merge_quota(&quota)?;
    store.log_decisions(&decisions)?;
    store.upsert_feedback(&feedback)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_names_its_place() {
        let text =
            "{\"kind\":\"quota\",\"day\":\"2026-01-01\",\"model\":\"m\",\"used\":3}\n{\"kind\":\"quota\",\"day\":1}\n";
        let e = parse("s.jsonl", text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("s.jsonl:2:"), "{e}");
        assert!(e.ends_with("nothing was imported"), "{e}");
    }
}
