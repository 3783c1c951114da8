// Pure functions behind gen-settings.mjs: validate the server's settings schema, merge the
// client-only settings, and compare with what package.json has. Kept apart from the CLI so the
// unit tests can exercise them without a layerwise binary.

/** Keys of a property definition VS Code understands in contributes.configuration. */
const ALLOWED_TYPES = new Set(['string', 'boolean', 'number', 'integer', 'object', 'array', 'null']);

/**
 * Checks one `layerwise settings-schema` output (already parsed JSON) and returns its
 * `properties` object. Throws an Error whose message says exactly what is wrong.
 */
export function validateServerSchema(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new Error('settings-schema output is not a JSON object');
  }
  const props = schema.properties;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Error('settings-schema output has no "properties" object');
  }
  const problems = [];
  for (const [key, def] of Object.entries(props)) {
    if (!/^layerwise\.[A-Za-z0-9_.]+$/.test(key)) {
      problems.push(`${key}: setting names must start with "layerwise." and use only letters, digits, "_" and "."`);
      continue;
    }
    if (def === null || typeof def !== 'object' || Array.isArray(def)) {
      problems.push(`${key}: definition is not an object`);
      continue;
    }
    const types = Array.isArray(def.type) ? def.type : [def.type];
    if (types.length === 0 || !types.every((t) => ALLOWED_TYPES.has(t))) {
      problems.push(`${key}: "type" must be one of ${[...ALLOWED_TYPES].join(', ')} (got ${JSON.stringify(def.type)})`);
    }
    const hasDescription = typeof def.description === 'string' && def.description.trim() !== '';
    const hasMarkdown = typeof def.markdownDescription === 'string' && def.markdownDescription.trim() !== '';
    if (!hasDescription && !hasMarkdown) problems.push(`${key}: needs a non-empty "description"`);
    if (!('default' in def)) problems.push(`${key}: needs a "default"`);
    if ('enum' in def) {
      if (!Array.isArray(def.enum) || def.enum.length === 0) problems.push(`${key}: "enum" must be a non-empty array`);
      else if ('default' in def && !def.enum.some((v) => deepEqual(v, def.default))) {
        problems.push(`${key}: default ${JSON.stringify(def.default)} is not one of its enum values`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`settings-schema output is invalid:\n  ${problems.join('\n  ')}`);
  return props;
}

/**
 * Merges server and client-only settings into package.json's contributes.configuration.
 * A key defined by both is an error: the client-only settings are the extension's own
 * (how to start the server, tracing) and must not shadow a server setting.
 */
export function mergeConfiguration(serverProps, clientProps) {
  const clash = Object.keys(clientProps).filter((k) => Object.prototype.hasOwnProperty.call(serverProps, k));
  if (clash.length > 0) {
    throw new Error(`settings defined both by the server and by the extension: ${clash.join(', ')}`);
  }
  const all = { ...serverProps, ...clientProps };
  const properties = {};
  for (const key of Object.keys(all).sort()) properties[key] = all[key];
  return { type: 'object', title: 'layerwise', properties };
}

/** Setting names whose definitions differ between two configurations (added, removed or changed). */
export function diffConfiguration(current, wanted) {
  const a = (current && current.properties) || {};
  const b = (wanted && wanted.properties) || {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out = [];
  for (const k of keys) {
    if (!(k in a)) out.push(`+ ${k} (missing from package.json)`);
    else if (!(k in b)) out.push(`- ${k} (no longer defined)`);
    else if (!deepEqual(a[k], b[k])) out.push(`~ ${k} (definition changed)`);
  }
  if (out.length === 0 && !deepEqual(current, wanted)) out.push('~ (configuration title or type changed)');
  return out;
}

/** Structural equality for JSON values (object key order ignored). */
export function deepEqual(x, y) {
  return JSON.stringify(canonical(x)) === JSON.stringify(canonical(y));
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canonical(v[k]);
    return o;
  }
  return v;
}

/** package.json text with the configuration replaced, formatted the way npm writes it. */
export function renderPackageJson(pkg, configuration) {
  const next = { ...pkg, contributes: { ...(pkg.contributes || {}), configuration } };
  return JSON.stringify(next, null, 2) + '\n';
}
