import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot, runCdktf } from '../support/cdktf-cli';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const section = readme.split('\n## Start a new project\n')[1].split('\n## ')[0];

/** The code block the README introduces with "`file`:". */
function fileFromReadme(file: string): string {
  const match = new RegExp('`' + file.replace('.', '\\.') + '`[^\\n]*:\\n\\n```\\w*\\n([\\s\\S]*?)```').exec(section);
  if (!match) throw new Error(`no block for ${file} in README's "Start a new project"`);
  return match[1];
}

/**
 * A project as the README's install lines leave it, with node_modules linked to
 * this repository's packages (no registry here) and to this repository itself
 * as `cdktf-docker-redis`: it needs the jsii build, as npm test runs it.
 */
function newProject(files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-new-project-'));
  execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
  fs.mkdirSync(path.join(dir, 'node_modules', '@cdktf'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'));
  const linked = ['cdktf', 'constructs', 'ts-node', 'typescript', '@cdktf/provider-docker', '@cdktf/provider-random', '@cdktf/provider-tls'];
  for (const name of linked) {
    fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'cdktf-docker-redis'));
  fs.symlinkSync('../ts-node/dist/bin.js', path.join(dir, 'node_modules', '.bin', 'ts-node'));
  for (const file of files) {
    fs.writeFileSync(path.join(dir, file), fileFromReadme(file));
  }
  return dir;
}

describe('README: Start a new project', () => {
  test('the install lines name every peer dependency at the range package.json allows, and the cdktf CLI', () => {
    const install = section.split('\n').find((l) => l.startsWith('npm install cdktf-docker-redis '))!;
    const installed = install.split(' ').slice(3);
    expect(installed.sort()).toEqual(Object.entries(pkg.peerDependencies).map(([name, range]) => `${name}@${range}`).sort());
    expect(section).toContain(`npm install --save-dev cdktf-cli@${pkg.devDependencies['cdktf-cli']} ts-node typescript\n`);
  });

  test('its cdktf.json, tsconfig.json and main.ts synthesize the stack the README names', () => {
    const dir = newProject(['cdktf.json', 'tsconfig.json', 'main.ts']);
    try {
      runCdktf(dir, ['synth']);
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'redis', 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(plan.output).sort()).toEqual(['cache_ca_certificate', 'cache_network_tls_url', 'cache_network_url', 'cache_tls_url', 'cache_url']);
      expect(Object.values(plan.output).every((o: any) => o.sensitive === true)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('fails with "Unknown file extension" in ts-node without its tsconfig.json, as the README says', () => {
    const dir = newProject(['cdktf.json', 'main.ts']);
    try {
      expect(() => execFileSync(path.join(dir, 'node_modules', '.bin', 'ts-node'), ['main.ts'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 }))
        .toThrow(/Unknown file extension "\.ts"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
