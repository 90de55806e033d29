import { Annotations, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Password } from '@cdktf/provider-random/lib/password';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { MaxmemoryPolicy, RedisCredentials, RedisInstanceOptions, RedisTlsMode, SavePoint } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { imageIdFor } from './images';
import { ensureSettinglessProviders } from './providers';
import { OWNED_DIRECTIVES, ReplicaOfData, renderRedisConf } from './redis-conf';
import {
  DATA_DIR, dockerLabels, NATIVE_TLS_CA_PATH, NATIVE_TLS_CERT_PATH, NATIVE_TLS_KEY_PATH, REDIS_PORT, REDIS_UID, RedisNode, SOCKET_PATH,
  TLS_PEM_PATH, TLS_PORT,
} from './redis-node';
import { claimHandle, claimHostPort } from './stack-registry';
import { generateTlsMaterial, suppliedTlsMaterial, TlsMaterial } from './tls-material';
import { renderTlsProxyConf } from './tls-proxy-conf';
import { HANDLE_PATTERN, HANDLE_RULE, handleFromId, IPV4, isHostname, ProblemList } from './validation';

const DEFAULT_SIZE_GB = 10;
const DEFAULT_CONTAINER_SIZE_MB = 1024;
const MIN_CONTAINER_SIZE_MB = 256;
const DEFAULT_TLS_SIDECAR_IMAGE = 'haproxy:3.2.4';
const DEFAULT_SAVE_SCHEDULE: readonly SavePoint[] = [
  { afterSeconds: 900, minChanges: 1 },
  { afterSeconds: 300, minChanges: 10 },
  { afterSeconds: 60, minChanges: 10000 },
];
const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'];
const PASSWORD_PATTERN = /^[A-Za-z0-9._~-]{16,128}$/;
const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;
const TLS_SIDECAR_MAX_CONNECTIONS = 4096;

/**
 * Share of the container memory Redis may fill. A snapshot or AOF rewrite
 * forks Redis, and every page written during the fork is copied: with
 * persistence on, only half is safe to fill.
 */
function maxmemoryMbFor(containerSizeMb: number, persistent: boolean): number {
  return Math.floor(containerSizeMb * (persistent ? 0.5 : 0.8));
}

/**
 * Redis 6 added users, and clients such as redis-cli then send the URL's
 * username with AUTH even when it is empty, which Redis refuses. Before 6,
 * AUTH takes only a password, so the username must stay empty.
 */
function urlUsernameFor(version: RedisVersion): string {
  return version.isAtLeast(6, 0) ? 'default' : '';
}

/** Everything the two public constructs resolved from their props. */
interface RedisServiceSpec {
  readonly kind: string;
  readonly handle: string;
  readonly version: RedisVersion;
  readonly options: RedisInstanceOptions;
  readonly hostPort?: number;
  readonly hostTlsPort?: number;
  readonly networkName: string;
  readonly replicaOf?: ReplicaOfData;
}

export function resolveHandle(id: string, handle: string | undefined): string {
  return handle ?? handleFromId(id);
}

/** The catalog entry for `name`, or a problem listing the valid names. */
export function lookUpVersion(problems: ProblemList, name: string): RedisVersion | undefined {
  const version = RedisVersion.find(name);
  if (!version) {
    problems.add(`\`version\` must be one of ${RedisVersion.NAMES.join(', ')}, got "${name}"`);
  }
  return version;
}

/**
 * Validates what databases and followers share, records the stack-wide
 * claims (handle, host ports), and adds warnings for risky but legal choices.
 */
export function checkInstanceOptions(
  scope: Construct,
  problems: ProblemList,
  owner: string,
  handle: string,
  version: RedisVersion | undefined,
  options: RedisInstanceOptions,
  hostPort: number | undefined,
  hostTlsPort: number | undefined,
): void {
  problems.matches('handle', handle, HANDLE_PATTERN, HANDLE_RULE);
  claimHandle(scope, handle, owner, problems);
  problems.integerAtLeast('size', options.size, 1, 'GB');
  problems.integerAtLeast('containerSizeMb', options.containerSizeMb, MIN_CONTAINER_SIZE_MB, 'MB');
  problems.port('port', hostPort);
  problems.port('tlsPort', hostTlsPort);
  const hostIp = options.hostIp ?? '0.0.0.0';
  problems.matches('hostIp', hostIp, IPV4, 'an IPv4 address such as 0.0.0.0 or 127.0.0.1');
  claimHostPort(scope, 'port', hostIp, hostPort, owner, problems);
  claimHostPort(scope, 'tlsPort', hostIp, hostTlsPort, owner, problems);

  if (options.hostname !== undefined && !Token.isUnresolved(options.hostname) && !isHostname(options.hostname)) {
    problems.add(`\`hostname\` must be a DNS name or an IPv4 address, got "${options.hostname}"`);
  }
  if (options.password !== undefined && !Token.isUnresolved(options.password) && !PASSWORD_PATTERN.test(options.password)) {
    // The value is a secret: describe it, never echo it.
    problems.add(
      `\`password\` must be 16 to 128 URL-safe characters (A-Z a-z 0-9 . _ ~ -), got a value of ${options.password.length} characters that does not match`,
    );
  }
  const tlsProps = {
    tlsCertificatePem: options.tlsCertificatePem,
    tlsPrivateKeyPem: options.tlsPrivateKeyPem,
    tlsCaCertificatePem: options.tlsCaCertificatePem,
  };
  const givenTls = Object.entries(tlsProps).filter(([, value]) => value !== undefined).map(([name]) => name);
  if (givenTls.length > 0 && givenTls.length < 3) {
    const missing = Object.keys(tlsProps).filter((name) => !givenTls.includes(name));
    problems.add(`\`${givenTls.join('`, `')}\` given without \`${missing.join('`, `')}\`: give all three TLS PEMs or none`);
  }
  if (options.restart !== undefined && !RESTART_POLICIES.includes(options.restart)) {
    problems.add(`\`restart\` must be one of ${RESTART_POLICIES.join(', ')}, got "${options.restart}"`);
  }
  if (options.maxmemoryPolicy !== undefined && !Object.values(MaxmemoryPolicy).includes(options.maxmemoryPolicy)) {
    problems.add(`\`maxmemoryPolicy\` must be one of ${Object.values(MaxmemoryPolicy).join(', ')}, got "${options.maxmemoryPolicy}"`);
  }
  for (const [index, point] of (options.saveSchedule ?? []).entries()) {
    problems.integerAtLeast(`saveSchedule[${index}].afterSeconds`, point.afterSeconds, 1, 'seconds');
    problems.integerAtLeast(`saveSchedule[${index}].minChanges`, point.minChanges, 1, 'changed keys');
  }
  for (const [name, value] of Object.entries(options.config ?? {})) {
    if (OWNED_DIRECTIVES.includes(name.toLowerCase())) {
      problems.add(`\`config\` must not set "${name}": the construct owns it (owned: ${OWNED_DIRECTIVES.join(', ')}); use the construct's props`);
    } else if (!DIRECTIVE_NAME.test(name)) {
      problems.add(`\`config\` directive names must be lowercase redis.conf names such as "timeout", got "${name}"`);
    } else if (!Token.isUnresolved(value) && /[\r\n]/.test(value)) {
      problems.add(`\`config\` value of "${name}" must be a single line`);
    }
  }

  if (options.tlsMode !== undefined && !Object.values(RedisTlsMode).includes(options.tlsMode)) {
    problems.add(`\`tlsMode\` must be one of ${Object.values(RedisTlsMode).join(', ')}, got "${options.tlsMode}"`);
  }

  if (!version) return;
  if (options.tlsMode === RedisTlsMode.NATIVE && !version.isAtLeast(6, 0)) {
    problems.add(`\`tlsMode\` "native" needs Redis 6.0 or later, got "${version.name}"; use the default sidecar`);
  }
  if (!version.persistent) {
    if (options.appendOnly) {
      problems.add(`\`appendOnly\` needs a persistent version, got memory-only "${version.name}"; use "${version.engineVersion}"`);
    }
    if (options.saveSchedule !== undefined && options.saveSchedule.length > 0) {
      problems.add(`\`saveSchedule\` needs a persistent version, got memory-only "${version.name}"; use "${version.engineVersion}"`);
    }
    if (options.enforceSize) {
      problems.add(`\`enforceSize\` needs a persistent version: memory-only "${version.name}" has a tmpfs of exactly \`size\` GB and no volume`);
    }
  }

  const warn = (message: string) => Annotations.of(scope).addWarning(`${owner}: ${message}`);
  if (version.endOfLife) {
    warn(`Redis ${version.engineVersion} is end of life upstream and gets no security fixes; plan an upgrade`);
  }
  if (version.persistent) {
    if (!options.enforceSize) {
      warn(`the data volume's \`size\` (${options.size ?? DEFAULT_SIZE_GB} GB) is recorded in a label but not enforced; set \`enforceSize\` where Docker's data root is XFS with project quotas`);
    }
    if (options.saveSchedule !== undefined && options.saveSchedule.length === 0 && !options.appendOnly) {
      warn('`saveSchedule` is empty and `appendOnly` is off: nothing is written to disk and a restart loses all data');
    }
    if (options.preventDestroy === false) {
      warn('`preventDestroy` is off: a plan that replaces the data volume deletes the data');
    }
  }
}

function savePointsFor(version: RedisVersion, options: RedisInstanceOptions): readonly SavePoint[] {
  if (!version.persistent) return [];
  return options.saveSchedule ?? DEFAULT_SAVE_SCHEDULE;
}

/** A literal port stays literal: `Token.asString` would mint a token for it. */
function portText(port: number): string {
  return Token.isUnresolved(port) ? Token.asString(port) : String(port);
}

function tlsMaterialFor(scope: Construct, handle: string, hostname: string, options: RedisInstanceOptions): TlsMaterial {
  if (options.tlsCertificatePem !== undefined && options.tlsPrivateKeyPem !== undefined && options.tlsCaCertificatePem !== undefined) {
    return suppliedTlsMaterial(options.tlsCertificatePem, options.tlsPrivateKeyPem, options.tlsCaCertificatePem);
  }
  return generateTlsMaterial(scope, { handle, hostname });
}

/**
 * Builds the resources one database or follower needs once its props are
 * valid: password, TLS material, data volume, the Redis node, credentials and
 * outputs. Child ids are part of the public contract: renaming one replaces
 * live resources.
 */
export function buildRedisService(scope: Construct, spec: RedisServiceSpec): RedisCredentials {
  const { handle, version, options } = spec;
  ensureSettinglessProviders(scope);

  const password = options.password ?? new Password(scope, 'Password', { length: 40, special: false }).result;
  const hostname = options.hostname ?? 'localhost';
  const tls = tlsMaterialFor(scope, handle, hostname, options);
  const size = options.size ?? DEFAULT_SIZE_GB;
  const containerSizeMb = options.containerSizeMb ?? DEFAULT_CONTAINER_SIZE_MB;

  let dataVolume: Volume | undefined;
  if (version.persistent) {
    dataVolume = new Volume(scope, 'Data', {
      name: `${handle}-data`,
      driver: 'local',
      driverOpts: options.enforceSize ? { size: `${size}G` } : undefined,
      labels: dockerLabels({ handle, 'size-gb': String(size) }),
      lifecycle: { preventDestroy: options.preventDestroy ?? true },
    });
  }

  const nativeTls = options.tlsMode === RedisTlsMode.NATIVE;
  // Holds only the sidecar's Unix socket, which Redis recreates at start: a
  // small tmpfs, owned by Redis, that nothing is lost with.
  const socketVolume = nativeTls ? undefined : new Volume(scope, 'SocketDir', {
    name: `${handle}-run`,
    driver: 'local',
    driverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=1m,uid=${REDIS_UID},gid=${REDIS_UID},mode=0750` },
    labels: dockerLabels({ handle }),
  });
  const redisConf = renderRedisConf({
    versionName: version.name,
    major: version.major,
    minor: version.minor,
    port: REDIS_PORT,
    dataDir: DATA_DIR,
    password,
    savePoints: savePointsFor(version, options),
    appendOnly: options.appendOnly ?? false,
    maxmemoryMb: maxmemoryMbFor(containerSizeMb, version.persistent),
    maxmemoryPolicy: options.maxmemoryPolicy ?? MaxmemoryPolicy.NOEVICTION,
    replicaOf: spec.replicaOf,
    tls: nativeTls
      ? { port: TLS_PORT, certFile: NATIVE_TLS_CERT_PATH, keyFile: NATIVE_TLS_KEY_PATH, caFile: NATIVE_TLS_CA_PATH }
      : undefined,
    unixSocket: socketVolume ? { path: SOCKET_PATH, permissions: '770' } : undefined,
    extraDirectives: options.config ?? {},
  });

  const node = new RedisNode(scope, 'Node', {
    handle,
    role: spec.kind,
    redisImageId: imageIdFor(scope, 'RedisImage', options.image ?? version.image),
    redisConf,
    nativeTls: nativeTls ? tls : undefined,
    tlsSidecar: socketVolume && {
      imageId: imageIdFor(scope, 'TlsSidecarImage', options.tlsSidecarImage ?? DEFAULT_TLS_SIDECAR_IMAGE),
      socketVolumeName: socketVolume.name,
      conf: renderTlsProxyConf({
        listenPort: TLS_PORT,
        certificatePath: TLS_PEM_PATH,
        backendSocket: SOCKET_PATH,
        backendGid: REDIS_UID,
        maxConnections: TLS_SIDECAR_MAX_CONNECTIONS,
      }),
      // HAProxy reads certificate, chain and key from one file.
      pem: `${tls.certificatePem}${tls.privateKeyPem}`,
    },
    networkName: spec.networkName,
    hostIp: options.hostIp ?? '0.0.0.0',
    hostPort: spec.hostPort,
    hostTlsPort: spec.hostTlsPort,
    containerSizeMb,
    restart: options.restart ?? 'unless-stopped',
    data: dataVolume ? { volumeName: dataVolume.name } : { tmpfsSizeGb: size },
  });

  const userInfo = `${urlUsernameFor(version)}:${password}`;
  const credentials: RedisCredentials = {
    url: `redis://${userInfo}@${hostname}:${portText(node.hostPort)}`,
    tlsUrl: `rediss://${userInfo}@${hostname}:${portText(node.hostTlsPort)}`,
    host: hostname,
    port: node.hostPort,
    tlsPort: node.hostTlsPort,
    password,
    caCertificatePem: tls.caCertificatePem,
  };

  if (options.createOutputs ?? true) {
    const outputs: Array<[string, string, string]> = [
      ['UrlOutput', 'url', credentials.url],
      ['TlsUrlOutput', 'tls_url', credentials.tlsUrl],
      ['CaCertificateOutput', 'ca_certificate', credentials.caCertificatePem],
    ];
    for (const [id, suffix, value] of outputs) {
      new TerraformOutput(scope, id, { value, sensitive: true }).overrideLogicalId(`${handle}_${suffix}`);
    }
  }

  return credentials;
}
