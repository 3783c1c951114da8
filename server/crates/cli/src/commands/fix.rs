//! `layerwise check --fix`: applies fixes until nothing more applies (bounded), writes files.

use anyhow::{Context, Result};
use layerwise_lint::fixes::apply_fixes;

use crate::analyze::{analyze, FileReport, Options};

/// Rounds of fixing per file: fixes that unlock other fixes converge in two or three.
const MAX_ROUNDS: usize = 5;

pub fn apply(reports: &mut [FileReport], allow_unsafe: bool, opts: &Options<'_>) -> Result<()> {
    for report in reports.iter_mut() {
        let original = report.text().to_string();
        let mut total = 0;
        for _ in 0..MAX_ROUNDS {
            let (text, n) = apply_fixes(
                report.text(),
                report.diagnostics.iter().flat_map(|d| d.fixes.first()),
                allow_unsafe,
            );
            if n == 0 || text == report.text() {
                break;
            }
            total += n;
            std::fs::write(&report.path, &text)
                .with_context(|| format!("cannot write {}", report.path.display()))?;
            *report = analyze(&report.path, opts).map_err(anyhow::Error::msg)?;
        }
        if report.text() != original {
            eprintln!(
                "layerwise: fixed {total} problem(s) in {}",
                report.path.display()
            );
        }
    }
    Ok(())
}
