import { Fn, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Password } from '@cdktf/provider-random/lib/password';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { RedisBackupFile } from '../backup/backup-file';
import { ResolvedBackup } from '../backup/backup-checks';
import { buildBackupContainer } from '../backup/backup-container';
import { restoreStartup } from '../backup/restore-startup';
import { RedisCredentials, RedisInstanceOptions, RedisInstanceSettings, RedisRestartPolicy, RedisTlsMode, SavePoint } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { dockerHostKey } from './docker-hosts';
import { engineFiles } from './engine';
import { internalsOf, registerInternals } from './internals';
import { buildInstanceUsers } from '../users/instance-users';
import { imageIdFor } from './images';
import { ensureSettinglessProviders } from './providers';
import { ReplicaOfData, renderRedisConf } from './redis-conf';
import { DATA_DIR, dockerLabels, REDIS_PORT, REDIS_UID, RedisNode, SOCKET_PATH, TLS_PEM_PATH, TLS_PORT } from './redis-node';
import { generateTlsMaterial, suppliedTlsMaterial, TlsMaterial } from './tls-material';
import { networkNamed } from './stack-registry';
import { renderTlsProxyConf } from './tls-proxy-conf';

const DEFAULT_TLS_SIDECAR_IMAGE = 'haproxy:3.2.4';
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
  readonly replicaOf?: ReplicaOfData;
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
}

function savePointsFor(version: RedisVersion, options: RedisInstanceOptions): readonly SavePoint[] {
  if (!version.persistent) return [];
  return options.saveSchedule ?? DEFAULT_SAVE_SCHEDULE;
}

/** A literal port stays literal: `Token.asString` would mint a token for it. */
function portText(port: number): string {
  return Token.isUnresolved(port) ? Token.asString(port) : String(port);
}

function tlsMaterialFor(scope: Construct, handle: string, hostname: string, networkTlsHost: string, options: RedisInstanceOptions): TlsMaterial {
  if (options.tlsCertificatePem !== undefined && options.tlsPrivateKeyPem !== undefined && options.tlsCaCertificatePem !== undefined) {
    return suppliedTlsMaterial(options.tlsCertificatePem, options.tlsPrivateKeyPem, options.tlsCaCertificatePem);
  }
  return generateTlsMaterial(scope, { handle, hostname, networkTlsHost });
}

/**
 * Builds the resources one database or follower needs once its props are
 * valid: password, TLS material, data volume, the Redis node, credentials and
 * outputs. Child ids are part of the public contract: renaming one replaces
 * live resources.
 */
export function buildRedisService(scope: Construct, spec: RedisServiceSpec): RedisService {
  const { handle, version, options, settings } = spec;
  ensureSettinglessProviders(scope);

  // A literal password would be printed by every plan that shows a config file or URL; Terraform masks what is marked sensitive.
  const password = options.password === undefined
    ? new Password(scope, 'Password', { length: 40, special: false }).result
    : Token.asString(Fn.sensitive(options.password));
  const files = engineFiles(version);
  const users = buildInstanceUsers(scope, {
    version,
    files,
    defaultPassword: password,
    literalDefaultPassword: options.password,
    users: options.users ?? [],
  });
  const networkTlsHost = networkTlsHostFor(handle, settings.tlsMode);
  const tls = tlsMaterialFor(scope, handle, settings.hostname, networkTlsHost, options);

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
  const redisConf = renderRedisConf({
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
    replicaOf: spec.replicaOf,
    tls: nativeTls ? { port: TLS_PORT, ...nativeTlsPaths } : undefined,
    unixSocket: socketVolume ? { path: SOCKET_PATH, permissions: '770' } : undefined,
    extraDirectives: options.config ?? {},
  });

  const redisImageId = imageIdFor(scope, 'RedisImage', options.image ?? version.image, options.provider);
  const restart = options.restart ?? RedisRestartPolicy.UNLESS_STOPPED;
  const node = new RedisNode(scope, 'Node', {
    handle,
    provider: options.provider,
    role: spec.kind,
    files,
    redisImageId,
    serverFiles: [{ file: files.configPath, content: redisConf }, ...users.files],
    healthcheckScript: users.healthcheckScript,
    nativeTls: nativeTls ? { material: tls, ...nativeTlsPaths } : undefined,
    tlsSidecar: socketVolume && {
      imageId: imageIdFor(scope, 'TlsSidecarImage', options.tlsSidecarImage ?? DEFAULT_TLS_SIDECAR_IMAGE, options.provider),
      socketVolume,
      networkAlias: networkTlsHost,
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
    network: networkNamed(scope, spec.networkName),
    hostIp: settings.hostIp,
    hostPort: spec.hostPort,
    hostTlsPort: spec.hostTlsPort,
    containerSizeMb: settings.containerSizeMb,
    restart,
    data: dataVolume ? { volume: dataVolume } : { tmpfsSizeGb: settings.size },
    startup: spec.restoreFrom && restoreStartup({ handle, version, files, file: spec.restoreFrom, appendOnly: settings.appendOnly, nativeTls }),
  });

  const credentialsOf = (user: string, userPassword: string): RedisCredentials => {
    const userInfo = `${user}:${userPassword}`;
    return {
      url: `redis://${userInfo}@${settings.hostname}:${portText(node.hostPort)}`,
      tlsUrl: `rediss://${userInfo}@${settings.hostname}:${portText(node.hostTlsPort)}`,
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
    output(scope, 'UrlOutput', `${handle}_url`, credentials.url);
    output(scope, 'TlsUrlOutput', `${handle}_tls_url`, credentials.tlsUrl);
    output(scope, 'NetworkUrlOutput', `${handle}_network_url`, credentials.networkUrl);
    output(scope, 'NetworkTlsUrlOutput', `${handle}_network_tls_url`, credentials.networkTlsUrl);
    output(scope, 'CaCertificateOutput', `${handle}_ca_certificate`, credentials.caCertificatePem);
    for (const [name, user] of users.appUsers) {
      const userCredentials = appCredentials.get(name)!;
      output(user.scope, 'UrlOutput', `${handle}_user_${name}_url`, userCredentials.url);
      output(user.scope, 'TlsUrlOutput', `${handle}_user_${name}_tls_url`, userCredentials.tlsUrl);
    }
  }

  registerInternals(scope, { replication: users.replication, backup: users.backup, hostKey: dockerHostKey(options.provider) });
  if (spec.backup) {
    buildBackupContainer(scope, 'Backup', {
      handle, version, files, imageId: redisImageId, backup: spec.backup, login: internalsOf(scope)!.backup, restart, provider: options.provider,
      containerSizeMb: settings.containerSizeMb,
      socketVolume, networkName: spec.networkName, network: networkNamed(scope, spec.networkName), dataVolume,
    });
  }
  return { credentials, appCredentials, dependableFqn: node.dependableFqn };
}
