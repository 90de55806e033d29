/**
 * A Docker Engine API client as the provider's is configured: one per `host`,
 * negotiating the API version on first use (the Go client's
 * WithAPIVersionNegotiation, config.go), never pinning one a newer engine
 * refuses.
 */
import * as http from 'http';

/**
 * API version of the Go client the provider is built with (github.com/docker/docker
 * v28.1.1 in its go.mod): negotiation never goes above it.
 */
export const PROVIDER_CLIENT_API_VERSION = '1.49';
/** What the Go client assumes when the engine's ping names no version. */
const FALLBACK_API_VERSION = '1.24';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface EngineResponse {
  readonly status: number;
  readonly body: any;
}

function compareApiVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

export class Engine {
  private negotiated?: Promise<string>;
  readonly socketPath: string;

  constructor(readonly host: string) {
    const m = /^unix:\/\/(\/.+)$/.exec(host);
    if (!m) throw new Error(`docker provider host ${host}: the stand-in reaches engines over unix:// sockets only`);
    this.socketPath = m[1];
  }

  /** The API version both sides speak: the engine's, unless it is newer than the provider's client. */
  apiVersion(): Promise<string> {
    this.negotiated ??= this.raw('GET', '/_ping', undefined, 'application/json', 10_000).then((res) => {
      if (res.status !== 200) throw new Error(`engine at ${this.host} answered /_ping with HTTP ${res.status}`);
      const offered = res.headers['api-version'];
      const version = typeof offered === 'string' && /^\d+\.\d+$/.test(offered) ? offered : FALLBACK_API_VERSION;
      return compareApiVersions(version, PROVIDER_CLIENT_API_VERSION) < 0 ? version : PROVIDER_CLIENT_API_VERSION;
    }).catch((e) => {
      this.negotiated = undefined;
      throw e;
    });
    return this.negotiated;
  }

  private raw(method: string, path: string, payload: Buffer | undefined, contentType: string, timeoutMs: number):
    Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          // A connection per request, as the provider's transport (keep-alives disabled, config.go).
          agent: false,
          method,
          path,
          headers: payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {},
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path.replace(/\?.*/, '')} on ${this.host} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** One API call, bounded in time; the answer as parsed JSON when it is JSON. */
  async call(method: string, path: string, options: { body?: unknown; tar?: Buffer; timeoutMs?: number } = {}): Promise<EngineResponse> {
    const version = await this.apiVersion();
    const payload = options.tar ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
    const res = await this.raw(method, `/v${version}${path}`, payload, options.tar ? 'application/x-tar' : 'application/json', options.timeoutMs ?? 60_000);
    let body: any = res.text;
    try {
      body = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      // Some endpoints answer plain text.
    }
    return { status: res.status, body };
  }

  /** An API call that must succeed. Error texts name the path without its query, never a request body. */
  async ok(method: string, path: string, options: { body?: unknown; tar?: Buffer; timeoutMs?: number } = {}): Promise<any> {
    const res = await this.call(method, path, options);
    if (res.status >= 300) {
      const message = typeof res.body === 'object' && res.body?.message ? res.body.message : String(res.body).slice(0, 300);
      throw new Error(`${method} ${path.replace(/\?.*/, '')} on ${this.host}: HTTP ${res.status} ${message}`);
    }
    return res.body;
  }
}

const engines = new Map<string, Engine>();

/** One client per host, as the provider keeps one per provider configuration. */
export function engineFor(host: string): Engine {
  let engine = engines.get(host);
  if (!engine) {
    engine = new Engine(host);
    engines.set(host, engine);
  }
  return engine;
}
