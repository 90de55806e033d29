import { execFileSync } from 'child_process';
import { RunningProcess, startProcess } from './processes';

/** Where a server process runs: on this host, or in a test image's root filesystem. */
export interface Runner {
  /** For messages, such as "redis-server" or "cdktf-docker-redis-test/redis:8.0". */
  readonly label: string;
  /** Starts `command` as `user`; paths under `shareDir` are the same inside and outside. */
  start(name: string, command: string[], logDir: string, user: { uid: number; gid: number }, shareDir: string): RunningProcess;
  /** Runs a short command to completion and returns its output. */
  run(command: string[], shareDir?: string, input?: string): string;
}

/** The machine's own binaries: what the benchmarks call the bare host. */
export const onHost: Runner = {
  label: 'this host',
  start: (name, [command, ...args], logDir, user) => startProcess(name, command, args, logDir, user),
  run: ([command, ...args], _shareDir, input) => execFileSync(command, args, { encoding: 'utf8', timeout: 30_000, input }),
};

/** Containers of this test run carry this label, so leftovers of a killed run can be found. */
const RUN_LABEL = 'cdktf-docker-redis-test.run';
let sequence = 0;

/** Removes containers that runs of this suite left behind when they were killed. */
export function removeDeadRunsContainers(): void {
  const rows = execFileSync('docker', ['ps', '-a', '--filter', `label=${RUN_LABEL}`, '--format', `{{.ID}} {{.Label "${RUN_LABEL}"}}`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  for (const [id, pid] of rows.trim().split('\n').filter(Boolean).map((row) => row.split(' '))) {
    let alive = true;
    try {
      process.kill(Number(pid), 0);
    } catch {
      alive = false;
    }
    if (!alive) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore', timeout: 30_000 });
  }
}

/**
 * Runs servers inside a test image on the host's network, so a server built
 * for a newer Debian suite runs on its own C library and still listens on
 * 127.0.0.1 like a local process. `shareDir` is mounted at the same path.
 */
export function inImage(image: string): Runner {
  const base = (shareDir: string | undefined, user?: { uid: number; gid: number }) => [
    'run', '--rm', '--pull', 'never', '--network', 'host', '--label', `${RUN_LABEL}=${process.pid}`,
    ...(user ? ['--user', `${user.uid}:${user.gid}`] : []),
    ...(shareDir ? ['-v', `${shareDir}:${shareDir}`] : []),
  ];
  return {
    label: image,
    start: (name, command, logDir, user, shareDir) => {
      const container = `cdktf-it-${process.pid}-${++sequence}-${name}`;
      return startProcess(name, 'docker', [...base(shareDir, user), '--name', container, image, ...command], logDir, undefined, (_child, signal) => {
        try {
          execFileSync('docker', ['kill', '--signal', signal, container], { stdio: 'ignore', timeout: 30_000 });
        } catch {
          // Already gone: nothing to signal.
        }
      });
    },
    run: (command, shareDir, input) =>
      execFileSync('docker', [...base(shareDir), ...(input === undefined ? [] : ['-i']), image, ...command], { encoding: 'utf8', timeout: 60_000, input }),
  };
}
