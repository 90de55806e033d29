import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../support/cdktf-cli';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const section = readme.split('\n## Start a new project\n')[1].split('\n## ')[0];

/** The code block the README introduces with "`file`:". */
function fileFromReadme(file: string): string {
  const match = new RegExp('`' + file.replace('.', '\\.') + '`[^\\n]*:\\n\\n```\\w*\\n([\\s\\S]*?)```').exec(section);
  if (!match) throw new Error(`no block for ${file} in README's "Start a new project"`);
  return match[1];
}

/** The shell block of the section: the commands a new user types, one a line. */
const installCommands = /```sh\n([\s\S]*?)```/.exec(section)![1].trim().split('\n');

const INSTALL_TIMEOUT_MS = 240_000;

/**
 * npm as a new user runs it, but from the cache `npm ci` filled where it can
 * (the registry answers for the rest), and without the audit and funding calls.
 */
function npm(cwd: string, args: string[], timeoutMs = INSTALL_TIMEOUT_MS): string {
  const result = spawnSync('npm', args, {
    cwd,
    env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * The tarball `npm pack` writes from what a fresh clone holds: the files git
 * tracks or would add, none of the build's output, so the pack's own build is
 * what puts the library in it.
 */
function packFromCleanTree(workDir: string): string {
  const tree = path.join(workDir, 'clone');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(tree, file));
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tree, 'node_modules'));
  const packed = path.join(workDir, 'packed');
  fs.mkdirSync(packed);
  npm(tree, ['pack', '--pack-destination', packed]);
  const tarballs = fs.readdirSync(packed);
  expect(tarballs).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
  return path.join(packed, tarballs[0]);
}

/** README's install commands run as written, with the packed tarball where the registry name stands. */
function runReadmeInstall(dir: string, tarball: string): void {
  for (const line of installCommands) {
    const [command, ...args] = line.split(' ');
    expect(command).toBe('npm');
    npm(dir, args.map((arg) => (arg === pkg.name ? tarball : arg)));
  }
}

describe('README: Start a new project, from the packed tarball', () => {
  let workDir: string;
  let tarball: string;
  let project: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-new-project-'));
    tarball = packFromCleanTree(workDir);
    project = path.join(workDir, 'project');
    fs.mkdirSync(project);
    runReadmeInstall(project, tarball);
  }, 2 * INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the install lines name every peer dependency at the range package.json allows, the cdktf CLI, and the TypeScript and ts-node package.json pins', () => {
    expect(installCommands[0]).toBe('npm init -y');
    const installed = installCommands[1].split(' ').slice(3);
    expect(installCommands[1].startsWith(`npm install ${pkg.name} `)).toBe(true);
    expect(installed.sort()).toEqual(Object.entries(pkg.peerDependencies).map(([name, range]) => `${name}@${range}`).sort());
    expect(installCommands[2]).toBe(
      `npm install --save-dev cdktf-cli@${pkg.devDependencies['cdktf-cli']} ts-node@${pkg.devDependencies['ts-node']} typescript@${pkg.devDependencies.typescript}`);
    expect(installCommands).toHaveLength(3);
  });

  test('the tarball holds the built library, its typings, its shell files, the jsii assembly, the CLI and the documents, and nothing of test/, bench/ or the sources', () => {
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const outsideLib = listed.filter((f) => !f.startsWith('lib/')).sort();
    expect(outsideLib).toEqual(['.jsii', 'CHANGELOG.md', 'LICENSE', 'README.md', 'bin/cdktf-docker-redis.js', 'package.json']);
    const inLib = listed.filter((f) => f.startsWith('lib/'));
    // The renderers read their scripts from the .sh files beside them at synth: every one ships, and nothing else beside the code.
    const shellFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'lib/*.sh'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n');
    expect(shellFiles).toEqual(expect.arrayContaining(['lib/backup/backup.sh', 'lib/backup/restore.sh', 'lib/failover/sentinel-start.sh']));
    expect(inLib.filter((f) => !f.endsWith('.js') && !f.endsWith('.d.ts')).sort()).toEqual(shellFiles.sort());
    const sources = execFileSync('git', ['ls-files', 'lib/*.ts'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n');
    for (const source of sources) {
      expect(inLib).toContain(source.replace(/\.ts$/, '.js'));
      expect(inLib).toContain(source.replace(/\.ts$/, '.d.ts'));
    }
  });

  test('its cdktf.json, tsconfig.json and main.ts synthesize the stack the README names', () => {
    for (const file of ['cdktf.json', 'tsconfig.json', 'main.ts']) fs.writeFileSync(path.join(project, file), fileFromReadme(file));
    execFileSync('npx', ['cdktf', 'synth'], {
      cwd: project,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', TF_CLI_CONFIG_FILE: '/dev/null' },
      stdio: 'pipe',
      timeout: 120_000,
    });
    const plan = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'redis', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(plan.output).sort()).toEqual(['cache_ca_certificate', 'cache_network_tls_url', 'cache_network_url', 'cache_tls_url', 'cache_url']);
    expect(Object.values(plan.output).every((o: any) => o.sensitive === true)).toBe(true);
  }, 120_000);

  test('the installed CLI prints the catalog', () => {
    const out = execFileSync('npx', ['cdktf-docker-redis', 'versions'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(out.split('\n')[0]).toMatch(/^VERSION +ENGINE +IMAGE/);
    expect(out).toMatch(/^7\.2 +redis 7\.2 +redis:7\.2\.\d+ /m);
  }, 60_000);

  test('fails with "Unknown file extension" in ts-node without its tsconfig.json, as the README says', () => {
    const bare = path.join(workDir, 'no-tsconfig');
    fs.mkdirSync(bare);
    fs.symlinkSync(path.join(project, 'node_modules'), path.join(bare, 'node_modules'));
    fs.writeFileSync(path.join(bare, 'main.ts'), fileFromReadme('main.ts'));
    expect(() => execFileSync(path.join(bare, 'node_modules', '.bin', 'ts-node'), ['main.ts'], { cwd: bare, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 }))
      .toThrow(/Unknown file extension "\.ts"/);
  }, 120_000);

  test('fails inside ts-node with TypeScript 7, as the README says of the pin', () => {
    const newest = path.join(workDir, 'typescript-7');
    fs.mkdirSync(newest);
    fs.writeFileSync(path.join(newest, 'package.json'), '{ "name": "typescript-7", "private": true }\n');
    npm(newest, ['install', '--save-dev', 'ts-node@' + pkg.devDependencies['ts-node'], 'typescript@7']);
    fs.writeFileSync(path.join(newest, 'tsconfig.json'), fileFromReadme('tsconfig.json'));
    fs.writeFileSync(path.join(newest, 'main.ts'), 'const answer: number = 42;\nconsole.log(answer);\n');
    const run = spawnSync(path.join(newest, 'node_modules', '.bin', 'ts-node'), ['main.ts'], { cwd: newest, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("Cannot read properties of undefined (reading 'fileExists')");
    expect(section).toContain("Cannot read properties of undefined (reading 'fileExists')");
  }, INSTALL_TIMEOUT_MS);
});
