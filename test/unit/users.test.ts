import { RedisDatabase, RedisDatabaseProps, RedisUser, RedisVersion } from '../../lib';
import { dockerStack, errorOf as errorOfBuilding } from '../support/synth';

function errorOf(props: RedisDatabaseProps): string {
  return errorOfBuilding(() => new RedisDatabase(dockerStack(), 'cache', props));
}

const user = (overrides: Partial<RedisUser>): RedisUser => ({ name: 'app', permissions: '+@read ~app:*', ...overrides });

describe('`users` validation', () => {
  test('fails on users before Redis 6.0, naming the version', () => {
    expect(errorOf({ version: RedisVersion.V5_0, users: [user({})] })).toBe(
      'RedisDatabase cache: `users` needs ACL users, which Redis 6.0 added; "5.0" has only the one password: use `password` or a version from 6.0 on',
    );
  });

  test.each(['App', '1app', 'app_1', 'a'.repeat(33), ''])('fails on user name %p', (name) => {
    expect(errorOf({ users: [user({ name })] })).toBe(
      `RedisDatabase cache: \`users[0]\`.name must be lowercase letters, digits and dashes, starting with a letter, at most 32 characters, got "${name}"`,
    );
  });

  test.each(['default', 'replication', 'backup', 'health', 'sentinel', 'exporter'])('fails on the library\'s own user name %s', (name) => {
    expect(errorOf({ users: [user({ name })] })).toBe(
      `RedisDatabase cache: \`users[0]\`.name "${name}" is one of the library's own users (default, replication, backup, health, sentinel, exporter); choose another name`,
    );
  });

  test('fails on a name given twice', () => {
    expect(errorOf({ users: [user({}), user({})] })).toBe('RedisDatabase cache: `users[1]`.name "app" is given twice; every user needs its own name');
  });

  test.each([
    ['an unknown category', '+@nosuch ~*', '"+@nosuch"'],
    ['an unknown command', '+flushal ~*', '"+flushal"'],
    ['a rule the library owns', 'on +@read ~*', '"on"'],
    ['nopass', 'nopass +@read', '"nopass"'],
    ['reset', 'reset +@read', '"reset"'],
  ])('fails on %s in permissions, naming the rule', (_what, permissions, shown) => {
    const message = errorOf({ users: [user({ permissions })] });
    expect(message).toMatch(/^RedisDatabase cache: `users\[0\]`\.permissions of "app": /);
    expect(message).toContain(shown);
  });

  test.each(['>secret-password', '<secret-password', `#${'a'.repeat(64)}`])('fails on the password rule %p without showing it', (rule) => {
    const message = errorOf({ users: [user({ permissions: `${rule} +@read ~*` })] });
    expect(message).toContain('`users[0]`.permissions of "app"');
    expect(message).not.toContain(rule.slice(1));
  });

  test('fails on rules the version does not have, naming the version', () => {
    expect(errorOf({ version: RedisVersion.V6_2, users: [user({ permissions: '%R~app:* +@read' })] })).toContain('6.2');
  });

  test('fails on empty permissions', () => {
    expect(errorOf({ users: [user({ permissions: '  ' })] })).toContain('`users[0]`.permissions of "app": no ACL rules');
  });

  test('fails on a weak user password without showing it', () => {
    const message = errorOf({ users: [user({ password: 'hunter2' })] });
    expect(message).toBe(
      'RedisDatabase cache: `users[0]`.password of "app" must be 16 to 128 URL-safe characters (A-Z a-z 0-9 . _ ~ -), got a value of 7 characters that does not match',
    );
  });

  test('accepts commands, categories, keys, channels and selectors of the version', () => {
    expect(() => new RedisDatabase(dockerStack(), 'cache', {
      version: RedisVersion.V7_2,
      users: [user({ permissions: '+@read +@write -@dangerous ~app:* %R~cache:* &events:* (+get ~other:*)' })],
    })).not.toThrow();
    expect(() => new RedisDatabase(dockerStack(), 'cache', { version: RedisVersion.VALKEY_9_1, users: [user({ permissions: '+@all -flushall ~*' })] })).not.toThrow();
  });
});
