import { Fn, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Password, Volume } from './lean-resources';
import { containerLogging } from '../logging/container-logging';
import { RedisBackupFile } from '../backup/backup-file';
import { ResolvedBackup } from '../backup/backup-checks';
import { buildBackupContainer } from '../backup/backup-container';
import { restoreStartup } from '../backup/restore-startup';
import { RedisCredentials, RedisInstanceOptions, RedisInstanceSettings, RedisRestartPolicy, RedisTlsMode, SavePoint } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { ResolvedMetrics } from '../metrics/metrics-checks';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { deferredList, deferredString } from './deferred';
import { dockerHostKey } from './docker-hosts';
import { engineFiles } from './engine';
import { failoverMembershipOf, FailoverSecrets, registerInternals } from './internals';
import { memberStartup } from '../failover/node-startup';
import { buildInstanceUsers } from '../users/instance-users';
import { singleLinePreconditions } from './deploy-time-checks';
import { imageIdFor } from './images';
import { ensureSettinglessProviders } from './providers';
import { RedisConfInput, ReplicaOfData, renderRedisConf, replicaOfLine } from './redis-conf';
import {
  DATA_DIR, dockerLabels, REDIS_PORT, REDIS_UID, RedisNode, ReplicationTunnelSpec, SOCKET_PATH, TLS_PEM_PATH, TLS_PORT, TUNNEL_CA_PATH,
} from './redis-node';
import { generateTlsMaterial, subjectAlternativeNames, suppliedTlsMaterial } from './tls-material';
import { CrossHostReplication } from '../failover/cross-host';
import { renderReplicationTunnelConf } from '../failover/replication-tunnel-conf';
import { networkNamed, sharedText } from './stack-registry';
import { renderTlsProxyConf } from './tls-proxy-conf';
import { pinnedImage } from './version-pins';

const DEFAULT_TLS_SIDECAR_IMAGE = pinnedImage('haproxy');
const DEFAULT_SAVE_SCHEDULE: readonly SavePoint[] = [
  { afterSeconds: 900, minChanges: 1 },
  { afterSeconds: 300, minChanges: 10 },
  { afterSeconds: 60, minChanges: 10000 },
];
const TLS_SIDECAR_MAX_CONNECTIONS = 4096;

/** The network alias of the TLS endpoint: the sidecar's, or Redis's own with native TLS. */
export function networkTlsHostFor(handle: string, tlsMode: RedisTlsMode): string {
  return tlsMode === RedisTlsMode.NATIVE ? handle : `${handle}-tls`;
}

/** Everything the two public constructs resolved from their props. */
interface RedisServiceSpec {
  readonly kind: string;
  readonly handle: string;
  readonly version: RedisVersion;
  readonly options: RedisInstanceOptions;
  readonly settings: RedisInstanceSettings;
  readonly hostPort?: number;
  readonly hostTlsPort?: number;
  readonly networkName: string;
  /** The primary's replication login and its address on its Docker network, for a follower. */
  readonly replicaOf?: ReplicaOfData;
  /** The primary's secrets, for a follower that shares them (`sharePrimaryCredentials`). */
  readonly shared?: FailoverSecrets;
  /** How a follower on another host than its primary reaches it, and the primary's CA, which verifies it. */
  readonly crossHost?: CrossHostReplication & { readonly primaryCaPem: string };
  readonly metrics?: ResolvedMetrics;
  /** Databases only: backups, and the backup to seed a new database from. */
  readonly backup?: ResolvedBackup;
  readonly restoreFrom?: RedisBackupFile;
}

/** What a built instance hands back to its construct. */
export interface RedisService {
  readonly credentials: RedisCredentials;
  /** Each app user's credentials, by user name. */
  readonly appCredentials: ReadonlyMap<string, RedisCredentials>;
  /** The container other resources wait for: depending on it means Redis and its TLS endpoint exist. */
  readonly dependableFqn: string;
  /** The metrics endpoint, when the instance runs an exporter. */
  readonly metricsUrl?: string;
}

function savePointsFor(version: RedisVersion, options: RedisInstanceOptions): readonly SavePoint[] {
  if (!version.persistent) return [];
  return options.saveSchedule ?? DEFAULT_SAVE_SCHEDULE;
}

/** A literal port stays literal: `Token.asString` would mint a token for it. */
export function portText(port: number): string {
  return Token.isUnresolved(port) ? Token.asString(port) : String(port);
}

function suppliesTls(options: RedisInstanceOptions): boolean {
  return options.tlsCertificatePem !== undefined && options.tlsPrivateKeyPem !== undefined && options.tlsCaCertificatePem !== undefined;
}

/** The names peers on other hosts reach an instance under, which its generated certificate names too. */
function peerNames(options: RedisInstanceOptions): string[] {
  return [...(options.announceAddress === undefined ? [] : [options.announceAddress]), ...(options.tlsHostnames ?? [])];
}

/** The follower's own port that peers reach it on: the TLS one where Redis terminates TLS itself. */
function announcedPort(settings: RedisInstanceSettings, hostPort?: number, hostTlsPort?: number): number | undefined {
  return settings.tlsMode === RedisTlsMode.NATIVE ? hostTlsPort : hostPort;
}

const TUNNEL_LISTEN_PORT = 6379;

/**
 * Builds the resources one database or follower needs once its props are
 * valid: password, TLS material, data volume, the Redis node, credentials and
 * outputs. Child ids are part of the public contract: renaming one replaces
 * live resources.
 */
export function buildRedisService(scope: Construct, spec: RedisServiceSpec): RedisService {
  const { handle, version, options, settings } = spec;
  ensureSettinglessProviders(scope);

  const shared = spec.shared;
  // A literal password would be printed by every plan that shows a config file or URL; Terraform masks what is marked sensitive.
  const password = shared?.password ?? (options.password === undefined
    ? new Password(scope, 'Password', { length: 40, special: false }).result
    : Token.asString(Fn.sensitive(options.password)));
  const literalPassword = shared ? shared.literalPassword : options.password;
  const files = engineFiles(version);
  const userDefinitions = shared?.users ?? options.users ?? [];
  const users = buildInstanceUsers(scope, {
    version,
    files,
    defaultPassword: password,
    literalDefaultPassword: literalPassword,
    users: userDefinitions,
    internalSecret: shared?.internalSecret,
  });
  const networkTlsHost = networkTlsHostFor(handle, settings.tlsMode);
  const tlsSpec = { handle, hostname: settings.hostname, networkTlsHost, extraNames: peerNames(options) };
  const generated = suppliesTls(options) ? undefined : generateTlsMaterial(scope, tlsSpec, shared?.ca);
  const tls = generated ?? suppliedTlsMaterial(options.tlsCertificatePem!, options.tlsPrivateKeyPem!, options.tlsCaCertificatePem!);

  let dataVolume: Volume | undefined;
  if (version.persistent) {
    dataVolume = new Volume(scope, 'Data', {
      provider: options.provider,
      name: `${handle}-data`,
      driver: 'local',
      driverOpts: settings.enforceSize ? { size: `${settings.size}G` } : undefined,
      labels: dockerLabels({ handle, 'size-gb': String(settings.size) }),
      lifecycle: { preventDestroy: options.preventDestroy ?? true },
    });
  }

  const nativeTls = settings.tlsMode === RedisTlsMode.NATIVE;
  // Holds only the sidecar's Unix socket, which Redis recreates at start: a
  // small tmpfs, owned by Redis, that nothing is lost with.
  const socketVolume = nativeTls ? undefined : new Volume(scope, 'SocketDir', {
    provider: options.provider,
    name: `${handle}-run`,
    driver: 'local',
    driverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=1m,uid=${REDIS_UID},gid=${REDIS_UID},mode=0750` },
    labels: dockerLabels({ handle }),
  });
  const nativeTlsPaths = {
    certFile: `${files.tlsDir}/server.crt`,
    keyFile: `${files.tlsDir}/server.key`,
    caFile: `${files.tlsDir}/ca.crt`,
  };
  // Redis verifies the peers it connects to (its primary) with its CA file;
  // with client certificates off, that file serves no other purpose.
  const crossHost = spec.crossHost;
  const primaryCa = crossHost?.transport === 'native' ? { file: `${files.tlsDir}/primary-ca.crt`, pem: crossHost.primaryCaPem } : undefined;
  const tunnelAlias = `${handle}-tunnel`;
  let replicaOf = spec.replicaOf;
  if (replicaOf && crossHost) {
    replicaOf = crossHost.transport === 'native'
      ? { ...replicaOf, host: crossHost.primaryAddress, port: crossHost.primaryTlsPort, tls: true }
      : { ...replicaOf, host: tunnelAlias, port: TUNNEL_LISTEN_PORT };
  }
  const replicationTunnel: ReplicationTunnelSpec | undefined = crossHost?.transport === 'tunnel' ? {
    imageId: imageIdFor(scope, 'TlsSidecarImage', options.tlsSidecarImage ?? DEFAULT_TLS_SIDECAR_IMAGE, options.provider),
    networkAlias: tunnelAlias,
    caPem: crossHost.primaryCaPem,
    conf: renderReplicationTunnelConf({
      listenPort: TUNNEL_LISTEN_PORT,
      primaryAddress: crossHost.primaryAddress,
      primaryTlsPort: crossHost.primaryTlsPort,
      caFile: TUNNEL_CA_PATH,
      verifyHost: crossHost.verifyHost,
    }),
  } : undefined;
  const announcePort = announcedPort(settings, spec.hostPort, spec.hostTlsPort);
  const confInput: RedisConfInput = {
    versionName: version.name,
    engine: version.engine,
    major: version.major,
    minor: version.minor,
    memoryOnly: !version.persistent,
    port: REDIS_PORT,
    dataDir: DATA_DIR,
    auth: users.confAuth,
    savePoints: savePointsFor(version, options),
    appendOnly: settings.appendOnly,
    maxmemoryMb: settings.maxmemoryMb,
    maxmemoryPolicy: settings.maxmemoryPolicy,
    replicaOf,
    announce: options.announceAddress !== undefined && announcePort !== undefined ? { ip: options.announceAddress, port: announcePort } : undefined,
    tls: nativeTls ? { port: TLS_PORT, ...nativeTlsPaths, caFile: primaryCa?.file ?? nativeTlsPaths.caFile } : undefined,
    unixSocket: socketVolume ? { path: SOCKET_PATH, permissions: '770' } : undefined,
    extraDirectives: options.config ?? {},
  };
  // A failover group is built after its nodes: whether this is one of them is known only at synth.
  const membership = () => failoverMembershipOf(scope);
  const redisConf = deferredString(() => {
    const member = membership();
    if (!member) return renderRedisConf(confInput);
    // Every node can become a replica of any other: each carries the replication login, and none a fixed role.
    const login = replicaOf ?? users.replication;
    return renderRedisConf({ ...confInput, replicaOf: { user: login.user, password: login.password, tls: member.tlsReplication } });
  });
  const failoverStart = () => {
    const member = membership()!;
    const initial = member.initialReplicaOf;
    return memberStartup(files, initial && replicaOfLine(version, initial.host, initial.port));
  };

  const redisImageId = imageIdFor(scope, 'RedisImage', options.image ?? version.image, options.provider);
  const restart = options.restart ?? RedisRestartPolicy.UNLESS_STOPPED;
  const logging = containerLogging(options.logging);
  const node = new RedisNode(scope, 'Node', {
    handle,
    provider: options.provider,
    role: spec.kind,
    files,
    redisImageId,
    entrypoint: deferredList(() => (membership() ? failoverStart().entrypoint : [files.serverBinary])),
    command: deferredList(() => (membership() ? failoverStart().command : [files.configPath])),
    serverFiles: [{ file: files.configPath, content: redisConf }, ...users.files],
    healthcheckScript: users.healthcheckScript,
    nativeTls: nativeTls ? { material: tls, ...nativeTlsPaths, primaryCa } : undefined,
    replicationTunnel,
    tlsSidecar: socketVolume && {
      imageId: imageIdFor(scope, 'TlsSidecarImage', options.tlsSidecarImage ?? DEFAULT_TLS_SIDECAR_IMAGE, options.provider),
      socketVolume,
      networkAlias: networkTlsHost,
      // Alike for every sidecar but its allowed sources: stored once per stack and text.
      conf: sharedText(scope, 'cdktf_docker_redis_tls_proxy_conf', renderTlsProxyConf({
        listenPort: TLS_PORT,
        certificatePath: TLS_PEM_PATH,
        backendSocket: SOCKET_PATH,
        maxConnections: TLS_SIDECAR_MAX_CONNECTIONS,
        allowedSources: settings.allowedSources,
      })),
      // HAProxy reads certificate, chain and key from one file.
      pem: `${tls.certificatePem}${tls.privateKeyPem}`,
    },
    networkName: spec.networkName,
    network: networkNamed(scope, spec.networkName),
    hostIp: settings.hostIp,
    plaintextHostIp: settings.publishPlaintext ? settings.plaintextHostIp : undefined,
    hostPort: spec.hostPort,
    hostTlsPort: spec.hostTlsPort,
    containerSizeMb: settings.containerSizeMb,
    restart,
    logging,
    data: dataVolume ? { volume: dataVolume } : { tmpfsSizeGb: settings.size },
    startup: spec.restoreFrom && restoreStartup({ handle, version, files, file: spec.restoreFrom, appendOnly: settings.appendOnly, nativeTls }),
    preconditions: singleLinePreconditions(scope, `${spec.kind === 'database' ? 'RedisDatabase' : 'RedisFollower'} ${handle}`, [
      ...Object.entries(options.config ?? {}).map(([name, value]) => ({ what: `\`config\` value of "${name}"`, value })),
      ...(options.announceAddress === undefined ? [] : [{ what: '`announceAddress`', value: options.announceAddress }]),
      // A follower on another host: the primary's address (replicaof, the tunnel's server line) and the name the tunnel verifies.
      ...(crossHost === undefined ? [] : [
        { what: '`primaryAddress`', value: crossHost.primaryAddress },
        { what: 'the name the replication tunnel verifies (`primaryAddress` or the primary\'s `hostname`)', value: crossHost.verifyHost },
      ]),
      ...userDefinitions.map((user, index) => ({ what: `\`users[${index}]\`.permissions`, value: user.permissions })),
      // Before 6.0 the password itself is in the config (requirepass); from 6.0 only its hash reaches a file.
      ...(users.confAuth.requirepass !== undefined && options.password !== undefined ? [{ what: '`password`', value: options.password, secret: true }] : []),
    ]),
  });

  const credentialsOf = (user: string, userPassword: string): RedisCredentials => {
    const userInfo = `${user}:${userPassword}`;
    const tlsUrl = `rediss://${userInfo}@${settings.hostname}:${portText(node.hostTlsPort)}`;
    return {
      url: settings.publishPlaintext ? `redis://${userInfo}@${settings.hostname}:${portText(node.hostPort)}` : tlsUrl,
      tlsUrl,
      networkUrl: `redis://${userInfo}@${handle}:${REDIS_PORT}`,
      networkTlsUrl: `rediss://${userInfo}@${networkTlsHost}:${TLS_PORT}`,
      host: settings.hostname,
      port: node.hostPort,
      tlsPort: node.hostTlsPort,
      password: userPassword,
      caCertificatePem: tls.caCertificatePem,
    };
  };
  const credentials = credentialsOf(users.defaultUrlUser, password);
  const appCredentials = new Map([...users.appUsers].map(([name, user]) => [name, credentialsOf(name, user.password)]));

  if (options.createOutputs ?? true) {
    const output = (outputScope: Construct, id: string, name: string, value: string) =>
      new TerraformOutput(outputScope, id, { value, sensitive: true }).overrideLogicalId(name);
    // No plaintext endpoint, no output that could pass for one.
    if (settings.publishPlaintext) output(scope, 'UrlOutput', `${handle}_url`, credentials.url);
    output(scope, 'TlsUrlOutput', `${handle}_tls_url`, credentials.tlsUrl);
    output(scope, 'NetworkUrlOutput', `${handle}_network_url`, credentials.networkUrl);
    output(scope, 'NetworkTlsUrlOutput', `${handle}_network_tls_url`, credentials.networkTlsUrl);
    output(scope, 'CaCertificateOutput', `${handle}_ca_certificate`, credentials.caCertificatePem);
    for (const [name, user] of users.appUsers) {
      const userCredentials = appCredentials.get(name)!;
      if (settings.publishPlaintext) output(user.scope, 'UrlOutput', `${handle}_user_${name}_url`, userCredentials.url);
      output(user.scope, 'TlsUrlOutput', `${handle}_user_${name}_tls_url`, userCredentials.tlsUrl);
    }
  }

  const generatedNames = subjectAlternativeNames(tlsSpec);
  registerInternals(scope, {
    replication: users.replication,
    backup: users.backup,
    restoring: spec.restoreFrom !== undefined,
    hostKey: dockerHostKey(options.provider),
    certificateNames: generated ? [...generatedNames.dnsNames, ...generatedNames.ipAddresses] : undefined,
    suppliedCertificatePem: generated ? undefined : options.tlsCertificatePem,
    secrets: {
      password,
      literalPassword,
      internalSecret: users.internalSecret,
      users: userDefinitions.map((user) => ({ ...user, password: users.appUsers.get(user.name)!.password })),
      ca: generated?.ca,
    },
    sentinel: users.sentinel,
    provider: options.provider,
    imageReference: options.image ?? version.image,
    hostPort: spec.hostPort,
    hostTlsPort: spec.hostTlsPort,
    announceAddress: options.announceAddress,
    exporter: users.exporter,
    metrics: spec.metrics,
  });
  const metrics = spec.metrics && new MetricsExporter(scope, 'Metrics', spec.metrics, {
    handle, role: spec.kind, provider: options.provider, image: options.metricsImage, restart, logging,
    networkName: spec.networkName, network: networkNamed(scope, spec.networkName), tlsHost: networkTlsHost, tlsPort: TLS_PORT,
    caCertificatePem: tls.caCertificatePem, login: users.exporter!, hostname: settings.hostname, createOutput: options.createOutputs ?? true,
  });
  if (spec.backup) {
    buildBackupContainer(scope, 'Backup', {
      handle, version, files, imageId: redisImageId, backup: spec.backup, login: users.backup, restart, logging, provider: options.provider,
      containerSizeMb: settings.containerSizeMb,
      socketVolume, networkName: spec.networkName, network: networkNamed(scope, spec.networkName), dataVolume,
    });
  }
  return { credentials, appCredentials, dependableFqn: node.dependableFqn, metricsUrl: metrics?.url };
}
