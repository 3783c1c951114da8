/**
 * Bounded waits for requests our commands send. A server that hangs, or dies while answering,
 * must end in a message, not in a command that never returns: the request is cancelled after
 * `ms`, and abandoned as soon as the client leaves the running state.
 */
import * as vscode from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';

export const COMMAND_DEADLINE_MS = 30_000;

export function withDeadline<T>(
  client: LanguageClient,
  what: string,
  send: (token: vscode.CancellationToken) => Promise<T>,
  ms = COMMAND_DEADLINE_MS,
): Promise<T> {
  const cancel = new vscode.CancellationTokenSource();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stateListener: vscode.Disposable | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel.cancel();
      reject(new Error(`the server did not answer ${what} within ${ms / 1000}s`));
    }, ms);
    stateListener = client.onDidChangeState((e) => {
      if (e.newState !== State.Running) reject(new Error(`the server stopped while answering ${what}; see "layerwise: Show output"`));
    });
  });
  return Promise.race([send(cancel.token), abandoned]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
    stateListener?.dispose();
    cancel.dispose();
  });
}
