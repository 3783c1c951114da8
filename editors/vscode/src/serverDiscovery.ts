/**
 * Finding the `layerwise` executable.
 *
 * Order: the `layerwise.server.path` setting, then a binary bundled in the extension for this
 * platform (`server/<platform>-<arch>/layerwise`), then `PATH`. A path the user set explicitly
 * is never silently replaced by another binary: if it does not point at an executable we say so,
 * because running a different server than the one configured would be more confusing than an
 * error.
 *
 * This module has no dependency on `vscode` so it can be unit-tested with node's test runner;
 * everything that touches the file system or the environment comes in through `DiscoveryInput`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a server binary came from; shown in the output channel and the status bar tooltip. */
export type ServerSource = 'setting' | 'bundled' | 'path';

export type Discovery =
  | { kind: 'found'; path: string; source: ServerSource }
  | { kind: 'invalid-setting'; message: string; tried: string[] }
  | { kind: 'not-found'; message: string; tried: string[] };

export interface DiscoveryInput {
  /** Value of `layerwise.server.path` (may be empty, relative, start with `~`, or use `${workspaceFolder}`). */
  configuredPath: string | undefined;
  /** First workspace folder, used for relative paths and `${workspaceFolder}`. */
  workspaceFolder: string | undefined;
  /** The extension's install directory (where `server/` lives). */
  extensionPath: string;
  platform: NodeJS.Platform;
  arch: string;
  /** The `PATH` environment variable. */
  envPath: string | undefined;
  /** The `PATHEXT` environment variable (Windows only). */
  pathExt: string | undefined;
  homeDir: string;
  /** True if `p` is a regular file we may execute. Injected so tests need no real files. */
  isExecutableFile: (p: string) => boolean;
}

const BINARY = 'layerwise';

/** `path` functions of the target platform, so Windows logic is testable on Linux. */
function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** File name of the server binary on `platform`. */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${BINARY}.exe` : BINARY;
}

/** Path of the binary bundled for this platform, e.g. `<ext>/server/linux-x64/layerwise`. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform, arch: string): string {
  return pathApi(platform).join(extensionPath, 'server', `${platform}-${arch}`, binaryName(platform));
}

/**
 * Expands `~` and `${workspaceFolder}` and makes a relative setting absolute against the
 * workspace folder. Returns undefined when the path is relative and there is no folder to
 * anchor it to.
 */
export function resolveConfiguredPath(
  configured: string,
  workspaceFolder: string | undefined,
  homeDir: string,
  platform: NodeJS.Platform,
): string | undefined {
  const p = pathApi(platform);
  let value = configured.trim();
  if (value.includes('${workspaceFolder}')) {
    if (workspaceFolder === undefined) return undefined;
    value = value.split('${workspaceFolder}').join(workspaceFolder);
  }
  if (value === '~' || value.startsWith('~/') || (platform === 'win32' && value.startsWith('~\\'))) {
    value = p.join(homeDir, value.slice(1));
  }
  if (p.isAbsolute(value)) return p.normalize(value);
  if (workspaceFolder === undefined) return undefined;
  return p.resolve(workspaceFolder, value);
}

/** Every candidate for the binary on `PATH`, in search order. */
export function pathCandidates(envPath: string | undefined, pathExt: string | undefined, platform: NodeJS.Platform): string[] {
  if (!envPath) return [];
  const p = pathApi(platform);
  const delimiter = platform === 'win32' ? ';' : ':';
  const names =
    platform === 'win32'
      ? (pathExt || '.EXE;.CMD;.BAT;.COM')
          .split(';')
          .filter((ext) => ext.length > 0)
          .map((ext) => BINARY + ext.toLowerCase())
      : [BINARY];
  const out: string[] = [];
  for (const dir of envPath.split(delimiter)) {
    // An empty PATH entry means the current directory; a language server must not be picked
    // up from whatever directory the editor happened to start in.
    if (dir.trim() === '') continue;
    const clean = platform === 'win32' ? dir.replace(/^"(.*)"$/, '$1') : dir;
    for (const name of names) out.push(p.join(clean, name));
  }
  return out;
}

/** Decides which binary to run. Pure apart from `input.isExecutableFile`. */
export function discoverServer(input: DiscoveryInput): Discovery {
  const tried: string[] = [];
  const configured = (input.configuredPath ?? '').trim();
  if (configured !== '') {
    const resolved = resolveConfiguredPath(configured, input.workspaceFolder, input.homeDir, input.platform);
    if (resolved === undefined) {
      return {
        kind: 'invalid-setting',
        tried,
        message:
          `The setting layerwise.server.path is "${configured}", a relative path, but no folder is open to resolve it against. ` +
          'Use an absolute path, or clear the setting to use the bundled server or the one on PATH.',
      };
    }
    tried.push(resolved);
    if (input.isExecutableFile(resolved)) return { kind: 'found', path: resolved, source: 'setting' };
    return {
      kind: 'invalid-setting',
      tried,
      message:
        `The setting layerwise.server.path points to "${resolved}", which is not an executable file. ` +
        'Fix the path (run `layerwise --version` there to check it), or clear the setting to use the bundled server or the one on PATH.',
    };
  }

  const bundled = bundledServerPath(input.extensionPath, input.platform, input.arch);
  tried.push(bundled);
  if (input.isExecutableFile(bundled)) return { kind: 'found', path: bundled, source: 'bundled' };

  for (const candidate of pathCandidates(input.envPath, input.pathExt, input.platform)) {
    tried.push(candidate);
    if (input.isExecutableFile(candidate)) return { kind: 'found', path: candidate, source: 'path' };
  }

  return {
    kind: 'not-found',
    tried,
    message:
      `No layerwise language server found: this extension has no bundled server for ${input.platform}-${input.arch} ` +
      `and "${binaryName(input.platform)}" is not on PATH. Build it (\`cargo build --release -p layerwise\` in a ` +
      'layerwise checkout gives target/release/layerwise) and put it on PATH, or set layerwise.server.path ' +
      'to the binary, then run "layerwise: Restart server".',
  };
}

/** The real-file-system check used outside tests: a regular file with an execute bit (any file on Windows). */
export function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
