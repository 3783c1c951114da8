/**
 * The status bar item: one glance says whether the server runs, which version, and where the
 * binary came from. Clicking it opens the output channel, where the reason for any failure is.
 * It is shown only while a Dockerfile is the active editor, like the language status of
 * built-in languages, so it does not clutter other files.
 */
import * as vscode from 'vscode';
import { describeSource, ServerState } from './serverController';
import { statusPresentation } from './statusText';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private state: ServerState = { kind: 'stopped', path: undefined };

  constructor() {
    this.item = vscode.window.createStatusBarItem('layerwise.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'layerwise';
    this.item.command = 'layerwise.showOutput';
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => this.updateVisibility()));
    this.render();
  }

  update(state: ServerState): void {
    this.state = state;
    this.render();
  }

  private render(): void {
    const p = statusPresentation(this.state);
    this.item.text = `${p.icon} layerwise`;
    this.item.accessibilityInformation = { label: `layerwise: ${p.word}` };
    const where = this.state.kind === 'running' ? `\n${this.state.path} (${describeSource(this.state.source)})` : '';
    this.item.tooltip = `${p.tooltip}${where}\nClick to show the layerwise output.`;
    this.item.backgroundColor = p.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.updateVisibility();
  }

  private updateVisibility(): void {
    const editor = vscode.window.activeTextEditor;
    // Failures stay visible everywhere: the user must be able to find out why nothing works.
    if (editor?.document.languageId === 'dockerfile' || this.state.kind === 'missing' || this.state.kind === 'failed') {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
