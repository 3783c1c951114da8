/**
 * Entry point: wires the output channel, status bar, commands and syntax-tree view to the
 * server controller, then starts the server. Activated when a Dockerfile opens (or when one of
 * our commands runs).
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { checkCoexistence } from './coexistence';
import { ServerController } from './serverController';
import { StatusBar } from './statusBar';
import { SYNTAX_TREE_SCHEME, SyntaxTreeProvider } from './syntaxTree';

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('layerwise');
  const server = new ServerController(context, output);
  controller = server;
  const status = new StatusBar();
  const tree = new SyntaxTreeProvider(server);

  context.subscriptions.push(
    output,
    status,
    tree,
    server.onDidChangeState((s) => status.update(s)),
    vscode.workspace.registerTextDocumentContentProvider(SYNTAX_TREE_SCHEME, tree),
    ...registerCommands(server, output),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Everything else in `layerwise.*` reaches the running server as a configuration change;
      // only a different binary needs a new process.
      if (e.affectsConfiguration('layerwise.server.path')) {
        output.appendLine('[layerwise] layerwise.server.path changed: restarting the server');
        void server.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // Untrusted, the workspace's layerwise.server.path was ignored (package.json
      // restrictedConfigurations); once trusted it applies, so start the server it names.
      const inspected = vscode.workspace.getConfiguration('layerwise').inspect<string>('server.path');
      if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined) {
        output.appendLine('[layerwise] workspace trusted: restarting with its layerwise.server.path');
        void server.restart();
      }
    }),
  );

  void checkCoexistence(context, output);
  await server.start();
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  if (c !== undefined) await c.stop();
}
