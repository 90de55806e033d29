import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { BasicStack } from '../../examples/basic/main';
import { CompleteStack } from '../../examples/complete/main';
import { FollowerStack } from '../../examples/follower/main';
import { MemoryOnlyStack } from '../../examples/memory-only/main';
import { MultiHostStack } from '../../examples/multi-host/main';
import { repoRoot } from '../support/cdktf-cli';

/**
 * Snapshots are tripwires: any change to what the examples deploy shows up
 * here for review. Update them with `npx jest -u` only for intended changes.
 */
describe.each([
  ['basic', BasicStack],
  ['follower', FollowerStack],
  ['memory-only', MemoryOnlyStack],
  ['multi-host', MultiHostStack],
  ['complete', CompleteStack],
] as Array<[string, new (scope: any, id: string) => TerraformStack]>)('examples/%s', (name, StackClass) => {
  test('synthesizes the same plan as before', () => {
    const stack = new StackClass(Testing.app(), name);
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});

/** What `npm run example [-- name]` prints. */
function example(name?: string): string {
  return execFileSync('npm', ['run', '--silent', 'example', ...(name ? ['--', name] : [])], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npm run example', () => {
  let basic: string;
  beforeAll(() => {
    basic = example();
  }, 120_000);

  test("README's sample block is all of what it prints for examples/basic", () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const sample = /`npm run example` prints, [\s\S]*?\n```\n([\s\S]*?)```\n/.exec(readme);
    expect(sample?.[1]).toBe(basic);
  });

  test("prints each container's volumes at their own paths: data at /data, the socket volume at /run/redis in both containers", () => {
    const lines = basic.split('\n');
    const redis = lines.find((l) => /docker_container\s+cache: /.test(l))!;
    const sidecar = lines.find((l) => /docker_container\s+cache-tls: /.test(l))!;
    expect(redis.match(/volume [^;]+ at [^;]+/g)).toEqual(['volume cache-data at /data', 'volume cache-run at /run/redis']);
    expect(sidecar.match(/volume [^;]+ at [^;]+/g)).toEqual(['volume cache-run at /run/redis']);
    expect(basic).toMatch(/docker_volume\s+cache-run: driver local device=tmpfs o=size=1m,uid=999,gid=999,mode=0750 type=tmpfs;/);
  });

  test('prints the TLS resources with subject, SANs, validity and algorithm, and the password with its length', () => {
    expect(basic).toMatch(/tls_private_key\s+cache\/CaKey: ECDSA P256\n/);
    expect(basic).toMatch(/tls_self_signed_cert\s+cache\/CaCertificate: CA; subject CN=cache Redis CA O=cdktf-docker-redis; .*; valid 10 years;/);
    expect(basic).toMatch(/tls_cert_request\s+cache\/ServerCertificateRequest: subject CN=localhost O=cdktf-docker-redis; SANs DNS:localhost DNS:cache DNS:cache-tls IP:127\.0\.0\.1;/);
    expect(basic).toMatch(/tls_locally_signed_cert\s+cache\/ServerCertificate: .*; signed by <cache\/CaCertificate\.cert_pem>; valid 2 years, renewed 30 days before expiry;/);
    expect(basic).toMatch(/random_password\s+cache\/Password: 40 characters; no special characters\n/);
  });

  test('prints the memory-only data directory as a tmpfs with its size, and no data volume', () => {
    const out = example('memory-only');
    const redis = out.split('\n').find((l) => /docker_container\s+scratch: /.test(l))!;
    expect(redis).toContain('; tmpfs at /data (size=1g,uid=999,gid=999,mode=0700);');
    expect(redis.match(/volume [^;]+ at [^;]+/g)).toEqual(['volume scratch-run at /run/redis']);
    expect(out).not.toMatch(/docker_volume\s+scratch-data/);
  }, 120_000);
});
