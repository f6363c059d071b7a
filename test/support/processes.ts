import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from here so that `--import tsx` and `src/` resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const CLI_ENTRY = 'src/cli/main.ts';

/**
 * Settings a developer's shell may hold that would leak into a child and change what it does; children
 * get only what a test passes explicitly.
 */
export const INHERITED_SETTINGS_TO_DROP = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'EVALSTORE_DATA_DIR',
  'EVALSTORE_ADMIN_KEY',
  'EVALSTORE_ADMIN_EMAIL',
  'EVALSTORE_ADMIN_PASSWORD',
  'EVALSTORE_TRUST_PROXY',
  'LOG_LEVEL',
  'EVALSTORE_LANGSMITH_INGESTION',
];

/** Every child started here and not yet exited, so that none outlives the test file. */
const liveChildren = new Set<ChildProcess>();

// Last resort if a test file ends without its afterAll (a crash, a timeout of the whole worker).
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on right now: the kernel picks one for a throwaway listener. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read the port of a listener');
  return address.port;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running child process whose output is kept for the test to read. */
export class ChildHandle {
  private stdoutText = '';
  private stderrText = '';
  readonly exited: Promise<ExitStatus>;

  constructor(
    readonly child: ChildProcess,
    readonly description: string,
  ) {
    liveChildren.add(child);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdoutText += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolve) => {
      // 'close' waits for the output streams too, so stdout is complete once this resolves.
      child.once('close', (code, signal) => {
        liveChildren.delete(child);
        resolve({ code, signal });
      });
      child.once('error', () => {
        liveChildren.delete(child);
        resolve({ code: null, signal: null });
      });
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Both streams, for failure messages. */
  describeOutput(): string {
    return `${this.description}\n--- stdout ---\n${this.stdoutText}\n--- stderr ---\n${this.stderrText}`;
  }

  /** Waits until stdout matches `pattern` and answers the match. */
  async waitForStdout(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdoutText.match(pattern);
      if (match) return match;
      if (this.hasExited || Date.now() >= deadline) {
        throw new Error(`stdout never matched ${pattern} within ${timeoutMs} ms\n${this.describeOutput()}`);
      }
      await sleep(50);
    }
  }

  waitForExit(timeoutMs: number): Promise<ExitStatus> {
    return withTimeout(this.exited, timeoutMs, `${this.description} to exit`);
  }

  /**
   * Sends `signal` and waits for the exit; a child still alive after `graceMs` is killed outright (and
   * the wait then rejects, so a hanging shutdown fails the test rather than passing silently).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> {
    if (this.hasExited) return this.exited;
    this.child.kill(signal);
    try {
      return await this.waitForExit(graceMs);
    } catch (error) {
      this.child.kill('SIGKILL');
      await withTimeout(this.exited, 5_000, `${this.description} to die after SIGKILL`);
      throw error;
    }
  }

  /** Kills the child without ceremony; never throws. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGKILL');
    await withTimeout(this.exited, 5_000, `${this.description} to die after SIGKILL`).catch(() => undefined);
  }
}

/** Kills every child started by this module that is still running (for afterAll). */
export async function killAllChildren(): Promise<void> {
  const handles = [...liveChildren];
  for (const child of handles) child.kill('SIGKILL');
  await Promise.all(
    handles.map((child) =>
      child.exitCode !== null || child.signalCode !== null ? undefined : withTimeout(once(child, 'close'), 5_000, 'a child to die').catch(() => undefined),
    ),
  );
}

export interface CliOptions {
  /** Extra environment variables (on top of a copy of this process's, minus the evalstore settings). */
  env?: Record<string, string>;
}

function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS_TO_DROP) delete env[name];
  return { ...env, ...extra };
}

/** Starts `evalstore <args>` (from source, through tsx) as a child process. */
export function spawnCli(args: string[], options: CliOptions = {}): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: REPO_ROOT,
    env: childEnvironment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ChildHandle(child, `evalstore ${args.join(' ')}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `evalstore <args>` to completion (killed after `timeoutMs`) and answers its exit code and output. */
export async function runCli(args: string[], options: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const handle = spawnCli(args, options);
  try {
    const { code } = await handle.waitForExit(options.timeoutMs ?? 30_000);
    return { code, stdout: handle.stdout, stderr: handle.stderr };
  } finally {
    await handle.kill();
  }
}

/** The store a server or CLI command works on, as command-line flags. */
export function storeFlags(database: { url?: string; dataDir?: string }): string[] {
  if (database.url) return ['--database-url', database.url];
  if (database.dataDir) return ['--data-dir', database.dataDir];
  throw new Error('a test database has either a url or a data folder');
}

/** Polls `GET <baseUrl>/healthz` until it answers 200; fails early if `handle` exits meanwhile. */
export async function waitForHealthy(baseUrl: string, handle: ChildHandle, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (handle.hasExited) throw new Error(`the server exited before it was healthy\n${handle.describeOutput()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      lastProblem = `status ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${baseUrl}/healthz was not 200 within ${timeoutMs} ms (${lastProblem})\n${handle.describeOutput()}`);
}

export interface ServerProcess {
  handle: ChildHandle;
  port: number;
  baseUrl: string;
}

export interface ServeOptions extends CliOptions {
  /** Passed as `--port`; when omitted no flag is given (the PORT variable or the default decides). */
  port?: number;
  /** Where to look for the server when `port` is not given (e.g. the port set through PORT). */
  expectedPort?: number;
  healthTimeoutMs?: number;
}

/**
 * Starts `evalstore serve` on 127.0.0.1 over the given store flags and waits until /healthz answers.
 * The child is killed if it does not become healthy.
 */
export async function startServerProcess(storeArgs: string[], options: ServeOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? options.expectedPort;
  if (port === undefined) throw new Error('give the port to pass, or the port the server is expected on');
  const portArgs = options.port === undefined ? [] : ['--port', String(options.port)];
  const handle = spawnCli(['serve', '--host', '127.0.0.1', ...portArgs, ...storeArgs], {
    env: { LOG_LEVEL: 'warn', ...options.env },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(baseUrl, handle, options.healthTimeoutMs);
  } catch (error) {
    await handle.kill();
    throw error;
  }
  return { handle, port, baseUrl };
}
