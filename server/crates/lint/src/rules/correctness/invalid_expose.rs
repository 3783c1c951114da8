use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// An `EXPOSE` port Docker cannot parse.
    ///
    /// ## What it does
    /// Parses each `EXPOSE` argument (without variables) as BuildKit does:
    /// `[ip:][hostport:]port[-end][/proto]`, with ports from 0 to 65535, ranges that do not
    /// run backwards, protocols `tcp`, `udp` or `sctp`, and a valid IP address if one is given.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `invalid containerPort`, `invalid proto` or a similar error.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80/http 70000
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80/tcp 7000
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intended port is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3011](https://github.com/hadolint/hadolint/wiki/DL3011)
    /// - [Dockerfile reference: EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)
    pub struct InvalidExpose {
        name: "invalid-expose",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: ["DL3011"],
        buildkit: None,
    }
}

impl RuleCheck for InvalidExpose {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Expose) {
            for w in i.inst.arg_words() {
                if has_var(&w.text, cx.model.escape) {
                    continue;
                }
                if let Err(e) = parse_port(&w.text) {
                    out.push(
                        Diagnostic::new(meta, i.abs(w.range), format!("invalid port {:?}: {e}", &*w.text))
                            .note("EXPOSE takes `port`, `port/proto` or `start-end/proto`, with ports from 0 to 65535 and proto tcp, udp or sctp."),
                    );
                }
            }
        }
    }
}

/// BuildKit's `parsePort` (through `splitParts`, `splitProtoPort` and `parsePortRange`).
pub(crate) fn parse_port(raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Err("no port specified".into());
    }
    if !matches!(
        proto.to_ascii_lowercase().as_str(),
        "" | "tcp" | "udp" | "sctp"
    ) {
        return Err(format!("invalid proto: {proto}"));
    }
    if !ip.is_empty() {
        let bare = match ip.strip_prefix('[') {
            Some(rest) => rest
                .strip_suffix(']')
                .ok_or_else(|| format!("invalid IP address {ip}"))?,
            None => ip.as_str(),
        };
        if bare.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("invalid IP address: {ip}"));
        }
    }
    let (start, end) =
        port_range(port).map_err(|e| format!("invalid containerPort: {port} ({e})"))?;
    if !host.is_empty() {
        let (hs, he) = port_range(host).map_err(|e| format!("invalid hostPort: {host} ({e})"))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {port} and {host}"
            ));
        }
    }
    Ok(())
}

fn port_range(ports: &str) -> Result<(i64, i64), String> {
    if ports.is_empty() {
        return Err("empty string specified for ports".into());
    }
    let (start, end) = ports
        .split_once('-')
        .map_or((ports, None), |(a, b)| (a, Some(b)));
    let s = port_number(start).map_err(|e| format!("invalid start port '{start}': {e}"))?;
    match end {
        None => Ok((s, s)),
        Some(e) if e == start => Ok((s, s)),
        Some(e) => {
            let e_n = port_number(e).map_err(|err| format!("invalid end port '{e}': {err}"))?;
            if e_n < s {
                return Err(format!("invalid port range: {ports}"));
            }
            Ok((s, e_n))
        }
    }
}

fn port_number(raw: &str) -> Result<i64, String> {
    if raw.is_empty() {
        return Err("value is empty".into());
    }
    let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax".into());
    }
    let n: i64 = raw.parse().map_err(|_| "value out of range".to_string())?;
    if !(0..=65535).contains(&n) {
        return Err("value out of range (0–65535)".into());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn parser() {
        for ok in [
            "80",
            "80/tcp",
            "53/UDP",
            "8000-8010",
            "8000-8000/sctp",
            "8080:80",
            "127.0.0.1:8080:80",
            "[::1]:80:80",
            "8000-8001:80",
            "0",
        ] {
            assert_eq!(parse_port(ok), Ok(()), "{ok}");
        }
        for bad in [
            "70000",
            "80/http",
            "/tcp",
            "abc",
            "90-80",
            "1.2.3.4.5:80:80",
            "8000-8001:80-82",
            "",
            "-1",
            "80-",
        ] {
            assert!(parse_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&InvalidExpose, "FROM a\nEXPOSE 80/http 70000 443\n"),
            ["80/http", "70000"]
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &InvalidExpose,
            "FROM a\nEXPOSE 80 443/tcp ${PORT} $P/udp 8000-8010\n"
        )
        .is_empty());
    }
}
