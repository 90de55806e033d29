import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisVersion } from '../../lib';

/** One persistent Redis 7.2 database with a 10 GB data volume, on the local Docker host. */
export class BasicStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});
    new RedisDatabase(this, 'cache', { version: RedisVersion.V7_2, size: 10 });
  }
}

if (require.main === module) {
  const app = new App();
  new BasicStack(app, 'basic');
  app.synth();
}
