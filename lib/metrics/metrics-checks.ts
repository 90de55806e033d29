import { X509Certificate } from 'crypto';
import { Token } from 'cdktf';
import { RedisInstanceOptions } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { engineFeatures } from '../private/engine';
import { InstanceCheck } from '../private/instance-checks';
import { claimHostPort } from '../private/stack-registry';
import { IPV4 } from '../private/validation';

const DEFAULT_METRICS_HOST_IP = '127.0.0.1';

/** The exporter an instance runs, its props checked and defaults (and a primary's settings) applied. */
export interface ResolvedMetrics {
  /** Host address of the metrics endpoint. */
  readonly hostIp: string;
  /** Host port; undefined lets Docker choose one. */
  readonly port?: number;
}

/** What a follower takes from its primary's metrics when its own `metrics` leaves them out. */
export interface InheritedMetrics {
  readonly metrics?: ResolvedMetrics;
  /** Host-bound settings (`hostIp`) carry over only on the same Docker host. */
  readonly sameHost: boolean;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

/** Whether the first certificate of a literal PEM names `host`; undefined when it cannot tell (the TLS checks report bad PEM). */
function certificateNames(pem: string, host: string): boolean | undefined {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!block) return undefined;
  try {
    return new X509Certificate(block[0]).checkHost(host) !== undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks `metrics`, records its host port claim and warns about an endpoint
 * published beyond the host. Returns the exporter to build, or undefined when
 * metrics are off.
 *
 * @param tlsHost the name the exporter connects to and verifies the certificate for
 */
export function checkMetrics(check: InstanceCheck, version: RedisVersion, options: RedisInstanceOptions, tlsHost: string, from?: InheritedMetrics): ResolvedMetrics | undefined {
  const { problems } = check;
  const given = options.metrics;
  if (given !== undefined && typeof given.enabled !== 'boolean') {
    problems.add(`\`metrics.enabled\` must be true or false, got ${JSON.stringify(given.enabled)}`);
    return undefined;
  }
  const enabled = given?.enabled ?? from?.metrics !== undefined;
  if (!enabled) return undefined;

  const hostIp = given?.hostIp ?? (from?.sameHost ? from.metrics?.hostIp : undefined) ?? DEFAULT_METRICS_HOST_IP;
  const port = given?.port;
  problems.port('metrics.port', port);
  problems.matches('metrics.hostIp', given?.hostIp, IPV4, 'an IPv4 address such as 127.0.0.1 or 0.0.0.0');
  claimHostPort(check.scope, check.hostKey, hostIp, { prop: 'metrics.port', port, isDefault: false }, check.owner, problems);

  if (!engineFeatures(version).acl) {
    problems.add(`\`metrics\` needs Redis 6.0 or later or Valkey: the exporter logs in as a user of its own with only the commands it needs, and "${version.name}" has no ACL users; upgrade, or leave \`metrics\` off`);
  }
  const certificate = options.tlsCertificatePem;
  if (certificate !== undefined && !Token.isUnresolved(certificate) && certificateNames(certificate, tlsHost) === false) {
    problems.add(
      `\`metrics\` reads the server over TLS as "${tlsHost}" on the Docker network and verifies the certificate for that name, which \`tlsCertificatePem\` does not name: ` +
      `add DNS:${tlsHost} to the certificate, or leave \`metrics\` off`,
    );
  }
  if (!Token.isUnresolved(hostIp) && IPV4.test(hostIp) && !isLoopback(hostIp)) {
    const where = hostIp === '0.0.0.0' ? 'on every address of the Docker host' : `on ${hostIp}`;
    check.warn(
      `\`metrics.hostIp\` ${hostIp} publishes the metrics endpoint ${where}, and it has no authentication: whoever reaches it reads the server's INFO ` +
      '(memory, clients, replication, the number of keys); keep it on 127.0.0.1, or on an address only your Prometheus reaches',
    );
  }
  return { hostIp, port };
}
