/**
 * The two Sentinel logins as renderSentinelConf writes them, and a tripwire
 * on the clients: the SENTINEL subcommands and channels the installed ioredis
 * and node-redis send (read from their sources) must be exactly what the apps'
 * login allows, so a client upgrade that needs more fails here, not in an app.
 * What a real Sentinel does with these lines: test/integration/sentinel-login.test.ts.
 */
import * as fs from 'fs';
import { renderSentinelConf, SENTINEL_ADMIN_USER, SENTINEL_APP_RULES, SENTINEL_APP_USER } from '../../lib/failover/sentinel-conf';
import { SENTINEL_CONF_INPUT } from '../support/sentinel-conf-input';


test('the apps\' login is Sentinel\'s default user, reset, with only the discovery subcommands and the failover channels', () => {
  const lines = renderSentinelConf(SENTINEL_CONF_INPUT).split('\n');
  expect(lines.filter((l) => /^(user|requirepass|sentinel sentinel-)/.test(l))).toEqual([
    `user default reset on #${'a1'.repeat(32)} &+switch-master &switch-master &[-+]sdown &+slave &+sentinel &[-+]odown &+slave-reconf-done ` +
      '+sentinel|get-master-addr-by-name +sentinel|master +sentinel|replicas +sentinel|slaves +sentinel|sentinels +subscribe +psubscribe',
    `user admin reset on #${'b2'.repeat(32)} ~* &* +@all`,
    'sentinel sentinel-user admin',
    'sentinel sentinel-pass "admin-pass"',
  ]);
  expect([SENTINEL_APP_USER, SENTINEL_ADMIN_USER]).toEqual(['default', 'admin']);
});

test('the admin password is in the sentinel-pass line only; the apps\' password is not in the file at all, only its hash', () => {
  const conf = renderSentinelConf(SENTINEL_CONF_INPUT);
  expect(conf.split('\n').filter((l) => l.includes('admin-pass'))).toEqual(['sentinel sentinel-pass "admin-pass"']);
  expect(renderSentinelConf(SENTINEL_CONF_INPUT)).toBe(conf);
});

test('the rules grant no category, key pattern or whole command beyond SUBSCRIBE and PSUBSCRIBE', () => {
  const grants = SENTINEL_APP_RULES.filter((r) => r.startsWith('+'));
  expect(SENTINEL_APP_RULES.filter((r) => !r.startsWith('+') && !r.startsWith('&'))).toEqual([]);
  expect(grants.filter((r) => !r.startsWith('+sentinel|'))).toEqual(['+subscribe', '+psubscribe']);
  expect(SENTINEL_APP_RULES.some((r) => r.includes('@') || r === '&*')).toBe(false);
});

/** What the installed clients send Sentinel, read from their built sources. */
function clientTraffic(): { subcommands: string[]; channels: string[] } {
  const read = (file: string) => fs.readFileSync(require.resolve(file), 'utf8');
  const ioredis = read('ioredis/built/connectors/SentinelConnector/index.js');
  const ioredisDetector = read('ioredis/built/connectors/SentinelConnector/FailoverDetector.js');
  const nodeRedisDir = require.resolve('@redis/client/dist/lib/sentinel/index.js').replace(/index\.js$/, '');
  const nodeRedis = fs.readFileSync(`${nodeRedisDir}index.js`, 'utf8');
  const subcommands = [...ioredis.matchAll(/client\.sentinel\("([\w-]+)"/g)].map((m) => m[1].toLowerCase());
  // node-redis calls its SENTINEL_* command modules; each pushes 'SENTINEL', '<SUBCOMMAND>'.
  for (const [, name] of nodeRedis.matchAll(/client\.sentinel\.sentinel(\w+)\(/g)) {
    const module = fs.readFileSync(`${nodeRedisDir}commands/SENTINEL_${name.toUpperCase()}.js`, 'utf8');
    subcommands.push(/parser\.push\('SENTINEL', '([\w-]+)'/.exec(module)![1].toLowerCase());
  }
  const channels = [/CHANNEL_NAME = "([^"]+)"/.exec(ioredisDetector)![1]];
  const patterns = /pSubscribe\(\[(.*?)\], \(/.exec(nodeRedis)![1];
  channels.push(...[...patterns.matchAll(/'([^']+)'/g)].map((m) => m[1]));
  return { subcommands: [...new Set(subcommands)].sort(), channels };
}

test('ioredis and node-redis, as installed, send exactly the SENTINEL subcommands and channels the apps\' login allows', () => {
  const { subcommands, channels } = clientTraffic();
  expect(subcommands).toEqual(['get-master-addr-by-name', 'master', 'replicas', 'sentinels', 'slaves']);
  expect(SENTINEL_APP_RULES.filter((r) => r.startsWith('+sentinel|')).map((r) => r.slice('+sentinel|'.length)).sort()).toEqual(subcommands);
  expect(SENTINEL_APP_RULES.filter((r) => r.startsWith('&')).map((r) => r.slice(1))).toEqual(channels);
});
