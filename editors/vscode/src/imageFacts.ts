/**
 * One line of text from the server's answer to `layerwise.imageSize` (its ImageFacts as JSON:
 * sizes in bytes, per platform, with where the figures came from). Written defensively: any
 * field may be missing, and an answer we cannot read is shown as "no size", never as a crash.
 *
 * No `vscode` import: unit-tested with node's test runner.
 */

/** Decimal units, as registries and `docker images` report sizes: 380 MB, 1.10 GB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  if (u === 0) return `${Math.round(v)} B`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[u]}`;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `node:20`, `ghcr.io/org/app@sha256:…` from the serialised reference, else `fallback`. */
function referenceText(ref: unknown, fallback: string): string {
  const r = obj(ref);
  const repository = str(r?.repository);
  if (r === undefined || repository === undefined) return fallback;
  const registry = str(r.registry);
  let name = repository;
  if (registry === undefined || registry === 'docker.io') name = repository.replace(/^library\//, '');
  else name = `${registry}/${repository}`;
  if (str(r.tag)) name += `:${r.tag}`;
  if (str(r.digest)) name += `@${r.digest}`;
  return name;
}

function platformText(p: unknown): string | undefined {
  const o = obj(p);
  if (o === undefined || !str(o.os) || !str(o.architecture)) return undefined;
  return [o.os, o.architecture, str(o.variant)].filter(Boolean).join('/');
}

function sourceText(s: unknown): string | undefined {
  const o = obj(s);
  switch (o?.kind) {
    case 'registry':
      return 'from the registry';
    case 'cache':
      return o.stale === true ? 'from the cache (may be stale)' : 'from the cache';
    case 'catalogue':
      return 'approximate, from the offline catalogue';
    default:
      return undefined;
  }
}

/**
 * "node:20 (linux/amd64): 1.10 GB unpacked, 380 MB to download, 9 layers; approximate, from the
 * offline catalogue". Undefined when the answer has no size at all.
 */
export function describeImageFacts(facts: unknown, requested: string): string | undefined {
  const f = obj(facts);
  if (f === undefined) return undefined;
  const platforms = Array.isArray(f.platforms) ? f.platforms : [];
  const primary = obj(platforms[0]);
  if (primary === undefined) return undefined;
  const compressed = num(primary.compressed_size);
  const unpacked = num(primary.unpacked_size);
  if (compressed === undefined && unpacked === undefined) return undefined;
  const parts: string[] = [];
  if (unpacked !== undefined) parts.push(`${formatBytes(unpacked)} unpacked`);
  if (compressed !== undefined) parts.push(`${formatBytes(compressed)} to download`);
  const layers = num(primary.layer_count);
  if (layers !== undefined && layers > 0) parts.push(`${layers} layer${layers === 1 ? '' : 's'}`);
  const platform = platformText(primary.platform);
  let text = `${referenceText(f.reference, requested)}${platform ? ` (${platform})` : ''}: ${parts.join(', ')}`;
  const source = sourceText(f.source);
  if (source) text += `; ${source}`;
  return text;
}
