/**
 * A second Docker engine on this host, started and stopped by a test suite
 * (of the version the suites run on: Debian's dockerd, or Docker 28 from
 * scripts/start-docker28.sh's root when they run there):
 * its own socket, data root, exec root, containerd, cgroup parent and bridge
 * (on an address pool that clashes with no other engine's), and a daemon
 * configuration of the suite's choosing. Images come from the first engine,
 * since no registry is reachable.
 *
 * It publishes ports through the userland proxy and leaves the host's
 * iptables chains to the first engine (`--iptables=false`: a second engine
 * managing them would flush the first one's rules). Its containers still
 * reach each other across its bridges, which the host's FORWARD policy (DROP,
 * set by the first engine, with bridged traffic passing through iptables)
 * would otherwise stop: one ACCEPT rule for its own address pool, removed
 * again on stop.
 *
 * With `xfsDataRoot` its data root is an XFS file system of its own, made in
 * a sparse file and loop-mounted with project quotas (`pquota`): where Docker
 * enforces a local volume's `size`. A kernel built without XFS quota support
 * refuses that mount; the engine then runs on the same file system mounted
 * without quotas and says why in `quotaRefusal`, so a suite can show what
 * such a host does.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { requireTools, waitFor } from './processes';
import { TEST_ENGINE } from '../e2e/test-engine';

const run = promisify(execFile);

export interface SecondDockerdOptions {
  /** Names everything of this engine: socket, roots, bridge; at most 12 characters of [a-z0-9-]. */
  readonly name: string;
  /** The daemon.json content. */
  readonly config: Record<string, unknown>;
  /** A /16 no other engine or network here uses, such as 10.213.0.0/16: networks get /24s of its lower half, the bridge its last /24. */
  readonly pool: string;
  /** Puts the data root on a loop-mounted XFS of this many MiB (a sparse file: only what is written takes space). */
  readonly xfsDataRoot?: { readonly sizeMb: number };
}

export interface SecondDockerd {
  /** The provider `host` that reaches it: `unix:///run/<name>.sock`. */
  readonly host: string;
  /** Its bridge's address, the gateway of the pool's last /24: where it publishes ports for the host. */
  readonly address: string;
  /** Whether the data root has XFS project quotas (only with `xfsDataRoot`). */
  readonly projectQuotas: boolean;
  /** With `xfsDataRoot` on a kernel that refused project quotas: the mount command and what mount and the kernel said. */
  readonly quotaRefusal?: string;
  /** Copies images from the first engine. */
  loadImages(images: string[]): Promise<void>;
  /** Stops the engine and removes its roots, bridge and firewall rule. */
  stop(): Promise<void>;
}

/** Runs a command, failing with the first line of its error output. */
async function exec(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  try {
    return (await run(command, args, { timeout: timeoutMs })).stdout;
  } catch (e: any) {
    throw new Error(`${command} ${args[0]} failed: ${String(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}

function alive(pid: number): boolean {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2];
    return state !== 'Z';
  } catch {
    return false;
  }
}

/** The kernel log's lines, each with its timestamp. */
async function kernelLog(): Promise<string[]> {
  return run('dmesg', [], { timeout: 10_000, maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
}

/**
 * Makes `image` a fresh XFS and mounts it on `dir` with project quotas, or,
 * where the kernel refuses them, without; `mount -o loop` detaches the loop
 * device again at unmount.
 */
async function mountXfs(image: string, dir: string, sizeMb: number): Promise<{ projectQuotas: boolean; quotaRefusal?: string }> {
  fs.rmSync(image, { force: true });
  const fd = fs.openSync(image, 'w');
  try {
    fs.ftruncateSync(fd, sizeMb * 1024 * 1024);
  } finally {
    fs.closeSync(fd);
  }
  await exec('mkfs.xfs', ['-q', image], 60_000);
  fs.mkdirSync(dir, { recursive: true });
  const withQuotas = ['-o', 'loop,pquota', image, dir];
  const lastLogged = (await kernelLog()).pop();
  const refused = await run('mount', withQuotas, { timeout: 30_000 }).then(() => undefined, (e: any) => String(e.stderr || e.message).trim().split('\n')[0]);
  if (refused === undefined) return { projectQuotas: true };
  // mount itself only says "wrong fs type, bad option, …"; the kernel's XFS line since the attempt says what was refused.
  const log = await kernelLog();
  const since = lastLogged === undefined ? log : log.slice(log.lastIndexOf(lastLogged) + 1);
  const kernel = since.reverse().find((line) => /XFS \(loop\d+\)/.test(line))?.replace(/^\[[^\]]*\]\s*/, '');
  const withoutQuotas = ['-o', 'loop', image, dir];
  await run('mount', withoutQuotas, { timeout: 30_000 }).catch((e: any) => {
    throw new Error(`mount ${withoutQuotas.join(' ')} failed: ${String(e.stderr || e.message).trim().split('\n')[0]} (with pquota: ${refused})`);
  });
  return { projectQuotas: false, quotaRefusal: `mount ${withQuotas.join(' ')}: ${refused}${kernel ? ` (kernel: ${kernel})` : ''}` };
}

/** Unmounts whatever an engine killed without cleanup left under `root`, deepest first. */
async function unmountUnder(root: string): Promise<void> {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint) => mountPoint && (mountPoint === root || mountPoint.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) await exec('umount', ['-l', mountPoint]);
}

export async function startSecondDockerd(options: SecondDockerdOptions): Promise<SecondDockerd> {
  requireTools('dockerd', 'docker', 'busybox', 'iptables', 'umount', ...(options.xfsDataRoot ? ['mkfs.xfs', 'mount', 'dmesg'] : []));
  if (!/^[a-z0-9-]{1,12}$/.test(options.name)) throw new Error(`second dockerd name "${options.name}" must be 1-12 characters of [a-z0-9-]`);
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(options.pool);
  if (!m) throw new Error(`second dockerd pool ${options.pool} must be an a.b.0.0/16`);
  if (process.getuid?.() !== 0) throw new Error('a second Docker engine needs root (CI runs the suites as root)');

  const id = `cdktf-docker-redis-${options.name}`;
  const socket = `/run/${id}.sock`;
  const pidFile = `/run/${id}.pid`;
  const execRoot = `/run/${id}`;
  const dataRoot = `/var/lib/${id}`;
  const xfsImage = `/var/lib/${id}.xfs`;
  const configFile = `/run/${id}.json`;
  const logFile = `/var/log/${id}.log`;
  const bridge = `cdr-${options.name}`.slice(0, 15);
  const [, a, b] = m;
  const address = `${a}.${b}.255.1`;
  const forwardRule = ['FORWARD', '-s', options.pool, '-d', options.pool, '-j', 'ACCEPT'];

  const cleanUp = async (child?: ChildProcess) => {
    const pid = child?.pid ?? (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : NaN);
    if (Number.isInteger(pid) && alive(pid) && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd') {
      process.kill(pid, 'SIGTERM');
      const stopped = await waitFor(`${id} to stop`, async () => (alive(pid) ? undefined : true), 30_000, 250).catch(() => false);
      if (!stopped) process.kill(pid, 'SIGKILL');
      await waitFor(`${id} to exit`, async () => (alive(pid) ? undefined : true), 10_000, 100);
    }
    await unmountUnder(execRoot);
    await unmountUnder(dataRoot);
    for (const p of [execRoot, dataRoot]) fs.rmSync(p, { recursive: true, force: true });
    for (const p of [socket, pidFile, configFile, xfsImage]) fs.rmSync(p, { force: true });
    // Asked through netlink, not /sys: a suite run in a network namespace (scripts/start-docker28.sh run) sees the machine's /sys.
    if (await run('busybox', ['ip', 'link', 'show', bridge]).then(() => true, () => false)) await exec('busybox', ['ip', 'link', 'del', bridge]);
    for (let i = 0; i < 10 && await run('iptables', ['-C', ...forwardRule]).then(() => true, () => false); i++) {
      await exec('iptables', ['-D', ...forwardRule]);
    }
  };

  // A run killed before its teardown leaves all of this behind.
  await cleanUp();
  await exec('busybox', ['ip', 'link', 'add', 'name', bridge, 'type', 'bridge']);
  await exec('busybox', ['ip', 'addr', 'add', `${address}/24`, 'dev', bridge]);
  await exec('busybox', ['ip', 'link', 'set', bridge, 'up']);
  await exec('iptables', ['-I', ...forwardRule]);
  fs.writeFileSync(configFile, JSON.stringify(options.config));
  let quotas: { projectQuotas: boolean; quotaRefusal?: string } = { projectQuotas: false };
  if (options.xfsDataRoot) {
    try {
      quotas = await mountXfs(xfsImage, dataRoot, options.xfsDataRoot.sizeMb);
    } catch (e) {
      await cleanUp();
      throw e;
    }
  }

  const log = fs.openSync(logFile, 'w');
  const args = [
    '--host', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', pidFile, '--config-file', configFile,
    '--bridge', bridge, '--default-address-pool', `base=${a}.${b}.0.0/17,size=24`, '--cgroup-parent', `/${id}`,
    '--iptables=false', '--ip-forward=false', '--ip-masq=false',
  ];
  // On Docker 28 the second engine is a Docker 28 too, from that engine's root (the script execs into dockerd: same pid).
  const child = TEST_ENGINE.name === 'docker28'
    ? spawn('bash', [path.join(__dirname, '..', '..', 'scripts', 'start-docker28.sh'), 'dockerd', dataRoot, ...args], { stdio: ['ignore', log, log] })
    : spawn('dockerd', args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const host = `unix://${socket}`;
  try {
    await waitFor(`${id} to answer on ${socket}`, async () => {
      if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}: ${fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
      await exec('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}'], 5_000);
      return true;
    }, 60_000, 250);
  } catch (e) {
    await cleanUp(child);
    throw e;
  }

  return {
    host,
    address,
    ...quotas,
    async loadImages(images: string[]): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        const save = spawn('docker', ['save', ...images], { stdio: ['ignore', 'pipe', 'pipe'] });
        const load = spawn('docker', ['-H', host, 'load', '--quiet'], { stdio: ['pipe', 'ignore', 'pipe'] });
        save.stdout.pipe(load.stdin);
        const errors: string[] = [];
        save.stderr.on('data', (d) => errors.push(String(d)));
        load.stderr.on('data', (d) => errors.push(String(d)));
        const timer = setTimeout(() => {
          save.kill('SIGKILL');
          load.kill('SIGKILL');
        }, 120_000);
        let pending = 2;
        const done = (what: string) => (code: number | null) => {
          if (code !== 0) errors.push(`${what} exited with ${code}`);
          if (--pending > 0) return;
          clearTimeout(timer);
          if (errors.length > 0) reject(new Error(`copying ${images.join(', ')} to ${id}: ${errors.join(' ').trim().split('\n')[0]}`));
          else resolve();
        };
        save.once('exit', done('docker save'));
        load.once('exit', done('docker load'));
      });
    },
    async stop(): Promise<void> {
      await cleanUp(child);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(resolve, 10_000); })]);
      clearTimeout(timer);
    },
  };
}
