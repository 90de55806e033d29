/**
 * What reaches a rendered file through Terraform: literal `${` / `%{` are
 * refused at synth (Terraform would evaluate them: `${file("…")}` reads a
 * file of the deploying machine into redis.conf), other `$` and `%` pass as
 * text; a value Terraform knows only at deploy is checked by a precondition,
 * which the real binary evaluates and which fails the plan on a line break.
 */
import { TerraformVariable } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFollower, RedisVersion } from '../../lib';
import { dockerStack, errorOf, synthJson } from '../support/synth';
import { planMirror, requireTerraform } from '../support/terraform';

jest.setTimeout(120_000);

requireTerraform();

const REDIS_CONF = '/usr/local/etc/redis/redis.conf';
const USERS_ACL = '/usr/local/etc/redis/users.acl';

function uploadsOf(mirror: ReturnType<typeof planMirror>, handle: string): Record<string, string> {
  const container = Object.values(mirror.resources).find((r) => r.name === handle && Array.isArray(r.upload))!;
  return Object.fromEntries((container.upload as any[]).map((u) => [u.file, u.content]));
}

/** A database whose `config` value and app user's permissions come from Terraform variables with these defaults. */
function stackWithVariables(timeout: string, permissions: string) {
  const stack = dockerStack();
  const timeoutVar = new TerraformVariable(stack, 'timeout', { type: 'string', default: timeout });
  const permissionsVar = new TerraformVariable(stack, 'permissions', { type: 'string', default: permissions });
  new RedisDatabase(stack, 'cache', {
    version: RedisVersion.V7_2,
    config: { timeout: timeoutVar.stringValue },
    users: [{ name: 'app', permissions: permissionsVar.stringValue }],
  });
  return synthJson(stack);
}

test('fails at synth a `config` value or key pattern holding ${ or %{, before Terraform could read it as a template', () => {
  const error = errorOf(() => new RedisDatabase(dockerStack(), 'cache', {
    config: { 'notify-keyspace-events': '${file("deployer-notes.txt")}' },
    users: [{ name: 'app', permissions: '~%{for k in x}* +get' }],
  }));
  expect(error).toContain('`config` value of "notify-keyspace-events" must not hold "${" or "%{"');
  expect(error).toContain('`users[0]`.permissions of "app" must not hold "${" or "%{"');
});

test('renders `$` and `%` that start no template as the same text in the planned files', () => {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', {
    version: RedisVersion.V7_2,
    config: { 'notify-keyspace-events': 'K$x' },
    users: [{ name: 'app', permissions: '~app:$% +get' }],
  });
  const files = uploadsOf(planMirror(synthJson(stack)), 'cache');
  expect(files[REDIS_CONF]).toContain('\nnotify-keyspace-events K$x\n');
  expect(files[USERS_ACL]).toMatch(/\nuser app on #[0-9a-f]{64} ~app:\$% \+get\n/);
});

test('plans values Terraform knows only at deploy into the files when each is one line', () => {
  const files = uploadsOf(planMirror(stackWithVariables('300', '~app:* +get')), 'cache');
  expect(files[REDIS_CONF]).toContain('\ntimeout 300\n');
  expect(files[USERS_ACL]).toMatch(/\nuser app on #[0-9a-f]{64} ~app:\* \+get\n/);
});

test.each([
  ['a `config` value', '300\nuser evil on nopass ~* +@all', '~app:* +get', '`config` value of "timeout"'],
  ['an app user\'s permissions', '300', '~app:* +get\nuser evil on nopass ~* +@all', '`users[0]`.permissions'],
])('fails the plan when %s known only at deploy holds a line break', (_what, timeout, permissions, named) => {
  const message = errorOf(() => planMirror(stackWithVariables(timeout, permissions)));
  expect(message).toContain('Resource precondition failed');
  expect(message.replace(/\s*│\s*/g, ' ')).toContain(`RedisDatabase cache: ${named} must be a single line`);
});

test('fails the plan on a line break in a `password` known only at deploy (4.0 and 5.0 render it), without printing it', () => {
  const stack = dockerStack();
  const password = new TerraformVariable(stack, 'password', { type: 'string', default: 'Password0123456789\nrename-command CONFIG ""' });
  new RedisDatabase(stack, 'cache', { version: RedisVersion.V5_0, password: password.stringValue });
  const message = errorOf(() => planMirror(synthJson(stack)));
  expect(message.replace(/\s*│\s*/g, ' ')).toContain('RedisDatabase cache: `password` must be a single line');
  expect(message).not.toContain('Password0123456789');
});

test('fails the plan on a line break in a follower\'s `primaryAddress` known only at deploy', () => {
  const stack = dockerStack();
  const address = new TerraformVariable(stack, 'primary_address', { type: 'string', default: 'redis-a.example\ntimeout 0' });
  const primary = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_2, tlsHostnames: ['redis-a.example'] });
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
  new RedisFollower(stack, 'replica', { primary, provider: hostB, primaryAddress: address.stringValue });
  const message = errorOf(() => planMirror(synthJson(stack))).replace(/\s*│\s*/g, ' ');
  expect(message).toContain('RedisFollower replica: `primaryAddress` must be a single line');
});
