//! Normalisation like Docker's, errors with offsets, spans, helpers, and no panics on junk.

use super::*;
use std::ops::Range;

const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn normalises_like_docker() {
    // (input, registry, repository, tag, digest, canonical, display)
    let digest_ref = format!("node@{D}");
    let tag_digest = format!("node:20@{D}");
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        String,
        String,
    );
    let cases: Vec<Case> = vec![
        (
            "node",
            "docker.io",
            "library/node",
            None,
            None,
            "docker.io/library/node:latest".into(),
            "node".into(),
        ),
        (
            "node:20-slim",
            "docker.io",
            "library/node",
            Some("20-slim"),
            None,
            "docker.io/library/node:20-slim".into(),
            "node:20-slim".into(),
        ),
        (
            "library/node",
            "docker.io",
            "library/node",
            None,
            None,
            "docker.io/library/node:latest".into(),
            "node".into(),
        ),
        (
            "docker.io/node",
            "docker.io",
            "library/node",
            None,
            None,
            "docker.io/library/node:latest".into(),
            "node".into(),
        ),
        (
            "index.docker.io/library/node:1",
            "docker.io",
            "library/node",
            Some("1"),
            None,
            "docker.io/library/node:1".into(),
            "node:1".into(),
        ),
        (
            "registry-1.docker.io/bitnami/redis",
            "docker.io",
            "bitnami/redis",
            None,
            None,
            "docker.io/bitnami/redis:latest".into(),
            "bitnami/redis".into(),
        ),
        (
            "user/app:v1.2",
            "docker.io",
            "user/app",
            Some("v1.2"),
            None,
            "docker.io/user/app:v1.2".into(),
            "user/app:v1.2".into(),
        ),
        (
            "ghcr.io/org/team/app:main",
            "ghcr.io",
            "org/team/app",
            Some("main"),
            None,
            "ghcr.io/org/team/app:main".into(),
            "ghcr.io/org/team/app:main".into(),
        ),
        (
            "localhost/app",
            "localhost",
            "app",
            None,
            None,
            "localhost/app:latest".into(),
            "localhost/app".into(),
        ),
        (
            "localhost:5000/a/b:t",
            "localhost:5000",
            "a/b",
            Some("t"),
            None,
            "localhost:5000/a/b:t".into(),
            "localhost:5000/a/b:t".into(),
        ),
        (
            "127.0.0.1:5000/x",
            "127.0.0.1:5000",
            "x",
            None,
            None,
            "127.0.0.1:5000/x:latest".into(),
            "127.0.0.1:5000/x".into(),
        ),
        (
            "[::1]:5000/x",
            "[::1]:5000",
            "x",
            None,
            None,
            "[::1]:5000/x:latest".into(),
            "[::1]:5000/x".into(),
        ),
        (
            "Registry/app",
            "Registry",
            "app",
            None,
            None,
            "Registry/app:latest".into(),
            "Registry/app".into(),
        ),
        // `localhost:5000` with no slash is image "localhost" tag "5000", as in Docker.
        (
            "localhost:5000",
            "docker.io",
            "library/localhost",
            Some("5000"),
            None,
            "docker.io/library/localhost:5000".into(),
            "localhost:5000".into(),
        ),
        (
            &digest_ref,
            "docker.io",
            "library/node",
            None,
            Some(D),
            format!("docker.io/library/node@{D}"),
            format!("node@{D}"),
        ),
        (
            &tag_digest,
            "docker.io",
            "library/node",
            Some("20"),
            Some(D),
            format!("docker.io/library/node:20@{D}"),
            format!("node:20@{D}"),
        ),
        (
            "a.b-c/d__e/f--g_h.i",
            "a.b-c",
            "d__e/f--g_h.i",
            None,
            None,
            "a.b-c/d__e/f--g_h.i:latest".into(),
            "a.b-c/d__e/f--g_h.i".into(),
        ),
        (
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "mcr.microsoft.com",
            "dotnet/sdk",
            Some("8.0"),
            None,
            "mcr.microsoft.com/dotnet/sdk:8.0".into(),
            "mcr.microsoft.com/dotnet/sdk:8.0".into(),
        ),
        (
            "scratch",
            "docker.io",
            "library/scratch",
            None,
            None,
            "docker.io/library/scratch:latest".into(),
            "scratch".into(),
        ),
        (
            "docker.io/library/a/b",
            "docker.io",
            "library/a/b",
            None,
            None,
            "docker.io/library/a/b:latest".into(),
            "library/a/b".into(),
        ),
    ];
    for (input, registry, repo, tag, digest, canonical, display) in cases {
        let r = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.registry, registry, "{input}");
        assert_eq!(r.repository, repo, "{input}");
        assert_eq!(r.tag.as_deref(), tag, "{input}");
        assert_eq!(r.digest.as_deref(), digest, "{input}");
        assert_eq!(r.canonical(), canonical, "{input}");
        assert_eq!(r.display_name(), display, "{input}");
        // The canonical form parses back to the same reference (tag aside: canonical adds latest).
        let back = ImageRef::parse(&r.canonical()).unwrap();
        assert_eq!(
            (back.registry, back.repository, back.digest),
            (r.registry, r.repository, r.digest),
            "{input}"
        );
    }
}

#[test]
fn rejects_with_offsets() {
    use ImageRefErrorKind::*;
    let long_tag = format!("node:{}", "a".repeat(129));
    let long_name = "a".repeat(256);
    let hex_id = "a".repeat(64);
    let cases: Vec<(&str, ImageRefErrorKind, Range<usize>)> = vec![
        ("", Empty, 0..0),
        ("Node", UppercaseRepository, 0..1),
        ("docker.io/Library/node", UppercaseRepository, 10..11),
        ("node:", InvalidTag, 5..5),
        ("node:-x", InvalidTag, 5..6),
        ("node:a b", InvalidCharacter(' '), 6..7),
        ("node@sha256:abc", InvalidDigest, 12..15),
        ("node@md5", InvalidDigest, 5..8),
        ("node@", InvalidDigest, 5..5),
        ("a//b", EmptyComponent, 2..2),
        ("a/", EmptyComponent, 2..2),
        (":tag", EmptyComponent, 0..0),
        ("node/", EmptyComponent, 5..5),
        ("a-/b", InvalidCharacter('-'), 1..2),
        ("_a", InvalidCharacter('_'), 0..1),
        ("a___b", InvalidCharacter('_'), 3..4),
        ("a$b", InvalidCharacter('$'), 1..2),
        ("localhost:abc/x", InvalidPort, 10..13),
        ("my_reg.io/x", InvalidCharacter('_'), 2..3),
        ("-bad.io/x", InvalidDomain, 0..4),
        ("ümlaut", InvalidCharacter('ü'), 0..2),
        (&long_tag, TagTooLong, 5..134),
        (&long_name, NameTooLong, 0..256),
        (&hex_id, LooksLikeImageId, 0..64),
    ];
    for (input, kind, span) in cases {
        let e = ImageRef::parse(input).expect_err(input);
        assert_eq!(
            (e.kind.clone(), e.span.clone()),
            (kind, span),
            "{input}: {e}"
        );
        assert!(e.span.end <= input.len());
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn spans_point_at_parts() {
    let text = format!("ghcr.io/o/a:1.2@{D}");
    let (_, s) = ImageRef::parse_spanned(&text).unwrap();
    assert_eq!(&text[s.name.clone()], "ghcr.io/o/a");
    assert_eq!(&text[s.tag.clone().unwrap()], "1.2");
    assert_eq!(&text[s.digest.clone().unwrap()], D);
}

#[test]
fn helpers() {
    let r = ImageRef::parse("localhost:5000/a").unwrap();
    assert_eq!(r.registry_host(), "localhost");
    assert_eq!(r.registry_port(), Some(5000));
    assert_eq!(r.api_host(), "localhost:5000");
    let v6 = ImageRef::parse("[::1]:5000/a").unwrap();
    assert_eq!(v6.registry_host(), "::1");
    assert_eq!(v6.registry_port(), Some(5000));
    let hub = ImageRef::parse("node").unwrap();
    assert_eq!(hub.api_host(), "registry-1.docker.io");
    assert!(hub.is_official() && hub.is_docker_hub() && !hub.is_scratch());
    assert!(ImageRef::parse("scratch").unwrap().is_scratch());
    assert_eq!(hub.effective_tag(), Some("latest"));
    assert_eq!(hub.manifest_reference(), "latest");
    let pinned = hub.with_tag("20").with_digest(D);
    assert_eq!(pinned.manifest_reference(), D);
    assert_eq!(pinned.effective_tag(), Some("20"));
    assert_eq!(
        ImageRef::parse(&format!("node@{D}"))
            .unwrap()
            .effective_tag(),
        None
    );
    assert_eq!(
        ImageRef::parse("node").unwrap(),
        ImageRef::parse("docker.io/library/node").unwrap()
    );
}

#[test]
fn never_panics_on_junk() {
    // Every prefix and every single-byte mutation of some references must return, not panic.
    let seeds = [
        "ghcr.io/o/a:1.2",
        "[::1]:5000/x@sha256:00",
        "a.b:1/c__d-e:t",
        "[",
        "[]:/",
        "a@b:c",
    ];
    let alphabet = [
        b'/', b':', b'@', b'.', b'_', b'-', b'[', b']', b'A', b'a', b'0', b' ',
    ];
    for s in seeds {
        for end in 0..=s.len() {
            let _ = ImageRef::parse(&s[..end]);
        }
        for i in 0..s.len() {
            for &b in &alphabet {
                let mut v = s.as_bytes().to_vec();
                v[i] = b;
                if let Ok(t) = std::str::from_utf8(&v) {
                    if let Err(e) = ImageRef::parse(t) {
                        assert!(e.span.end <= t.len() && e.span.start <= e.span.end, "{t}");
                    }
                }
            }
        }
    }
}
