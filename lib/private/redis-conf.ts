import { EngineName, engineFeatures, engineFiles } from './engine';
import { ADMIN_SWITCHES, adminSwitchLines } from './server-hardening';
import { TLS12_CIPHERS, TLS13_SUITES } from './tls-policy';

/**
 * Renders redis.conf from plain data. Pure and deterministic: the same input
 * always gives the same text, so a plan only changes when the configuration does.
 *
 * Redis refuses to start on a directive it does not know, so everything that
 * differs between releases is decided here from the engine and its version.
 */

export interface SavePointData {
  readonly afterSeconds: number;
  readonly minChanges: number;
}

export interface ReplicaOfData {
  /**
   * The primary; left out for a failover group's node, whose role is decided
   * when it starts (see lib/failover/node-startup.ts) and by Sentinel, never
   * by this file.
   */
  readonly host?: string;
  /** A number, or the text of a port Terraform knows only at apply time. */
  readonly port?: number | string;
  /** Replicate over TLS (`tls-replication yes`): needs `tls`, whose CA file then verifies the primary. */
  readonly tls?: boolean;
  /** The primary's replication user (`masteruser`); none before Redis 6, which has no users. */
  readonly user?: string;
  readonly password: string;
}

/**
 * How clients authenticate: one password (`requirepass`, before Redis 6) or
 * an ACL file of users (6.0 and later), where `requirepass` would be ignored.
 */
export interface ConfAuthData {
  readonly requirepass?: string;
  readonly aclFile?: string;
}

/** Native TLS (Redis 6.0+): files inside the container. */
export interface NativeTlsData {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** Where peers on other hosts reach this instance (`replica-announce-ip` / `-port`). */
export interface AnnounceData {
  readonly ip: string;
  readonly port: number;
}

export interface UnixSocketData {
  readonly path: string;
  /** Octal permissions, such as `770`. */
  readonly permissions: string;
}

export interface RedisConfInput {
  /** Catalog name, for the header only, such as `7.2-nordb`. */
  readonly versionName: string;
  readonly engine: EngineName;
  readonly major: number;
  readonly minor: number;
  /**
   * Memory-only flavor: full syncs then go over the socket, never through the
   * data dir, which is a tmpfs counted against the container's memory limit.
   */
  readonly memoryOnly: boolean;
  readonly port: number;
  readonly dataDir: string;
  readonly auth: ConfAuthData;
  /** Empty means no RDB snapshots at all (`save ""`). */
  readonly savePoints: readonly SavePointData[];
  readonly appendOnly: boolean;
  readonly maxmemoryMb: number;
  readonly maxmemoryPolicy: string;
  readonly replicaOf?: ReplicaOfData;
  readonly announce?: AnnounceData;
  readonly tls?: NativeTlsData;
  /** A Unix socket beside the TCP port, for a TLS sidecar in another container. */
  readonly unixSocket?: UnixSocketData;
  /** Further directives, rendered sorted by name after the owned ones. */
  readonly extraDirectives: Readonly<Record<string, string>>;
}

/**
 * Directives the constructs decide themselves. A user value for one of them
 * would either be overwritten or contradict what the construct promises (for
 * example a second `save` line on a memory-only flavor).
 */
export const OWNED_DIRECTIVES: readonly string[] = [
  'port', 'bind', 'dir', 'dbfilename', 'requirepass', 'masterauth', 'masteruser', 'primaryauth', 'primaryuser', 'save', 'appendonly',
  'appendfsync', 'appendfilename', 'replicaof', 'slaveof', 'replica-read-only', 'slave-read-only',
  'maxmemory', 'maxmemory-policy', 'include', 'daemonize', 'pidfile', 'logfile', 'aclfile', 'user',
  'unixsocket', 'unixsocketperm', 'replica-announce-ip', 'replica-announce-port', 'slave-announce-ip', 'slave-announce-port',
  'protected-mode',
];

function quoteConfValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function authLines(input: RedisConfInput): string[] {
  const { requirepass, aclFile } = input.auth;
  if ((requirepass === undefined) === (aclFile === undefined)) throw new Error('give exactly one of requirepass and aclFile');
  if (requirepass !== undefined) return [`requirepass ${quoteConfValue(requirepass)}`];
  if (!engineFeatures(input).acl) throw new Error(`ACL users need Redis 6.0 or later, got ${input.versionName}`);
  // Redis 6.2 gives new users every Pub/Sub channel; 7.0 and Valkey give none
  // unless a rule grants them, which is what least privilege wants everywhere.
  const channels = engineFeatures(input).allChannelsByDefault ? ['acl-pubsub-default resetchannels'] : [];
  return [`aclfile ${aclFile}`, ...channels];
}

/** The directive that makes a server a replica: `slaveof` on Redis 4.0, `replicaof` since. */
export function replicaOfLine(release: { engine: EngineName; major: number; minor: number }, host: string, port: number | string): string {
  return `${engineFeatures(release).legacyReplicaDirectives ? 'slaveof' : 'replicaof'} ${host} ${port}`;
}

export function renderRedisConf(input: RedisConfInput): string {
  const features = engineFeatures(input);
  const lines: string[] = [
    `# ${input.engine}.conf for ${engineFiles(input).productName} ${input.versionName.replace(/^valkey-/, '')}, generated by cdktf-docker-redis.`,
    '# Changing it replaces the container: edit the construct props, not this file.',
    `port ${input.port}`,
    `dir ${input.dataDir}`,
    'dbfilename dump.rdb',
    'logfile ""',
    'loglevel notice',
    ...authLines(input),
    // No client, `default` included, may move dir/dbfilename, run DEBUG or load a module (server-hardening.ts).
    ...adminSwitchLines(input),
    `maxmemory ${input.maxmemoryMb}mb`,
    `maxmemory-policy ${input.maxmemoryPolicy}`,
  ];

  if (input.savePoints.length === 0) {
    lines.push('save ""');
  } else {
    // One pair per line: before 7.0 Redis reads only the first pair of a `save` line.
    for (const point of input.savePoints) {
      lines.push(`save ${point.afterSeconds} ${point.minChanges}`);
    }
  }

  if (input.appendOnly) {
    lines.push('appendonly yes', 'appendfsync everysec', 'appendfilename "appendonly.aof"');
  } else {
    lines.push('appendonly no');
  }

  if (input.memoryOnly) {
    // A primary sends the snapshot over the socket instead of writing it to
    // the data dir first (the default before 7.0), and a replica loads it from
    // the socket when it holds no data yet (6.0+).
    lines.push('repl-diskless-sync yes');
    if (features.disklessLoad) lines.push('repl-diskless-load on-empty-db');
  }

  if (input.replicaOf) {
    const legacy = features.legacyReplicaDirectives;
    lines.push(
      ...(input.replicaOf.host === undefined ? [] : [replicaOfLine(input, input.replicaOf.host, input.replicaOf.port!)]),
      ...(input.replicaOf.user === undefined ? [] : [`masteruser ${input.replicaOf.user}`]),
      `masterauth ${quoteConfValue(input.replicaOf.password)}`,
      `${legacy ? 'slave-read-only' : 'replica-read-only'} yes`,
    );
    if (input.replicaOf.tls) {
      if (!input.tls) throw new Error('tls-replication needs native TLS (tls-cert-file, tls-ca-cert-file)');
      lines.push('tls-replication yes');
    }
  }

  if (input.announce) {
    const prefix = features.legacyReplicaDirectives ? 'slave' : 'replica';
    lines.push(`${prefix}-announce-ip ${input.announce.ip}`, `${prefix}-announce-port ${input.announce.port}`);
  }

  if (input.unixSocket) {
    lines.push(`unixsocket ${input.unixSocket.path}`, `unixsocketperm ${input.unixSocket.permissions}`);
  }

  if (input.tls) {
    if (!features.nativeTls) throw new Error(`native TLS needs Redis 6.0 or later, got ${input.versionName}`);
    lines.push(
      `tls-port ${input.tls.port}`,
      `tls-cert-file ${input.tls.certFile}`,
      `tls-key-file ${input.tls.keyFile}`,
      `tls-ca-cert-file ${input.tls.caFile}`,
      // Clients authenticate with the password, not with certificates.
      'tls-auth-clients no',
      'tls-protocols "TLSv1.2 TLSv1.3"',
      `tls-ciphers ${TLS12_CIPHERS}`,
      `tls-ciphersuites ${TLS13_SUITES}`,
      'tls-prefer-server-ciphers yes',
    );
  }

  for (const name of Object.keys(input.extraDirectives).sort()) {
    // Checked to be `no`, which the switch lines above already say.
    if (ADMIN_SWITCHES.includes(name)) continue;
    lines.push(`${name} ${input.extraDirectives[name]}`);
  }

  return lines.join('\n') + '\n';
}
