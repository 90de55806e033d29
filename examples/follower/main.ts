import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFollower, RedisVersion } from '../../lib';

/** A persistent database and a read-only follower replicating from it over the database network. */
export class FollowerStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});
    const primary = new RedisDatabase(this, 'sessions', { version: RedisVersion.V7_2, size: 10 });
    new RedisFollower(this, 'sessions-replica', { primary, port: 6479, tlsPort: 6480 });
  }
}

if (require.main === module) {
  const app = new App();
  new FollowerStack(app, 'follower');
  app.synth();
}
