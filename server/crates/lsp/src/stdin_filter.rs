//! A tolerant framing layer in front of the protocol server. `tower-lsp-server` reads stdin
//! through `tokio_util`'s `FramedRead`, which ends the stream after the first decode error, so a
//! single malformed message (bad JSON, invalid UTF-8, a wrong `Content-Length`) would end the
//! session. This filter re-frames stdin itself: it forwards only complete frames whose body is
//! a JSON object, skips garbage up to the next `Content-Length` header, discards oversized
//! bodies without buffering them, and logs what it dropped to stderr.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest message accepted (documents are capped below this, see `document::MAX_DOCUMENT_BYTES`).
pub const MAX_MESSAGE_BYTES: usize = 96 * 1024 * 1024;
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
        return Frame::Incomplete;
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
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

/// Copies well-formed messages from `input` to `output` until `input` ends.
pub async fn filter(mut input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut discard = 0usize;
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
                Frame::Body(body) => match serde_json::from_slice::<serde_json::Value>(&body) {
                    Ok(v) if v.is_object() => {
                        let header = format!("Content-Length: {}\r\n\r\n", body.len());
                        if output.write_all(header.as_bytes()).await.is_err()
                            || output.write_all(&body).await.is_err()
                        {
                            return;
                        }
                        let _ = output.flush().await;
                    }
                    Ok(_) => tracing::warn!("dropped a message that is not a JSON object"),
                    Err(e) => tracing::warn!("dropped a message that is not valid JSON: {e}"),
                },
            }
        }
    }
    let _ = output.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> Vec<u8> {
        let (mut w, r) = tokio::io::duplex(1 << 20);
        let (out_w, mut out_r) = tokio::io::duplex(1 << 20);
        let data = input.to_vec();
        let writer = tokio::spawn(async move {
            w.write_all(&data).await.unwrap();
            drop(w);
        });
        filter(r, out_w).await;
        writer.await.unwrap();
        let mut out = Vec::new();
        out_r.read_to_end(&mut out).await.unwrap();
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn keeps_good_frames_and_drops_garbage() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "{}garbage\r\n{}{}Content-Length: 5\r\n\r\n{{\"a\":{}",
            frame("{not json"),
            frame(good),
            frame("[1]"),
            frame(good)
        );
        let out = run(input.as_bytes()).await;
        // the first good frame, then the one after the short Content-Length is cut (its
        // leftover bytes are skipped up to the next header)
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(&frame(good)), "{text}");
        assert!(text.matches("initialized").count() >= 1);
        assert!(!text.contains("not json"));
    }

    #[tokio::test]
    async fn invalid_utf8_and_oversized_are_dropped() {
        let mut input = b"Content-Length: 3\r\n\r\n\xff\xfe\xfd".to_vec();
        input.extend_from_slice(frame(r#"{"id":1}"#).as_bytes());
        let out = run(&input).await;
        assert_eq!(String::from_utf8(out).unwrap(), frame(r#"{"id":1}"#));
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1);
        let mut input = huge.into_bytes();
        input.extend(std::iter::repeat_n(b'x', 1000));
        assert!(run(&input).await.is_empty());
    }
}
