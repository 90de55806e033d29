import { createHash } from 'crypto';
import { Annotations, TerraformOutput, Token } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Construct } from 'constructs';
import { containerLogging } from '../logging/container-logging';
import { checkLogging } from '../logging/logging-checks';
import { RedisLoggingOptions } from '../logging/logging-options';
import { RedisDatabase } from '../redis-database';
import { RedisFollower } from '../redis-follower';
import { RedisRestartPolicy, RedisTlsMode } from '../redis-options';
import { derivedPassword, derivedPasswordHash } from '../private/derived-secret';
import { DockerContainer } from '../private/docker-container';
import { dockerHostKey, dockerHostName } from '../private/docker-hosts';
import { engineFeatures, engineFiles } from '../private/engine';
import { imageIdFor } from '../private/images';
import { InstanceInternals, internalsOf, registerFailoverMembership } from '../private/internals';
import { CONTAINER_HARDENING, dockerLabels, IGNORED_READ_BACK, REDIS_UID, replacedWith, SERVER_ULIMITS, SETTINGS_HASH_LABEL, settingsHash } from '../private/redis-node';
import { portText } from '../private/instance-core';
import { CertRequest, LocallySignedCert, PrivateKey, Volume } from '../private/lean-resources';
import { withoutTokenTraces } from '../private/token-traces';
import { claimHandle, claimHostPort } from '../private/stack-registry';
import { handleFromId, HANDLE_PATTERN, HANDLE_RULE, isHostname, isIpv4, isLoopback, IPV4, ProblemList } from '../private/validation';
import { renderSentinelConf, SENTINEL_APP_USER, sentinelStartup } from './sentinel-conf';

/** Where one Sentinel runs and how the others and clients reach it. */
export interface SentinelPlacement {
  /**
   * The Docker host it runs on.
   *
   * @default - the stack's default Docker provider
   */
  readonly provider?: DockerProvider;

  /** The host name or IPv4 address under which the nodes, the other Sentinels and clients reach it: announced, and named by its certificate. */
  readonly address: string;

  /**
   * Host address its port is published on. A plaintext Sentinel (a group in
   * sidecar TLS mode) is published on loopback unless this says otherwise,
   * where the other Sentinels cannot reach it: such a group needs this set to
   * the interface `address` names (which warns: its passwords and the
   * topology then travel in clear).
   *
   * @default - "0.0.0.0" for a TLS Sentinel (native TLS mode), "127.0.0.1" for a plaintext one
   */
  readonly hostIp?: string;

  /**
   * Host port of a plaintext Sentinel (groups in sidecar TLS mode).
   *
   * @default 26379
   */
  readonly port?: number;

  /**
   * Host port of a TLS Sentinel (groups in native TLS mode).
   *
   * @default 26380
   */
  readonly tlsPort?: number;
}

/** Props of a {@link RedisFailover}. */
export interface RedisFailoverProps {
  /** The database whose nodes Sentinel watches: the node that is primary at the first deploy. */
  readonly primary: RedisDatabase;

  /** Its followers, each built with `sharePrimaryCredentials: true`: at least one. */
  readonly followers: RedisFollower[];

  /** Where the Sentinels run: at least 3, best on 3 Docker hosts. */
  readonly sentinels: SentinelPlacement[];

  /**
   * How many Sentinels must agree that the primary is down before a
   * failover starts (a failover also needs a majority of all Sentinels).
   *
   * @default - a majority of `sentinels`
   */
  readonly quorum?: number;

  /**
   * How long the primary must not answer before a Sentinel considers it down, in milliseconds.
   *
   * @default 5000
   */
  readonly downAfterMs?: number;

  /**
   * The master name clients ask Sentinel for; it also names the Sentinel containers (`HANDLE-sentinel-N`).
   *
   * @default - the construct id, lowercased, other characters replaced by dashes
   */
  readonly handle?: string;

  /**
   * Where the Sentinels log.
   *
   * @default - Docker's json-file driver with `max-size` 10m and `max-file` 3
   */
  readonly logging?: RedisLoggingOptions;

  /**
   * Create the outputs `HANDLE_master_name`, `HANDLE_sentinels`, `HANDLE_ca_certificate`, `HANDLE_sentinel_username`
   * and the sensitive `HANDLE_sentinel_password` (the apps' Sentinel login, which can only discover).
   *
   * @default true
   */
  readonly createOutputs?: boolean;
}

const DEFAULT_DOWN_AFTER_MS = 5000;
const MIN_SENTINELS = 3;
const SENTINEL_PORT = 26379;
const SENTINEL_TLS_PORT = 26380;
const SENTINEL_MEMORY_MB = 128;
/** Sentinel's data dir: the image's, owned by the server user, whose ownership Docker copies onto the new volume mounted there. */
const SENTINEL_DIR = '/data';
/**
 * Sentinel exits within a second of SIGTERM (it writes its config whenever it
 * learns something, not at exit); 10 s is Docker's own default for a stop,
 * the margin a loaded host needs, where the provider's unset default kills it at once.
 */
const SENTINEL_STOP_GRACE_SECONDS = 10;
/** The names the two Sentinel logins' passwords derive from (with the database's InternalSecret). */
const SENTINEL_APP_SECRET = 'sentinel-clients';
const SENTINEL_ADMIN_SECRET = 'sentinel-admin';
const CERT_VALIDITY_HOURS = 2 * 365 * 24;
const CERT_EARLY_RENEWAL_HOURS = 30 * 24;

/** A fixed Sentinel id per placement: a replaced container keeps the identity the other Sentinels know. */
function sentinelId(handle: string, index: number): string {
  return createHash('sha1').update(`cdktf-docker-redis/${handle}/sentinel-${index}`).digest('hex');
}

/**
 * Automatic failover of one database by Redis Sentinel: its primary and
 * followers are the nodes of one database (shared password, users and CA),
 * and Sentinels on the given Docker hosts promote a follower when the
 * primary stops answering for `downAfterMs`. Clients connect through
 * Sentinel (the outputs give the master name, the Sentinels' addresses, the
 * apps' Sentinel login, which can only discover, and the CA). The code's primary is the first deploy's: after a
 * failover, deploys with unchanged code leave Sentinel's topology alone, and
 * every node keeps the role Sentinel gave it across restarts.
 */
export class RedisFailover extends Construct {
  /** The name clients ask Sentinel for. */
  public readonly masterName: string;
  /** `address:port` of each Sentinel, as clients reach them. */
  public readonly sentinelAddresses: string[];
  /**
   * The user name of the apps' Sentinel login: `default`, so a client that
   * sends only `sentinelPassword` logs in as it too. The login can only
   * discover (SENTINEL GET-MASTER-ADDR-BY-NAME, MASTER, REPLICAS, SLAVES,
   * SENTINELS) and subscribe to the failover notifications; it gets NOPERM for
   * everything else (SENTINEL SET, REMOVE, MONITOR, FAILOVER, RESET, CONFIG,
   * ACL, SHUTDOWN...).
   */
  public readonly sentinelUsername: string;
  /**
   * The password of the apps' Sentinel login (sensitive). The Sentinels'
   * admin login, which they use with each other, has a password of its own
   * that the library never hands out.
   */
  public readonly sentinelPassword: string;
  /** The CA of every node's and every Sentinel's certificate. */
  public readonly caCertificatePem: string;
  /** The Sentinels that must agree the primary is down. */
  public readonly quorum: number;

  constructor(scope: Construct, id: string, props: RedisFailoverProps) {
    super(scope, id);
    const handle = props.handle ?? handleFromId(id);
    const owner = `RedisFailover ${handle}`;
    const problems = new ProblemList(owner);
    const warn = (message: string) => Annotations.of(this).addWarning(`${owner}: ${message}`);
    const { primary } = props;
    const followers = props.followers ?? [];
    const sentinels = props.sentinels ?? [];
    problems.matches('handle', handle, HANDLE_PATTERN, HANDLE_RULE);

    const count = sentinels.length;
    const majority = Math.floor(count / 2) + 1;
    const quorum = props.quorum ?? majority;
    const downAfterMs = props.downAfterMs ?? DEFAULT_DOWN_AFTER_MS;
    if (count < MIN_SENTINELS) {
      problems.add(`\`sentinels\` must place at least ${MIN_SENTINELS} Sentinels (a failover needs a majority that survives one failure), got ${count}`);
    }
    problems.integerAtLeast('quorum', props.quorum, 1, 'Sentinels');
    if (props.quorum !== undefined && Number.isInteger(props.quorum) && props.quorum > count) {
      problems.add(`\`quorum\` must be at most the number of \`sentinels\` (${count}), got ${props.quorum}: no failover could ever start`);
    }
    problems.integerAtLeast('downAfterMs', props.downAfterMs, 100, 'milliseconds');
    checkLogging(problems, props.logging);

    const primaryInternals = internalsOf(primary);
    if (!(primary instanceof RedisDatabase) || !primaryInternals) {
      problems.add(`\`primary\` must be a RedisDatabase, got ${primary?.node?.path}`);
    }
    if (primaryInternals?.restoring) {
      problems.add(
        `\`primary\` ${primary.handle} is created with \`restoreFrom\`: deploy it alone first, then remove \`restoreFrom\` (the restore has run; the data stays) ` +
        'and add the failover group: a failover node starts from its own start script, which the restore\'s cannot share',
      );
    }
    if (followers.length === 0) problems.add('`followers` must name at least one RedisFollower of `primary`: Sentinel needs a node to promote');
    for (const follower of followers) {
      if (follower.primary !== primary) {
        problems.add(`\`followers\` must all follow \`primary\` ${primary.handle}: ${follower.handle} follows ${follower.primary.handle}; a failover group is one database`);
      } else if (!follower.sharesPrimaryCredentials) {
        problems.add(
          `follower ${follower.handle} must be built with \`sharePrimaryCredentials: true\`: the nodes of a failover group are one database with one password, users and CA, ` +
          'or after a promotion clients and the old primary\'s masterauth would be wrong',
        );
      }
    }
    const members = [primary, ...followers];
    const version = primary.version;
    if (!version.persistent) {
      problems.add(
        `\`primary\` ${primary.handle} is memory-only (${version.name}): a node without persistence that restarts comes back empty, and as the primary, ` +
        'faster than Sentinel notices, it would empty every follower (Redis\'s replication docs); use a persistent version',
      );
    }
    const features = engineFeatures(version);
    if (!features.aclChannels) {
      problems.add(`\`primary\` ${primary.handle} runs ${engineFiles(version).displayName}: a failover group needs Redis 6.2 or later (Sentinel's ACL user, host names and TLS between Sentinels)`);
    }
    const memberInternals = members.map((m) => internalsOf(m)).filter((i): i is InstanceInternals => i !== undefined);
    const hostKeys = new Set([...memberInternals.map((i) => i.hostKey), ...sentinels.map((p) => dockerHostKey(p.provider))]);
    const native = primary.settings?.tlsMode === RedisTlsMode.NATIVE;
    for (const member of members) {
      if (member.settings?.tlsMode !== primary.settings?.tlsMode) {
        problems.add(`every node needs the same \`tlsMode\`: ${member.handle} has ${member.settings?.tlsMode}, ${primary.handle} ${primary.settings?.tlsMode}`);
      }
    }
    if (hostKeys.size > 1 && !native) {
      problems.add(
        `the group spans ${hostKeys.size} Docker hosts and \`primary\` ${primary.handle} uses the TLS sidecar: across hosts every node needs \`tlsMode: RedisTlsMode.NATIVE\` ` +
        '(a sidecar tunnel points at one fixed primary and cannot follow the primary Sentinel names)',
      );
    }
    memberInternals.forEach((internals, i) => {
      const member = members[i];
      const port = native ? internals.hostTlsPort : internals.hostPort;
      if (internals.announceAddress === undefined || port === undefined) {
        problems.add(`node ${member.handle} needs \`announceAddress\` and a fixed \`${native ? 'tlsPort' : 'port'}\`: Sentinel and clients reach every node at the address it announces`);
      }
      const settings = member.settings;
      // With the sidecar, Sentinels (in their own containers) reach the nodes' plaintext ports; loopback there is their own.
      if (!native && settings && (!settings.publishPlaintext || isLoopback(settings.plaintextHostIp))) {
        problems.add(
          `node ${member.handle} publishes its plaintext port ${settings.publishPlaintext ? `only on ${settings.plaintextHostIp}` : 'nowhere (`publishPlaintext: false`)'}, ` +
          'and with the TLS sidecar the Sentinels reach every node over plaintext at its `announceAddress`, from containers whose loopback is their own: ' +
          'use `tlsMode: RedisTlsMode.NATIVE` (Sentinels and nodes then speak TLS), or set `plaintextHostIp` to the interface `announceAddress` names, which sends passwords and data in clear',
        );
      }
    });
    if (primaryInternals && !primaryInternals.secrets.ca) {
      problems.add(`\`primary\` ${primary.handle} has supplied TLS material: a failover group signs its Sentinels' certificates with the database's generated CA`);
    }

    const placements = sentinels.map((placement, index) => {
      const n = index + 1;
      const hostKey = dockerHostKey(placement.provider);
      const hostIp = placement.hostIp ?? (native ? '0.0.0.0' : '127.0.0.1');
      const publishedPort = native ? placement.tlsPort ?? SENTINEL_TLS_PORT : placement.port ?? SENTINEL_PORT;
      const prop = `sentinels[${index}]`;
      if (!Token.isUnresolved(placement.address) && !isHostname(placement.address)) {
        problems.add(`\`${prop}.address\` must be a DNS name or an IPv4 address, got "${placement.address}"`);
      }
      problems.matches(`${prop}.hostIp`, placement.hostIp, IPV4, 'an IPv4 address such as 0.0.0.0');
      if (!native && !Token.isUnresolved(hostIp) && isLoopback(hostIp)) {
        problems.add(
          `\`${prop}.hostIp\` is ${hostIp}${placement.hostIp === undefined ? ' (the default of a plaintext Sentinel)' : ''}, where the other Sentinels cannot reach it at \`address\` from their containers: ` +
          'use `tlsMode: RedisTlsMode.NATIVE` for TLS Sentinels published on every address, or set `hostIp` to the interface `address` names, which sends the Sentinel passwords and the topology in clear',
        );
      } else if (!native && !Token.isUnresolved(hostIp)) {
        warn(`\`${prop}.hostIp\` ${hostIp} publishes a plaintext Sentinel beyond its host: the Sentinel passwords and the topology travel in clear; native TLS mode makes them TLS`);
      }
      problems.port(`${prop}.${native ? 'tlsPort' : 'port'}`, publishedPort);
      claimHandle(this, hostKey, `${handle}-sentinel-${n}`, problems);
      claimHostPort(this, hostKey, hostIp, { prop: `${prop}.${native ? 'tlsPort' : 'port'}`, port: publishedPort, isDefault: false }, owner, problems);
      return { placement, n, hostKey, hostIp, publishedPort };
    });

    // Losing a Docker host loses every Sentinel on it; what is left must still reach the quorum and a majority.
    if (count >= MIN_SENTINELS) {
      for (const hostKey of new Set(placements.map((p) => p.hostKey))) {
        const left = count - placements.filter((p) => p.hostKey === hostKey).length;
        if (left < quorum || left < majority) {
          warn(
            `losing ${dockerHostName(hostKey)} leaves ${left} of ${count} Sentinels, fewer than ${left < quorum ? `the quorum ${quorum}` : `the majority ${majority} that must authorize a failover`}: ` +
            'a failure of that host cannot be failed over; spread the Sentinels so that no host holds enough of them to matter (3 Sentinels on 3 hosts)',
          );
        }
      }
    }
    problems.throwIfAny();

    const secrets = primaryInternals!.secrets;
    const ca = secrets.ca!;
    const sentinelLogin = primaryInternals!.sentinel!;
    this.masterName = handle;
    this.quorum = quorum;
    this.caCertificatePem = ca.certificatePem;
    // The password apps held before the admin got a login of its own: apps keep working, and what they hold can no longer change Sentinel.
    this.sentinelUsername = SENTINEL_APP_USER;
    this.sentinelPassword = derivedPassword(secrets.internalSecret!, SENTINEL_APP_SECRET);
    this.sentinelAddresses = placements.map((p) => `${p.placement.address}:${p.publishedPort}`);

    // Without the stack trace cdktf captures for each token, a tenth of synthesis; the checks above keep theirs (lib/private/token-traces.ts).
    withoutTokenTraces(() => {
      const primaryAddress = primaryInternals!.announceAddress!;
      const primaryPort = portText((native ? primaryInternals!.hostTlsPort : primaryInternals!.hostPort)!);
      registerFailoverMembership(primary, { group: handle, tlsReplication: native });
      for (const follower of followers) {
        registerFailoverMembership(follower, { group: handle, tlsReplication: native, initialReplicaOf: { host: primaryAddress, port: primaryPort } });
      }

      const files = engineFiles(version);
      const hostnames = [primaryAddress, ...memberInternals.map((i) => i.announceAddress!), ...sentinels.map((p) => p.address)]
        .some((address) => Token.isUnresolved(address) || !isIpv4(address));
      const tlsDir = `${files.configDir}/sentinel-tls`;
      const logging = containerLogging(props.logging);
      const uploadedConf = `${files.configDir}/sentinel.conf`;
      for (const { placement, n, hostIp, publishedPort } of placements) {
        const scopeN = new Construct(this, `Sentinel${n}`);
        const name = `${handle}-sentinel-${n}`;
        const tls = native ? this.sentinelCertificate(scopeN, placement.address, ca) : undefined;
        const listenPort = native ? SENTINEL_TLS_PORT : SENTINEL_PORT;
        const conf = renderSentinelConf({
          masterName: handle,
          primaryHost: primaryAddress,
          primaryPort,
          quorum,
          downAfterMs,
          failoverTimeoutMs: Math.max(60_000, downAfterMs * 4),
          myid: sentinelId(handle, n),
          announceIp: placement.address,
          announcePort: publishedPort,
          listenPort,
          authUser: sentinelLogin.user!,
          authPass: sentinelLogin.password,
          appPassHash: derivedPasswordHash(secrets.internalSecret!, SENTINEL_APP_SECRET),
          adminPass: derivedPassword(secrets.internalSecret!, SENTINEL_ADMIN_SECRET),
          adminPassHash: derivedPasswordHash(secrets.internalSecret!, SENTINEL_ADMIN_SECRET),
          hostnames,
          tls: tls && { certFile: `${tlsDir}/sentinel.crt`, keyFile: `${tlsDir}/sentinel.key`, caFile: `${tlsDir}/ca.crt` },
          dataDir: SENTINEL_DIR,
        });
        const startup = sentinelStartup(files.sentinelBinary, uploadedConf, SENTINEL_DIR, handle);
        // Its own volume, which a replaced container keeps: the config Sentinel rewrites with what it learned (see sentinelStartup).
        const state = new Volume(scopeN, 'State', {
          provider: placement.provider,
          name: `${name}-data`,
          driver: 'local',
          labels: dockerLabels({ handle, role: 'failover', component: 'sentinel' }),
        });
        new DockerContainer(scopeN, 'Container', {
          provider: placement.provider,
          name,
          image: imageIdFor(this, `Sentinel${n}Image`, primaryInternals!.imageReference, placement.provider),
          entrypoint: startup.entrypoint,
          command: startup.command,
          // The server user, with group root for the root-owned 0640 uploads that hold secrets.
          user: `${REDIS_UID}:${REDIS_UID}`,
          groupAdd: ['0'],
          ...CONTAINER_HARDENING,
          hostname: name,
          ports: [{ internal: listenPort, external: publishedPort, ip: hostIp, protocol: 'tcp' }],
          memory: SENTINEL_MEMORY_MB,
          memorySwap: SENTINEL_MEMORY_MB,
          ulimit: SERVER_ULIMITS,
          volumes: [{ volumeName: state.name, containerPath: SENTINEL_DIR }],
          destroyGraceSeconds: SENTINEL_STOP_GRACE_SECONDS,
          restart: RedisRestartPolicy.UNLESS_STOPPED,
          mustRun: false,
          upload: [
            { file: uploadedConf, content: conf, permissions: '0640' },
            ...(tls ? [
              { file: `${tlsDir}/sentinel.crt`, content: tls.certificatePem, permissions: '0644' },
              { file: `${tlsDir}/sentinel.key`, content: tls.privateKeyPem, permissions: '0640' },
              { file: `${tlsDir}/ca.crt`, content: ca.certificatePem, permissions: '0644' },
            ] : []),
          ],
          labels: [
            ...dockerLabels({ handle, role: 'failover', component: 'sentinel' }),
            { label: SETTINGS_HASH_LABEL, value: settingsHash({ log_opts: logging.logOpts, memory_swap: SENTINEL_MEMORY_MB, ulimit: SERVER_ULIMITS }) },
          ],
          ...logging,
          lifecycle: { ignoreChanges: IGNORED_READ_BACK, replaceTriggeredBy: replacedWith(state) },
        });
      }

      if (props.createOutputs ?? true) {
        const output = (outputId: string, name: string, value: string, sensitive: boolean) =>
          new TerraformOutput(this, outputId, { value, sensitive }).overrideLogicalId(name);
        output('MasterNameOutput', `${handle}_master_name`, this.masterName, false);
        output('SentinelsOutput', `${handle}_sentinels`, this.sentinelAddresses.join(','), false);
        output('SentinelUsernameOutput', `${handle}_sentinel_username`, this.sentinelUsername, false);
        output('SentinelPasswordOutput', `${handle}_sentinel_password`, this.sentinelPassword, true);
        output('CaCertificateOutput', `${handle}_ca_certificate`, this.caCertificatePem, false);
      }
    });
  }

  /** A Sentinel's certificate, signed by the database's CA, for the address it is reached at. */
  private sentinelCertificate(scope: Construct, address: string, ca: { keyPem: string; certificatePem: string }) {
    const keyPem = new PrivateKey(scope, 'Key', { algorithm: 'ECDSA', ecdsaCurve: 'P256' }).privateKeyPem;
    const ip = !Token.isUnresolved(address) && isIpv4(address);
    const request = new CertRequest(scope, 'CertificateRequest', {
      privateKeyPem: keyPem,
      subject: [{ commonName: address, organization: 'cdktf-docker-redis' }],
      dnsNames: ip ? ['localhost'] : [address, 'localhost'],
      ipAddresses: ip ? [address, '127.0.0.1'] : ['127.0.0.1'],
    });
    const certificate = new LocallySignedCert(scope, 'Certificate', {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certificatePem,
      validityPeriodHours: CERT_VALIDITY_HOURS,
      earlyRenewalHours: CERT_EARLY_RENEWAL_HOURS,
      // Sentinels connect to each other with it as clients, too.
      allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
    });
    return { certificatePem: certificate.certPem, privateKeyPem: keyPem };
  }
}
