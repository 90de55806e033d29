import { Token } from 'cdktf';
import { RedisInstanceOptions, RedisInstanceSettings, RedisTlsMode } from '../redis-options';
import { InstanceCheck } from '../private/instance-checks';
import { HostPortRequest } from '../private/stack-registry';
import { isHostname } from '../private/validation';

/** Checks `announceAddress` and `tlsHostnames`, the addresses peers on other hosts use. */
export function checkPeerAddresses(check: InstanceCheck, options: RedisInstanceOptions, settings: RedisInstanceSettings, ports: readonly HostPortRequest[]): void {
  const { problems } = check;
  const address = options.announceAddress;
  if (address !== undefined && !Token.isUnresolved(address)) {
    if (!isHostname(address)) {
      problems.add(`\`announceAddress\` must be a DNS name or an IPv4 address, got "${address}"`);
    } else if (address.startsWith('127.') || address === 'localhost') {
      problems.add(`\`announceAddress\` "${address}" is loopback, which no peer on another host or network reaches: give the address other hosts use`);
    }
  }
  if (address !== undefined) {
    const prop = settings.tlsMode === RedisTlsMode.NATIVE ? 'tlsPort' : 'port';
    const request = ports.find((p) => p.prop === prop);
    if (request?.port === undefined) {
      problems.add(`\`announceAddress\` needs \`${prop}\` set: the announced port goes into the config, which cannot name a host port Docker picks when the container starts`);
    }
  }
  for (const [index, name] of (options.tlsHostnames ?? []).entries()) {
    if (!Token.isUnresolved(name) && !isHostname(name)) problems.add(`\`tlsHostnames[${index}]\` must be a DNS name or an IPv4 address, got "${name}"`);
  }
}
