"""LSP base-protocol framing: `Content-Length` headers around UTF-8 JSON bodies.

Kept apart from the client so the byte-level rules (header parsing, length in *bytes*, bounded
sizes, clean errors on a truncated stream) can be unit-tested on in-memory streams without a
server process.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

# A header block longer than this is not LSP; refuse it rather than buffer without bound.
MAX_HEADER_BYTES = 8 * 1024
# Full semantic tokens of a 10,000-line file are a few MB; 256 MiB means a broken server.
MAX_BODY_BYTES = 256 * 1024 * 1024


class FramingError(Exception):
    """The byte stream is not a valid LSP message sequence (or ended mid-message)."""


def encode_message(payload: dict[str, Any]) -> bytes:
    """Serialise one JSON-RPC message with its header; the length counts UTF-8 bytes."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body


def read_headers(stream: BinaryIO) -> dict[str, str] | None:
    """Read one header block. Returns None on a clean end of stream before any header byte.

    Header names are case-insensitive (RFC 7230 style, as LSP says); values are stripped.
    """
    headers: dict[str, str] = {}
    total = 0
    while True:
        line = stream.readline(MAX_HEADER_BYTES + 1)
        if not line:
            if headers or total:
                raise FramingError("stream ended inside a header block")
            return None
        total += len(line)
        if total > MAX_HEADER_BYTES:
            raise FramingError(f"header block longer than {MAX_HEADER_BYTES} bytes")
        if line in (b"\r\n", b"\n"):
            if not headers:
                # Tolerate stray blank lines between messages; some servers emit them.
                continue
            return headers
        text = line.decode("ascii", errors="replace").rstrip("\r\n")
        name, sep, value = text.partition(":")
        if not sep:
            raise FramingError(f"malformed header line: {text[:80]!r}")
        headers[name.strip().lower()] = value.strip()


def read_message(stream: BinaryIO) -> tuple[bytes, dict[str, str]] | None:
    """Read one framed message body (raw bytes, not yet decoded). None at a clean end of stream.

    Returning bytes lets the caller timestamp arrival before paying for JSON decoding, so a
    slow client-side parse is not charged to the server.
    """
    headers = read_headers(stream)
    if headers is None:
        return None
    raw_length = headers.get("content-length")
    if raw_length is None:
        raise FramingError(f"message without Content-Length (headers: {sorted(headers)})")
    try:
        length = int(raw_length)
    except ValueError:
        raise FramingError(f"Content-Length is not a number: {raw_length!r}") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise FramingError(f"Content-Length {length} outside 0..{MAX_BODY_BYTES}")
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            raise FramingError(f"stream ended {remaining} bytes short of a {length}-byte body")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks), headers


def decode_body(body: bytes) -> dict[str, Any]:
    """Decode a message body; a body that is not a JSON object is a protocol error."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FramingError(f"body is not UTF-8 JSON: {err}") from None
    if not isinstance(value, dict):
        raise FramingError(f"body is a JSON {type(value).__name__}, not an object")
    return value
