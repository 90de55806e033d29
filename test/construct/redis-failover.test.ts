import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import {
  RedisBackupFile, RedisDatabase, RedisDatabaseProps, RedisFailover, RedisFailoverProps, RedisLogDriver, RedisFollower, RedisFollowerProps, RedisTlsMode, RedisVersion, SentinelPlacement,
} from '../../lib';
import { NODE_STATE_FILE } from '../../lib/failover/node-startup';
import { dockerStack, errorOf, resourceAt, synthJson, uploadOf, warningsUnder } from '../support/synth';

const CONF = '/usr/local/etc/redis/redis.conf';
const SENTINEL_CONF = '/usr/local/etc/redis/sentinel.conf';

function group(options: {
  primary?: RedisDatabaseProps; follower?: Partial<RedisFollowerProps>; failover?: Partial<RedisFailoverProps>; sentinels?: (hostB: DockerProvider) => SentinelPlacement[];
} = {}) {
  const stack = dockerStack();
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
  const primary = new RedisDatabase(stack, 'db', {
    version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE, announceAddress: '10.0.0.1', ...options.primary,
  });
  const follower = new RedisFollower(stack, 'db-b', {
    primary, provider: hostB, primaryAddress: '10.0.0.1', announceAddress: '10.0.0.2', port: 6379, tlsPort: 6380, sharePrimaryCredentials: true, ...options.follower,
  });
  const sentinels = options.sentinels?.(hostB) ?? [
    { address: '10.0.0.1', tlsPort: 26380 },
    { provider: hostB, address: '10.0.0.2', tlsPort: 26380 },
    { provider: hostB, address: '10.0.0.2', tlsPort: 26381 },
  ];
  const failover = new RedisFailover(stack, 'db-failover', { primary, followers: [follower], sentinels, ...options.failover });
  return { stack, primary, follower, failover, json: synthJson(stack) };
}

describe('RedisFailover', () => {
  const g = group();

  test('the Sentinels log where the group\'s logging says, json-file with the library\'s limits by default', () => {
    const sentinelsOf = (json: any) => Object.values<any>(json.resource.docker_container).filter((c) => c.name.includes('-sentinel-'));
    for (const c of sentinelsOf(g.json)) expect([c.log_driver, c.log_opts]).toEqual(['json-file', { 'max-size': '10m', 'max-file': '3' }]);
    const logging = { driver: RedisLogDriver.LOCAL, options: { 'max-size': '5m' } };
    const withLogging = sentinelsOf(group({ failover: { logging } }).json);
    expect(withLogging).toHaveLength(3);
    for (const c of withLogging) expect([c.log_driver, c.log_opts]).toEqual(['local', { 'max-size': '5m' }]);
  });

  test('a sharing follower uses its primary\'s password, internal secret and CA, and generates none of them', () => {
    const passwords = Object.keys(g.json.resource.random_password).sort();
    expect(passwords).toEqual([expect.stringMatching(/^db_InternalSecret_/), expect.stringMatching(/^db_Password_/)]);
    expect(Object.keys(g.json.resource.tls_self_signed_cert)).toEqual([expect.stringMatching(/^db_CaCertificate_/)]);
    const followerCert = resourceAt(g.stack, 'tls_locally_signed_cert', 'db-b/ServerCertificate');
    expect(followerCert.ca_cert_pem).toMatch(/^\$\{tls_self_signed_cert\.db_CaCertificate_\w+\.cert_pem\}$/);
    expect(g.json.output['db-b_url'].value).toMatch(/^rediss?:\/\/default:\$\{random_password\.db_Password_\w+\.result\}@/);
  });

  test('no node\'s uploaded config holds a role: the primary too carries the replication login, over TLS', () => {
    for (const path of ['db/Node/Redis', 'db-b/Node/Redis']) {
      const conf = uploadOf(resourceAt(g.stack, 'docker_container', path), CONF);
      expect(conf).not.toMatch(/^(replicaof|slaveof) /m);
      expect(conf).toContain('masteruser replication\n');
      expect(conf).toContain('tls-replication yes\n');
    }
  });

  test('nodes start from a writable copy of the config in the data volume; only the first start takes the code\'s role', () => {
    const follower = resourceAt(g.stack, 'docker_container', 'db-b/Node/Redis');
    expect(follower.entrypoint).toEqual(['/bin/sh', '-c']);
    const script: string = follower.command[0];
    expect(script).toContain(`state=${NODE_STATE_FILE}`);
    expect(script).toContain(`else role='replicaof 10.0.0.1 6380'; fi`);
    expect(script).toContain('exec redis-server "$state"');
    expect(script).not.toContain('${');
    expect(resourceAt(g.stack, 'docker_container', 'db/Node/Redis').command[0]).toContain(`else role=''; fi`);
  });

  test('three Sentinels on their hosts, each with a fixed myid, TLS, its own login to the nodes and an announced address', () => {
    const sentinels = Object.values<any>(g.json.resource.docker_container).filter((c) => c.name.startsWith('db-failover-sentinel-'));
    expect(sentinels.map((c) => [c.name, c.provider, c.ports[0].external])).toEqual([
      ['db-failover-sentinel-1', undefined, 26380], ['db-failover-sentinel-2', 'docker.b', 26380], ['db-failover-sentinel-3', 'docker.b', 26381],
    ]);
    const conf = uploadOf(sentinels[1], SENTINEL_CONF);
    expect(conf).toMatch(/^sentinel myid [0-9a-f]{40}$/m);
    expect(conf).toContain('sentinel monitor db-failover 10.0.0.1 6380 2\n');
    expect(conf).toContain('sentinel auth-user db-failover sentinel\n');
    expect(conf).toContain('sentinel down-after-milliseconds db-failover 5000\n');
    expect(conf).toContain('sentinel announce-ip 10.0.0.2\nsentinel announce-port 26380\n');
    expect(conf).toContain('tls-replication yes\n');
    // Apps log in as `default` (the password they held before) and may only discover; the Sentinels log in to each other as `admin`.
    expect(conf).not.toMatch(/^requirepass /m);
    expect(conf).toMatch(/^user default reset on #\$\{sha256\(sha256\(join\("\/", \[random_password\.db_InternalSecret_\w+\.result, "sentinel-clients"\]\)\)\)\} &\+switch-master .* \+psubscribe$/m);
    expect(conf).toMatch(/^user admin reset on #\$\{sha256\(sha256\(join\("\/", \[random_password\.db_InternalSecret_\w+\.result, "sentinel-admin"\]\)\)\)\} ~\* &\* \+@all$/m);
    expect(conf).toMatch(/^sentinel sentinel-user admin\nsentinel sentinel-pass "\$\{sha256\(join\("\/", \[random_password\.db_InternalSecret_\w+\.result, "sentinel-admin"\]\)\)\}"$/m);
    const ids = sentinels.map((c) => /sentinel myid (\w+)/.exec(uploadOf(c, SENTINEL_CONF))![1]);
    expect(new Set(ids).size).toBe(3);
    // Its config lives in a volume of its own, which a replacement keeps (the merge at each start: test/unit/sentinel-startup.test.ts).
    expect(sentinels[0].command[0]).toContain('mv /data/sentinel.conf.new /data/sentinel.conf');
    const volumes = Object.values<any>(g.json.resource.docker_volume).filter((v) => /-sentinel-\d-data$/.test(v.name));
    expect(volumes).toHaveLength(3);
    for (const c of sentinels) {
      expect(c.volumes).toEqual([{ volume_name: expect.stringMatching(/^\$\{docker_volume\..*_Sentinel\d_State_\w+\.name\}$/), container_path: '/data' }]);
      expect(c.destroy_grace_seconds).toBe(10);
    }
  });

  test('outputs the master name, the Sentinel addresses and the apps\' Sentinel login, its password as sensitive', () => {
    expect(g.json.output['db-failover_master_name']).toEqual({ value: 'db-failover', sensitive: false });
    expect(g.json.output['db-failover_sentinels']).toEqual({ value: '10.0.0.1:26380,10.0.0.2:26380,10.0.0.2:26381', sensitive: false });
    expect(g.json.output['db-failover_sentinel_username']).toEqual({ value: 'default', sensitive: false });
    expect(g.json.output['db-failover_sentinel_password']).toEqual({
      value: expect.stringMatching(/^\$\{sha256\(join\("\/", \[random_password\.db_InternalSecret_\w+\.result, "sentinel-clients"\]\)\)\}$/), sensitive: true,
    });
    expect(g.failover.sentinelUsername).toBe('default');
  });

  test('no output holds the Sentinels\' admin password or anything derived from it', () => {
    const outputs = JSON.stringify(g.json.output);
    expect(JSON.stringify(g.json)).toContain('sentinel-admin');
    expect(outputs).not.toContain('sentinel-admin');
    expect(Object.keys(g.json.output).filter((name) => name.startsWith('db-failover_')).sort()).toEqual([
      'db-failover_ca_certificate', 'db-failover_master_name', 'db-failover_sentinel_password', 'db-failover_sentinel_username', 'db-failover_sentinels',
    ]);
  });

  test('warns when losing one host leaves fewer Sentinels than the quorum, naming the host', () => {
    expect(warningsUnder(g.failover)).toEqual([
      expect.stringMatching(/^RedisFailover db-failover: losing Docker host `docker\.b` leaves 1 of 3 Sentinels, fewer than the quorum 2: a failure of that host cannot be failed over/),
    ]);
  });

  test('fails on fewer than 3 Sentinels and a quorum larger than their count, all at once', () => {
    expect(() => group({ sentinels: () => [{ address: '10.0.0.1' }, { address: '10.0.0.1', tlsPort: 26381 }], failover: { quorum: 3 } })).toThrow(
      'RedisFailover db-failover: `sentinels` must place at least 3 Sentinels (a failover needs a majority that survives one failure), got 2\n'
      + 'RedisFailover db-failover: `quorum` must be at most the number of `sentinels` (2), got 3: no failover could ever start',
    );
  });

  test('fails on a follower that does not share its primary\'s credentials', () => {
    expect(() => group({ follower: { sharePrimaryCredentials: false } })).toThrow('follower db-b must be built with `sharePrimaryCredentials: true`');
  });

  test('fails on followers of another primary', () => {
    const stack = dockerStack();
    const common = { version: RedisVersion.V7_2, announceAddress: '10.0.0.1' };
    const a = new RedisDatabase(stack, 'a', common);
    const b = new RedisDatabase(stack, 'b', { ...common, port: 7000, tlsPort: 7001 });
    const follower = new RedisFollower(stack, 'b-copy', { primary: b, sharePrimaryCredentials: true });
    expect(() => new RedisFailover(stack, 'fo', {
      primary: a, followers: [follower], sentinels: [1, 2, 3].map((n) => ({ address: '10.0.0.1', port: 26378 + n })),
    })).toThrow('`followers` must all follow `primary` a: b-copy follows b; a failover group is one database');
  });

  test('fails on a memory-only primary, which would come back empty as the primary', () => {
    expect(() => group({ primary: { version: RedisVersion.V7_2_NORDB } })).toThrow(/`primary` db is memory-only \(7\.2-nordb\): .* use a persistent version/);
  });

  test('fails on a primary created with restoreFrom, saying how to get there', () => {
    expect(() => group({ primary: { restoreFrom: RedisBackupFile.inVolume('db-backups', 'db-7.2-20261129T021300Z.rdb') } })).toThrow(
      '`primary` db is created with `restoreFrom`: deploy it alone first, then remove `restoreFrom` (the restore has run; the data stays) and add the failover group',
    );
  });

  test('fails on a group across hosts with the sidecar', () => {
    expect(() => group({ primary: { tlsMode: RedisTlsMode.SIDECAR }, follower: { tlsMode: RedisTlsMode.SIDECAR, port: 6379 } })).toThrow(
      'the group spans 2 Docker hosts and `primary` db uses the TLS sidecar: across hosts every node needs `tlsMode: RedisTlsMode.NATIVE`',
    );
  });

  test('fails on a node without an announced address', () => {
    expect(() => group({ primary: { announceAddress: undefined, tlsHostnames: ['10.0.0.1'] } })).toThrow('node db needs `announceAddress` and a fixed `tlsPort`');
  });

  test('fails on sharePrimaryCredentials with a password of its own', () => {
    expect(() => group({ follower: { password: 'a-password-of-its-own' } })).toThrow(
      'RedisFollower db-b: `password` cannot be given with `sharePrimaryCredentials`, which takes them from db: leave them out',
    );
  });

  describe('in sidecar TLS mode on one host, where Sentinels speak plaintext', () => {
    const oneHost = (node: Partial<RedisDatabaseProps>, sentinelHostIp?: string, followerNode: Partial<RedisDatabaseProps> = node) => {
      const stack = dockerStack();
      const common = { version: RedisVersion.V7_2, announceAddress: '10.0.0.1' };
      const primary = new RedisDatabase(stack, 'db', { ...common, ...node });
      const follower = new RedisFollower(stack, 'db-b', { ...common, ...followerNode, primary, sharePrimaryCredentials: true, port: 7000, tlsPort: 7001 });
      const failover = new RedisFailover(stack, 'fo', {
        primary, followers: [follower], sentinels: [1, 2, 3].map((n) => ({ address: '10.0.0.1', port: 26378 + n, hostIp: sentinelHostIp })),
      });
      return { stack, failover };
    };

    test('fails by default: the nodes\' plaintext and the Sentinels are on loopback, which the Sentinels\' containers cannot reach', () => {
      const message = errorOf(() => oneHost({}));
      expect(message).toContain(
        'RedisFailover fo: node db publishes its plaintext port only on 127.0.0.1, and with the TLS sidecar the Sentinels reach every node over plaintext at its `announceAddress`, ' +
        'from containers whose loopback is their own: use `tlsMode: RedisTlsMode.NATIVE` (Sentinels and nodes then speak TLS), or set `plaintextHostIp` to the interface `announceAddress` names, which sends passwords and data in clear',
      );
      expect(message).toContain('node db-b publishes its plaintext port only on 127.0.0.1');
      expect(message).toContain(
        'RedisFailover fo: `sentinels[0].hostIp` is 127.0.0.1 (the default of a plaintext Sentinel), where the other Sentinels cannot reach it at `address` from their containers',
      );
    });

    test('fails on a node that publishes no plaintext port', () => {
      expect(errorOf(() => oneHost({ publishPlaintext: false }, '10.0.0.1', { publishPlaintext: true, plaintextHostIp: '10.0.0.1' }))).toBe(
        'RedisFailover fo: node db publishes its plaintext port nowhere (`publishPlaintext: false`), and with the TLS sidecar the Sentinels reach every node over plaintext at its `announceAddress`, ' +
        'from containers whose loopback is their own: use `tlsMode: RedisTlsMode.NATIVE` (Sentinels and nodes then speak TLS), or set `plaintextHostIp` to the interface `announceAddress` names, which sends passwords and data in clear',
      );
    });

    test('builds when the user publishes plaintext on the announced interface, with warnings that say what travels in clear', () => {
      const { stack, failover } = oneHost({ plaintextHostIp: '10.0.0.1' }, '10.0.0.1');
      expect(resourceAt(stack, 'docker_container', 'fo/Sentinel1/Container').ports).toEqual([{ internal: 26379, external: 26379, ip: '10.0.0.1', protocol: 'tcp' }]);
      expect(warningsUnder(failover)).toContainEqual(
        'RedisFailover fo: `sentinels[0].hostIp` 10.0.0.1 publishes a plaintext Sentinel beyond its host: the Sentinel passwords and the topology travel in clear; native TLS mode makes them TLS',
      );
    });
  });

  test('a TLS Sentinel (native mode) is published on every address by default', () => {
    expect(resourceAt(g.stack, 'docker_container', 'db-failover/Sentinel1/Container').ports).toEqual([{ internal: 26380, external: 26380, ip: '0.0.0.0', protocol: 'tcp' }]);
  });
});
