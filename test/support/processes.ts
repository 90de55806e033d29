import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * Fails, naming what is missing and how to install it: a suite that silently
 * skips when its tools are missing proves nothing.
 */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: run \`sudo node scripts/provision-test-host.js\` (npm test does it first)`);
  }
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdktf-docker-redis-${prefix}-`));
  // Servers run as the unprivileged users they run as in the containers and must reach their own dirs.
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a `waitFor` check when waiting longer cannot help, such as when the server exited. */
export class GaveUp extends Error {}

/** Polls `check` until it returns a value other than undefined, at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      if (e instanceof GaveUp) throw new Error(`gave up waiting for ${what}: ${e.message}`);
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
}

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<RunningProcess>();

/** Sends a signal to what a process runs; by default to the process itself. */
export type Signaller = (child: ChildProcess, signal: NodeJS.Signals) => void;

const signalChild: Signaller = (child, signal) => child.kill(signal);

/** Starts a long-running process with its output in a log file; `stopAll` ends it. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  logDir: string,
  user?: { uid: number; gid: number },
  signal: Signaller = signalChild,
): RunningProcess {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], ...user });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: RunningProcess = {
    name,
    child,
    logFile,
    exited,
    log: () => fs.readFileSync(logFile, 'utf8'),
    kill: async (sig: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) signal(child, sig);
      const timer = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
}
