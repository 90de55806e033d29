/**
 * The parts of an instance every capability shares, in the order the
 * composition (lib/instance) builds them: secrets, TLS material and volumes;
 * the Redis node with what the capabilities contribute to it; credentials and
 * outputs; the internals other constructs read. Child ids are part of the
 * public contract: renaming one replaces live resources.
 */
import { Fn, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { containerLogging } from '../logging/container-logging';
import { RedisCredentials, RedisInstanceOptions, RedisInstanceSettings, RedisRestartPolicy, RedisTlsMode, SavePoint } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { BuiltInstance, Capability, Instance, InstanceAccess, InstanceAttributes, InstanceSpec, NodeContribution } from './capability';
import { deferredList, deferredString } from './deferred';
import { singleLinePreconditions } from './deploy-time-checks';
import { dockerHostKey } from './docker-hosts';
import { engineFiles } from './engine';
import { InstanceInternals, registerInternals, UserDefinition } from './internals';
import { imageIdFor } from './images';
import { Password, Volume } from './lean-resources';
import { RedisConfInput, renderRedisConf } from './redis-conf';
import {
  DATA_DIR, dockerLabels, REDIS_PORT, REDIS_UID, RedisNode, SOCKET_PATH, TLS_PEM_PATH, TLS_PORT,
} from './redis-node';
import { networkNamed, sharedText } from './stack-registry';
import { generateTlsMaterial, subjectAlternativeNames, suppliedTlsMaterial } from './tls-material';
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

/** A literal port stays literal: `Token.asString` would mint a token for it. */
export function portText(port: number): string {
  return Token.isUnresolved(port) ? Token.asString(port) : String(port);
}

/** What a built instance hands back to its construct. */
export interface RedisService extends InstanceAttributes {
  readonly credentials: RedisCredentials;
  /** Each app user's credentials, by user name. */
  readonly appCredentials: ReadonlyMap<string, RedisCredentials>;
  /** The container other resources wait for: depending on it means Redis and its TLS endpoint exist. */
  readonly dependableFqn: string;
}

/** The `default` user's password and the app users, before the users capability turns them into access. */
export interface InstanceSecrets {
  /** A sensitive token. */
  readonly password: string;
  /** The literal `password` prop (or the shared primary's), when given. */
  readonly literalPassword?: string;
  readonly users: readonly UserDefinition[];
}

function savePointsFor(version: RedisVersion, options: RedisInstanceOptions): readonly SavePoint[] {
  if (!version.persistent) return [];
  return options.saveSchedule ?? DEFAULT_SAVE_SCHEDULE;
}

function suppliesTls(options: RedisInstanceOptions): boolean {
  return options.tlsCertificatePem !== undefined && options.tlsPrivateKeyPem !== undefined && options.tlsCaCertificatePem !== undefined;
}

/** The names peers on other hosts reach an instance under, which its generated certificate names too. */
function peerNames(options: RedisInstanceOptions): string[] {
  return [...(options.announceAddress === undefined ? [] : [options.announceAddress]), ...(options.tlsHostnames ?? [])];
}

/** The instance's own port that peers reach it on: the TLS one where Redis terminates TLS itself. */
function announcedPort(settings: RedisInstanceSettings, hostPort?: number, hostTlsPort?: number): number | undefined {
  return settings.tlsMode === RedisTlsMode.NATIVE ? hostTlsPort : hostPort;
}

function tlsSpecOf(spec: InstanceSpec) {
  return { handle: spec.handle, hostname: spec.settings.hostname, networkTlsHost: networkTlsHostFor(spec.handle, spec.settings.tlsMode), extraNames: peerNames(spec.options) };
}

/** The HAProxy image of the TLS sidecar, and of whatever else an instance runs HAProxy for (a replication tunnel). */
export function haproxyImageId(instance: Instance): string {
  return imageIdFor(instance.scope, 'TlsSidecarImage', instance.options.tlsSidecarImage ?? DEFAULT_TLS_SIDECAR_IMAGE, instance.options.provider);
}

/** `Password`: the `default` user's, unless given or shared with a primary. */
export function instanceSecrets(scope: Construct, spec: InstanceSpec): InstanceSecrets {
  const { options, shared } = spec;
  // A literal password would be printed by every plan that shows a config file or URL; Terraform masks what is marked sensitive.
  const password = shared?.password ?? (options.password === undefined
    ? new Password(scope, 'Password', { length: 40, special: false }).result
    : Token.asString(Fn.sensitive(options.password)));
  return { password, literalPassword: shared ? shared.literalPassword : options.password, users: shared?.users ?? options.users ?? [] };
}

/** TLS material (`CaKey` … `ServerCertificate`, unless supplied), `Data` and `SocketDir`: the instance every capability then sees. */
export function instanceResources(scope: Construct, spec: InstanceSpec, secrets: InstanceSecrets, access: InstanceAccess): Instance {
  const { handle, version, options, settings } = spec;
  const generated = suppliesTls(options) ? undefined : generateTlsMaterial(scope, tlsSpecOf(spec), spec.shared?.ca);
  const tls = generated ?? suppliedTlsMaterial(options.tlsCertificatePem!, options.tlsPrivateKeyPem!, options.tlsCaCertificatePem!);

  const dataVolume = version.persistent ? new Volume(scope, 'Data', {
    provider: options.provider,
    name: `${handle}-data`,
    driver: 'local',
    driverOpts: settings.enforceSize ? { size: `${settings.size}G` } : undefined,
    labels: dockerLabels({ handle, 'size-gb': String(settings.size) }),
    lifecycle: { preventDestroy: options.preventDestroy ?? true },
  }) : undefined;

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
  return {
    ...spec,
    scope,
    files: engineFiles(version),
    password: secrets.password,
    literalPassword: secrets.literalPassword,
    userDefinitions: secrets.users,
    access,
    tls,
    generatedCa: generated?.ca,
    nativeTls,
    networkTlsHost: networkTlsHostFor(handle, settings.tlsMode),
    network: networkNamed(scope, spec.networkName),
    dataVolume,
    socketVolume,
    restart: options.restart ?? RedisRestartPolicy.UNLESS_STOPPED,
    logging: containerLogging(options.logging),
  };
}

/** The one contribution of a kind that only one capability may make, or undefined. */
function onlyOne<T>(capabilities: readonly Capability[], contributions: readonly NodeContribution[], field: keyof NodeContribution): T | undefined {
  const givers = contributions.map((contribution, index) => ({ value: contribution[field], name: capabilities[index].name })).filter((c) => c.value !== undefined);
  if (givers.length > 1) throw new Error(`the capabilities ${givers.map((g) => g.name).join(' and ')} each give the Redis node's \`${field}\`; only one may`);
  return givers[0]?.value as T | undefined;
}

/** `Node`: Redis with its config, files, start and TLS endpoint, and what the capabilities add to it. */
export function buildNode(instance: Instance, capabilities: readonly Capability[], contributions: readonly NodeContribution[]): BuiltInstance {
  const { scope, handle, version, options, settings, files, access, tls, nativeTls } = instance;
  const nativeTlsPaths = {
    certFile: `${files.tlsDir}/server.crt`,
    keyFile: `${files.tlsDir}/server.key`,
    caFile: `${files.tlsDir}/ca.crt`,
  };
  // Redis verifies the peers it connects to (its primary) with its CA file;
  // with client certificates off, that file serves no other purpose.
  const peerCa = onlyOne<NodeContribution['peerCa']>(capabilities, contributions, 'peerCa');
  const announcePort = announcedPort(settings, instance.hostPort, instance.hostTlsPort);
  const confInput: RedisConfInput = {
    versionName: version.name,
    engine: version.engine,
    major: version.major,
    minor: version.minor,
    memoryOnly: !version.persistent,
    port: REDIS_PORT,
    dataDir: DATA_DIR,
    auth: access.confAuth,
    savePoints: savePointsFor(version, options),
    appendOnly: settings.appendOnly,
    maxmemoryMb: settings.maxmemoryMb,
    maxmemoryPolicy: settings.maxmemoryPolicy,
    replicaOf: instance.replicaOf,
    announce: options.announceAddress !== undefined && announcePort !== undefined ? { ip: options.announceAddress, port: announcePort } : undefined,
    tls: nativeTls ? { port: TLS_PORT, ...nativeTlsPaths, caFile: peerCa?.file ?? nativeTlsPaths.caFile } : undefined,
    unixSocket: instance.socketVolume ? { path: SOCKET_PATH, permissions: '770' } : undefined,
    extraDirectives: options.config ?? {},
  };
  const redisConf = deferredString(() => renderRedisConf(contributions.reduce((input, c) => (c.conf ? c.conf(input) : input), confInput)));
  const start = () => contributions.map((c) => c.start?.()).find((s) => s !== undefined);
  const startup = onlyOne<NodeContribution['startup']>(capabilities, contributions, 'startup');
  const replicationTunnel = onlyOne<NodeContribution['replicationTunnel']>(capabilities, contributions, 'replicationTunnel');

  const redisImageId = imageIdFor(scope, 'RedisImage', options.image ?? version.image, options.provider);
  const node = new RedisNode(scope, 'Node', {
    handle,
    provider: options.provider,
    role: instance.kind,
    files,
    redisImageId,
    entrypoint: deferredList(() => start()?.entrypoint ?? [files.serverBinary]),
    command: deferredList(() => start()?.command ?? [files.configPath]),
    serverFiles: [{ file: files.configPath, content: redisConf }, ...contributions.flatMap((c) => c.serverFiles ?? [])],
    healthcheckScript: access.healthcheckScript,
    nativeTls: nativeTls ? { material: tls, ...nativeTlsPaths, primaryCa: peerCa } : undefined,
    replicationTunnel,
    tlsSidecar: instance.socketVolume && {
      imageId: haproxyImageId(instance),
      socketVolume: instance.socketVolume,
      networkAlias: instance.networkTlsHost,
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
    networkName: instance.networkName,
    network: instance.network,
    hostIp: settings.hostIp,
    plaintextHostIp: settings.publishPlaintext ? settings.plaintextHostIp : undefined,
    hostPort: instance.hostPort,
    hostTlsPort: instance.hostTlsPort,
    containerSizeMb: settings.containerSizeMb,
    restart: instance.restart,
    logging: instance.logging,
    data: instance.dataVolume ? { volume: instance.dataVolume } : { tmpfsSizeGb: settings.size },
    startup,
    preconditions: singleLinePreconditions(scope, `${instance.kind === 'database' ? 'RedisDatabase' : 'RedisFollower'} ${handle}`, [
      ...Object.entries(options.config ?? {}).map(([name, value]) => ({ what: `\`config\` value of "${name}"`, value })),
      ...(options.announceAddress === undefined ? [] : [{ what: '`announceAddress`', value: options.announceAddress }]),
      ...contributions.flatMap((c) => c.deployTimeValues ?? []),
    ]),
  });
  return { ...instance, redisImageId, node };
}

/** The credentials of `default` and of each app user, and their outputs (`UrlOutput` …, `Users/NAME/…`). */
export function publishCredentials(instance: BuiltInstance): Pick<RedisService, 'credentials' | 'appCredentials'> {
  const { scope, handle, settings, node, access, tls } = instance;
  const credentialsOf = (user: string, userPassword: string): RedisCredentials => {
    const userInfo = `${user}:${userPassword}`;
    const tlsUrl = `rediss://${userInfo}@${settings.hostname}:${portText(node.hostTlsPort)}`;
    return {
      url: settings.publishPlaintext ? `redis://${userInfo}@${settings.hostname}:${portText(node.hostPort)}` : tlsUrl,
      tlsUrl,
      networkUrl: `redis://${userInfo}@${handle}:${REDIS_PORT}`,
      networkTlsUrl: `rediss://${userInfo}@${instance.networkTlsHost}:${TLS_PORT}`,
      host: settings.hostname,
      port: node.hostPort,
      tlsPort: node.hostTlsPort,
      password: userPassword,
      caCertificatePem: tls.caCertificatePem,
    };
  };
  const credentials = credentialsOf(access.defaultUrlUser, instance.password);
  const appCredentials = new Map([...access.appUsers].map(([name, user]) => [name, credentialsOf(name, user.password)]));

  if (instance.options.createOutputs ?? true) {
    const output = (outputScope: Construct, id: string, name: string, value: string) =>
      new TerraformOutput(outputScope, id, { value, sensitive: true }).overrideLogicalId(name);
    // No plaintext endpoint, no output that could pass for one.
    if (settings.publishPlaintext) output(scope, 'UrlOutput', `${handle}_url`, credentials.url);
    output(scope, 'TlsUrlOutput', `${handle}_tls_url`, credentials.tlsUrl);
    output(scope, 'NetworkUrlOutput', `${handle}_network_url`, credentials.networkUrl);
    output(scope, 'NetworkTlsUrlOutput', `${handle}_network_tls_url`, credentials.networkTlsUrl);
    output(scope, 'CaCertificateOutput', `${handle}_ca_certificate`, credentials.caCertificatePem);
    for (const [name, user] of access.appUsers) {
      const userCredentials = appCredentials.get(name)!;
      if (settings.publishPlaintext) output(user.scope, 'UrlOutput', `${handle}_user_${name}_url`, userCredentials.url);
      output(user.scope, 'TlsUrlOutput', `${handle}_user_${name}_tls_url`, userCredentials.tlsUrl);
    }
  }
  return { credentials, appCredentials };
}

/** What followers, failover groups and backups read of the instance: the shared parts' record and each capability's. */
export function recordInternals(instance: BuiltInstance, contributions: readonly NodeContribution[]): void {
  const { options, access } = instance;
  const generatedNames = subjectAlternativeNames(tlsSpecOf(instance));
  const shared: InstanceInternals = {
    replication: access.replication,
    backup: access.backup,
    hostKey: dockerHostKey(options.provider),
    certificateNames: instance.generatedCa ? [...generatedNames.dnsNames, ...generatedNames.ipAddresses] : undefined,
    suppliedCertificatePem: instance.generatedCa ? undefined : options.tlsCertificatePem,
    secrets: {
      password: instance.password,
      literalPassword: instance.literalPassword,
      internalSecret: access.internalSecret,
      users: instance.userDefinitions.map((user) => ({ ...user, password: access.appUsers.get(user.name)!.password })),
      ca: instance.generatedCa,
    },
    sentinel: access.sentinel,
    provider: options.provider,
    imageReference: options.image ?? instance.version.image,
    hostPort: instance.hostPort,
    hostTlsPort: instance.hostTlsPort,
    announceAddress: options.announceAddress,
    exporter: access.exporter,
  };
  registerInternals(instance.scope, contributions.reduce<InstanceInternals>((all, c) => ({ ...all, ...c.internals }), shared));
}
