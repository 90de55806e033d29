import * as fs from 'fs';
import * as path from 'path';
import { GeneratedInstance } from './generated';
import { freePort, RunningProcess, startProcess, waitFor } from './processes';
import { RedisReplyError, RespClient } from './resp';

const REDIS_USER = { uid: 999, gid: 999 };

export interface LocalRedis {
  readonly instance: GeneratedInstance;
  readonly port: number;
  /** The Unix socket, when the generated config has one (for the TLS sidecar). */
  readonly socketPath?: string;
  /** The native TLS port, when the generated config has one. */
  readonly tlsPort?: number;
  readonly dataDir: string;
  readonly confFile: string;
  process: RunningProcess;
  /** Starts it again from the same config and data dir, on the same port. */
  restart(): Promise<void>;
}

/**
 * Runs redis-server from the generated redis.conf. Only what must differ
 * outside a container is overridden: the port and binding to loopback on the
 * command line (which Redis applies after the file), and the data dir in the
 * file itself, because Redis changes into the file's `dir /data` before it
 * reads the command line and stops when that directory does not exist.
 */
export async function startLocalRedis(instance: GeneratedInstance, workDir: string, extraArgs: string[] = []): Promise<LocalRedis> {
  const dir = path.join(workDir, instance.handle);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const confFile = path.join(dir, 'redis.conf');
  const conf = replaceExactlyOnce(`redis.conf of ${instance.handle}`, instance.redisConf, /^dir \/data$/, `dir ${dataDir}`);
  fs.writeFileSync(confFile, conf, { mode: 0o600 });
  const port = await freePort();
  const args = [confFile, '--port', String(port), '--bind', '127.0.0.1'];
  const socketPath = /^unixsocket /m.test(conf) ? path.join(dir, 'redis.sock') : undefined;
  if (socketPath) args.push('--unixsocket', socketPath);
  let tlsPort: number | undefined;
  if (instance.nativeTlsFiles) {
    // Redis reads the TLS files after the whole configuration, command line included.
    tlsPort = await freePort();
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
  // As in the container: Redis runs as uid and gid 999 and owns its files.
  for (const file of [dir, ...fs.readdirSync(dir).map((f) => path.join(dir, f))]) fs.chownSync(file, REDIS_USER.uid, REDIS_USER.gid);
  const launch = async () => {
    const proc = startProcess(`redis-${instance.handle}`, 'redis-server', args, dir, REDIS_USER);
    await waitUntilAnswering(port, proc);
    return proc;
  };
  const redis: LocalRedis = {
    instance,
    port,
    socketPath,
    tlsPort,
    dataDir,
    confFile,
    process: await launch(),
    restart: async () => {
      redis.process = await launch();
    },
  };
  return redis;
}

async function waitUntilAnswering(port: number, proc: RunningProcess): Promise<void> {
  await waitFor(`redis-server on port ${port} to answer (log: ${proc.logFile})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`redis-server exited with ${proc.child.exitCode}: ${proc.log().slice(-2000)}`);
    const client = await RespClient.connect({ port, timeoutMs: 2000 });
    try {
      const reply = await client.command('PING');
      // NOAUTH proves it serves requests; LOADING means not yet.
      return reply instanceof RedisReplyError && reply.message.startsWith('LOADING') ? undefined : true;
    } finally {
      client.close();
    }
  });
}

export interface LocalTlsProxy {
  readonly port: number;
  readonly process: RunningProcess;
  readonly configFile: string;
}

function replaceExactlyOnce(file: string, text: string, line: RegExp, replacement: string): string {
  const count = (text.match(new RegExp(line.source, 'gm')) ?? []).length;
  if (count !== 1) throw new Error(`${file}: expected exactly one line matching ${line}, found ${count}`);
  return text.replace(new RegExp(line.source, 'm'), replacement);
}

/**
 * Runs HAProxy from the generated haproxy.cfg. HAProxy has no command-line
 * override for addresses, so exactly two lines are relocated: the TLS bind
 * (to a free loopback port, with the local PEM path) and the backend server
 * (to the local Redis's socket).
 */
export async function startLocalTlsProxy(instance: GeneratedInstance, redis: LocalRedis, workDir: string): Promise<LocalTlsProxy> {
  if (instance.tlsProxyConf === undefined || instance.tlsPem === undefined) throw new Error(`${instance.handle} has no TLS sidecar`);
  const dir = path.join(workDir, `${instance.handle}-tls`);
  fs.mkdirSync(dir, { recursive: true });
  const pemFile = path.join(dir, 'server.pem');
  fs.writeFileSync(pemFile, instance.tlsPem, { mode: 0o600 });
  const port = await freePort();
  const where = `haproxy.cfg of ${instance.handle}-tls`;
  let cfg = instance.tlsProxyConf;
  cfg = replaceExactlyOnce(where, cfg, /^    bind :6380 ssl crt \/usr\/local\/etc\/haproxy\/certs\/server\.pem$/, `    bind 127.0.0.1:${port} ssl crt ${pemFile}`);
  if (!redis.socketPath) throw new Error(`redis.conf of ${instance.handle} has no unixsocket for the sidecar`);
  cfg = replaceExactlyOnce(where, cfg, /^    server redis unix@\/run\/redis\/redis\.sock$/, `    server redis unix@${redis.socketPath}`);
  const configFile = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(configFile, cfg);
  const proc = startProcess(`haproxy-${instance.handle}`, 'haproxy', ['-W', '-db', '-f', configFile], dir);
  await waitFor(`haproxy on port ${port} (log: ${proc.logFile})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`haproxy exited with ${proc.child.exitCode}: ${proc.log().slice(-2000)}`);
    const socket = await RespClient.connect({ port, timeoutMs: 1000 });
    socket.close();
    return true;
  });
  return { port, process: proc, configFile };
}
