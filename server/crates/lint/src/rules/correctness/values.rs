//! Validators for the value formats BuildKit parses with Go's standard library or small
//! helper packages: `time.ParseDuration`, `strconv.ParseBool`, octal and symbolic file modes,
//! `units.RAMInBytes`, and Linux signal names. Each answers only "would BuildKit accept it".

/// Go's `time.ParseDuration` in nanoseconds (`None` when Go rejects it). Accepts an optional
/// sign, `0`, and sequences of `<number>[.<fraction>]<unit>` with units ns, us, µs, μs, ms, s,
/// m, h.
pub(crate) fn go_duration_nanos(s: &str) -> Option<f64> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                (&a[..n], &a[n..])
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let unit_len = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        // The number as written (`5`, `5.`, `.5`, `5.25`) is a float Rust reads as it is:
        // parsed in place, not through a copy with the missing parts filled in.
        let number_len = rest.len() - after.len();
        let number: f64 = rest.get(..number_len)?.parse().ok()?;
        total += number * scale;
        rest = next;
    }
    if total > 9.223_372_036_854_776e18 {
        return None;
    }
    Some(if neg { -total } else { total })
}

/// Go's `strconv.ParseBool`.
pub(crate) fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `COPY --chmod` / `ADD --chmod`: an octal mode up to `7777`, or a symbolic mode like
/// `u+x,go-w` or `a=rX`. Returns the problem, if any.
pub(crate) fn chmod_problem(value: &str) -> Option<String> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let ok = value.bytes().all(|b| b <= b'7')
            && u64::from_str_radix(value, 8).is_ok_and(|m| m <= 0o7777);
        return (!ok).then(|| format!("invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777"));
    }
    (!symbolic_mode_ok(value)).then(|| format!("invalid chmod parameter: '{value}': not an octal mode nor a symbolic mode like `u+x,go-w`"))
}

/// The symbolic mode grammar of chmod(1): clauses separated by commas, each
/// `[ugoa]*` followed by one or more `[-+=]` actions with permissions `[rwxXst]*` or a copy
/// from `u`, `g` or `o`.
fn symbolic_mode_ok(value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    value.split(',').all(|clause| {
        let rest = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        if rest.is_empty() {
            return false;
        }
        let mut chars = rest.chars().peekable();
        while let Some(op) = chars.next() {
            if !matches!(op, '+' | '-' | '=') {
                return false;
            }
            if matches!(chars.peek(), Some('u' | 'g' | 'o')) {
                chars.next();
                continue;
            }
            while matches!(chars.peek(), Some('r' | 'w' | 'x' | 'X' | 's' | 't')) {
                chars.next();
            }
        }
        true
    })
}

/// `units.RAMInBytes` of docker/go-units: a number (decimals allowed) and an optional unit
/// `b`, `k`, `kb`, `kib`, `m`, ... (case-insensitive, binary multiples).
pub(crate) fn ram_in_bytes_ok(value: &str) -> bool {
    let v = value.trim();
    let num_len = v
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (num, unit) = v.split_at(num_len);
    if num.is_empty() || num.parse::<f64>().is_err() {
        return false;
    }
    let unit = unit.trim_start().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    matches!(unit, "" | "k" | "m" | "g" | "t" | "p")
}

/// Linux signal names Docker's `signal.ParseSignal` knows (without the `SIG` prefix).
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
];

/// Whether `STOPSIGNAL` accepts `value`: a non-zero number, or a signal name with or without
/// `SIG`, any case, including `RTMIN+n` (n ≤ 15) and `RTMAX-n` (n ≤ 14).
pub(crate) fn signal_ok(value: &str) -> bool {
    if let Ok(n) = value.parse::<i64>() {
        return n != 0 && i32::try_from(n).is_ok();
    }
    let upper = value.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) {
        return true;
    }
    let offset = |prefix: &str, max: u32| {
        name.strip_prefix(prefix)
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (1..=max).contains(&n))
    };
    offset("RTMIN+", 15) || offset("RTMAX-", 14)
}

/// The signal names, for suggestions.
pub(crate) fn signal_names() -> impl Iterator<Item = String> {
    SIGNALS.iter().map(|s| format!("SIG{s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(go_duration_nanos("30s"), Some(30e9));
        assert_eq!(go_duration_nanos("1m30s"), Some(90e9));
        assert_eq!(go_duration_nanos("1.5h"), Some(5400e9));
        assert_eq!(go_duration_nanos(".5s"), Some(0.5e9));
        assert_eq!(go_duration_nanos("0"), Some(0.0));
        assert_eq!(go_duration_nanos("-1s"), Some(-1e9));
        assert_eq!(go_duration_nanos("300µs"), Some(300e3));
        for bad in ["", "30", "5 s", "1d", "s", "1.s2", "abc", "1e3s", "."] {
            assert_eq!(go_duration_nanos(bad), None, "{bad}");
        }
        assert_eq!(go_duration_nanos("1.s"), Some(1e9));
        assert_eq!(go_duration_nanos("1.25m0.5s"), Some(75.5e9));
        assert_eq!(go_duration_nanos("2.5ms"), Some(2.5e6));
    }

    #[test]
    fn modes() {
        for ok in [
            "755",
            "0644",
            "7777",
            "0",
            "u+x",
            "a=rX",
            "u+x,go-w",
            "g=u",
            "+x",
            "u=",
            "ugo+rwxst",
        ] {
            assert_eq!(chmod_problem(ok), None, "{ok}");
        }
        for bad in ["8", "17777", "u", "u+y", "rwx", "", "u+x,", "0x1ff"] {
            assert!(chmod_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn bools_sizes_signals() {
        assert_eq!(go_bool("True"), Some(true));
        assert_eq!(go_bool("yes"), None);
        assert!(
            ram_in_bytes_ok("64m")
                && ram_in_bytes_ok("1.5GiB")
                && ram_in_bytes_ok("1024")
                && ram_in_bytes_ok("10 kb")
        );
        assert!(!ram_in_bytes_ok("lots") && !ram_in_bytes_ok("5x") && !ram_in_bytes_ok(""));
        for ok in [
            "SIGTERM",
            "sigquit",
            "TERM",
            "9",
            "SIGRTMIN+3",
            "RTMAX-2",
            "SIGWINCH",
        ] {
            assert!(signal_ok(ok), "{ok}");
        }
        for bad in ["0", "SIGFOO", "SIGRTMIN+16", "", "TERM9"] {
            assert!(!signal_ok(bad), "{bad}");
        }
    }
}
