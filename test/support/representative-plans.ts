import * as fs from 'fs';
import { Fn } from 'cdktf';
import { Network } from '@cdktf/provider-docker/lib/network';
import { RedisBackupFile, RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { makeTestPki } from './pki';
import { tempDir } from './processes';
import { dockerStack, synthJson } from './synth';

export interface RepresentativePlans {
  readonly plans: Record<string, any>;
  /** Secrets given as literal props: they must appear only inside `sensitive(...)`. */
  readonly literalSecrets: { readonly password: string; readonly privateKeyPem: string };
}

/**
 * Plans that between them use every option that changes which resources or
 * attributes the constructs emit: both TLS modes, memory-only, AOF, a
 * follower with Docker-chosen ports, a user network, an enforced volume size,
 * literal and apply-time TLS material, a literal password, metrics exporters
 * (a primary's inherited by its follower, one on a given port), and backups of
 * each kind (through the socket, over the network, by BGSAVE before 6.0, of a
 * memory-only database, into a host directory) and restores from a volume and
 * from a host path.
 */
export function representativePlans(): RepresentativePlans {
  const pkiDir = tempDir('representative-pki');
  const pki = makeTestPki(pkiDir);
  fs.rmSync(pkiDir, { recursive: true, force: true });
  const literalSecrets = { password: 'LiteralPassword0123456789abcdef', privateKeyPem: pki.keyPem };

  const generated = dockerStack();
  const primary = new RedisDatabase(generated, 'cache', { version: RedisVersion.V7_2, metrics: { enabled: true } });
  new RedisFollower(generated, 'replica', { primary });
  new RedisDatabase(generated, 'scratch', { version: RedisVersion.V7_2_NORDB, port: 7379, tlsPort: 7380, size: 2, backup: { enabled: true } });
  new RedisDatabase(generated, 'secure', {
    version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE, port: 8379, tlsPort: 8380, appendOnly: true, metrics: { enabled: true, port: 8121 },
    backup: { hostPath: '/srv/backups', everyHours: 6, startAtUtc: '01:30' },
    restoreFrom: RedisBackupFile.inVolume('cache-backups', 'cache-7.2-20261129T021300Z.rdb'),
  });
  new RedisDatabase(generated, 'legacy', {
    version: RedisVersion.V5_0, port: 10379, tlsPort: 10380, restoreFrom: RedisBackupFile.atHostPath('/srv/backups/old-5.0-20261129T021300Z.rdb'),
  });

  const given = dockerStack();
  const network = new Network(given, 'apps', { name: 'apps' });
  new RedisDatabase(given, 'given', {
    version: RedisVersion.V8_0,
    network,
    enforceSize: true,
    password: literalSecrets.password,
    tlsCertificatePem: pki.certPem,
    tlsPrivateKeyPem: literalSecrets.privateKeyPem,
    tlsCaCertificatePem: pki.caCertPem,
  });
  new RedisDatabase(given, 'native-given', {
    version: RedisVersion.V7_2,
    tlsMode: RedisTlsMode.NATIVE,
    port: 9379,
    tlsPort: 9380,
    password: literalSecrets.password,
    tlsCertificatePem: Fn.file('/etc/pki/redis.crt'),
    tlsPrivateKeyPem: Fn.file('/etc/pki/redis.key'),
    tlsCaCertificatePem: Fn.file('/etc/pki/ca.crt'),
  });
  return { plans: { generated: synthJson(generated), given: synthJson(given) }, literalSecrets };
}
