/**
 * The extension's commands. "Split" and "Show image size" forward to the server's
 * `workspace/executeCommand` commands `layerwise.split` and `layerwise.imageSize`; our own
 * command ids differ from those on purpose, because vscode-languageclient registers a VS Code
 * command for every command the server advertises and two registrations of one id fail.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, WorkspaceEdit } from 'vscode-languageclient/node';
import type { ServerController } from './serverController';
import { errorText } from './serverController';
import { baseImageAt } from './baseImage';
import { withDeadline } from './deadline';
import { describeImageFacts } from './imageFacts';
import { isWorkspaceEdit, messageOf } from './serverReplies';
import { treeUriFor } from './syntaxTree';

/** Arguments sent with `layerwise.split`: the LSP TextDocumentPositionParams shape. */
export interface DocumentPositionArgument {
  textDocument: { uri: string };
  position: { line: number; character: number };
}

/** Arguments of `layerwise.imageSize`: the image (and platform), plus where the cursor is. */
export interface ImageSizeArgument extends DocumentPositionArgument {
  image: string;
  platform?: string;
}

export function registerCommands(server: ServerController, output: vscode.OutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('layerwise.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('layerwise.restartServer', async () => {
      output.appendLine('[layerwise] restart requested');
      await server.restart();
    }),
    vscode.commands.registerCommand('layerwise.splitStages', () => splitStages(server)),
    vscode.commands.registerCommand('layerwise.showImageSize', () => showImageSize(server)),
    vscode.commands.registerCommand('layerwise.showSyntaxTree', () => showSyntaxTree(server)),
  ];
}

/** The active Dockerfile editor and a running client, or undefined after telling the user why not. */
function target(server: ServerController) {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== 'dockerfile') {
    void vscode.window.showWarningMessage('layerwise: open a Dockerfile first.');
    return undefined;
  }
  const client = server.runningClient;
  if (client === undefined) {
    void vscode.window.showWarningMessage('layerwise: the server is not running. Run "layerwise: Show output" to see why.', 'Show output')
      .then((c) => (c ? vscode.commands.executeCommand('layerwise.showOutput') : undefined));
    return undefined;
  }
  const pos = editor.selection.active;
  const arg: DocumentPositionArgument = {
    textDocument: { uri: editor.document.uri.toString() },
    position: { line: pos.line, character: pos.character },
  };
  return { editor, client, arg };
}

async function splitStages(server: ServerController): Promise<void> {
  const t = target(server);
  if (t === undefined) return;
  const document = t.editor.document;
  const before = document.version;
  try {
    // The server computes the edit and normally applies it itself (workspace/applyEdit) before
    // answering. If it answers with the edit instead and the document is untouched, apply it
    // here, so either way of doing it works and the edit never lands twice.
    const result: unknown = await withDeadline(t.client, 'layerwise.split', (token) =>
      t.client.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.split', arguments: [t.arg] }, token));
    if (document.version === before && isWorkspaceEdit(result)) {
      // The converter rejects malformed edits; that ends in the catch below.
      const edit = await t.client.protocol2CodeConverter.asWorkspaceEdit(result as WorkspaceEdit);
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage('layerwise: VS Code refused the split edit (is the file read-only?).');
        return;
      }
    }
    const message = isWorkspaceEdit(result) ? undefined : messageOf(result);
    if (message !== undefined) void vscode.window.showInformationMessage(`layerwise: ${message}`);
    else if (document.version === before) {
      void vscode.window.showInformationMessage('layerwise: nothing to split in this Dockerfile.');
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`layerwise: split failed: ${errorText(e)}`);
  }
}

async function showImageSize(server: ServerController): Promise<void> {
  const t = target(server);
  if (t === undefined) return;
  // The server's command takes an image reference; name the base image of the cursor's stage.
  // The document and position ride along so the server can resolve it itself if it prefers.
  const base = baseImageAt(t.editor.document.getText(), t.arg.position.line);
  if (base.kind === 'unresolved') {
    void vscode.window.showInformationMessage(`layerwise: cannot tell which image to size: ${base.reason}.`);
    return;
  }
  if (base.kind === 'scratch') {
    void vscode.window.showInformationMessage('layerwise: this stage starts FROM scratch, an empty image (0 B).');
    return;
  }
  const arg: ImageSizeArgument = { ...t.arg, image: base.image };
  if (base.platform !== undefined) arg.platform = base.platform;
  try {
    const result: unknown = await withDeadline(t.client, 'layerwise.imageSize', (token) =>
      t.client.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.imageSize', arguments: [arg] }, token));
    const text = describeImageFacts(result, base.image) ?? messageOf(result);
    void vscode.window.showInformationMessage(
      text !== undefined ? `layerwise: ${text}` : `layerwise: no size is known for ${base.image}.`,
    );
  } catch (e) {
    void vscode.window.showErrorMessage(`layerwise: size of ${base.image}: ${errorText(e)}`);
  }
}

async function showSyntaxTree(server: ServerController): Promise<void> {
  const t = target(server);
  if (t === undefined) return;
  const doc = await vscode.workspace.openTextDocument(treeUriFor(t.editor.document.uri));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}
