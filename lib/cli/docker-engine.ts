import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { Duplex } from 'stream';

/**
 * A small Docker Engine API client for the CLI: the engine `DOCKER_HOST`
 * names (`unix://`, `tcp://` with TLS when `DOCKER_TLS_VERIFY` is set and
 * the certificates in `DOCKER_CERT_PATH`, or `ssh://` through the remote
 * docker CLI's `docker system dial-stdio`, as the docker CLI reaches each), or
 * the local socket.
 */

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
/** The newest API version this client was written against; an older engine's own version is used instead. */
const CLIENT_API_VERSION = '1.43';

export interface EngineResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

function compareApiVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

interface Endpoint {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer };
  /** The arguments of `ssh` that connect to the remote engine. */
  readonly ssh?: readonly string[];
}

export function endpointOf(host: string, env: NodeJS.ProcessEnv): Endpoint {
  const unix = /^unix:\/\/(\/.+)$/.exec(host);
  if (unix) return { socketPath: unix[1] };
  // The docker CLI's own way to an ssh:// engine: the user's ssh, its config and keys, running the remote
  // docker CLI, which connects its stdin and stdout to the remote engine.
  const ssh = /^ssh:\/\/(?:([^@:/]+)@)?([^@:/[\]]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (ssh) {
    const [, user, hostname, port] = ssh;
    return { ssh: [...(user ? ['-l', user] : []), ...(port ? ['-p', port] : []), '-o', 'ConnectTimeout=30', '-T', '--', hostname.replace(/^\[|\]$/g, ''), 'docker', 'system', 'dial-stdio'] };
  }
  const tcp = /^tcp:\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (!tcp) throw new Error(`DOCKER_HOST "${host}" is not supported: give unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]`);
  // Without a port, the docker CLI's defaults: 2376 with TLS, 2375 without.
  const port = tcp[2] !== undefined ? Number(tcp[2]) : env.DOCKER_TLS_VERIFY ? 2376 : 2375;
  if (!env.DOCKER_TLS_VERIFY) return { host: tcp[1].replace(/^\[|\]$/g, ''), port };
  const dir = env.DOCKER_CERT_PATH ?? path.join(env.HOME ?? '', '.docker');
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(dir, file));
    } catch (e) {
      throw new Error(`DOCKER_TLS_VERIFY is set but ${path.join(dir, file)} cannot be read (${(e as Error).message}): set DOCKER_CERT_PATH to the directory of ca.pem, cert.pem and key.pem`);
    }
  };
  return { host: tcp[1].replace(/^\[|\]$/g, ''), port, tls: { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } };
}

export class DockerEngine {
  /** The engine from the environment, as the docker CLI picks it. */
  public static fromEnvironment(env: NodeJS.ProcessEnv = process.env): DockerEngine {
    return new DockerEngine(env.DOCKER_HOST || DEFAULT_HOST, env);
  }

  private readonly endpoint: Endpoint;
  private version?: string;

  constructor(public readonly host: string, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = endpointOf(host, env);
  }

  private request(method: string, urlPath: string, options: { body?: unknown; timeoutMs?: number; onData?: (chunk: Buffer) => void } = {}): Promise<EngineResponse> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const ssh = this.endpoint.ssh ? sshConnection(this.endpoint.ssh) : undefined;
      const connection: https.RequestOptions = ssh
        ? { createConnection: () => ssh.stream }
        : { socketPath: this.endpoint.socketPath, host: this.endpoint.host, port: this.endpoint.port, ...this.endpoint.tls, agent: false };
      const requestOptions: https.RequestOptions = {
        ...connection,
        method,
        path: urlPath,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
        timeout: timeoutMs,
      };
      const req = (this.endpoint.tls ? https : http).request(requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => (options.onData ? options.onData(chunk) : chunks.push(chunk)));
        res.on('end', () => {
          void ssh?.close();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath.replace(/\?.*/, '')} on ${this.host} did not answer within ${timeoutMs / 1000} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (ssh) {
          void ssh.close().then((why) => reject(new Error(`cannot reach the Docker engine at ${this.host} through ssh (${why || e.message}): \`ssh ${this.endpoint.ssh!.join(' ')}\` must work from here`)));
        } else if (['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND'].includes(e.code ?? '')) {
          const hint = e.code === 'EACCES' ? 'run as root or as a member of the docker group' : 'is Docker running there? DOCKER_HOST selects another engine';
          reject(new Error(`cannot reach the Docker engine at ${this.host} (${e.code}): ${hint}`));
        } else {
          reject(e);
        }
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** The API version both speak: the engine's, unless it is newer than this client. */
  private async apiPrefix(): Promise<string> {
    if (this.version === undefined) {
      const ping = await this.request('GET', '/_ping', { timeoutMs: 10_000 });
      if (ping.status !== 200) throw new Error(`the Docker engine at ${this.host} answered /_ping with HTTP ${ping.status}`);
      const offered = ping.headers['api-version'];
      const version = typeof offered === 'string' && /^\d+\.\d+$/.test(offered) ? offered : '1.24';
      this.version = compareApiVersions(version, CLIENT_API_VERSION) < 0 ? version : CLIENT_API_VERSION;
    }
    return `/v${this.version}`;
  }

  public async call(method: string, urlPath: string, options: { body?: unknown; timeoutMs?: number; onData?: (chunk: Buffer) => void } = {}): Promise<EngineResponse> {
    return this.request(method, `${await this.apiPrefix()}${urlPath}`, options);
  }

  /** A call that must succeed, answered with JSON. */
  public async json(method: string, urlPath: string, body?: unknown): Promise<any> {
    const res = await this.call(method, urlPath, { body });
    if (res.status >= 300) throw new Error(`${method} ${urlPath.replace(/\?.*/, '')} on ${this.host}: HTTP ${res.status} ${errorMessage(res)}`);
    return res.body.length > 0 ? JSON.parse(res.body.toString('utf8')) : undefined;
  }

  /** The inspection of a container, or undefined when there is none by that name. */
  public async container(name: string): Promise<any | undefined> {
    const res = await this.call('GET', `/containers/${encodeURIComponent(name)}/json`);
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new Error(`inspecting container ${name} on ${this.host}: HTTP ${res.status} ${errorMessage(res)}`);
    return JSON.parse(res.body.toString('utf8'));
  }

  public async volumeExists(name: string): Promise<boolean> {
    const res = await this.call('GET', `/volumes/${encodeURIComponent(name)}`);
    if (res.status >= 300 && res.status !== 404) throw new Error(`inspecting volume ${name} on ${this.host}: HTTP ${res.status} ${errorMessage(res)}`);
    return res.status < 300;
  }

  /**
   * Runs `command` in a running container, passing its output on line by
   * line as it comes; resolves with its exit code.
   */
  public async exec(container: string, command: string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void, timeoutMs: number): Promise<number> {
    const created = await this.json('POST', `/containers/${encodeURIComponent(container)}/exec`, { Cmd: command, AttachStdout: true, AttachStderr: true });
    const pending: Record<number, string> = { 1: '', 2: '' };
    let buffer = Buffer.alloc(0);
    const emit = (kind: number, text: string, flush: boolean) => {
      const lines = (pending[kind] + text).split('\n');
      pending[kind] = flush ? '' : lines.pop()!;
      for (const line of lines.filter((l, i) => !flush || i < lines.length - 1 || l !== '')) onLine(line, kind === 2 ? 'stderr' : 'stdout');
    };
    // The output is multiplexed: frames of an 8-byte header (stream, 0, 0, 0, length) and the payload.
    const started = await this.call('POST', `/exec/${created.Id}/start`, {
      body: { Detach: false, Tty: false },
      timeoutMs,
      onData: (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 8 && buffer.length >= 8 + buffer.readUInt32BE(4)) {
          const size = buffer.readUInt32BE(4);
          emit(buffer[0], buffer.subarray(8, 8 + size).toString('utf8'), false);
          buffer = buffer.subarray(8 + size);
        }
      },
    });
    if (started.status >= 300) throw new Error(`starting ${command.join(' ')} in ${container}: HTTP ${started.status}`);
    emit(1, '', true);
    emit(2, '', true);
    const inspected = await this.json('GET', `/exec/${created.Id}/json`);
    if (inspected.Running) throw new Error(`${command.join(' ')} in ${container} was still running when its output ended`);
    return inspected.ExitCode;
  }

  /** Size of a file in a container's filesystem or mounts, or undefined when it is missing. */
  public async fileSize(container: string, file: string): Promise<number | undefined> {
    const res = await this.call('HEAD', `/containers/${encodeURIComponent(container)}/archive?path=${encodeURIComponent(file)}`);
    if (res.status === 404) return undefined;
    const stat = res.headers['x-docker-container-path-stat'];
    if (res.status >= 300 || typeof stat !== 'string') throw new Error(`reading ${file} in ${container}: HTTP ${res.status}`);
    return JSON.parse(Buffer.from(stat, 'base64').toString('utf8')).size;
  }

  /**
   * The content of one file in a container's filesystem or mounts, passed on
   * in chunks (a backup may be gigabytes); resolves false when it is missing.
   * The engine sends it as a tar archive of that one file.
   */
  public async readFile(container: string, file: string, onData: (chunk: Buffer) => void): Promise<boolean> {
    const tar = new SingleFileTar(onData);
    const res = await this.call('GET', `/containers/${encodeURIComponent(container)}/archive?path=${encodeURIComponent(file)}`, {
      timeoutMs: 3_600_000,
      onData: (chunk) => tar.write(chunk),
    });
    if (res.status === 404) return false;
    if (res.status >= 300) throw new Error(`reading ${file} in ${container}: HTTP ${res.status}`);
    tar.end(file);
    return true;
  }
}

/**
 * One `ssh … docker system dial-stdio` for one request, as the docker CLI
 * opens one per connection. `close` ends it and resolves, once ssh is gone,
 * with the last line it wrote to stderr: the reason when it failed.
 */
function sshConnection(args: readonly string[]): { stream: Duplex; close: () => Promise<string> } {
  const child = spawn('ssh', [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const gone = new Promise<void>((resolve) => {
    child.on('close', () => resolve());
    child.on('error', (e) => {
      stderr += `\nssh: ${e.message}`;
      resolve();
    });
  });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  return {
    stream,
    close: async () => {
      stream.destroy();
      child.kill();
      await gone;
      return stderr.trim().split('\n').pop() ?? '';
    },
  };
}

function errorMessage(res: EngineResponse): string {
  try {
    return JSON.parse(res.body.toString('utf8')).message ?? '';
  } catch {
    return res.body.toString('utf8').slice(0, 300);
  }
}

/**
 * Reads the first regular file of a tar stream (ustar, with the PAX records
 * Go's archive/tar writes for sizes past 8 GiB) and passes its content on.
 */
export class SingleFileTar {
  private header = Buffer.alloc(0);
  /** Bytes of the current entry still to come, and the padding to the next 512-byte block after them. */
  private remaining = 0;
  private padding = 0;
  private mode: 'header' | 'skip' | 'content' | 'done' = 'header';
  private extension: Buffer[] = [];
  private paxSize?: number;

  constructor(private readonly onData: (chunk: Buffer) => void) {}

  public write(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0 && this.mode !== 'done') {
      if (this.mode === 'header') {
        const need = 512 - this.header.length;
        this.header = Buffer.concat([this.header, data.subarray(0, need)]);
        data = data.subarray(need);
        if (this.header.length === 512) this.startEntry();
      } else if (this.remaining > 0) {
        const part = data.subarray(0, Math.min(this.remaining, data.length));
        if (this.mode === 'content') this.onData(part);
        else this.extension.push(part);
        this.remaining -= part.length;
        data = data.subarray(part.length);
        if (this.remaining === 0 && this.mode === 'content') this.mode = 'done';
      } else {
        const skip = Math.min(this.padding, data.length);
        this.padding -= skip;
        data = data.subarray(skip);
      }
      if (this.mode === 'skip' && this.remaining === 0 && this.padding === 0) this.endExtension();
    }
  }

  public end(file: string): void {
    if (this.mode !== 'done') throw new Error(`the engine's archive of ${file} ended before the file did`);
  }

  private startEntry(): void {
    const header = this.header;
    this.header = Buffer.alloc(0);
    if (header.every((b) => b === 0)) {
      this.mode = 'done';
      return;
    }
    const type = String.fromCharCode(header[156]);
    const size = this.paxSize ?? tarNumber(header.subarray(124, 136));
    this.paxSize = undefined;
    this.remaining = size;
    this.padding = (512 - (size % 512)) % 512;
    this.mode = type === '0' || type === '\0' ? 'content' : 'skip';
    this.extension = [];
    if (this.mode === 'content' && size === 0) this.mode = 'done';
    else if (this.mode === 'skip' && size === 0) this.endExtension();
  }

  /** After an entry that is not the file: a PAX record may give the next entry's size. */
  private endExtension(): void {
    const size = /(?:^|\n)\d+ size=(\d+)\n/.exec(Buffer.concat(this.extension).toString('utf8'));
    if (size) this.paxSize = Number(size[1]);
    this.extension = [];
    this.mode = 'header';
  }
}

/** A tar number field: octal text, or base-256 when its first byte has the high bit set. */
function tarNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}
