/**
 * How each server state looks in the status bar. Separate from statusBar.ts (and free of
 * `vscode` imports) so the wording is unit-tested.
 */
import type { ServerState } from './serverController';

export interface StatusPresentation {
  /** Codicon, e.g. `$(check)`. */
  icon: string;
  /** One word for screen readers and the end-to-end test: `starting`, `running`, ... */
  word: string;
  tooltip: string;
  severity: 'ok' | 'busy' | 'error';
}

export function statusPresentation(state: ServerState): StatusPresentation {
  switch (state.kind) {
    case 'starting':
      return { icon: '$(sync~spin)', word: 'starting', tooltip: 'layerwise: starting the server…', severity: 'busy' };
    case 'running':
      return {
        icon: '$(check)',
        word: 'running',
        tooltip: `layerwise ${state.version ?? '(version not reported)'} is running`,
        severity: 'ok',
      };
    case 'stopped':
      return { icon: '$(circle-slash)', word: 'stopped', tooltip: 'layerwise: the server is stopped', severity: 'error' };
    case 'missing':
      return { icon: '$(error)', word: 'not found', tooltip: `layerwise: ${state.message}`, severity: 'error' };
    case 'failed':
      return { icon: '$(error)', word: 'failed', tooltip: `layerwise: ${state.message}`, severity: 'error' };
  }
}
