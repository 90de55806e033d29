import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, runCdktf } from '../support/cdktf-cli';

describe('the repository root as a CDKTF project', () => {
  test('cdktf synth at the root synthesizes examples/complete: a database, a follower, a memory-only cache and an app using the network TLS credentials once the database exists', () => {
    const out = runCdktf(repoRoot, ['synth']);
    expect(out).toContain('Generated Terraform code for the stacks: complete');
    const plan = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdktf.out', 'stacks', 'complete', 'cdk.tf.json'), 'utf8'));
    const containers = Object.values(plan.resource.docker_container) as any[];
    expect(containers.map((c) => c.name).sort()).toEqual(['app', 'cache', 'cache-tls', 'db', 'db-backup', 'db-replica', 'db-replica-tls', 'db-tls']);
    expect(containers.find((c) => c.name === 'cache').tmpfs).toEqual({ '/data': 'size=1g,uid=999,gid=999,mode=0700' });
    expect(containers.find((c) => c.name === 'db-replica').upload[0].content).toContain('\nreplicaof db 6379\n');

    const app = containers.find((c) => c.name === 'app');
    const dbNetwork = Object.entries(plan.resource.docker_network).find(([, n]: [string, any]) => n.name === 'db')![0];
    const dbPassword = Object.entries(plan.resource.random_password).find(([, p]: [string, any]) => p['//'].metadata.path === 'complete/db/Password')![0];
    expect(app.networks_advanced).toEqual([{ name: `\${docker_network.${dbNetwork}.name}` }]);
    const dbCa = Object.keys(plan.resource.tls_self_signed_cert).find((id) => id.startsWith('db_CaCertificate_'));
    expect(app.upload).toEqual([
      { file: '/run/app/redis-url', content: `rediss://default:\${random_password.${dbPassword}.result}@db-tls:6380`, permissions: '0400' },
      { file: '/run/app/redis-ca.pem', content: `\${tls_self_signed_cert.${dbCa}.cert_pem}`, permissions: '0444' },
    ]);
    expect(app.depends_on).toEqual([expect.stringMatching(/^docker_container\.db_Node_TlsSidecar_[0-9A-F]{8}$/)]);
    expect(JSON.stringify(app)).not.toMatch(/"env"/);
  }, 120_000);

  test('git ignores what cdktf synth and deploy leave at the root', () => {
    for (const file of ['cdktf.out/manifest.json', 'terraform.complete.tfstate', 'terraform.complete.tfstate.backup']) {
      expect(() => execFileSync('git', ['check-ignore', '-q', file], { cwd: repoRoot })).not.toThrow();
    }
  });
});
