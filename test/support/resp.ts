import * as net from 'net';
import * as tls from 'tls';

/** A RESP reply: simple strings and integers as JS values, errors as RedisReplyError, arrays nested. */
export type Reply = string | number | null | RedisReplyError | Reply[];

export class RedisReplyError {
  constructor(public readonly message: string) {}
  public toString(): string {
    return this.message;
  }
}

function encode(args: Array<string | number>): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) {
    const s = String(arg);
    parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, offset: number): { value: Reply; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RedisReplyError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export interface ConnectOptions {
  readonly port: number;
  readonly host?: string;
  /** Connect with TLS, verifying the certificate against `ca` for `servername`. */
  readonly tls?: { readonly ca?: string; readonly servername: string; readonly minVersion?: tls.SecureVersion };
  readonly timeoutMs?: number;
}

/**
 * A minimal Redis client for tests: pipelined commands, replies in order,
 * every wait bounded by `timeoutMs`.
 */
export class RespClient {
  public static async connect(options: ConnectOptions): Promise<RespClient> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? 10_000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const s = options.tls
        ? tls.connect({ host, port: options.port, ca: options.tls.ca, servername: options.tls.servername, minVersion: options.tls.minVersion }, () => resolve(s))
        : net.connect({ host, port: options.port }, () => resolve(s));
      s.once('error', onError);
      s.setTimeout(timeoutMs, () => s.destroy(new Error(`connect to ${host}:${options.port} timed out after ${timeoutMs} ms`)));
    });
    socket.setTimeout(0);
    return new RespClient(socket, timeoutMs);
  }

  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private closedError?: Error;

  private constructor(private readonly socket: net.Socket, private readonly timeoutMs: number) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      let parsed = parse(this.buffer, 0);
      while (parsed) {
        this.buffer = this.buffer.subarray(parsed.next);
        this.waiting.shift()?.resolve(parsed.value);
        parsed = parse(this.buffer, 0);
      }
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  /** Sends several commands at once and returns their replies in order. */
  public async pipeline(commands: Array<Array<string | number>>): Promise<Reply[]> {
    if (this.closedError) throw this.closedError;
    const replies = commands.map(
      () => new Promise<Reply>((resolve, reject) => this.waiting.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encode)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply within ${this.timeoutMs} ms to ${commands[0][0]}`)), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.all(replies), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  public async command(...args: Array<string | number>): Promise<Reply> {
    return (await this.pipeline([args]))[0];
  }

  public close(): void {
    this.socket.destroy();
  }
}

/** Parses the `field:value` lines of an INFO reply. */
export function parseInfo(reply: Reply): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of String(reply).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) info[line.slice(0, i)] = line.slice(i + 1);
  }
  return info;
}
