/**
 * Which base image "layerwise: Show image size" asks about: the `FROM` of the stage the cursor
 * is in, followed through `FROM <stage>` to the image that stage starts from, with global `ARG`
 * defaults substituted. The server's `layerwise.imageSize` command takes an image reference,
 * so the client has to name one; this is a deliberately small reading of `FROM` lines (the
 * server does the real parsing) and it says so when it cannot decide, rather than guess.
 *
 * No `vscode` import: unit-tested with node's test runner.
 */

export type BaseImage =
  | { kind: 'image'; image: string; platform?: string; line: number }
  | { kind: 'scratch'; line: number }
  | { kind: 'unresolved'; reason: string };

interface FromLine {
  /** 0-based line of the `FROM` keyword. */
  line: number;
  image: string;
  platform?: string;
  stage?: string;
}


/** Logical lines (continuations joined) with the physical line each starts on. */
function logicalLines(text: string): { line: number; text: string }[] {
  const physical = text.split(/\r\n|\r|\n/);
  let escape = '\\';
  // Parser directives sit at the very top, before any other line.
  for (const l of physical) {
    const m = /^\s*#\s*escape\s*=\s*([`\\])\s*$/i.exec(l);
    if (m) {
      escape = m[1];
      continue;
    }
    if (/^\s*#\s*[a-z]+\s*=/i.test(l)) continue;
    break;
  }
  const out: { line: number; text: string }[] = [];
  let start = -1;
  let acc = '';
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i];
    // Comments (and parser directives) never continue onto the next line; inside a
    // continuation they are dropped, as BuildKit does.
    if (/^\s*#/.test(raw)) {
      if (start < 0) out.push({ line: i, text: raw });
      continue;
    }
    if (start < 0) start = i;
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      acc += trimmed.slice(0, -1) + ' ';
      continue;
    }
    out.push({ line: start, text: acc + raw });
    start = -1;
    acc = '';
  }
  if (start >= 0) out.push({ line: start, text: acc });
  return out;
}

/** Global `ARG name=default` values (those before the first `FROM`). */
function globalArgs(lines: { text: string }[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const l of lines) {
    if (/^\s*FROM\s/i.test(l.text)) break;
    const m = /^\s*ARG\s+(.*)$/i.exec(l.text);
    if (!m) continue;
    for (const part of m[1].trim().split(/\s+/)) {
      const eq = part.indexOf('=');
      if (eq > 0) args.set(part.slice(0, eq), part.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'));
    }
  }
  return args;
}

/** Expands `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}`; undefined if any stays unknown. */
export function expandArgs(value: string, args: Map<string, string>): string | undefined {
  let unknown = false;
  const out = value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, dflt, bare) => {
    const name = braced ?? bare;
    const v = args.get(name);
    if (v !== undefined && v !== '') return v;
    if (dflt !== undefined) return dflt;
    unknown = true;
    return '';
  });
  return unknown ? undefined : out;
}

function parseFroms(lines: { line: number; text: string }[]): FromLine[] {
  const froms: FromLine[] = [];
  for (const l of lines) {
    const m = /^\s*FROM\s+(.*)$/i.exec(l.text);
    if (!m) continue;
    const words = m[1].trim().split(/\s+/).filter((w) => w !== '');
    let platform: string | undefined;
    while (words.length > 0 && words[0].startsWith('--')) {
      const flag = words.shift() as string;
      const pm = /^--platform=(.+)$/i.exec(flag);
      if (pm) platform = pm[1];
    }
    if (words.length === 0) continue;
    const from: FromLine = { line: l.line, image: words[0] };
    if (platform !== undefined) from.platform = platform;
    if (words.length >= 3 && words[1].toUpperCase() === 'AS') from.stage = words[2];
    froms.push(from);
  }
  return froms;
}

/** The base image of the stage that contains 0-based line `cursorLine`. */
export function baseImageAt(text: string, cursorLine: number): BaseImage {
  const lines = logicalLines(text);
  const args = globalArgs(lines);
  const froms = parseFroms(lines);
  if (froms.length === 0) return { kind: 'unresolved', reason: 'this Dockerfile has no FROM line' };
  // The stage the cursor is in; above the first FROM (global ARGs, comments) means the first.
  let index = 0;
  for (let i = 0; i < froms.length; i++) if (froms[i].line <= cursorLine) index = i;

  // `FROM <stage>` may only name an earlier stage, so each hop moves up and this ends.
  for (;;) {
    const from = froms[index];
    const image = expandArgs(from.image, args);
    if (image === undefined) {
      return { kind: 'unresolved', reason: `the base image "${from.image}" (line ${from.line + 1}) depends on a build argument without a default` };
    }
    if (image.toLowerCase() === 'scratch') return { kind: 'scratch', line: from.line };
    // `FROM <earlier stage>` continues that stage: follow it to its own base.
    const earlier = froms.slice(0, index).map((f, i) => ({ f, i })).reverse()
      .find(({ f }) => f.stage !== undefined && f.stage.toLowerCase() === image.toLowerCase());
    if (earlier === undefined) {
      const platform = from.platform === undefined ? undefined : expandArgs(from.platform, args);
      return platform === undefined || platform.includes('$') || platform === ''
        ? { kind: 'image', image, line: from.line }
        : { kind: 'image', image, platform, line: from.line };
    }
    index = earlier.i;
  }
}
