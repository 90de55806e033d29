import { Capability, CapabilityEntry, Instance } from '../private/capability';
import { haproxyImageId, portText } from '../private/instance-core';
import { failoverMembershipOf } from '../private/internals';
import { ReplicaOfData, replicaOfLine } from '../private/redis-conf';
import { TUNNEL_CA_PATH } from '../private/redis-node';
import { CrossHostReplication, planCrossHostReplication } from './cross-host';
import { memberStartup } from './node-startup';
import { checkPeerAddresses } from './peer-address-checks';
import { renderReplicationTunnelConf } from './replication-tunnel-conf';

const TUNNEL_LISTEN_PORT = 6379;

/** A follower on another host than its primary: how it replicates, and the primary's CA, which verifies it. */
type CrossHostFollower = CrossHostReplication & { readonly primaryCaPem: string };

/**
 * Replication beyond one Docker network: a follower on another host reaches
 * its primary over TLS (natively, or through the `HANDLE-tunnel` HAProxy
 * container inside the node), and a failover group's node takes its role and
 * start from the group, which is built after it and known only at synth.
 */
function failoverCapability(crossHost: CrossHostFollower | undefined): Capability {
  return {
    name: 'failover',
    node: (instance) => {
      const { files, version } = instance;
      const tunnelAlias = `${instance.handle}-tunnel`;
      const overTls = (replicaOf: ReplicaOfData | undefined): ReplicaOfData | undefined => {
        if (!replicaOf || !crossHost) return replicaOf;
        return crossHost.transport === 'native'
          ? { ...replicaOf, host: crossHost.primaryAddress, port: crossHost.primaryTlsPort, tls: true }
          : { ...replicaOf, host: tunnelAlias, port: TUNNEL_LISTEN_PORT };
      };
      const membership = () => failoverMembershipOf(instance.scope);
      return {
        conf: (input) => {
          const replicaOf = overTls(input.replicaOf);
          const member = membership();
          if (!member) return { ...input, replicaOf };
          // Every node can become a replica of any other: each carries the replication login, and none a fixed role.
          const login = replicaOf ?? instance.access.replication;
          return { ...input, replicaOf: { user: login.user, password: login.password, tls: member.tlsReplication } };
        },
        start: () => {
          const member = membership();
          if (!member) return undefined;
          const initial = member.initialReplicaOf;
          return memberStartup(files, initial && replicaOfLine(version, initial.host, initial.port));
        },
        peerCa: crossHost?.transport === 'native' ? { file: `${files.tlsDir}/primary-ca.crt`, pem: crossHost.primaryCaPem } : undefined,
        replicationTunnel: crossHost?.transport === 'tunnel' ? replicationTunnel(instance, crossHost, tunnelAlias) : undefined,
        deployTimeValues: crossHost === undefined ? [] : [
          // The primary's address (replicaof, the tunnel's server line) and the name the tunnel verifies.
          { what: '`primaryAddress`', value: crossHost.primaryAddress },
          { what: 'the name the replication tunnel verifies (`primaryAddress` or the primary\'s `hostname`)', value: crossHost.verifyHost },
        ],
      };
    },
  };
}

function replicationTunnel(instance: Instance, crossHost: CrossHostFollower, networkAlias: string) {
  return {
    imageId: haproxyImageId(instance),
    networkAlias,
    caPem: crossHost.primaryCaPem,
    conf: renderReplicationTunnelConf({
      listenPort: TUNNEL_LISTEN_PORT,
      primaryAddress: crossHost.primaryAddress,
      primaryTlsPort: crossHost.primaryTlsPort,
      caFile: TUNNEL_CA_PATH,
      verifyHost: crossHost.verifyHost,
    }),
  };
}

/** The addresses peers on other hosts use, and for a follower how it reaches its primary. */
export const failoverEntry: CapabilityEntry = {
  name: 'failover',
  checkOrder: 2,
  check: ({ check, props, settings, ports, primary }) => {
    checkPeerAddresses(check, props, settings, ports);
    if (!primary?.internals) return failoverCapability(undefined);
    const plan = planCrossHostReplication(check, primary.database, primary.internals, primary.address, settings, portText);
    return failoverCapability(plan && { ...plan, primaryCaPem: primary.database.credentials.caCertificatePem });
  },
};
