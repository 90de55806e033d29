import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { MaxmemoryPolicy, RedisDatabase, RedisVersion } from '../../lib';

/** A memory-only cache: no snapshots, a 1 GB tmpfs, least-recently-used keys evicted when full. */
export class MemoryOnlyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});
    new RedisDatabase(this, 'scratch', {
      version: RedisVersion.V7_2_NORDB,
      size: 1,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
    });
  }
}

if (require.main === module) {
  const app = new App();
  new MemoryOnlyStack(app, 'memory-only');
  app.synth();
}
