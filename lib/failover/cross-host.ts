import { X509Certificate } from 'crypto';
import { Token } from 'cdktf';
import { IRedisDatabase, RedisInstanceSettings, RedisTlsMode } from '../redis-options';
import { dockerHostName } from '../private/docker-hosts';
import { InstanceCheck } from '../private/instance-checks';
import { InstanceInternals } from '../private/internals';
import { isHostname, isIpv4 } from '../private/validation';

/** How a follower on another Docker host than its primary reaches it: always over TLS. */
export interface CrossHostReplication {
  /**
   * `native`: Redis replicates with `tls-replication yes`, verifying the
   * primary's chain against the primary's CA (Redis checks no host name).
   * `tunnel`: an HAProxy container on the follower's host verifies chain
   * and host name, and the follower replicates through it.
   */
  readonly transport: 'native' | 'tunnel';
  readonly primaryAddress: string;
  /** The primary's published TLS port, as config text. */
  readonly primaryTlsPort: string;
  /** The DNS name the tunnel checks the primary's certificate for. */
  readonly verifyHost: string;
}

function certificateCovers(pem: string, host: string): boolean | undefined {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!first) return undefined;
  try {
    const certificate = new X509Certificate(first[0]);
    return (isIpv4(host) ? certificate.checkIP(host) : certificate.checkHost(host)) !== undefined;
  } catch {
    return undefined;
  }
}

/** What the primary's certificate is known to name, for messages. */
function namesText(names: readonly string[]): string {
  return names.filter((name) => !Token.isUnresolved(name)).join(', ');
}

/**
 * Checks a follower's placement against its primary's and decides how it
 * replicates. Undefined when both share a Docker host: replication then
 * stays on the primary's Docker network, as it always did.
 */
export function planCrossHostReplication(
  check: InstanceCheck,
  primary: IRedisDatabase,
  primaryInternals: InstanceInternals,
  primaryAddress: string | undefined,
  settings: RedisInstanceSettings,
  portText: (port: number) => string,
): CrossHostReplication | undefined {
  const { problems } = check;
  if (primaryInternals.hostKey === check.hostKey) {
    if (primaryAddress !== undefined) {
      problems.add(
        `\`primaryAddress\` "${primaryAddress}" is only for a follower on another Docker host than its primary; this one shares ${dockerHostName(check.hostKey)} with ${primary.handle} ` +
        'and replicates over its Docker network: leave `primaryAddress` out',
      );
    }
    return undefined;
  }
  if (primaryAddress === undefined) {
    problems.add(
      `\`primaryAddress\` is required: \`provider\` puts this follower on ${dockerHostName(check.hostKey)} and its primary ${primary.handle} on ${dockerHostName(primaryInternals.hostKey)}; ` +
      `give the host name or IPv4 address under which this follower's host reaches ${primary.handle}'s published TLS port`,
    );
    return undefined;
  }
  if (!Token.isUnresolved(primaryAddress) && !isHostname(primaryAddress)) {
    problems.add(`\`primaryAddress\` must be a DNS name or an IPv4 address, got "${primaryAddress}"`);
    return undefined;
  }

  const literalAddress = !Token.isUnresolved(primaryAddress);
  const generatedNames = primaryInternals.certificateNames;
  const suppliedPem = primaryInternals.suppliedCertificatePem;
  if (literalAddress && generatedNames && !generatedNames.includes(primaryAddress)) {
    problems.add(
      `\`primaryAddress\` "${primaryAddress}" is not named by ${primary.handle}'s generated certificate (it names ${namesText(generatedNames)}), so TLS to it would fail verification: ` +
      `set ${primary.handle}'s \`announceAddress\` or add the address to its \`tlsHostnames\``,
    );
  } else if (literalAddress && suppliedPem !== undefined && !Token.isUnresolved(suppliedPem) && certificateCovers(suppliedPem, primaryAddress) === false) {
    problems.add(`\`primaryAddress\` "${primaryAddress}" is not named by ${primary.handle}'s \`tlsCertificatePem\`, so TLS to it would fail verification: use a name the certificate carries`);
  } else if (suppliedPem !== undefined && (Token.isUnresolved(suppliedPem) || !literalAddress)) {
    check.warn(`${primary.handle}'s certificate or \`primaryAddress\` is known only at deploy time: make sure the certificate names the address, or replication fails verification`);
  }

  const primaryTlsPort = portText(primary.credentials.tlsPort);
  if (settings.tlsMode === RedisTlsMode.NATIVE) {
    if (suppliedPem !== undefined) {
      check.warn(
        `replication over native TLS verifies ${primary.handle}'s certificate chain but not its host name: every certificate its \`tlsCaCertificatePem\` signs is accepted as the primary; ` +
        'use a CA that signs only this database\'s certificates (the generated one does), or `tlsMode` sidecar, whose tunnel also checks the name',
      );
    }
    return { transport: 'native', primaryAddress, primaryTlsPort, verifyHost: primaryAddress };
  }

  // HAProxy checks a certificate's DNS names only: for an IP address it checks
  // a DNS name the primary's certificate carries instead, the handle of a
  // generated one (its CA signs no other server) or the primary's host name.
  let verifyHost = primaryAddress;
  if (literalAddress && isIpv4(primaryAddress)) {
    verifyHost = generatedNames ? primary.handle : primary.settings.hostname;
    if (!Token.isUnresolved(verifyHost) && isIpv4(verifyHost)) {
      problems.add(
        `\`primaryAddress\` "${primaryAddress}" and ${primary.handle}'s \`hostname\` are IPv4 addresses, and the replication tunnel (HAProxy) checks only DNS names of a supplied certificate: ` +
        `give \`primaryAddress\` as a DNS name its certificate carries`,
      );
    }
  }
  return { transport: 'tunnel', primaryAddress, primaryTlsPort, verifyHost };
}
