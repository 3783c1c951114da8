/**
 * Reading replies of the server's custom commands: text for a notification, or an edit. The server
 * may answer with a plain string or a small object; anything else means "nothing to say".
 * No `vscode` import, so it is unit-tested.
 */

/** A server command result as one line of text: a string, or an object's `message`/`text`/`markdown`. */
export function messageOf(result: unknown): string | undefined {
  if (typeof result === 'string') return result.trim() === '' ? undefined : result.trim().replace(/\s*\n\s*/g, ' · ');
  if (result !== null && typeof result === 'object') {
    for (const key of ['message', 'text', 'markdown', 'value']) {
      const v = (result as Record<string, unknown>)[key];
      if (typeof v === 'string') return messageOf(v);
    }
  }
  return undefined;
}

/** Whether a reply has the shape of an LSP WorkspaceEdit (`changes` or `documentChanges`). */
export function isWorkspaceEdit(result: unknown): result is { changes?: object; documentChanges?: unknown[] } {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return false;
  const r = result as Record<string, unknown>;
  const changes = r.changes !== undefined && r.changes !== null && typeof r.changes === 'object' && !Array.isArray(r.changes);
  const documentChanges = Array.isArray(r.documentChanges);
  return changes || documentChanges;
}
