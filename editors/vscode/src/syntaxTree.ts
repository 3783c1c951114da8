/**
 * "layerwise: Show syntax tree": a read-only virtual document with the server's lossless tree
 * for the active Dockerfile (custom request `layerwise/syntaxTree`). Useful when reporting a
 * parser bug. The tree follows edits to its Dockerfile, refreshed at most every 300 ms.
 */
import * as vscode from 'vscode';
import { RequestType } from 'vscode-languageclient/node';
import type { ServerController } from './serverController';
import { withDeadline } from './deadline';
import { errorText } from './serverController';

export const SYNTAX_TREE_SCHEME = 'layerwise-syntax-tree';

interface SyntaxTreeParams {
  textDocument: { uri: string };
}
interface SyntaxTreeResult {
  text: string;
}
const SyntaxTreeRequest = new RequestType<SyntaxTreeParams, SyntaxTreeResult | null, void>('layerwise/syntaxTree');

export class SyntaxTreeProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly server: ServerController) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const treeUri = treeUriFor(e.document.uri);
        const key = treeUri.toString();
        if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) return;
        const old = this.pending.get(key);
        if (old !== undefined) clearTimeout(old);
        this.pending.set(key, setTimeout(() => {
          this.pending.delete(key);
          this.changed.fire(treeUri);
        }, 300));
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const client = this.server.runningClient;
    if (client === undefined) return '// The layerwise server is not running: see "layerwise: Show output".\n';
    const source = uri.query;
    try {
      const result = await withDeadline(client, 'layerwise/syntaxTree', (deadline) =>
        client.sendRequest(SyntaxTreeRequest, { textDocument: { uri: source } }, deadline));
      if (result === null || typeof result?.text !== 'string') return `// The server returned no syntax tree for ${source}.\n`;
      return result.text;
    } catch (e) {
      return `// layerwise/syntaxTree failed: ${errorText(e)}\n`;
    }
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** The virtual document URI showing the tree of `doc`; the Dockerfile's URI rides in the query. */
export function treeUriFor(doc: vscode.Uri): vscode.Uri {
  const name = doc.path.split('/').pop() || 'Dockerfile';
  return vscode.Uri.from({ scheme: SYNTAX_TREE_SCHEME, path: `/${name}.syntax-tree`, query: doc.toString() });
}

