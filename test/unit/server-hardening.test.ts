import { Token, TerraformVariable } from 'cdktf';
import { RedisDatabase, RedisDatabaseProps, RedisVersion } from '../../lib';
import { aclRuleProblems } from '../../lib/users/acl-rules';
import { appUserRules, defaultUserRules, grantsAdminCommands } from '../../lib/private/server-hardening';
import { dockerStack, errorOf as errorOfBuilding, resourceAt, uploadOf, warningsUnder } from '../support/synth';

function errorOf(props: RedisDatabaseProps): string {
  return errorOfBuilding(() => new RedisDatabase(dockerStack(), 'cache', props));
}

function aclOf(props: RedisDatabaseProps): string {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', props);
  return uploadOf(resourceAt(stack, 'docker_container', 'cache/Node/Redis'), '/usr/local/etc/redis/users.acl');
}

function warningsOf(props: RedisDatabaseProps): string[] {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', props);
  return warningsUnder(stack);
}

describe('`config` refuses what opens the admin path or weakens what the construct owns', () => {
  test.each([
    ['enable-protected-configs', 'yes'],
    ['enable-debug-command', 'local'],
    ['enable-module-command', 'yes'],
  ])('fails %s %s, naming the value and why', (name, value) => {
    expect(errorOf({ version: RedisVersion.V7_2, config: { [name]: value } })).toBe(
      `RedisDatabase cache: \`config\` must not set "${name}" to "${value}": the construct renders it \`no\`. \`yes\` and \`local\` (as open as \`yes\` here: `
        + 'every client of the TLS sidecar arrives over the Unix socket, which counts as local) let a client change `dir`/`dbfilename`, '
        + 'run DEBUG or MODULE LOAD: the known path to code execution in the container',
    );
  });

  test('fails a switch whose value is known only at deploy, which could be anything', () => {
    const stack = dockerStack();
    const value = new TerraformVariable(stack, 'debug', { type: 'string' }).stringValue;
    expect(Token.isUnresolved(value)).toBe(true);
    expect(errorOfBuilding(() => new RedisDatabase(stack, 'cache', { config: { 'enable-debug-command': value } })))
      .toContain('`config` must not set "enable-debug-command" to a value known only at deploy');
  });

  test('accepts a switch set `no`', () => {
    expect(() => new RedisDatabase(dockerStack(), 'cache', { config: { 'enable-module-command': 'no' } })).not.toThrow();
  });

  test.each([
    ['loadmodule', '/tmp/x.so', 'a module is native code'],
    ['rename-command', 'CONFIG ""', 'send commands by their names'],
    ['cluster-enabled', 'yes', 'the constructs run standalone servers'],
    ['cluster-announce-ip', '10.0.0.1', 'the constructs run standalone servers'],
  ])('fails %s, naming the value and why', (name, value, why) => {
    const error = errorOf({ version: RedisVersion.V8_2, config: { [name]: value } });
    expect(error).toContain(`RedisDatabase cache: \`config\` must not set "${name}" (got ${JSON.stringify(value)}): `);
    expect(error).toContain(why);
    expect(error.split('\n')).toHaveLength(1);
  });

  test.each(['tls-protocols', 'tls-ciphers', 'tls-ciphersuites', 'tls-auth-clients', 'tls-key-file-pass'])('fails %s without echoing its value', (name) => {
    const error = errorOf({ version: RedisVersion.V7_2, config: { [name]: 'SecretOrWeak123' } });
    expect(error).toContain(`RedisDatabase cache: \`config\` must not set "${name}": the construct owns TLS`);
    expect(error).not.toContain('SecretOrWeak123');
  });

  test('fails every refusal of one construct in one error', () => {
    const error = errorOf({ version: RedisVersion.V7_2, config: { loadmodule: '/x.so', 'enable-debug-command': 'yes', 'tls-protocols': 'TLSv1' } });
    expect(error.split('\n')).toHaveLength(3);
  });
});

describe('6.x: ACL rules take CONFIG, MODULE and DEBUG from default and every app user', () => {
  test('default keeps CONFIG GET and RESETSTAT and MODULE LIST; the text is what the 6.0 and 6.2 tables accept', () => {
    expect(defaultUserRules(RedisVersion.V6_0)).toBe('~* +@all -config -module -debug +config|get +config|resetstat +module|list');
    expect(defaultUserRules(RedisVersion.V6_2)).toBe('~* &* +@all -config -module -debug +config|get +config|resetstat +module|list');
    // The table models 6.0's refusal of a subcommand on top of the whole command, and that 6.x has no -command|sub.
    expect(aclRuleProblems('redis', 6, 0, defaultUserRules(RedisVersion.V6_0))).toEqual([]);
    expect(aclRuleProblems('redis', 6, 2, defaultUserRules(RedisVersion.V6_2))).toEqual([]);
    expect(aclRuleProblems('redis', 6, 0, '~* +@all -config|set')).toEqual([expect.stringContaining('subcommand removal')]);
  });

  test('from 7.0 and on Valkey default keeps everything: the server switches refuse the path', () => {
    expect(defaultUserRules(RedisVersion.V7_0)).toBe('~* &* +@all');
    expect(defaultUserRules(RedisVersion.VALKEY_8_0)).toBe('~* &* +@all');
  });

  test('an app user\'s rules end in the lockdown and its own safe CONFIG and MODULE grants again', () => {
    expect(appUserRules(RedisVersion.V6_2, ' ~* +@all ')).toBe('~* +@all -config -module -debug');
    expect(appUserRules(RedisVersion.V6_0, '~app:* +@read +config|get')).toBe('~app:* +@read +config|get -config -module -debug +config|get');
    expect(appUserRules(RedisVersion.V7_2, '~* +@all')).toBe('~* +@all');
    expect(aclRuleProblems('redis', 6, 0, appUserRules(RedisVersion.V6_0, '~app:* +@read +config|get'))).toEqual([]);
  });

  test('renders them into the ACL file', () => {
    const acl = aclOf({ version: RedisVersion.V6_2, users: [{ name: 'ops', permissions: '~* +@all' }] });
    expect(acl).toMatch(/^user default on #\$\{sha256\(random_password\.cache_Password_\w+\.result\)\} ~\* &\* \+@all -config -module -debug \+config\|get \+config\|resetstat \+module\|list$/m);
    expect(acl).toMatch(/^user ops on #\$\{sha256\(.*\)\} ~\* \+@all -config -module -debug$/m);
  });

  test.each(['+config', '+config|set', '+module', '+module|load', '+debug', '+debug|sleep'])('fails an app user granted %s on 6.2', (rule) => {
    expect(errorOf({ version: RedisVersion.V6_2, users: [{ name: 'ops', permissions: `~* +@read ${rule}` }] })).toContain(
      `RedisDatabase cache: \`users[0]\`.permissions of "ops": ACL rule "${rule}" grants `,
    );
  });

  test('accepts those grants from 7.0, where the server refuses the path itself', () => {
    expect(() => new RedisDatabase(dockerStack(), 'cache', { version: RedisVersion.V7_2, users: [{ name: 'ops', permissions: '~* +@read +config' }] }))
      .not.toThrow();
  });
});

describe('warnings', () => {
  test.each(['~* +@all', '~* +@admin', '~* +@read +@dangerous', '~* allcommands'])('warns about an app user with %s', (permissions) => {
    expect(warningsOf({ version: RedisVersion.V7_2, users: [{ name: 'ops', permissions }] }))
      .toContainEqual(expect.stringMatching(/^RedisDatabase cache: `users\[0\]` "ops" has admin commands/));
  });

  test('gives no such warning when a later rule takes them away again', () => {
    expect(grantsAdminCommands('~* +@all -@dangerous')).toBeUndefined();
    expect(grantsAdminCommands('~* +@all nocommands +get')).toBeUndefined();
    expect(warningsOf({ version: RedisVersion.V7_2, users: [{ name: 'web', permissions: '~* +@read +@write -@dangerous' }] }).join('\n'))
      .not.toContain('admin commands');
  });

  test.each([RedisVersion.V4_0, RedisVersion.V5_0])('warns what %s still allows whoever has the password', (version) => {
    expect(warningsOf({ version })).toContainEqual(expect.stringContaining('has no ACL users and no enable-protected-configs: whoever has the password can run CONFIG SET dir/dbfilename, MODULE LOAD, DEBUG and SLAVEOF'));
  });

  test('gives no such warning from 6.0', () => {
    expect(warningsOf({ version: RedisVersion.V6_0 }).join('\n')).not.toContain('no ACL users');
  });
});

describe('templates in ACL rules', () => {
  test('fails ${ and %{ in permissions, showing the rule that holds it and never a password rule\'s value', () => {
    const error = errorOf({ version: RedisVersion.V7_2, users: [{ name: 'app', permissions: '~${file("x")} >Secret${x}Value +get' }] });
    expect(error).toContain('`users[0]`.permissions of "app" must not hold "${" or "%{" (got "~${file("x")}", ">…"): Terraform would read it');
    expect(error).not.toContain('Secret');
  });
});
