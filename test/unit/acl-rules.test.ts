import { RedisVersion } from '../../lib';
import {
  aclCategories, aclCommands, aclRuleProblems, INTERNAL_USER_RULES, InternalUser, internalUserRules,
} from '../../lib/users/acl-rules';
import { aclRuleTokens } from '../../lib/private/acl-tokens';
import { EngineName, engineFeatures } from '../../lib/private/engine';

/** Every catalog line that has users, once (the persistent flavor stands for its memory-only one). */
const ACL_LINES = RedisVersion.ALL.filter((v) => v.persistent && engineFeatures(v).acl).map((v) => [v.name, v] as const);

function problems(line: string, rules: string): string[] {
  const [engine, version] = line.split(' ') as [EngineName, string];
  const [major, minor] = version.split('.').map(Number);
  return aclRuleProblems(engine, major, minor, rules);
}

describe('the ACL tables', () => {
  test.each(ACL_LINES)('cover catalog version %s', (_, version) => {
    expect(aclCommands(version.engine, version.major, version.minor).size).toBeGreaterThan(300);
    expect(aclCategories(version.engine, version.major, version.minor).size).toBe(21);
  });

  test.each([
    ['redis', '6.0', 305],
    ['redis', '6.2', 328],
    ['redis', '7.0', 366],
    ['redis', '7.2', 370],
    ['redis', '7.4', 379],
    ['redis', '8.0', 394],
    ['redis', '8.2', 397],
    ['valkey', '8.0', 373],
    ['valkey', '8.1', 379],
    ['valkey', '9.0', 396],
    ['valkey', '9.1', 399],
  ] as const)('%s %s has %i commands and subcommands', (engine, version, size) => {
    const [major, minor] = version.split('.').map(Number);
    expect(aclCommands(engine, major, minor).size).toBe(size);
  });

  test('refuse a line they have no table for', () => {
    expect(() => aclCommands('redis', 5, 0)).toThrow('no ACL table for Redis 5.0');
    expect(() => aclRuleProblems('redis', 5, 0, '+get')).toThrow('no ACL table for Redis 5.0');
  });

  test('hold subcommands as command|subcommand, lowercase', () => {
    const commands = aclCommands('redis', 7, 2);
    expect(commands.has('config|get')).toBe(true);
    expect([...commands].filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  test('hold no module command but the vector sets the Redis 8 server loads by itself', () => {
    const commands = aclCommands('redis', 8, 2);
    expect(commands.has('vadd')).toBe(true);
    expect([...commands].filter((name) => name.includes('.'))).toEqual([]);
    expect(aclCommands('redis', 7, 4).has('vadd')).toBe(false);
  });
});

describe('aclRuleTokens', () => {
  test('splits on any whitespace and keeps a selector whole', () => {
    expect(aclRuleTokens('  ~app:*\t+get  (+set ~tmp:*)\n+@read ')).toEqual(['~app:*', '+get', '(+set ~tmp:*)', '+@read']);
  });

  test('keeps an unclosed selector as one token', () => {
    expect(aclRuleTokens('+get (+set ~tmp:*')).toEqual(['+get', '(+set ~tmp:*']);
  });
});

describe('aclRuleProblems', () => {
  test.each([
    ['redis 7.2', '~app:* +@read +@write -@dangerous'],
    ['redis 7.2', '+GET +Config|Get -@ALL +@All ALLKEYS resetkeys ~a ~b'],
    ['redis 7.2', '+select|0'],
    ['redis 7.2', '-config|set +config -config|set %R~in:* %W~out:* %RW~both:* &chan:* allchannels resetchannels'],
    ['redis 7.2', '(+get ~a) (+set %W~b:* &c) clearselectors ()'],
    ['redis 7.2', 'allcommands nocommands ~* allkeys'],
    ['redis 6.0', '+get +config|get +client|kill +debug|object ~app:* allcommands -config +config|get'],
    ['redis 6.2', 'resetchannels &chan:* +getdel +client|unpause sanitize-payload'],
    ['redis 8.0', '+hgetex +vadd +vsim'],
    ['redis 8.2', '+xdelex +cluster|slot-stats'],
    ['valkey 8.0', '+client|capa +script|show'],
    ['valkey 8.1', '+commandlog|get'],
    ['valkey 9.0', '+delifeq +hsetex +cluster|migrateslots'],
    ['valkey 9.1', '+hgetdel db=0,1 alldbs resetdbs (+get db=3)'],
  ])('passes %s rules "%s"', (line, rules) => {
    expect(problems(line, rules)).toEqual([]);
  });

  test('fails an empty rule list, asking for at least one rule', () => {
    expect(problems('redis 7.2', '')).toEqual(['no ACL rules: give the user at least one rule, such as "+@read ~app:*"']);
    expect(problems('redis 7.2', ' \t\n')).toHaveLength(1);
  });

  test('fails an unknown category, listing the categories', () => {
    expect(problems('redis 7.2', '+@nosuch')).toEqual([
      'ACL rule "+@nosuch": "nosuch" is not an ACL category; the categories are @all, @admin, @bitmap, @blocking, @connection, '
        + '@dangerous, @fast, @geo, @hash, @hyperloglog, @keyspace, @list, @pubsub, @read, @scripting, @set, @slow, @sortedset, '
        + '@stream, @string, @transaction, @write',
    ]);
  });

  test('fails a misspelt category, suggesting the real one', () => {
    expect(problems('valkey 9.1', '-@dangerus')).toEqual(['ACL rule "-@dangerus": "dangerus" is not an ACL category; did you mean "@dangerous"?']);
  });

  test('fails an unknown command, naming the version and where to look', () => {
    expect(problems('redis 7.2', '+nosuchcmd')).toEqual([
      'ACL rule "+nosuchcmd": Redis 7.2 has no command "nosuchcmd" (see https://redis.io/docs/latest/commands/)',
    ]);
  });

  test.each([
    ['-flushal', 'flushall'],
    ['+GTE', 'get'],
    ['+hgetal', 'hgetall'],
  ])('fails %s, suggesting %s', (rule, closest) => {
    expect(problems('redis 7.2', rule)).toEqual([`ACL rule "${rule}": Redis 7.2 has no command "${rule.slice(1).toLowerCase()}"; did you mean "${closest}"?`]);
  });

  test('fails an unknown subcommand, listing the command\'s subcommands', () => {
    expect(problems('redis 7.2', '+config|nosuch')).toEqual([
      'ACL rule "+config|nosuch": CONFIG has no subcommand "nosuch" in Redis 7.2; its subcommands: get, help, resetstat, rewrite, set',
    ]);
  });

  test('fails a misspelt subcommand, suggesting the real one', () => {
    expect(problems('redis 7.2', '-client|kil')).toEqual(['ACL rule "-client|kil": CLIENT has no subcommand "kil" in Redis 7.2; did you mean "kill"?']);
  });

  test.each([
    ['redis 6.2', '+lcs', 'ACL rule "+lcs": Redis 6.2 has no command "lcs"; only Redis 7.0 and later have it'],
    ['redis 7.0', '+stralgo', 'ACL rule "+stralgo": Redis 7.0 has no command "stralgo"; only Redis 6.0 and 6.2 have it'],
    ['redis 7.4', '+hgetdel', 'ACL rule "+hgetdel": Redis 7.4 has no command "hgetdel"; only Redis 8.0 and later have it'],
    ['valkey 9.0', '+msetex', 'ACL rule "+msetex": Valkey 9.0 has no command "msetex"; only Valkey 9.1 and later have it'],
    ['redis 8.2', '+commandlog', 'ACL rule "+commandlog": Redis 8.2 has no command "commandlog"; only Valkey 8.1 and later have it'],
    ['redis 6.2', '+client|no-evict', 'ACL rule "+client|no-evict": CLIENT has no subcommand "no-evict" in Redis 6.2; only Redis 7.0 and later have it'],
    ['redis 7.2', '+client|capa', 'ACL rule "+client|capa": CLIENT has no subcommand "capa" in Redis 7.2; only Valkey 8.0 and later have it'],
  ])('fails on %s a command of other lines, naming them: %s', (line, rule, message) => {
    expect(problems(line, rule)).toEqual([message]);
  });

  test('fails a module command, which exists only with its module loaded', () => {
    expect(problems('redis 8.2', '+ft.search')).toEqual([
      'ACL rule "+ft.search": Redis 8.2 has no command "ft.search": module commands exist only once their module is loaded, and the constructs load none',
    ]);
  });

  test.each(['on', 'off', 'nopass', 'reset', 'resetpass', 'ON', 'NoPass'])('fails %s, which the construct owns', (rule) => {
    expect(problems('redis 7.2', `+get ${rule}`)).toEqual([
      `ACL rule "${rule}": the construct owns on, off, nopass, reset and resetpass; give the user its permissions only`,
    ]);
  });

  test.each(['>', '<', '#', '!'])('fails a %s password rule without showing its value', (prefix) => {
    const secret = prefix === '#' || prefix === '!' ? 'a'.repeat(64) : 'Tr0ub4dor&3-secret';
    const messages = problems('redis 7.2', `+get ${prefix}${secret}`);
    expect(messages).toEqual([
      `ACL rule "${prefix}…" sets or removes a password, which the construct owns: give it with \`password\` or let the construct generate one`,
    ]);
    expect(messages.join('\n')).not.toContain(secret);
  });

  test('fails a password rule inside a selector without showing its value', () => {
    const messages = problems('redis 7.2', '(+get >Tr0ub4dor&3-secret)');
    expect(messages).toEqual(['ACL rule ">…": only command, key, channel and database rules can be inside a selector']);
    expect(problems('redis 6.2', '(+get >Tr0ub4dor&3-secret)').join('\n')).not.toContain('Tr0ub4dor');
    expect(problems('redis 7.2', '(+get >Tr0ub4dor&3-secret').join('\n')).not.toContain('Tr0ub4dor');
  });

  test.each([
    ['redis 6.0', '&app:*', 'Redis 6.0 has no channel rules (&pattern, allchannels, resetchannels); only Redis 6.2 and later have them'],
    ['redis 6.0', 'allchannels', 'Redis 6.0 has no channel rules (&pattern, allchannels, resetchannels); only Redis 6.2 and later have them'],
    ['redis 6.0', 'resetchannels', 'Redis 6.0 has no channel rules (&pattern, allchannels, resetchannels); only Redis 6.2 and later have them'],
    ['redis 6.0', 'skip-sanitize-payload', 'Redis 6.0 has no payload sanitizing rules (sanitize-payload, skip-sanitize-payload); only Redis 6.2 and later have them'],
    ['redis 6.2', '%R~app:*', 'Redis 6.2 has no read and write key permissions (%R~, %W~, %RW~); only Redis 7.0 and later have them'],
    ['redis 6.2', '%W~app:*', 'Redis 6.2 has no read and write key permissions (%R~, %W~, %RW~); only Redis 7.0 and later have them'],
    ['redis 6.2', '%RW~app:*', 'Redis 6.2 has no read and write key permissions (%R~, %W~, %RW~); only Redis 7.0 and later have them'],
    ['redis 6.2', 'clearselectors', 'Redis 6.2 has no selectors ("(...)", clearselectors); only Redis 7.0 and later have them'],
    ['redis 6.2', '-config|set', 'Redis 6.2 has no subcommand removal (-command|subcommand); only Redis 7.0 and later have them'],
    ['redis 8.2', 'db=0', 'Redis 8.2 has no database rules (db=, alldbs, resetdbs); only Valkey 9.1 and later have them'],
    ['valkey 9.0', 'alldbs', 'Valkey 9.0 has no database rules (db=, alldbs, resetdbs); only Valkey 9.1 and later have them'],
  ])('fails on %s the newer syntax %s, naming the version', (line, rule, message) => {
    expect(problems(line, rule)).toEqual([`ACL rule "${rule}": ${message}`]);
  });

  test('fails a selector before 7.0 without showing what it holds', () => {
    expect(problems('redis 6.2', '(+get ~a)')).toEqual([
      'ACL rule "(…)": Redis 6.2 has no selectors ("(...)", clearselectors); only Redis 7.0 and later have them',
    ]);
  });

  test('fails each bad rule inside a selector and an unclosed selector', () => {
    expect(problems('redis 7.2', '(+nosuchcmd on ~a) (+get')).toEqual([
      'ACL rule "+nosuchcmd": Redis 7.2 has no command "nosuchcmd" (see https://redis.io/docs/latest/commands/)',
      'ACL rule "on": only command, key, channel and database rules can be inside a selector',
      'ACL rules: a selector opened with "(" is never closed with ")"',
    ]);
  });

  test('fails quotes inside a selector, which the server parses as quoting', () => {
    expect(problems('redis 7.2', '(~"a +get)')).toEqual(['ACL rule "~"a": the server reads quotes inside a selector as quoting; leave them out']);
  });

  test('fails a key pattern after allkeys and a channel pattern after allchannels, as the server does', () => {
    expect(problems('redis 7.2', 'allkeys ~app:* resetkeys ~app:* ~* %R~x allchannels &c resetchannels &c')).toEqual([
      'ACL rule "~app:*": the user already has every key (allkeys or ~*), and the server refuses a key pattern on top of that; put resetkeys before it',
      'ACL rule "%R~x": the user already has every key (allkeys or ~*), and the server refuses a key pattern on top of that; put resetkeys before it',
      'ACL rule "&c": the user already has every channel, and the server refuses a channel pattern on top of that; put resetchannels before it',
    ]);
  });

  test('takes a channel pattern without resetchannels on 6.2 too, where the config makes new users start without channels', () => {
    expect(problems('redis 6.2', '&app:*')).toEqual([]);
    expect(problems('redis 7.0', '&app:*')).toEqual([]);
  });

  test('fails on 6.0 a subcommand of a command the user already has in full', () => {
    expect(problems('redis 6.0', '+config +config|get')).toEqual([
      'ACL rule "+config|get": the user already has all of CONFIG, and Redis 6.0 refuses a subcommand on top of it; remove the command first (-config +config|get)',
    ]);
    expect(problems('redis 6.0', 'allcommands +client|kill')).toHaveLength(1);
    // A category may or may not hold the command: only a certain refusal fails.
    expect(problems('redis 6.0', 'allcommands -@admin +config|get')).toEqual([]);
    expect(problems('redis 6.2', '+config +config|get')).toEqual([]);
  });

  test.each([
    ['+config|', 'ACL rule "+config|": "|" must be followed by a subcommand'],
    ['+config|get|maxmemory', 'ACL rule "+config|get|maxmemory": a rule names one command and at most one subcommand'],
    ['-select|0', 'ACL rule "-select|0": SELECT has no subcommands in Redis 7.2, and a first argument can only be allowed (+select|0), not removed'],
    ['%RR~a', 'ACL rule "%RR~a": a key permission is %R~, %W~ or %RW~ followed by a key pattern'],
    ['%~a', 'ACL rule "%~a": a key permission is %R~, %W~ or %RW~ followed by a key pattern'],
    ['allkey', 'ACL rule "allkey" is not an ACL rule; did you mean "allkeys"?'],
    ['whatever', 'ACL rule "whatever" is not an ACL rule (see the rules of https://redis.io/docs/latest/commands/acl-setuser/)'],
  ])('fails the malformed rule %s', (rule, message) => {
    expect(problems('redis 7.2', rule)).toEqual([message]);
  });

  test('fails a malformed database list', () => {
    expect(problems('valkey 9.1', 'db=1,x db=,1 db=')).toHaveLength(3);
  });

  test('lists every bad rule of a list at once, in order', () => {
    expect(problems('redis 7.2', '+nosuchcmd ~ok:* +@nosuch on').map((m) => m.split(':')[0])).toEqual([
      'ACL rule "+nosuchcmd"', 'ACL rule "+@nosuch"', 'ACL rule "on"',
    ]);
  });
});

describe('the internal users', () => {
  const USERS = Object.keys(INTERNAL_USER_RULES) as InternalUser[];

  test('are the replication, backup, health, sentinel and exporter users', () => {
    expect(USERS.sort()).toEqual(['backup', 'exporter', 'health', 'replication', 'sentinel']);
  });

  test.each(ACL_LINES)('have valid rules on %s', (_, version) => {
    const rules = internalUserRules(version.engine, version.major, version.minor);
    expect(Object.fromEntries(USERS.map((user) => [user, aclRuleProblems(version.engine, version.major, version.minor, rules[user])])))
      .toEqual(Object.fromEntries(USERS.map((user) => [user, []])));
  });

  test('key each variant to a line of the tables', () => {
    const keys = USERS.flatMap((user) => Object.keys(INTERNAL_USER_RULES[user]));
    expect(keys.filter((key) => {
      const [engine, version] = key.split(' ') as [EngineName, string];
      const [major, minor] = version.split('.').map(Number);
      try {
        aclCommands(engine, major, minor);
        return false;
      } catch {
        return true;
      }
    })).toEqual([]);
  });

  test.each([
    ['redis', 6, 0, 'sentinel', '+ping +info +subscribe +publish +client|setname +multi +slaveof +config|rewrite +client|kill +exec +script|kill'],
    ['redis', 7, 4, 'sentinel', 'resetchannels &__sentinel__:hello +ping +info +subscribe +publish +client|setname +multi +slaveof '
      + '+config|rewrite +client|kill +exec +script|kill'],
    ['valkey', 9, 1, 'sentinel', 'resetchannels &__sentinel__:hello +ping +info +subscribe +publish +client|setname +multi +slaveof '
      + '+config|rewrite +client|kill +exec +script|kill +client|pause +failover +client|unpause'],
    ['redis', 6, 2, 'exporter', '+client|setname +info +latency +slowlog|len +slowlog|get'],
    ['redis', 8, 2, 'exporter', '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get'],
    ['valkey', 8, 0, 'exporter', '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get'],
    ['valkey', 9, 1, 'exporter', '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get +commandlog|len'],
    ['valkey', 8, 1, 'backup', '+replconf +sync'],
  ] as const)('give %s %i.%i the %s rules of its line', (engine, major, minor, user, rules) => {
    expect(internalUserRules(engine, major, minor)[user]).toBe(rules);
  });

  test('can do nothing of what every internal user must be refused', () => {
    for (const [, version] of ACL_LINES) {
      for (const rules of Object.values(internalUserRules(version.engine, version.major, version.minor))) {
        expect(rules).not.toMatch(/@all|allcommands|allkeys|~|\+flushall|\+keys|\+config(?!\|get|\|rewrite)/);
      }
    }
  });
});
