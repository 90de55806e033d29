/**
 * A Sentinel's start script (sentinelStartup) run by sh on this host, with
 * `cat` in place of the Sentinel binary so the config it would start from is
 * printed: the code's directives at every start, plus what Sentinel learned.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { renderSentinelConf, sentinelStartup } from '../../lib/failover/sentinel-conf';
import { SENTINEL_CONF_INPUT } from '../support/sentinel-conf-input';
import { tempDir } from '../support/processes';

const INPUT = { ...SENTINEL_CONF_INPUT, authPass: 'old-pass', adminPass: 'old-admin' };

/** What Sentinel writes after a failover moved the primary to 10.0.0.2 (the shape of its config rewrite). */
const REWRITTEN_BY_SENTINEL = [
  ...renderSentinelConf(INPUT).trimEnd().split('\n').filter((l) => !l.startsWith('sentinel monitor')),
  'sentinel monitor fo 10.0.0.2 6381 2',
  // Sentinel writes its users back, their passwords as hashes.
  `user default on #${'a1'.repeat(32)} &+switch-master +sentinel|master`,
  `user admin on #${'b2'.repeat(32)} ~* &* +@all`,
  'sentinel config-epoch fo 3',
  'sentinel leader-epoch fo 3',
  'sentinel current-epoch 3',
  'sentinel known-replica fo 10.0.0.1 6380',
  'sentinel known-sentinel fo 10.0.0.8 26380 ' + 'b'.repeat(40),
  'sentinel known-sentinel other 10.0.0.7 26380 ' + 'c'.repeat(40),
].join('\n') + '\n';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A Sentinel's data dir, removed after the tests. */
function dataDir(): string {
  const dir = tempDir('sentinel-start');
  dirs.push(dir);
  return dir;
}

function start(dir: string, uploaded: string): string {
  fs.writeFileSync(path.join(dir, 'uploaded.conf'), uploaded);
  const { entrypoint, command } = sentinelStartup('cat', path.join(dir, 'uploaded.conf'), dir, 'fo');
  return execFileSync(entrypoint[0], [...entrypoint.slice(1), ...command], { encoding: 'utf8', timeout: 10_000 });
}

test('a first start runs the uploaded config as it is', () => {
  const dir = dataDir();
  expect(start(dir, renderSentinelConf(INPUT))).toBe(renderSentinelConf(INPUT));
  expect(fs.statSync(path.join(dir, 'sentinel.conf')).mode & 0o777).toBe(0o600);
});

test('a replaced Sentinel keeps its epochs, known peers and current primary, and takes every directive of the new config', () => {
  const dir = dataDir();
  fs.writeFileSync(path.join(dir, 'sentinel.conf'), REWRITTEN_BY_SENTINEL);
  const changed = renderSentinelConf({ ...INPUT, quorum: 1, downAfterMs: 7000, authPass: 'new-pass', adminPass: 'new-admin', appPassHash: 'c3'.repeat(32), adminPassHash: 'd4'.repeat(32) });
  const lines = start(dir, changed).trimEnd().split('\n');
  expect(lines).toEqual([
    ...changed.trimEnd().split('\n').map((l) => (l.startsWith('sentinel monitor') ? 'sentinel monitor fo 10.0.0.2 6381 1' : l)),
    'sentinel config-epoch fo 3',
    'sentinel leader-epoch fo 3',
    'sentinel current-epoch 3',
    'sentinel known-replica fo 10.0.0.1 6380',
    'sentinel known-sentinel fo 10.0.0.8 26380 ' + 'b'.repeat(40),
  ]);
  expect(lines.join('\n')).not.toMatch(/old-pass|old-admin|a1a1|b2b2|other/);
  // The next start merges the same way: nothing piles up.
  expect(start(dir, changed).trimEnd().split('\n')).toEqual(lines);
});
