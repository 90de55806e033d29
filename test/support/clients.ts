import * as net from 'net';
import Redis, { RedisOptions } from 'ioredis';
import { createClient } from 'redis';
import { waitFor } from './processes';

export { Redis };

/**
 * ioredis, the client most Node.js apps use, set up for tests: no retries,
 * no offline queue and a bounded connect, so a test fails fast instead of
 * waiting on a reconnect loop.
 */
const TEST_DEFAULTS: RedisOptions = {
  host: '127.0.0.1',
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  connectTimeout: 10_000,
  commandTimeout: 30_000,
};

export async function connectClient(options: RedisOptions): Promise<Redis> {
  return connected(new Redis({ ...TEST_DEFAULTS, ...options }));
}

/** Connects; a failure reports why (a TLS or AUTH error), not only that the connection closed. */
async function connected(client: Redis): Promise<Redis> {
  let cause: Error | undefined;
  client.on('error', (e: Error) => {
    cause ??= e;
  });
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw cause ?? e;
  }
  return client;
}

/**
 * Connects with a credential URL the way an app does, `new Redis(url, { tls:
 * { ca } })`: ioredis itself parses the URL, user, password and TLS scheme.
 */
export async function connectWithUrl(url: string, caCertificatePem?: string): Promise<Redis> {
  const { host: _host, ...defaults } = TEST_DEFAULTS;
  const tls = url.startsWith('rediss:') ? { ca: caCertificatePem } : undefined;
  return connected(new Redis(url, { ...defaults, tls }));
}

function nodeRedisClient(url: string, caCertificatePem?: string) {
  const common = { connectTimeout: 10_000, reconnectStrategy: false as const };
  const socket = url.startsWith('rediss:') ? { ...common, tls: true as const, ca: caCertificatePem } : common;
  return createClient({ url, socket });
}

export type NodeRedisClient = ReturnType<typeof nodeRedisClient>;

/**
 * Connects node-redis (the `redis` package) with a credential URL the way an
 * app does, `createClient({ url, socket: { tls: true, ca } })`: node-redis
 * parses the URL. No reconnects, so a failure surfaces at once.
 */
export async function connectNodeRedisWithUrl(url: string, caCertificatePem?: string): Promise<NodeRedisClient> {
  const client = nodeRedisClient(url, caCertificatePem);
  // connect() rejects with the cause; without a listener the same error would also be thrown as unhandled.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The `field:value` lines of an INFO reply. */
export function parseInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) info[line.slice(0, i)] = line.slice(i + 1);
  }
  return info;
}

/** One `CONFIG GET` value. */
export async function configGet(client: Redis, name: string): Promise<string> {
  const reply = (await client.config('GET', name)) as string[];
  return reply[1];
}

/**
 * The server's first reply to one inline command on a fresh connection, with
 * no client library in between: what a server says to a peer that has not
 * authenticated (ioredis itself opens with HELLO, which such a server refuses).
 */
export function firstReplyTo(port: number, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(`${command}\r\n`));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply to ${command.split(' ')[0]} within ${timeoutMs} ms`)));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

/** Waits, at most `timeoutMs`, until a client from `connect` answers PING; each try's client is closed again. */
export async function waitForPong(what: string, connect: () => Promise<Redis>, timeoutMs: number): Promise<void> {
  await waitFor(what, async () => {
    const client = await connect();
    try {
      return (await client.ping()) === 'PONG' ? true : undefined;
    } finally {
      client.disconnect();
    }
  }, timeoutMs, 250);
}

/** The message a promise is rejected with, or `no error`. */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
