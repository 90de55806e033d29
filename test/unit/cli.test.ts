import { execFileSync } from 'child_process';
import * as path from 'path';
import { RedisVersion } from '../../lib';

const cli = path.join(__dirname, '..', '..', 'bin', 'cdktf-docker-redis.js');

describe('cdktf-docker-redis versions (needs the jsii build, as npm test runs it)', () => {
  test('prints every catalog version with its image, persistence and status', () => {
    const lines = execFileSync('node', [cli, 'versions'], { encoding: 'utf8' }).trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+IMAGE\s+PERSISTENCE\s+STATUS$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[0])).toEqual(RedisVersion.NAMES);
    expect(lines).toContainEqual(expect.stringMatching(/^8\.2 \*\s+redis:8\.2\.2\s+rdb\s+supported$/));
    expect(lines).toContainEqual(expect.stringMatching(/^4\.0-nordb\s+redis:4\.0\.14\s+memory-only\s+end of life$/));
    expect(lines[lines.length - 1]).toBe('* default');
  });

  test('fails with usage on anything else', () => {
    expect(() => execFileSync('node', [cli, 'list'], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/usage: cdktf-docker-redis versions/);
  });
});
