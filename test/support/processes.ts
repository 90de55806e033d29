import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
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

/** The ports the kernel hands out as source ports of outgoing connections (`ip_local_port_range`). */
function ephemeralPortRange(): { low: number; high: number } {
  const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return { low, high };
}

/**
 * Where test ports come from: below the ephemeral range when there is room,
 * else above it. A port from the ephemeral range can be taken between the
 * check and Docker's bind by any outgoing connection (a client's source
 * port), which left a database tainted with "address already in use" now and
 * then; outside it only a listener can take one.
 */
export function testPortRange(ephemeral = ephemeralPortRange()): { low: number; high: number } {
  const size = 8000;
  if (ephemeral.low - size >= 10_000) return { low: ephemeral.low - size, high: ephemeral.low - 1 };
  if (65_535 - ephemeral.high >= size) return { low: ephemeral.high + 1, high: 65_535 };
  throw new Error(`ip_local_port_range ${ephemeral.low}-${ephemeral.high} leaves no range of ${size} ports for tests outside it`);
}

/** Ports this process has handed out: never the same one twice, even once it is closed again. */
const handedOut = new Set<number>();

/** On 0.0.0.0, binding fails while any address has the port. */
function canListen(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A port outside the ephemeral range that no process listened on a moment
 * ago, on any address (Docker publishes TLS ports on 0.0.0.0).
 */
export async function freePort(): Promise<number> {
  const { low, high } = testPortRange();
  const start = low + Math.floor(Math.random() * (high - low + 1));
  for (let i = 0; i <= high - low; i++) {
    const port = low + ((start - low + i) % (high - low + 1));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}-${high}`);
}

/**
 * Runs `command` (built from the path of a copy of `scriptsDir`) as nobody
 * when this process is root, to see what a user without root or Docker access
 * gets. The copy is where that user can read it: the checkout may be in a
 * directory only root may enter (a clone in `mktemp -d`, as CI makes one).
 */
export function runScriptsAsNobody(
  scriptsDir: string, command: (copiedScriptsDir: string) => string[], options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): SpawnSyncReturns<string> {
  const copy = tempDir('scripts-as-nobody');
  try {
    const copiedScriptsDir = path.join(copy, 'scripts');
    fs.cpSync(scriptsDir, copiedScriptsDir, { recursive: true });
    const asNobody = process.getuid!() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = [...asNobody, ...command(copiedScriptsDir)];
    return spawnSync(argv[0], argv.slice(1), { cwd: copy, env: options.env, encoding: 'utf8', timeout: options.timeoutMs });
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
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
