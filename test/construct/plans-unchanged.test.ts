/**
 * The plans of the examples and of a stack that uses every construct and every
 * option that changes what the constructs emit, compared byte for byte with
 * the plans recorded before the inside of the library was reshaped (issue
 * "The inside, ready for more": capabilities composed from one list, shell in
 * .sh files). A refactor that changes a plan fails here; a change that means
 * to change one re-records them with `UPDATE_PLAN_FIXTURES=1` and says why in
 * its commit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import {
  RedisBackupFile, RedisDatabase, RedisFailover, RedisFollower, RedisLogDriver, RedisTlsMode, RedisVersion,
} from '../../lib';
import { EXAMPLE_STACKS } from '../support/example-stacks';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plans');

/** Every construct, and the options of each that add resources, attributes, files or lines to a plan. */
class EveryConstruct extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});
    const primary = new RedisDatabase(this, 'cache', {
      version: RedisVersion.V7_2,
      metrics: { enabled: true },
      users: [{ name: 'reader', permissions: '~* +@read' }],
      backup: { everyHours: 6, startAtUtc: '01:30', retainDaily: 3 },
      logging: { driver: RedisLogDriver.LOCAL, options: { 'max-size': '5m' } },
    });
    new RedisFollower(this, 'replica', { primary });
    new RedisDatabase(this, 'scratch', { version: RedisVersion.V7_2_NORDB, port: 7379, tlsPort: 7380, size: 2, backup: { enabled: true } });
    new RedisDatabase(this, 'secure', {
      version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE, port: 8379, tlsPort: 8380, appendOnly: true, metrics: { enabled: true, port: 8121 },
      backup: { hostPath: '/srv/backups', everyHours: 6, startAtUtc: '01:30' },
      restoreFrom: RedisBackupFile.inVolume('cache-backups', 'cache-7.2-20261129T021300Z.rdb'),
    });
    new RedisDatabase(this, 'legacy', {
      version: RedisVersion.V5_0, port: 10379, tlsPort: 10380, restoreFrom: RedisBackupFile.atHostPath('/srv/backups/old-5.0-20261129T021300Z.rdb'),
    });
    new RedisDatabase(this, 'valkey', { version: RedisVersion.VALKEY_9_0, tlsPort: 11380, backup: { enabled: true }, publishPlaintext: false });

    // A failover group in sidecar mode on one host, its plaintext on the host's address (the multi-host example has one
    // across hosts in native TLS).
    const common = { version: RedisVersion.V8_0, announceAddress: '10.0.0.1', plaintextHostIp: '10.0.0.1' };
    const grouped = new RedisDatabase(this, 'grouped', { ...common, port: 12379, tlsPort: 12380 });
    const local = new RedisFollower(this, 'grouped-b', { ...common, primary: grouped, sharePrimaryCredentials: true, port: 12479, tlsPort: 12480 });
    new RedisFailover(this, 'grouped-failover', {
      primary: grouped, followers: [local], sentinels: [1, 2, 3].map((n) => ({ address: '10.0.0.1', port: 26478 + n, hostIp: '10.0.0.1' })),
    });
  }
}

const STACKS: Array<[string, new (scope: Construct, id: string) => TerraformStack]> = [...EXAMPLE_STACKS, ['every-construct', EveryConstruct]];

describe.each(STACKS)('the plan of %s', (name, Stack) => {
  test('is byte-identical to the one recorded before the reshaping', () => {
    const app: App = Testing.app();
    const plan = Testing.synth(new Stack(app, name));
    const fixture = path.join(FIXTURES, `${name}.json`);
    if (process.env.UPDATE_PLAN_FIXTURES === '1' && process.env.CI !== 'true') fs.writeFileSync(fixture, plan);
    expect(plan).toBe(fs.readFileSync(fixture, 'utf8'));
  });
});
