import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower, RedisVersion } from '../../lib';

/**
 * The app of the repository root's cdktf.json: a persistent database, a
 * read-only follower of it, a memory-only cache, and an app container that
 * uses the database's credentials over the database network.
 */
export class CompleteStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});

    const db = new RedisDatabase(this, 'db', { version: RedisVersion.V7_2, size: 10 });
    // Without ports Docker picks free host ones: read them from the db-replica_url output.
    new RedisFollower(this, 'db-replica', { primary: db });
    new RedisDatabase(this, 'cache', {
      version: RedisVersion.V7_2_NORDB,
      size: 1,
      port: 6381,
      tlsPort: 6382,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
    });

    // The app reaches Redis over TLS on the database network, by the sidecar's
    // alias, which the certificate names; the URL and CA are uploaded files, so
    // `docker inspect` shows no password (an environment variable would).
    const appImage = new Image(this, 'app-image', { name: db.version.image, keepLocally: true });
    new Container(this, 'app', {
      name: 'app',
      image: appImage.imageId,
      networksAdvanced: [{ name: db.networkName }],
      upload: [
        { file: '/run/app/redis-url', content: db.credentials.networkTlsUrl, permissions: '0400' },
        { file: '/run/app/redis-ca.pem', content: db.credentials.caCertificatePem, permissions: '0444' },
      ],
      entrypoint: ['sh', '-c'],
      // A service loop: it runs as long as the container.
      command: ['trap "exit 0" TERM; while :; do redis-cli -u "$(cat /run/app/redis-url)" --tls --cacert /run/app/redis-ca.pem --no-auth-warning INCR app:heartbeats; sleep 60 & wait $!; done'],
      restart: 'unless-stopped',
      // As the library's containers: the provider's default (true) deletes an app someone stopped at the next refresh, even in `cdktf diff`.
      mustRun: false,
      // The loop exits at SIGTERM (sh as PID 1 would ignore it without the trap; the sleep runs in the background so the trap runs at once): 10 s is ample.
      destroyGraceSeconds: 10,
      // Created once Redis and its TLS sidecar exist.
      dependsOn: [db],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new CompleteStack(app, 'complete');
  app.synth();
}
