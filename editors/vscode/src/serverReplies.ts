/**
 * Turning replies of the server's custom commands into text for a notification. The server
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
