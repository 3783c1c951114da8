/**
 * Living next to Microsoft's Docker / Container Tools extensions and Docker DX, which run
 * their own Dockerfile language server (rcjsuen's dockerfile-language-server). With both
 * running, syntax problems and a few style checks are reported twice. We never change another
 * extension's settings behind the user's back: once per machine we say what overlaps and offer
 * to switch their Dockerfile diagnostics to "ignore" (their hover and completion stay).
 */
import * as vscode from 'vscode';

/** Extensions known to ship a Dockerfile language server, with their display names. */
export const OVERLAPPING_EXTENSIONS: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'ms-azuretools.vscode-docker', name: 'Docker' },
  { id: 'ms-azuretools.vscode-containers', name: 'Container Tools' },
  { id: 'docker.docker', name: 'Docker DX' },
];

/** The diagnostics of the Dockerfile language server inside those extensions, each "ignore"-able. */
export const THEIR_DIAGNOSTIC_SETTINGS: readonly string[] = [
  'deprecatedMaintainer',
  'directiveCasing',
  'emptyContinuationLine',
  'instructionCasing',
  'instructionCmdMultiple',
  'instructionEntrypointMultiple',
  'instructionHealthcheckMultiple',
  'instructionJSONInSingleQuotes',
  'instructionWorkdirRelative',
];

const DISMISSED_KEY = 'layerwise.coexistence.dismissed';

export async function checkCoexistence(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<void> {
  const present = OVERLAPPING_EXTENSIONS.filter((e) => vscode.extensions.getExtension(e.id) !== undefined);
  if (present.length === 0) return;
  const names = present.map((e) => e.name).join(' and ');
  output.appendLine(`[layerwise] also installed: ${names}, which run their own Dockerfile language server; see docs/editors/vscode.md "Coexisting with the Docker extensions".`);
  if (context.globalState.get<boolean>(DISMISSED_KEY)) return;
  const config = vscode.workspace.getConfiguration('docker.languageserver.diagnostics');
  const alreadyQuiet = THEIR_DIAGNOSTIC_SETTINGS.every((k) => config.get<string>(k) === 'ignore');
  if (alreadyQuiet) return;

  const choice = await vscode.window.showInformationMessage(
    `layerwise: the ${names} extension also checks Dockerfiles, so some problems can show up twice. ` +
      'Switch its Dockerfile diagnostics off (its hover and completion stay)?',
    'Switch theirs off',
    "Don't ask again",
  );
  if (choice === 'Switch theirs off') {
    const failed: string[] = [];
    for (const key of THEIR_DIAGNOSTIC_SETTINGS) {
      try {
        await config.update(key, 'ignore', vscode.ConfigurationTarget.Global);
      } catch (e) {
        failed.push(key);
        output.appendLine(`[layerwise] could not set docker.languageserver.diagnostics.${key}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (failed.length > 0) {
      void vscode.window.showWarningMessage(`layerwise: could not change ${failed.length} of their settings; see the layerwise output.`);
    }
    await context.globalState.update(DISMISSED_KEY, true);
  } else if (choice === "Don't ask again") {
    await context.globalState.update(DISMISSED_KEY, true);
  }
}
