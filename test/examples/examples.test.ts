import { execFileSync } from 'child_process';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { BasicStack } from '../../examples/basic/main';
import { FollowerStack } from '../../examples/follower/main';
import { MemoryOnlyStack } from '../../examples/memory-only/main';

/**
 * Snapshots are tripwires: any change to what the examples deploy shows up
 * here for review. Update them with `npx jest -u` only for intended changes.
 */
describe.each([
  ['basic', BasicStack],
  ['follower', FollowerStack],
  ['memory-only', MemoryOnlyStack],
] as Array<[string, new (scope: any, id: string) => TerraformStack]>)('examples/%s', (name, StackClass) => {
  test('synthesizes the same plan as before', () => {
    const stack = new StackClass(Testing.app(), name);
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});

describe('npm run example', () => {
  test('synthesizes examples/basic with cdktf and prints what it would create', () => {
    const out = execFileSync('npm', ['run', '--silent', 'example'], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(out).toContain('Stack "basic"');
    expect(out).toMatch(/docker_container\s+cache; image \$\{docker_image\.image-redis-7-2-11\.image_id\}; user 999:999; 1024 MB; ports 0\.0\.0\.0:6379->6379; volume/);
    expect(out).toMatch(/docker_container\s+cache-tls; image \$\{docker_image\.image-haproxy-3-2-4\.image_id\}; user 0:0; 512 MB; ports 0\.0\.0\.0:6380->6380/);
    expect(out).toMatch(/docker_volume\s+cache-data .*size-gb=10; prevent_destroy true/);
    expect(out).toMatch(/cache_tls_url\s+sensitive\s+rediss:\/\//);
    expect(out).toContain('WARN [basic/cache]: RedisDatabase cache: the data volume\'s `size` (10 GB) is recorded in a label but not enforced');
  }, 120_000);
});
