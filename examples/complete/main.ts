import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower } from '../../lib';

/**
 * The app of the repository root's cdktf.json: a persistent database, a
 * read-only follower of it, a memory-only cache, and an app container that
 * uses the database's credentials over the database network.
 */
export class CompleteStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});

    const db = new RedisDatabase(this, 'db', { version: '7.2', size: 10 });
    // Without ports Docker picks free host ones: read them from the db-replica_url output.
    new RedisFollower(this, 'db-replica', { primary: db });
    new RedisDatabase(this, 'cache', {
      version: '7.2-nordb',
      size: 1,
      port: 6381,
      tlsPort: 6382,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
    });

    // The app reaches Redis on the database network by its handle, not through the
    // host's published ports; the URL is an uploaded file, so `docker inspect` shows
    // no password (an environment variable would).
    const appImage = new Image(this, 'app-image', { name: db.version.image, keepLocally: true });
    new Container(this, 'app', {
      name: 'app',
      image: appImage.imageId,
      networksAdvanced: [{ name: db.networkName }],
      upload: [{
        file: '/run/app/redis-url',
        content: `redis://default:${db.credentials.password}@${db.networkHost}:${db.networkPort}`,
        permissions: '0400',
      }],
      entrypoint: ['sh', '-c'],
      // A service loop: it runs as long as the container. Until RedisDatabase can be a
      // `dependsOn` target the app may start before Redis answers; the next round retries.
      command: ['while :; do redis-cli -u "$(cat /run/app/redis-url)" --no-auth-warning INCR app:heartbeats; sleep 60; done'],
      restart: 'unless-stopped',
    });
  }
}

if (require.main === module) {
  const app = new App();
  new CompleteStack(app, 'complete');
  app.synth();
}
