//! A tolerant framing layer in front of the protocol server. `tower-lsp-server` reads stdin
//! through `tokio_util`'s `FramedRead`, which ends the stream after the first decode error, so a
//! single malformed message (bad JSON, invalid UTF-8, a wrong `Content-Length`, a body of the
//! wrong shape) would end the session. This filter re-frames stdin itself: it passes on only
//! complete frames whose body the framework can decode (see [`message_shape`]), has the rest
//! answered as JSON-RPC asks, skips garbage up to the next `Content-Length` header, discards
//! oversized bodies without buffering them, and logs what it dropped to stderr.
//!
//! A `Content-Length` that is too large swallows the start of the next frame. The filter then
//! finds that frame's header inside the body (which does not parse) or inside the next header
//! block (which has no `Content-Length` at a line start) and re-frames from there, so only the
//! message with the wrong length is lost, or none when what precedes the header is the whole
//! message. Not when the wrong length ends inside the next header's `Content-Length` name
//! itself (`…}Content-Le`): that header is not found, and the message after it is lost too.

use crate::lifecycle::Lifecycle;
use crate::message_shape::{self, Verdict};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted (documents are capped below this, see `document::MAX_DOCUMENT_BYTES`).
pub const MAX_MESSAGE_BYTES: usize = 96 * 1024 * 1024;
/// Most a frame's header makes the filter reserve before its body arrives.
const RESERVE_AHEAD: usize = 8 * 1024 * 1024;
/// Messages at least this long get a debug line with their read and check times.
const BIG_MESSAGE_BYTES: usize = 64 * 1024;
/// Longest header block looked at before it is treated as garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;

enum Frame {
    /// A complete body.
    Body(Vec<u8>),
    /// Need more input.
    Incomplete,
    /// Garbage was skipped; try again.
    Skipped(&'static str),
    /// A body too large to keep: skip this many bytes.
    Discard(usize),
}

/// Finds the next frame in `buf`, consuming what it uses or skips.
fn next_frame(buf: &mut Vec<u8>) -> Frame {
    let Some(header_end) = find(buf, b"\r\n\r\n") else {
        if buf.len() > MAX_HEADER_BYTES {
            skip_to_header(buf, 1);
            return Frame::Skipped("header too long");
        }
        return Frame::Incomplete;
    };
    let header = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let len = header
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let Some(len) = len else {
        // A header after junk (the rest of a swallowed message): start again at it. Each
        // retry drops at least one byte of a block of at most MAX_HEADER_BYTES.
        let rest = buf.get(1..header_end).unwrap_or_default();
        if let Some(at) = find_ci(rest, b"content-length:") {
            buf.drain(..1 + at);
            return Frame::Skipped("junk before a header");
        }
        // no usable Content-Length: drop up to the next header
        skip_to_header(buf, header_end + 4);
        return Frame::Skipped("no Content-Length");
    };
    let body_start = header_end + 4;
    if len > MAX_MESSAGE_BYTES {
        let have = buf.len() - body_start;
        buf.drain(..body_start + have.min(len));
        return Frame::Discard(len - have.min(len));
    }
    if buf.len() < body_start + len {
        // room for the body at once, not a doubling (and a copy) per chunk read; at most
        // RESERVE_AHEAD before the bytes arrive (a header alone must not claim 96 MiB)
        buf.reserve((body_start + len - buf.len()).min(RESERVE_AHEAD));
        return Frame::Incomplete;
    }
    // the body keeps the buffer (its bytes move down over the header, no second buffer);
    // what follows it moves to a new one
    let rest = buf.split_off(body_start + len);
    let mut body = std::mem::replace(buf, rest);
    body.drain(..body_start);
    Frame::Body(body)
}

/// Drops bytes up to the next `Content-Length` at or after `from` (or everything).
fn skip_to_header(buf: &mut Vec<u8>, from: usize) {
    let from = from.min(buf.len());
    let next = find_ci(&buf[from..], b"content-length").map_or(buf.len(), |i| from + i);
    buf.drain(..next);
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Copies messages the framework can decode from `input` to `output` until `input` ends,
/// noting lifecycle messages in `lifecycle`.
pub async fn filter(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    lifecycle: &Lifecycle,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut discard = 0usize;
    // when the first bytes of the message now being read arrived (for the debug log of big ones)
    let mut arrived: Option<std::time::Instant> = None;
    loop {
        let n = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut data = &chunk[..n];
        if discard > 0 {
            let d = discard.min(data.len());
            discard -= d;
            data = &data[d..];
        }
        if buf.is_empty() {
            arrived = Some(std::time::Instant::now());
        }
        buf.extend_from_slice(data);
        loop {
            match next_frame(&mut buf) {
                Frame::Incomplete => break,
                Frame::Skipped(why) => tracing::warn!("dropped malformed input ({why})"),
                Frame::Discard(rest) => {
                    tracing::warn!("dropped a message larger than {MAX_MESSAGE_BYTES} bytes");
                    discard = rest;
                    break;
                }
                Frame::Body(body) => {
                    let read = arrived.take().map(|t| t.elapsed());
                    if !buf.is_empty() {
                        arrived = Some(std::time::Instant::now()); // the next one has begun
                    }
                    let checking = std::time::Instant::now();
                    let mut classified = message_shape::classify(&body);
                    let mut body = body;
                    if classified.not_json {
                        if let Some(at) = find_ci(&body, b"content-length:") {
                            // The length was too long and swallowed the next frame's header:
                            // what comes before it is the message, the rest goes back.
                            tracing::warn!("a Content-Length was too long; re-framing");
                            buf.splice(0..0, body[at..].iter().copied());
                            body.truncate(at);
                            classified = message_shape::classify(&body);
                        }
                    }
                    if body.len() >= BIG_MESSAGE_BYTES {
                        tracing::debug!(
                            "message of {} bytes: read in {:.2?}, checked in {:.2?}",
                            body.len(),
                            read.unwrap_or_default(),
                            checking.elapsed()
                        );
                    }
                    if !pass_on(&body, classified, &mut output, lifecycle).await {
                        return;
                    }
                }
            }
        }
    }
    let _ = output.shutdown().await;
}

/// Passes one body on (or what stands in for it); false once `output` is gone.
async fn pass_on(
    body: &[u8],
    classified: message_shape::Classified,
    output: &mut (impl AsyncWrite + Unpin),
    lifecycle: &Lifecycle,
) -> bool {
    if body.iter().all(u8::is_ascii_whitespace) {
        // the framework skips empty bodies too; there is nothing to answer
        tracing::warn!("dropped an empty message");
        return true;
    }
    let out = match &classified.verdict {
        Verdict::Forward => body,
        Verdict::Replace(b) => {
            if classified.method.is_none() {
                tracing::warn!("answering or repairing a malformed message");
            }
            b.as_slice()
        }
        Verdict::Drop(why) => {
            tracing::warn!("dropped a message: {why}");
            return true;
        }
    };
    if let Some(m) = &classified.method {
        lifecycle.observe(m);
    }
    let header = format!("Content-Length: {}\r\n\r\n", out.len());
    if output.write_all(header.as_bytes()).await.is_err() || output.write_all(out).await.is_err() {
        return false;
    }
    let _ = output.flush().await;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message_shape::{INVALID_REQUEST, PARSE_ERROR, REJECTED_METHOD};
    use serde_json::Value;

    async fn run_with(input: &[u8], lifecycle: &Lifecycle) -> Vec<u8> {
        let (mut w, r) = tokio::io::duplex(1 << 20);
        let (out_w, mut out_r) = tokio::io::duplex(1 << 20);
        let data = input.to_vec();
        let writer = tokio::spawn(async move {
            w.write_all(&data).await.unwrap();
            drop(w);
        });
        filter(r, out_w, lifecycle).await;
        writer.await.unwrap();
        let mut out = Vec::new();
        out_r.read_to_end(&mut out).await.unwrap();
        out
    }

    async fn run(input: &[u8]) -> Vec<u8> {
        run_with(input, &Lifecycle::default()).await
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The bodies of the frames written, parsed (the output must be framed correctly).
    fn bodies(out: &[u8]) -> Vec<Value> {
        let mut rest = out;
        let mut all = Vec::new();
        while !rest.is_empty() {
            let end = find(rest, b"\r\n\r\n").expect("a header");
            let head = std::str::from_utf8(&rest[..end]).unwrap();
            let len: usize = head
                .strip_prefix("Content-Length: ")
                .unwrap()
                .parse()
                .unwrap();
            let body = &rest[end + 4..end + 4 + len];
            all.push(serde_json::from_slice(body).unwrap());
            rest = &rest[end + 4 + len..];
        }
        all
    }

    /// Each frame as the id of a passed-on request or the error code of a rejection.
    fn summary(out: &[u8]) -> Vec<String> {
        bodies(out)
            .iter()
            .map(|b| {
                if b["method"] == REJECTED_METHOD {
                    format!("rejected {} {}", b["id"], b["params"]["code"])
                } else {
                    format!("{} {}", b["method"].as_str().unwrap_or("-"), b["id"])
                }
            })
            .collect()
    }

    fn hover(id: u32) -> String {
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{}}}}"#
        ))
    }

    #[tokio::test]
    async fn keeps_good_frames_and_answers_or_drops_garbage() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "{}garbage\r\n{}{}Content-Length: 5\r\n\r\n{{\"a\":{}",
            frame("{not json"),
            frame(good),
            frame("[1]"),
            frame(good)
        );
        let out = run(input.as_bytes()).await;
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(!text.contains("not json"));
        assert_eq!(
            summary(&out),
            [
                format!("rejected null {PARSE_ERROR}"),
                "initialized null".into(),
                format!("rejected null {INVALID_REQUEST}"),
                // the short frame `{"a":` is not JSON; its rest is skipped up to the next header
                format!("rejected null {PARSE_ERROR}"),
                "initialized null".into(),
            ]
        );
    }

    #[tokio::test]
    async fn invalid_utf8_is_answered_and_oversized_is_dropped() {
        let mut input = b"Content-Length: 3\r\n\r\n\xff\xfe\xfd".to_vec();
        input.extend_from_slice(hover(1).as_bytes());
        let out = run(&input).await;
        assert_eq!(
            summary(&out),
            [
                format!("rejected null {PARSE_ERROR}"),
                "textDocument/hover 1".into()
            ]
        );
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1);
        let mut input = huge.into_bytes();
        input.extend(std::iter::repeat_n(b'x', 1000));
        assert!(run(&input).await.is_empty());
    }

    #[tokio::test]
    async fn a_length_swallowing_the_next_header_loses_nothing_after_it() {
        // 60 bytes: `{"a":1}`, then the header and the start of request 1
        let input = format!(
            "Content-Length: 60\r\n\r\n{{\"a\":1}}{}{}{}",
            hover(1),
            hover(2),
            hover(3)
        );
        let out = run(input.as_bytes()).await;
        assert_eq!(
            summary(&out),
            [
                format!("rejected null {INVALID_REQUEST}"),
                "textDocument/hover 1".into(),
                "textDocument/hover 2".into(),
                "textDocument/hover 3".into(),
            ]
        );
    }

    #[tokio::test]
    async fn junk_ending_in_a_header_is_skipped_up_to_that_header() {
        // what the filter sees when the swallowed part was a body, not a header: the rest of a
        // message runs into the next header
        let input = format!("rest of a message}}}}{}{}", hover(2), hover(3));
        let out = run(input.as_bytes()).await;
        assert_eq!(
            summary(&out),
            ["textDocument/hover 2", "textDocument/hover 3"]
        );
    }

    #[tokio::test]
    async fn lifecycle_messages_are_noted_in_order() {
        let note = |m: &str| frame(&format!(r#"{{"jsonrpc":"2.0","method":"{m}"}}"#));
        let req = |m: &str| frame(&format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{m}"}}"#));
        let l = Lifecycle::default();
        run_with(
            format!("{}{}", req("initialize"), note("exit")).as_bytes(),
            &l,
        )
        .await;
        assert_eq!(l.exit_status(), 1);
        let l = Lifecycle::default();
        let input = format!("{}{}{}", req("initialize"), req("shutdown"), note("exit"));
        run_with(input.as_bytes(), &l).await;
        assert_eq!(l.exit_status(), 0);
        // a shutdown with an unusable id is rejected, not received
        let l = Lifecycle::default();
        let bad = frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#);
        let input = format!("{}{bad}{}", req("initialize"), note("exit"));
        run_with(input.as_bytes(), &l).await;
        assert_eq!(l.exit_status(), 1);
    }
}
