//! How big something is, as far as layerwise can tell: an exact or approximate figure, a range,
//! "unknown", or "pending" (facts still arriving), and sums of those that keep count of the
//! parts they could not add up. Formatting goes through `format_bytes`, like `docker images`.

use layerwise_analysis::image_facts::format_bytes;

/// One estimate's figure. Never a made-up number: what is not known is [`Amount::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Not known, and nothing will make it known without more input (a build output, a
    /// remote `ADD`, a command layerwise cannot estimate).
    Unknown,
    /// Not known yet: a registry lookup, a build-context walk or a lockfile read is running.
    Pending,
    /// A single figure in bytes.
    Bytes(u64),
    /// Somewhere between two figures (inclusive), in bytes.
    Range { low: u64, high: u64 },
}

impl Amount {
    /// A range that collapses to a single figure when both ends agree.
    pub fn range(low: u64, high: u64) -> Amount {
        let (low, high) = if low <= high {
            (low, high)
        } else {
            (high, low)
        };
        if low == high {
            Amount::Bytes(low)
        } else {
            Amount::Range { low, high }
        }
    }

    /// The known bounds, if any.
    pub fn bounds(self) -> Option<(u64, u64)> {
        match self {
            Amount::Bytes(b) => Some((b, b)),
            Amount::Range { low, high } => Some((low, high)),
            Amount::Unknown | Amount::Pending => None,
        }
    }

    pub fn is_known(self) -> bool {
        self.bounds().is_some()
    }

    /// `12.0 MB`, `120–180 MB`, `?`, `pending`; `approximate` adds `≈ ` before a single figure
    /// (a range says it is approximate by itself).
    pub fn display(self, approximate: bool) -> String {
        match self {
            Amount::Unknown => "?".to_string(),
            Amount::Pending => "pending".to_string(),
            Amount::Bytes(b) if approximate && b > 0 => format!("≈ {}", format_bytes(b)),
            Amount::Bytes(b) => format_bytes(b),
            Amount::Range { low, high } => format_range(low, high),
        }
    }
}

/// `120–180 MB` when both ends share a unit, else `800 kB–1.20 MB`.
fn format_range(low: u64, high: u64) -> String {
    let a = format_bytes(low);
    let b = format_bytes(high);
    if a == b {
        // The ends differ by less than the shown precision.
        return format!("≈ {a}");
    }
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((na, ua)), Some((nb, ub))) if ua == ub => format!("{na}–{nb} {ub}"),
        _ => format!("{a}–{b}"),
    }
}

/// A sum of estimates: the bounds of the known parts, and how many parts were unknown or
/// pending (they are not in the bounds, so the real total is at least `low`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    pub low: u64,
    pub high: u64,
    /// Some part of the sum is approximate.
    pub approximate: bool,
    /// Parts whose size is unknown. The counts are `u32` (a file has far fewer parts) so a
    /// total takes 32 bytes, not 48: every stage keeps two.
    pub unknown: u32,
    /// Parts whose size is still being looked up.
    pub pending: u32,
    /// Parts with a known size (so "nothing known" can be told from "0 B").
    pub known: u32,
}

impl Total {
    pub fn add(&mut self, amount: Amount, approximate: bool) {
        match amount {
            Amount::Unknown => self.unknown = self.unknown.saturating_add(1),
            Amount::Pending => self.pending = self.pending.saturating_add(1),
            Amount::Bytes(_) | Amount::Range { .. } => {
                let (low, high) = amount.bounds().unwrap_or((0, 0));
                self.low = self.low.saturating_add(low);
                self.high = self.high.saturating_add(high);
                self.approximate |= approximate || low != high;
                self.known = self.known.saturating_add(1);
            }
        }
    }

    pub fn add_total(&mut self, other: &Total) {
        self.low = self.low.saturating_add(other.low);
        self.high = self.high.saturating_add(other.high);
        self.approximate |= other.approximate;
        self.unknown = self.unknown.saturating_add(other.unknown);
        self.pending = self.pending.saturating_add(other.pending);
        self.known = self.known.saturating_add(other.known);
    }

    /// Whether every part is known.
    pub fn is_complete(&self) -> bool {
        self.unknown == 0 && self.pending == 0
    }

    /// The known part as an amount (`Pending`/`Unknown` when nothing is known).
    pub fn amount(&self) -> Amount {
        if self.known == 0 {
            if self.pending > 0 {
                Amount::Pending
            } else if self.unknown > 0 {
                Amount::Unknown
            } else {
                Amount::Bytes(0)
            }
        } else {
            Amount::range(self.low, self.high)
        }
    }

    /// `≈ 1.24 GB`, `≈ 1.24 GB + ?` (some parts unknown), `≈ 1.24 GB + pending`, `?`.
    pub fn display(&self) -> String {
        let mut amount = self.amount();
        // Nothing but zeros known and something unknown: the sum says nothing.
        if amount == Amount::Bytes(0) && self.unknown + self.pending > 0 {
            amount = if self.unknown > 0 {
                Amount::Unknown
            } else {
                Amount::Pending
            };
        }
        let mut s = amount.display(self.approximate);
        if amount.is_known() {
            if self.unknown > 0 {
                s.push_str(" + ?");
            } else if self.pending > 0 {
                s.push_str(" + pending");
            }
        } else if amount == Amount::Unknown && self.pending > 0 {
            s = "pending".to_string();
        }
        s
    }

    /// What the parts not counted are, for tooltips: `2 steps of unknown size`.
    pub fn missing_note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.unknown > 0 {
            parts.push(format!(
                "{} step{} of unknown size not counted",
                self.unknown,
                if self.unknown == 1 { "" } else { "s" }
            ));
        }
        if self.pending > 0 {
            parts.push(format!("{} still being looked up", self.pending));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_display_honestly() {
        assert_eq!(Amount::Unknown.display(true), "?");
        assert_eq!(Amount::Pending.display(false), "pending");
        assert_eq!(Amount::Bytes(12_000_000).display(false), "12.0 MB");
        assert_eq!(Amount::Bytes(12_000_000).display(true), "≈ 12.0 MB");
        assert_eq!(Amount::Bytes(0).display(true), "0 B");
        assert_eq!(
            Amount::range(180_000_000, 120_000_000).display(true),
            "120–180 MB"
        );
        assert_eq!(
            Amount::range(800_000, 1_200_000).display(false),
            "800 kB–1.20 MB"
        );
        assert_eq!(Amount::range(5, 5), Amount::Bytes(5));
        assert_eq!(
            Amount::range(1_100_000_000, 1_100_400_000).display(false),
            "≈ 1.10 GB"
        );
    }

    #[test]
    fn totals_count_what_they_cannot_add() {
        let mut t = Total::default();
        assert_eq!(t.display(), "0 B");
        t.add(Amount::Unknown, false);
        assert_eq!(t.display(), "?");
        t.add(Amount::Pending, false);
        assert_eq!(t.display(), "pending");
        t.add(Amount::Bytes(1_000_000), false);
        assert_eq!(t.display(), "1.00 MB + ?");
        t.add(Amount::range(1_000_000, 3_000_000), false);
        assert_eq!(t.display(), "2.00–4.00 MB + ?");
        assert!(t.approximate);
        assert_eq!(
            t.missing_note().as_deref(),
            Some("1 step of unknown size not counted; 1 still being looked up")
        );
        let mut sum = Total::default();
        sum.add(Amount::Bytes(u64::MAX), true);
        sum.add_total(&t);
        assert_eq!(sum.low, u64::MAX);
        assert_eq!((sum.unknown, sum.pending, sum.known), (1, 1, 3));
        let mut pending_only = Total::default();
        pending_only.add(Amount::Bytes(2_000_000), true);
        pending_only.add(Amount::Pending, false);
        assert_eq!(pending_only.display(), "≈ 2.00 MB + pending");
    }
}
