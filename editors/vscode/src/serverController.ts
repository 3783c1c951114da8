/**
 * Owns the language client: finds the server binary, starts it, restarts it when asked or
 * when `layerwise.server.path` changes, and reports its state to whoever listens (the status
 * bar). Every failure ends in a message that says what to do, never in a silent dead client.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { discoverServer, isExecutableFile, ServerSource } from './serverDiscovery';

/** What the status bar shows. `missing`: no binary found; `failed`: found but would not run. */
export type ServerState =
  | { kind: 'starting' }
  | { kind: 'running'; version: string | undefined; path: string; source: ServerSource }
  | { kind: 'stopped'; path: string | undefined }
  | { kind: 'missing'; message: string }
  | { kind: 'failed'; message: string };

/** Language ids the server is attached to. */
export const DOCUMENT_SELECTOR = [
  { language: 'dockerfile', scheme: 'file' },
  { language: 'dockerfile', scheme: 'untitled' },
];

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = { kind: 'stopped', path: undefined };
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  /** Serialises start/stop/restart so two restarts never race on one client. */
  private queue: Promise<void> = Promise.resolve();

  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {}

  get current(): ServerState {
    return this.state;
  }

  /** The running client, or undefined (callers then tell the user the server is not running). */
  get runningClient(): LanguageClient | undefined {
    return this.client !== undefined && this.client.state === State.Running ? this.client : undefined;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private async doStart(): Promise<void> {
    this.setState({ kind: 'starting' });
    const config = vscode.workspace.getConfiguration('layerwise');
    const discovery = discoverServer({
      configuredPath: config.get<string>('server.path'),
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      envPath: process.env.PATH,
      pathExt: process.env.PATHEXT,
      homeDir: os.homedir(),
      isExecutableFile,
    });
    if (discovery.kind !== 'found') {
      this.output.appendLine(`[layerwise] ${discovery.message}`);
      if (discovery.tried.length > 0) this.output.appendLine(`[layerwise] looked at:\n  ${discovery.tried.join('\n  ')}`);
      this.setState({ kind: 'missing', message: discovery.message });
      void this.offerHelp(discovery.message);
      return;
    }

    this.output.appendLine(`[layerwise] starting ${discovery.path} lsp (found via ${describeSource(discovery.source)})`);
    const serverOptions: ServerOptions = {
      command: discovery.path,
      args: ['lsp'],
      // The server logs to stderr, which ends up in the output channel; LAYERWISE_LOG is passed
      // through from the environment VS Code was started in.
      options: { env: { ...process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      // Settings go to the server at start-up and again on every change of the `layerwise`
      // section (the server can also pull them with workspace/configuration).
      initializationOptions: settingsSnapshot(),
      synchronize: { configurationSection: 'layerwise' },
    };
    const client = new LanguageClient('layerwise', 'layerwise', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Running) {
        this.setState({
          kind: 'running',
          version: client.initializeResult?.serverInfo?.version,
          path: discovery.path,
          source: discovery.source,
        });
      } else if (e.newState === State.Stopped && this.state.kind === 'running') {
        this.setState({ kind: 'stopped', path: discovery.path });
      } else if (e.newState === State.Starting) {
        this.setState({ kind: 'starting' });
      }
    });
    try {
      await client.start();
      const info = client.initializeResult?.serverInfo;
      this.output.appendLine(`[layerwise] server ${info?.name ?? 'layerwise'} ${info?.version ?? '(no version reported)'} is running`);
    } catch (e) {
      const message =
        `The layerwise server at ${discovery.path} did not start: ${errorText(e)}. ` +
        'Check that `layerwise --version` works in a terminal and that this build has the `lsp` command.';
      this.output.appendLine(`[layerwise] ${message}`);
      this.setState({ kind: 'failed', message });
      this.client = undefined;
      try {
        await client.dispose(2000);
      } catch {
        // The process is already gone; nothing left to clean up.
      }
      void this.offerHelp(message);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      await client.stop(5000);
    } catch (e) {
      this.output.appendLine(`[layerwise] stopping the server: ${errorText(e)}`);
    }
    this.setState({ kind: 'stopped', path: undefined });
  }

  private async offerHelp(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(`layerwise: ${message}`, 'Open settings', 'Show output');
    if (choice === 'Open settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'layerwise.server.path');
    } else if (choice === 'Show output') {
      this.output.show(true);
    }
  }
}

/** The `layerwise` settings as one JSON object (nested the way VS Code nests dotted keys). */
export function settingsSnapshot(): unknown {
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('layerwise')));
}

export function describeSource(source: ServerSource): string {
  switch (source) {
    case 'setting':
      return 'the layerwise.server.path setting';
    case 'bundled':
      return 'the binary bundled with the extension';
    case 'path':
      return 'PATH';
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
