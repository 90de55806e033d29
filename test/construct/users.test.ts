import { createHash } from 'crypto';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { BasicStack } from '../../examples/basic/main';
import { CompleteStack } from '../../examples/complete/main';
import { FollowerStack } from '../../examples/follower/main';
import { MemoryOnlyStack } from '../../examples/memory-only/main';
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisVersion } from '../../lib';
import { dockerStack, resourceAt, synthJson, uploadOf, warningsUnder } from '../support/synth';

const ACL = '/usr/local/etc/redis/users.acl';
const APP_PASSWORD = 'AppUserPassword0123456789';

function synthUsers(props: RedisDatabaseProps) {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'cache', props);
  const json = synthJson(stack);
  return { stack, db, json, acl: uploadOf(resourceAt(stack, 'docker_container', 'cache/Node/Redis'), ACL), warnings: warningsUnder(db) };
}

describe('app users', () => {
  const s = synthUsers({
    users: [
      { name: 'worker', permissions: '~jobs:* +@list +@connection' },
      { name: 'app', permissions: '~app:* +@read +@write -@dangerous', password: APP_PASSWORD },
    ],
  });

  test('are in the ACL file after the library\'s users, sorted by name, each with a hash of its password and its rules', () => {
    const users = s.acl.split('\n').filter((l) => l.startsWith('user ')).map((l) => l.split(' ')[1]);
    expect(users).toEqual(['default', 'replication', 'backup', 'health', 'sentinel', 'exporter', 'app', 'worker']);
    expect(s.acl).toContain(`user app on #${createHash('sha256').update(APP_PASSWORD).digest('hex')} ~app:* +@read +@write -@dangerous\n`);
    expect(s.acl).toMatch(/\nuser worker on #\$\{sha256\(random_password\.cache_Users_worker_Password_[0-9A-F]{8}\.result\)\} ~jobs:\* \+@list \+@connection\n/);
    expect(s.acl).not.toContain(APP_PASSWORD);
  });

  test('get a generated password unless given one', () => {
    expect(resourceAt(s.stack, 'random_password', 'cache/Users/worker/Password')).toEqual({ length: 40, special: false });
    expect(() => resourceAt(s.stack, 'random_password', 'cache/Users/app/Password')).toThrow();
  });

  test('have sensitive URL outputs of their own', () => {
    expect(s.json.output.cache_user_app_url).toEqual({ value: `redis://app:\${sensitive("${APP_PASSWORD}")}@localhost:6379`, sensitive: true });
    expect(s.json.output.cache_user_app_tls_url).toEqual({ value: `rediss://app:\${sensitive("${APP_PASSWORD}")}@localhost:6380`, sensitive: true });
    expect(s.json.output.cache_user_worker_url.value).toMatch(/^redis:\/\/worker:\$\{random_password\.cache_Users_worker_Password_[0-9A-F]{8}\.result\}@localhost:6379$/);
  });

  test('credentialsFor gives each user\'s credentials on every endpoint', () => {
    const stack = dockerStack();
    const db = new RedisDatabase(stack, 'cache', { users: [{ name: 'app', permissions: '+@read ~*', password: APP_PASSWORD }] });
    const app = db.credentialsFor('app');
    expect(synthJsonOf(stack, { url: app.url, networkTlsUrl: app.networkTlsUrl, caCertificatePem: app.caCertificatePem })).toEqual({
      url: `redis://app:\${sensitive("${APP_PASSWORD}")}@localhost:6379`,
      networkTlsUrl: `rediss://app:\${sensitive("${APP_PASSWORD}")}@cache-tls:6380`,
      caCertificatePem: expect.stringMatching(/^\$\{tls_self_signed_cert\.cache_CaCertificate_/),
    });
  });

  test('fails to give credentials for a user that is not declared, naming the ones that are', () => {
    expect(() => s.db.credentialsFor('admin')).toThrow('test/cache: no user "admin" in `users`; its users are app, worker');
  });

  test('warn that changing them replaces the container, and that a memory-only database then starts empty', () => {
    expect(s.warnings).toContainEqual(
      'RedisDatabase cache: `users` live in the ACL file uploaded into the Redis container: a deploy that adds, removes or changes a user or its password replaces the container, which saves its data on the way down and loads it again',
    );
    const memoryOnly = synthUsers({ version: RedisVersion.V7_2_NORDB, users: [{ name: 'app', permissions: '+@read ~*' }] });
    expect(memoryOnly.warnings).toContainEqual(expect.stringMatching(/replaces the container, and this memory-only database starts empty after it$/));
  });

  test('followers have users of their own', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    const follower = new RedisFollower(stack, 'replica', { primary, users: [{ name: 'reader', permissions: '+@read ~*' }] });
    expect(uploadOf(resourceAt(stack, 'docker_container', 'replica/Node/Redis'), ACL)).toMatch(/\nuser reader on #\$\{sha256\(random_password\.replica_Users_reader_Password_/);
    expect(synthJson(stack).output).toHaveProperty('replica_user_reader_url');
    expect(follower.credentialsFor('reader').url).toBeDefined();
  });
});

function synthJsonOf(stack: TerraformStack, value: Record<string, string>): Record<string, string> {
  new TerraformOutput(stack, 'probe', { value });
  return synthJson(stack).output.probe.value;
}

describe('secrets in uploaded files', () => {
  const literal = 'LiteralPassword0123456789';
  const stacks: Array<[string, () => TerraformStack]> = [
    ['basic', () => new BasicStack(Testing.app(), 'basic')],
    ['follower', () => new FollowerStack(Testing.app(), 'follower')],
    ['memory-only', () => new MemoryOnlyStack(Testing.app(), 'memory-only')],
    ['complete', () => new CompleteStack(Testing.app(), 'complete')],
    ['literal passwords, app users and a follower', () => {
      const stack = dockerStack();
      const primary = new RedisDatabase(stack, 'cache', { password: literal, users: [{ name: 'app', permissions: '+@read ~*', password: `${literal}x` }] });
      new RedisFollower(stack, 'replica', { primary, users: [{ name: 'reader', permissions: '+@read ~*' }] });
      return stack;
    }],
  ];
  const HASHED_USER = /^user [a-z][a-z0-9-]* on #(?:[0-9a-f]{64}|\$\{sha256\(.*\)\}) [^>#<]*$/;

  test.each(stacks)('%s: ACL files hold hashes only, and a file with a secret in clear is readable by no other user', (_name, build) => {
    const json = synthJson(build());
    for (const container of Object.values(json.resource.docker_container) as any[]) {
      for (const upload of container.upload ?? []) {
        const content: string = upload.content;
        expect(content).not.toContain(literal);
        if (upload.file.endsWith('users.acl')) {
          for (const line of content.split('\n').filter((l) => !l.startsWith('#') && l !== '')) expect(line).toMatch(HASHED_USER);
        } else if (/random_password\.|sensitive\(/.test(content)) {
          expect({ file: upload.file, permissions: upload.permissions }).toEqual({ file: upload.file, permissions: expect.stringMatching(/^0[46][04]0$/) });
        }
      }
    }
  });
});
