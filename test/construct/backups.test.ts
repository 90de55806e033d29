import { TerraformResource } from 'cdktf';
import { RedisBackupFile, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisRestartPolicy, RedisTlsMode, RedisVersion } from '../../lib';
import { BACKUP_SCRIPT_BODY } from '../../lib/backup/backup-script';
import { dockerStack, resourceAt, resourcesOf, synthJson, uploadOf } from '../support/synth';

const SCRIPT = '/usr/local/etc/cdktf-docker-redis/backup.sh';
const SECRET = '/usr/local/etc/cdktf-docker-redis/backup.secret';

function synth(props: RedisDatabaseProps = {}) {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'cache', props);
  const containers = resourcesOf(stack, 'docker_container');
  const backup = Object.values<any>(containers).find((c) => c.name === 'cache-backup');
  return { stack, db, backup, redis: resourceAt(stack, 'docker_container', 'cache/Node/Redis'), json: synthJson(stack), script: backup && uploadOf(backup, SCRIPT) };
}

describe('the backup container of a persistent database', () => {
  const s = synth({ version: RedisVersion.V7_2, restart: RedisRestartPolicy.ALWAYS });

  test('is HANDLE-backup, at construct id Backup, running the script in the Redis image as uid 999', () => {
    expect(resourceAt(s.stack, 'docker_container', 'cache/Backup')).toEqual(s.backup);
    expect(s.backup.image).toBe(s.redis.image);
    expect(s.backup.entrypoint).toEqual(['sh', SCRIPT]);
    expect(s.backup.command).toEqual(['schedule']);
    expect(s.backup.user).toBe('999:999');
    expect(s.backup.group_add).toEqual(['0']);
    expect(s.backup.restart).toBe('always');
    expect(s.backup.must_run).toBe(false);
  });

  test('may use as much memory as the database (the snapshot\'s page cache counts against it), and at least 512 MB', () => {
    expect([s.backup.memory, s.backup.memory_swap]).toEqual([1024, 1024]);
    const large = synth({ version: RedisVersion.V7_2, containerSizeMb: 4096 }).backup;
    expect([large.memory, large.memory_swap]).toEqual([4096, 4096]);
    const small = synth({ version: RedisVersion.V7_2, containerSizeMb: 256 }).backup;
    expect([small.memory, small.memory_swap]).toEqual([512, 512]);
  });

  test('reaches Redis through its socket, mounted read-only, and has no network at all', () => {
    expect(s.backup.network_mode).toBe('none');
    expect(s.backup.networks_advanced).toBeUndefined();
    expect(s.backup.volumes).toEqual([
      { volume_name: 'cache-backups', container_path: '/data' },
      { volume_name: expect.stringMatching(/^\$\{docker_volume\.cache_SocketDir_[0-9A-F]{8}\.name\}$/), container_path: '/run/redis', read_only: true },
    ]);
    expect(s.script).toContain("\nCONNECT='-s /run/redis/redis.sock'\n");
    expect(s.backup.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^docker_volume\.cache_SocketDir_[0-9A-F]{8}$/)]);
  });

  test('writes to the volume HANDLE-backups, which no resource of the stack declares, so no destroy removes it', () => {
    expect(Object.values<any>(resourcesOf(s.stack, 'docker_volume')).map((v) => v.name)).toEqual(['cache-data', 'cache-run']);
  });

  test('reads the backup user\'s password, derived from the instance secret, from a root-owned 0640 file and nowhere else', () => {
    expect(s.backup.upload).toEqual([
      { file: SCRIPT, content: s.script, permissions: '0644' },
      { file: SECRET, content: expect.stringMatching(/^\$\{sha256\(join\("\/", \[random_password\.cache_InternalSecret_[0-9A-F]{8}\.result, "backup"\]\)\)\}$/), permissions: '0640' },
    ]);
    expect(s.backup.env).toBeUndefined();
    expect(s.script).toContain("\nMETHOD='replication'\nBACKUP_USER='backup'\n");
    expect(s.script).toContain('--user "$BACKUP_USER" --askpass --rdb "$1" < "$SECRET"');
  });

  test('is reported unhealthy by its healthcheck when a backup failed or is overdue, and a changed healthcheck replaces it', () => {
    expect(s.backup.healthcheck).toEqual({ test: ['CMD', 'sh', SCRIPT, 'health'], interval: '1m0s', timeout: '10s', retries: 1, start_period: '0s' });
    expect(s.backup.labels.map((l: any) => l.label)).toEqual([
      'cdktf-docker-redis.component', 'cdktf-docker-redis.handle', 'cdktf-docker-redis.role', 'cdktf-docker-redis.settings-sha256',
    ]);
    expect(s.backup.labels[0].value).toBe('backup');
  });

  test('takes a backup daily at a time from the handle, keeping 30 daily and 12 monthly, the same in every synth', () => {
    expect(s.script).toContain('# Schedule: daily at 17:30 UTC.');
    expect(s.script).toContain('\nSTART_SECONDS=63000\nEVERY_HOURS=24\nEVERY_SECONDS=0\nRETAIN_DAILY=30\nRETAIN_MONTHLY=12\nRETAIN_YEARLY=0\n');
    expect(synth({ version: RedisVersion.V7_2 }).script).toBe(s.script);
  });

  test('follows the schedule and retention given', () => {
    const { script } = synth({ backup: { everyHours: 6, startAtUtc: '01:30', retainDaily: 7, retainMonthly: 0, retainYearly: 3 } });
    expect(script).toContain('\nSTART_SECONDS=5400\nEVERY_HOURS=6\nEVERY_SECONDS=0\nRETAIN_DAILY=7\nRETAIN_MONTHLY=0\nRETAIN_YEARLY=3\n');
  });

  test('names its files after the handle and the catalog version', () => {
    expect(s.script).toContain("\nHANDLE='cache'\nVERSION='7.2'\nENGINE='redis'\n");
    expect(synth({ version: RedisVersion.VALKEY_8_1 }).script).toContain("\nHANDLE='cache'\nVERSION='valkey-8.1'\nENGINE='valkey'\nPRODUCT='Valkey 8.1'\nCLI='valkey-cli'\n");
  });
});

describe('the backup script in the plan', () => {
  test('is stored once per stack: each container\'s upload is its own first lines and a reference to the shared rest, the whole script once Terraform evaluates it', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'one', { version: RedisVersion.V7_2 });
    new RedisDatabase(stack, 'two', { version: RedisVersion.VALKEY_8_1, port: 7379, tlsPort: 7380 });
    const json = synthJson(stack);
    expect(Object.keys(json.locals)).toEqual(['cdktf_docker_redis_backup_script', 'cdktf_docker_redis_tls_proxy_conf']);
    expect(json.locals.cdktf_docker_redis_backup_script).toBe(BACKUP_SCRIPT_BODY);
    for (const handle of ['one', 'two']) {
      const raw = uploadOf(Object.values<any>(json.resource.docker_container).find((c) => c.name === `${handle}-backup`), SCRIPT);
      expect(raw).toMatch(new RegExp(`^#!/bin/sh\\n# Backups of the database ${handle} [^]*\\nFAILURE_HINT='[^']*'\\n\\$\\{local\\.cdktf_docker_redis_backup_script\\}$`));
      const evaluated = uploadOf(Object.values<any>(resourcesOf(stack, 'docker_container')).find((c) => c.name === `${handle}-backup`), SCRIPT);
      expect(evaluated).toBe(raw.replace('${local.cdktf_docker_redis_backup_script}', () => BACKUP_SCRIPT_BODY));
    }
  });
});

describe('backup container variants', () => {
  test('with native TLS there is no socket: it joins the database network and reaches HANDLE:6379', () => {
    const { backup, script } = synth({ tlsMode: RedisTlsMode.NATIVE });
    expect(backup.network_mode).toBeUndefined();
    expect(backup.networks_advanced).toEqual([{ name: expect.stringMatching(/^\$\{docker_network\.cache_Network_[0-9A-F]{8}\.name\}$/), aliases: ['cache-backup'] }]);
    expect(script).toContain("\nCONNECT='-h cache -p 6379'\n");
    expect(backup.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^docker_network\.cache_Network_[0-9A-F]{8}$/)]);
  });

  test('into a directory on the Docker host with hostPath', () => {
    expect(synth({ backup: { hostPath: '/srv/backups' } }).backup.volumes[0]).toEqual({ host_path: '/srv/backups', container_path: '/data' });
  });

  test('before Redis 6.0: BGSAVE and a copy of the file from the data volume, mounted read-only, with the database password', () => {
    const { backup, script } = synth({ version: RedisVersion.V5_0, password: 'Given-Password_0123456789' });
    expect(backup.volumes[2]).toEqual({ volume_name: expect.stringMatching(/^\$\{docker_volume\.cache_Data_[0-9A-F]{8}\.name\}$/), container_path: '/redis-data', read_only: true });
    expect(script).toContain("\nMETHOD='bgsave'\nBACKUP_USER=''\nREDIS_DUMP='/redis-data/dump.rdb'\n");
    expect(uploadOf(backup, SECRET)).toBe('${sensitive("Given-Password_0123456789")}');
    expect(backup.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^docker_volume\.cache_SocketDir_/), expect.stringMatching(/^docker_volume\.cache_Data_/)]);
  });

  test('persistent Valkey 9 backs up by BGSAVE as the backup user, since it streams a cli an RDB 11 that cannot hold its hash field expirations', () => {
    const { backup, script } = synth({ version: RedisVersion.VALKEY_9_1 });
    expect(script).toContain("\nMETHOD='bgsave'\nBACKUP_USER='backup'\nREDIS_DUMP='/redis-data/dump.rdb'\n");
    expect(backup.volumes.map((v: any) => v.container_path)).toEqual(['/data', '/run/redis', '/redis-data']);
    const memoryOnly = synth({ version: RedisVersion.VALKEY_9_1_NORDB, backup: { enabled: true } }).script;
    expect(memoryOnly).toContain("\nMETHOD='replication'\n");
    expect(memoryOnly).toContain("\nFAILURE_HINT='Valkey 9 streams the cli an RDB 11, which cannot hold hash fields with expirations");
  });

  test('memory-only versions take none unless enabled, and then stream the snapshot as the others do', () => {
    expect(synth({ version: RedisVersion.V7_2_NORDB }).backup).toBeUndefined();
    const { script } = synth({ version: RedisVersion.V7_2_NORDB, backup: { enabled: true } });
    expect(script).toContain("\nVERSION='7.2-nordb'\n");
    expect(script).toContain("\nMETHOD='replication'\n");
  });

  test('none with enabled false', () => {
    expect(synth({ backup: { enabled: false } }).backup).toBeUndefined();
  });

  test('the test schedule shows in the script', () => {
    expect(synth({ backup: { everySecondsForTesting: 20 } }).script).toContain('\nEVERY_SECONDS=20\n');
  });

  test('a follower has none: it is a copy of its primary, not a backup', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    new RedisFollower(stack, 'replica', { primary });
    expect(Object.values<any>(resourcesOf(stack, 'docker_container')).map((c) => c.name).sort()).toEqual(['cache', 'cache-backup', 'cache-tls', 'replica', 'replica-tls']);
  });

  test('adds one resource to the database, the container, at a stable id', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', { backup: { hostPath: '/srv/backups' } });
    const paths = stack.node.findAll().filter((c) => c instanceof TerraformResource).map((c) => c.node.path);
    expect(paths.filter((p) => p.includes('Backup'))).toEqual(['test/cache/Backup']);
  });
});

describe('a database created with restoreFrom', () => {
  test('starts its Redis container with the restore script, which then runs the server', () => {
    const { redis } = synth({ version: RedisVersion.V7_2, restoreFrom: RedisBackupFile.inVolume('old-backups', 'old-7.2-20261129T021300Z.rdb') });
    expect(redis.entrypoint).toEqual(['sh', '/usr/local/etc/redis/restore.sh']);
    expect(redis.command).toEqual(['redis-server', '/usr/local/etc/redis/redis.conf']);
    const script = uploadOf(redis, '/usr/local/etc/redis/restore.sh');
    expect(redis.upload.find((u: any) => u.file === '/usr/local/etc/redis/restore.sh').permissions).toBe('0640');
    expect(script).toContain("\nSRC='/restore/old-7.2-20261129T021300Z.rdb'\nLABEL='old-7.2-20261129T021300Z.rdb in volume old-backups'\n");
    expect(script).toContain("\nOWN_FORMAT=11\nREADS_UP_TO=11\nREADS='RDB formats up to 11'\nAPPEND_ONLY=0\nAUTH='acl'\nTLS_OFF=''\n");
    expect(redis.volumes).toContainEqual({ volume_name: 'old-backups', container_path: '/restore', read_only: true });
  });

  test('mounts the directory of a host path read-only', () => {
    const { redis } = synth({ restoreFrom: RedisBackupFile.atHostPath('/srv/backups/old-7.2-20261129T021300Z.rdb') });
    expect(redis.volumes).toContainEqual({ host_path: '/srv/backups', container_path: '/restore', read_only: true });
  });

  test('with AOF on, native TLS or before 6.0, the script turns the RDB into an AOF with a temporary server it closes to the network', () => {
    const conf = (props: RedisDatabaseProps) => uploadOf(synth({ restoreFrom: RedisBackupFile.inVolume('v', 'x.rdb'), appendOnly: true, ...props }).redis, props.version?.engine === 'valkey' ? '/usr/local/etc/valkey/restore.sh' : '/usr/local/etc/redis/restore.sh');
    expect(conf({ tlsMode: RedisTlsMode.NATIVE })).toContain("\nAPPEND_ONLY=1\nAUTH='acl'\nTLS_OFF='--tls-port 0'\n");
    expect(conf({ version: RedisVersion.V5_0 })).toContain("\nAPPEND_ONLY=1\nAUTH='requirepass'\nTLS_OFF=''\n");
    expect(conf({ version: RedisVersion.VALKEY_9_1 })).toContain("\nOWN_FORMAT=80\nREADS_UP_TO=11\nREADS='RDB formats up to 11 and 80'\n");
  });

  test('loads the backup with the checks of check-rdb from 6.2 on, and runs check-rdb before the load before 6.2', () => {
    const scriptOf = (version: RedisVersion) => uploadOf(synth({ version, restoreFrom: RedisBackupFile.inVolume('v', 'x.rdb') }).redis, '/usr/local/etc/redis/restore.sh');
    expect(scriptOf(RedisVersion.V6_2)).toContain("\nSANITIZE='--sanitize-dump-payload yes'\nHEALTH_SECRET='/usr/local/etc/redis/health.secret'\nPORT=6379\n");
    expect(scriptOf(RedisVersion.V6_0)).toContain("\nSANITIZE=''\n");
    expect(scriptOf(RedisVersion.V4_0)).toContain("\nSANITIZE=''\nHEALTH_SECRET=''\n");
  });

  test('names who writes each RDB format, for its messages', () => {
    const script = uploadOf(synth({ restoreFrom: RedisBackupFile.inVolume('v', 'x.rdb') }).redis, '/usr/local/etc/redis/restore.sh');
    expect(script).toContain("    12) echo 'Redis 7.4, 8.0 or 8.2' ;;\n");
    expect(script).toContain("    11) echo 'Redis 7.2 or Valkey 8.0 or 8.1' ;;\n");
    expect(script).toContain("    9) echo 'Redis 5.0, 6.0 or 6.2' ;;\n");
  });

  test('without restoreFrom, Redis starts directly and mounts nothing more', () => {
    const { redis } = synth({});
    expect(redis.entrypoint).toEqual(['redis-server']);
    expect(redis.volumes.map((v: any) => v.container_path)).toEqual(['/data', '/run/redis']);
  });
});
