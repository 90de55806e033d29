import { SentinelConfInput } from '../../lib/failover/sentinel-conf';

/** A Sentinel's render input as a group in native TLS mode without host names gives it, with test secrets. */
export const SENTINEL_CONF_INPUT = {
  masterName: 'fo',
  primaryHost: '10.0.0.1',
  primaryPort: '6380',
  quorum: 2,
  downAfterMs: 5000,
  failoverTimeoutMs: 60000,
  myid: 'a'.repeat(40),
  announceIp: '10.0.0.9',
  announcePort: 26380,
  listenPort: 26380,
  authUser: 'sentinel',
  authPass: 'node-pass',
  appPassHash: 'a1'.repeat(32),
  adminPass: 'admin-pass',
  adminPassHash: 'b2'.repeat(32),
  hostnames: false,
  dataDir: '/data',
} satisfies SentinelConfInput;
