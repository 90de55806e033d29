import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFailover, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';

/**
 * One database on two Docker hosts: the primary on host A, a follower on
 * host B replicating over TLS, and Sentinels that promote the follower when
 * the primary fails. Each host reaches the other's published TLS ports under
 * its DNS name (open 6380 and 26380 between the hosts; nothing else needs to
 * cross), and neither publishes a plaintext port. Three Sentinels on two
 * hosts cannot survive the loss of host A (synth warns): give the third its
 * own host where you have one.
 */
export class MultiHostStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const hostA = new DockerProvider(this, 'host-a', { alias: 'a', host: 'ssh://deploy@redis-a.internal' });
    const hostB = new DockerProvider(this, 'host-b', { alias: 'b', host: 'ssh://deploy@redis-b.internal' });
    const primary = new RedisDatabase(this, 'sessions', {
      provider: hostA,
      version: RedisVersion.V7_2,
      tlsMode: RedisTlsMode.NATIVE,
      hostname: 'redis-a.internal',
      announceAddress: 'redis-a.internal',
      publishPlaintext: false,
    });
    const follower = new RedisFollower(this, 'sessions-b', {
      primary,
      provider: hostB,
      primaryAddress: 'redis-a.internal',
      sharePrimaryCredentials: true,
      hostname: 'redis-b.internal',
      announceAddress: 'redis-b.internal',
      publishPlaintext: false,
      tlsPort: 6380,
    });
    new RedisFailover(this, 'sessions-failover', {
      primary,
      followers: [follower],
      sentinels: [
        { provider: hostA, address: 'redis-a.internal' },
        { provider: hostA, address: 'redis-a.internal', tlsPort: 26381 },
        { provider: hostB, address: 'redis-b.internal' },
      ],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new MultiHostStack(app, 'multi-host');
  app.synth();
}
