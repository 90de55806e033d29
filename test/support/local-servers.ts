import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { connectClient } from './clients';
import { GeneratedInstance } from './generated';
import { freePort, GaveUp, RunningProcess, waitFor } from './processes';
import { Runner } from './runners';

const REDIS_USER = { uid: 999, gid: 999 };
/** HAProxy runs as the sidecar does: the image's `haproxy` user (uid 99) with Redis's group for the socket. */
const HAPROXY_USER = { uid: 99, gid: 999 };

export interface LocalRedis {
  readonly instance: GeneratedInstance;
  readonly runner: Runner;
  readonly port: number;
  /** The Unix socket, when the generated config has one (for the TLS sidecar). */
  readonly socketPath?: string;
  /** The native TLS port, when the generated config has one. */
  readonly tlsPort?: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly confFile: string;
  process: RunningProcess;
  /** Starts it again from the same config and data dir, on the same port. */
  restart(): Promise<void>;
}

function replaceExactlyOnce(file: string, text: string, line: RegExp, replacement: string): string {
  const count = (text.match(new RegExp(line.source, 'gm')) ?? []).length;
  if (count !== 1) throw new Error(`${file}: expected exactly one line matching ${line}, found ${count}`);
  return text.replace(new RegExp(line.source, 'm'), replacement);
}

/**
 * Runs the engine's server from the generated config file. Only what must
 * differ outside a Docker network is overridden: the port and binding to
 * loopback on the command line (which the server applies after the file), and
 * the data dir in the file itself, because the server changes into the file's
 * `dir /data` before it reads the command line and stops when that directory
 * does not exist. The ACL and TLS files it names are written beside it and
 * their paths overridden. It runs as uid 999, as in its container.
 */
export async function startLocalRedis(instance: GeneratedInstance, workDir: string, runner: Runner, extraArgs: string[] = []): Promise<LocalRedis> {
  const dir = path.join(workDir, instance.handle);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const confFile = path.join(dir, path.basename(instance.configPath));
  const conf = replaceExactlyOnce(`config of ${instance.handle}`, instance.redisConf, /^dir \/data$/, `dir ${dataDir}`);
  fs.writeFileSync(confFile, conf, { mode: 0o600 });
  return onFreePorts(instance.nativeTlsFiles ? 2 : 1, ([port, tlsPort]) => startOnPorts(instance, dir, dataDir, confFile, conf, runner, workDir, extraArgs, port, tlsPort));
}

/** Runs `start` on ports free a moment ago; one that another process took meanwhile fails the start, which then runs again on others (at most 3 tries). */
async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test(String(e))) throw e;
    }
  }
}

async function startOnPorts(
  instance: GeneratedInstance, dir: string, dataDir: string, confFile: string, conf: string, runner: Runner, workDir: string, extraArgs: string[],
  port: number, tlsPort: number | undefined,
): Promise<LocalRedis> {
  const args = [instance.serverBinary, confFile, '--port', String(port), '--bind', '127.0.0.1'];
  const socketPath = /^unixsocket /m.test(conf) ? path.join(dir, 'redis.sock') : undefined;
  if (socketPath) args.push('--unixsocket', socketPath);
  if (instance.aclFile !== undefined) {
    const aclFile = path.join(dir, 'users.acl');
    fs.writeFileSync(aclFile, instance.aclFile, { mode: 0o600 });
    args.push('--aclfile', aclFile);
  }
  if (instance.nativeTlsFiles) {
    // The server reads the TLS files after the whole configuration, command line included.
    args.push('--tls-port', String(tlsPort));
    for (const [file, content] of Object.entries(instance.nativeTlsFiles)) {
      const local = path.join(dir, path.basename(file));
      fs.writeFileSync(local, content, { mode: 0o600 });
      const directive = { 'server.crt': 'tls-cert-file', 'server.key': 'tls-key-file', 'ca.crt': 'tls-ca-cert-file' }[path.basename(file)];
      if (!directive) throw new Error(`redis container of ${instance.handle} uploads unexpected TLS file ${file}`);
      args.push(`--${directive}`, local);
    }
  }
  args.push(...extraArgs);
  for (const file of [dir, ...fs.readdirSync(dir).map((f) => path.join(dir, f))]) fs.chownSync(file, REDIS_USER.uid, REDIS_USER.gid);
  const launch = async () => {
    const proc = runner.start(`${instance.serverBinary}-${instance.handle}`, args, dir, REDIS_USER, workDir);
    await waitUntilServing(instance, port, proc);
    return proc;
  };
  const redis: LocalRedis = {
    instance,
    runner,
    port,
    socketPath,
    tlsPort,
    dir,
    dataDir,
    confFile,
    process: await launch(),
    restart: async () => {
      redis.process = await launch();
    },
  };
  return redis;
}

/** Serving means an authenticated PING answers PONG: a server still loading its data answers LOADING. */
async function waitUntilServing(instance: GeneratedInstance, port: number, proc: RunningProcess): Promise<void> {
  await waitFor(`${instance.serverBinary} of ${instance.handle} on port ${port} to serve (log: ${proc.logFile})`, async () => {
    if (proc.child.exitCode !== null) throw new GaveUp(`${instance.serverBinary} exited with ${proc.child.exitCode}: ${proc.log().slice(-2000)}`);
    const client = await connectClient({ port, password: instance.password, username: instance.username, connectTimeout: 2000 });
    try {
      return (await client.ping()) === 'PONG' ? true : undefined;
    } finally {
      client.disconnect();
    }
  }, 30_000);
}

export interface LocalTlsProxy {
  readonly port: number;
  readonly process: RunningProcess;
  readonly configFile: string;
}

/**
 * Runs HAProxy from the generated haproxy.cfg. HAProxy has no command-line
 * override for addresses, so exactly two lines are relocated: the TLS bind
 * (to a free loopback port, with the local PEM path) and the backend server
 * (to the local Redis's socket).
 */
export async function startLocalTlsProxy(instance: GeneratedInstance, redis: LocalRedis, workDir: string, runner: Runner): Promise<LocalTlsProxy> {
  if (instance.tlsProxyConf === undefined || instance.tlsPem === undefined) throw new Error(`${instance.handle} has no TLS sidecar`);
  const dir = path.join(workDir, `${instance.handle}-tls`);
  fs.mkdirSync(dir, { recursive: true });
  const pemFile = path.join(dir, 'server.pem');
  fs.writeFileSync(pemFile, instance.tlsPem, { mode: 0o600 });
  // The sidecar reads its root-owned 0640 PEM through group root; a process started here has no supplementary group, so it owns the file.
  fs.chownSync(pemFile, HAPROXY_USER.uid, HAPROXY_USER.gid);
  const template = instance.tlsProxyConf;
  return onFreePorts(1, async ([port]) => {
    const where = `haproxy.cfg of ${instance.handle}-tls`;
    let cfg = template;
    cfg = replaceExactlyOnce(where, cfg, /^    bind :6380 ssl crt \/usr\/local\/etc\/haproxy\/certs\/server\.pem$/, `    bind 127.0.0.1:${port} ssl crt ${pemFile}`);
    if (!redis.socketPath) throw new Error(`redis.conf of ${instance.handle} has no unixsocket for the sidecar`);
    cfg = replaceExactlyOnce(where, cfg, /^    server redis unix@\/run\/redis\/redis\.sock$/, `    server redis unix@${redis.socketPath}`);
    const configFile = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(configFile, cfg);
    const proc = runner.start(`haproxy-${instance.handle}`, ['haproxy', '-W', '-db', '-f', configFile], dir, HAPROXY_USER, workDir);
    await waitFor(`haproxy on port ${port} (log: ${proc.logFile})`, async () => {
      if (proc.child.exitCode !== null) throw new GaveUp(`haproxy exited with ${proc.child.exitCode}: ${proc.log().slice(-2000)}`);
      return (await tcpAccepts(port)) ? true : undefined;
    }, 30_000);
    return { port, process: proc, configFile };
  });
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
