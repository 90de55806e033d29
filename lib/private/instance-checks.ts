import { checkLogging } from '../logging/logging-checks';
import { Annotations, Token } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Construct } from 'constructs';
import { dockerHostKey } from './docker-hosts';
import { MaxmemoryPolicy, RedisInstanceOptions, RedisInstanceSettings, RedisRestartPolicy, RedisTlsMode } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { engineFeatures, engineFiles } from './engine';
import { configDirectiveProblem, isIgnoredConfigDirective } from './config-directives';
import { checkSuppliedPems } from './pem-checks';
import { OWNED_DIRECTIVES } from './redis-conf';
import { noAclWarning, refusedConfigDirective } from './server-hardening';
import { claimHandle, claimHostPort, HostPortRequest } from './stack-registry';
import { count, HANDLE_PATTERN, HANDLE_RULE, handleFromId, IPV4, isCidr, isHostname, isLoopback, MAX_HANDLE_LENGTH, ProblemList } from './validation';

const MIN_CONTAINER_SIZE_MB = 256;
/** What memory-only flavors render so a full sync never goes through their tmpfs data dir. */
const MEMORY_ONLY_OWNED_DIRECTIVES: readonly string[] = ['repl-diskless-sync', 'repl-diskless-load'];
const PASSWORD_PATTERN = /^[A-Za-z0-9._~-]{16,128}$/;
/** redis.conf names: dashes, and underscores in a few (`bgsave_cpulist` before 7.4). */
const DIRECTIVE_NAME = /^[a-z][a-z0-9_-]*$/;
/** As many as Aptible's IP filtering takes. */
export const MAX_ALLOWED_SOURCES = 50;

/** Who is being checked: the construct, the name messages use, and where problems go. */
export class InstanceCheck {
  public readonly handle: string;
  public readonly owner: string;
  public readonly problems: ProblemList;
  /** The Docker host its names and ports must be unique on. */
  public readonly hostKey: string;

  constructor(public readonly scope: Construct, kind: string, id: string, handle: string | undefined, provider: DockerProvider | undefined) {
    this.handle = handle ?? handleFromId(id);
    this.hostKey = dockerHostKey(provider);
    this.owner = `${kind} ${this.handle}`;
    this.problems = new ProblemList(this.owner);
    if (handle === undefined && id.length > MAX_HANDLE_LENGTH && this.handle.length === MAX_HANDLE_LENGTH) {
      this.warn(`the construct id "${id}" is longer than ${MAX_HANDLE_LENGTH} characters, so its handle is cut to "${this.handle}"; set \`handle\` to choose the name of its Docker objects`);
    }
  }

  public warn(message: string): void {
    Annotations.of(this.scope).addWarning(`${this.owner}: ${message}`);
  }
}

/**
 * The catalog entry a `version` prop names. The prop is a `RedisVersion`;
 * JavaScript callers may still pass a catalog name such as `"7.2"`.
 */
export function lookUpVersion(check: InstanceCheck, value: unknown, fallback: RedisVersion): RedisVersion | undefined {
  if (value === undefined) return fallback;
  if (value instanceof RedisVersion) return value;
  const version = typeof value === 'string' ? RedisVersion.find(value) : undefined;
  if (!version) {
    check.problems.add(`\`version\` must be a RedisVersion such as RedisVersion.V7_2 or one of the names ${RedisVersion.NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return version;
}

/** Checks the props that do not depend on the version. */
export function checkInstanceOptions(check: InstanceCheck, options: RedisInstanceOptions, ports: HostPortRequest[]): void {
  const { problems } = check;
  problems.matches('handle', check.handle, HANDLE_PATTERN, HANDLE_RULE);
  claimHandle(check.scope, check.hostKey, check.handle, problems);
  problems.integerAtLeast('size', options.size, 1, 'GB');
  problems.integerAtLeast('containerSizeMb', options.containerSizeMb, MIN_CONTAINER_SIZE_MB, 'MB');
  for (const { prop, port } of ports) problems.port(prop, port);
  checkLogging(problems, options.logging);
  if (options.hostIp !== undefined) problems.matches('hostIp', options.hostIp, IPV4, 'an IPv4 address such as 0.0.0.0 or 127.0.0.1');
  if (options.plaintextHostIp !== undefined) problems.matches('plaintextHostIp', options.plaintextHostIp, IPV4, 'an IPv4 address such as 127.0.0.1');
  if (options.publishPlaintext === false && ports.some((p) => p.prop === 'port' && p.port !== undefined && !p.isDefault)) {
    problems.add('`port` is given with `publishPlaintext: false`, which publishes no plaintext port: leave `port` out');
  }
  checkAllowedSources(problems, options.allowedSources);

  if (options.hostname !== undefined && !Token.isUnresolved(options.hostname) && !isHostname(options.hostname)) {
    problems.add(`\`hostname\` must be a DNS name or an IPv4 address, got "${options.hostname}"`);
  }
  if (options.password !== undefined && !Token.isUnresolved(options.password) && !PASSWORD_PATTERN.test(options.password)) {
    // The value is a secret: describe it, never echo it.
    problems.add(
      `\`password\` must be 16 to 128 URL-safe characters (A-Z a-z 0-9 . _ ~ -), got a value of ${count(options.password.length, 'character')} that does not match`,
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
  checkEnum(problems, 'restart', options.restart, Object.values(RedisRestartPolicy));
  checkEnum(problems, 'maxmemoryPolicy', options.maxmemoryPolicy, Object.values(MaxmemoryPolicy));
  checkEnum(problems, 'tlsMode', options.tlsMode, Object.values(RedisTlsMode));
  for (const [index, point] of (options.saveSchedule ?? []).entries()) {
    problems.integerAtLeast(`saveSchedule[${index}].afterSeconds`, point.afterSeconds, 1, 'seconds');
    problems.integerAtLeast(`saveSchedule[${index}].minChanges`, point.minChanges, 1, 'changed keys');
  }
  for (const [name, value] of Object.entries(options.config ?? {})) {
    const refused = refusedConfigDirective(name, value, Token.isUnresolved(value));
    if (OWNED_DIRECTIVES.includes(name.toLowerCase())) {
      problems.add(`\`config\` must not set "${name}": the construct owns it (owned: ${OWNED_DIRECTIVES.join(', ')}, tls-*); use the construct's props`);
    } else if (refused !== undefined) {
      problems.add(refused);
    } else if (!DIRECTIVE_NAME.test(name)) {
      problems.add(`\`config\` directive names must be lowercase redis.conf names such as "timeout", got "${name}"`);
    } else if (!Token.isUnresolved(value) && /[\r\n]/.test(value)) {
      problems.add(`\`config\` value of "${name}" must be a single line`);
    }
  }
}

function checkAllowedSources(problems: ProblemList, sources: string[] | undefined): void {
  if (sources === undefined || Token.isUnresolved(sources)) return;
  if (sources.length === 0) {
    problems.add('`allowedSources` is empty, which would refuse every client: leave it out to allow any source');
  }
  if (sources.length > MAX_ALLOWED_SOURCES) {
    problems.add(`\`allowedSources\` holds ${sources.length} entries, at most ${MAX_ALLOWED_SOURCES} are allowed (the 51st is "${sources[MAX_ALLOWED_SOURCES]}"); use wider CIDRs`);
  }
  sources.forEach((source, index) => {
    if (Token.isUnresolved(source) || isCidr(source)) return;
    problems.add(
      `\`allowedSources[${index}]\` must be an IPv4 CIDR (prefix 0 to 32) or an IPv6 CIDR (prefix 0 to 128) such as 10.0.0.0/8 or 2001:db8::/32, got ${JSON.stringify(source)}`,
    );
  });
}

/** What the published endpoints expose, and where the filter of `allowedSources` cannot work. */
function checkEndpoints(check: InstanceCheck, version: RedisVersion, options: RedisInstanceOptions, settings: RedisInstanceSettings): void {
  const { plaintextHostIp, hostIp, publishPlaintext, allowedSources } = settings;
  if (publishPlaintext && !Token.isUnresolved(plaintextHostIp) && !isLoopback(plaintextHostIp)) {
    check.warn(
      `\`plaintextHostIp\` ${plaintextHostIp} publishes the plaintext port beyond this host: every password (AUTH, the URL's) and every command and value ` +
      'travel in clear to and from any client that reaches it; clients off the host should use the TLS endpoint, and `publishPlaintext: false` removes the plaintext port',
    );
  }
  if (allowedSources.length > 0 && settings.tlsMode === RedisTlsMode.NATIVE) {
    check.problems.add(
      '`allowedSources` needs the TLS sidecar, which closes other sources before the TLS handshake: with `tlsMode` "native" Redis itself publishes the TLS port ' +
      'and nothing could enforce the list; use the default sidecar, or leave `allowedSources` out and filter in the host\'s DOCKER-USER chain',
    );
  } else if (allowedSources.length > 0) {
    check.warn(
      `\`allowedSources\` sees the address Docker hands the sidecar: clients connecting to ${isLoopback(hostIp) ? `\`hostIp\` ${hostIp}` : 'a loopback address'} ` +
      'go through Docker\'s userland proxy and show as the Docker network\'s gateway, as every client does on an engine run with `--iptables=false`; ' +
      'allow that gateway only if you mean to admit every such client (README, "Security")',
    );
  }
  // Earlier releases published plaintext on `hostIp`; ports are ForceNew, so the changed address replaces the Redis container.
  const changedPorts = options.plaintextHostIp === undefined && options.publishPlaintext === undefined && plaintextHostIp !== hostIp;
  if (!version.persistent && changedPorts) {
    check.warn(
      `memory-only, and its plaintext port moves from \`hostIp\` ${hostIp}, where releases before 0.2.0 published it, to ${plaintextHostIp}: deployed by such a release, ` +
      'the next deploy replaces the Redis container and the database starts empty; set `plaintextHostIp` (to `hostIp` to keep the old address) to choose, and this warning goes',
    );
  }
}

function checkEnum(problems: ProblemList, prop: string, value: string | undefined, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(value)) {
    problems.add(`\`${prop}\` must be one of ${allowed.join(', ')}, got "${value}"`);
  }
}

/**
 * Checks what depends on the version and the resolved settings, records the
 * host port claims, and warns about risky but legal choices.
 */
export function checkInstanceSettings(
  check: InstanceCheck,
  version: RedisVersion,
  options: RedisInstanceOptions,
  settings: RedisInstanceSettings,
  ports: HostPortRequest[],
  networkTlsHost: string,
): void {
  const { problems } = check;
  for (const request of ports) {
    if (request.prop === 'tlsPort') claimHostPort(check.scope, check.hostKey, settings.hostIp, request, check.owner, problems);
    else if (settings.publishPlaintext) claimHostPort(check.scope, check.hostKey, settings.plaintextHostIp, request, check.owner, problems);
  }
  checkEndpoints(check, version, options, settings);

  const { engine, major, minor } = version;
  for (const [name, value] of Object.entries(options.config ?? {})) {
    if (OWNED_DIRECTIVES.includes(name.toLowerCase()) || !DIRECTIVE_NAME.test(name)) continue;
    // Refused already, for a reason that holds on every line.
    if (refusedConfigDirective(name, value, Token.isUnresolved(value)) !== undefined) continue;
    if (!version.persistent && MEMORY_ONLY_OWNED_DIRECTIVES.includes(name.toLowerCase())) continue;
    const unknown = configDirectiveProblem(engine, major, minor, name);
    if (unknown) problems.add(unknown);
    else if (isIgnoredConfigDirective(engine, major, minor, name)) {
      check.warn(`\`config\` directive "${name}" is accepted but ignored by ${engineFiles(version).displayName}: it has no effect`);
    }
  }

  if (settings.tlsMode === RedisTlsMode.NATIVE && !engineFeatures(version).nativeTls) {
    problems.add(`\`tlsMode\` "native" needs Redis 6.0 or later, got "${version.name}"; use the default sidecar`);
  }
  if (!version.persistent) {
    const useInstead = version.persistentFlavor.name;
    for (const name of Object.keys(options.config ?? {}).filter((n) => MEMORY_ONLY_OWNED_DIRECTIVES.includes(n.toLowerCase()))) {
      problems.add(
        `\`config\` must not set "${name}" on memory-only "${version.name}": the construct keeps full syncs off the tmpfs data dir, ` +
        'which counts against the container\'s memory (a follower would be OOM-killed loading a large one)',
      );
    }
    if (options.appendOnly) {
      problems.add(`\`appendOnly\` needs a persistent version, got memory-only "${version.name}"; use "${useInstead}"`);
    }
    if (options.saveSchedule !== undefined && options.saveSchedule.length > 0) {
      problems.add(`\`saveSchedule\` needs a persistent version, got memory-only "${version.name}"; use "${useInstead}"`);
    }
    if (options.enforceSize) {
      problems.add(`\`enforceSize\` needs a persistent version: memory-only "${version.name}" has a tmpfs of exactly \`size\` GB and no volume`);
    }
  }
  if (options.tlsCertificatePem !== undefined && options.tlsPrivateKeyPem !== undefined && options.tlsCaCertificatePem !== undefined) {
    checkSuppliedPems(problems, {
      certificatePem: options.tlsCertificatePem,
      privateKeyPem: options.tlsPrivateKeyPem,
      caCertificatePem: options.tlsCaCertificatePem,
      hostname: settings.hostname,
      networkTlsHost,
    }, (message) => check.warn(message));
  }

  const noAcl = noAclWarning(version);
  if (noAcl !== undefined) check.warn(noAcl);
  if (version.endOfLife) {
    check.warn(`${engineFiles(version).displayName} is end of life upstream and gets no security fixes; plan an upgrade`);
  }
  if (version.persistent) {
    if (!settings.enforceSize) {
      check.warn(`the data volume's \`size\` (${settings.size} GB) is recorded in a label but not enforced; set \`enforceSize\` where Docker's data root is XFS with project quotas`);
    }
    if (options.saveSchedule !== undefined && options.saveSchedule.length === 0 && !settings.appendOnly) {
      check.warn('`saveSchedule` is empty and `appendOnly` is off: nothing is written to disk and a restart loses all data');
    }
    if (options.preventDestroy === false) {
      check.warn('`preventDestroy` is off: a plan that replaces the data volume deletes the data');
    }
    const stopWrites = options.config?.['stop-writes-on-bgsave-error'];
    // Redis applies the setting only while a save schedule is set; it reads yes/no in any case.
    if (stopWrites !== undefined && !Token.isUnresolved(stopWrites) && stopWrites.trim().toLowerCase() === 'no' && (options.saveSchedule === undefined || options.saveSchedule.length > 0)) {
      check.warn(
        '`config` sets "stop-writes-on-bgsave-error" to "no": when a snapshot fails (a full disk), Redis keeps acknowledging writes it cannot save ' +
        'and a restart loses everything since the last good snapshot; without it Redis refuses writes (MISCONF) until a snapshot succeeds',
      );
    }
  } else {
    check.warn(
      'memory-only: the data lives in the Redis container alone, so a deploy that replaces it (a new `containerSizeMb`, `size`, `version`, ' +
      '`config`, `maxmemoryPolicy`, `password`, TLS mode or material, `image`, or a library upgrade that changes the container) empties the database',
    );
  }
  if (!version.persistent && options.size !== undefined && !Token.isUnresolved(options.size) && options.size > 1) {
    check.warn(
      `\`size\` is disk, not memory: memory-only "${version.name}" keeps its data in memory, up to \`maxmemory\` ${settings.maxmemoryMb}mb from \`containerSizeMb\` ${settings.containerSizeMb}, ` +
      `and its ${settings.size} GB tmpfs data dir holds no data (anything written there counts against that memory); set \`size\` 1 and raise \`containerSizeMb\` for a larger cache`,
    );
  }
}
