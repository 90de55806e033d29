import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RedisVersion } from '../../lib';
import { CliCommand } from '../../lib/private/cli/command';
import { runCli } from '../../lib/private/cli/main';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'cdktf-docker-redis.js');

/** Runs the installed entry point, as users do; it needs the jsii build, as npm test runs it. */
function run(...args: string[]) {
  const result = spawnSync('node', [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cdktf-docker-redis versions', () => {
  test('prints every catalog version with its engine, image, persistence, license and status', () => {
    const { code, stdout } = run('versions');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+ENGINE\s+IMAGE\s+PERSISTENCE\s+LICENSE\s+STATUS$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[0])).toEqual(RedisVersion.NAMES);
    expect(lines).toContainEqual(expect.stringMatching(/^8\.2 \*\s+redis 8\.2\s+redis:8\.2\.2\s+rdb\s+RSALv2 OR SSPLv1 OR AGPLv3\s+supported$/));
    expect(lines).toContainEqual(expect.stringMatching(/^4\.0-nordb\s+redis 4\.0\s+redis:4\.0\.14\s+memory-only\s+BSD-3-Clause\s+end of life$/));
    expect(lines).toContainEqual(expect.stringMatching(/^valkey-8\.1\s+valkey 8\.1\s+valkey\/valkey:8\.1\.8\s+rdb\s+BSD-3-Clause\s+supported$/));
    expect(lines[lines.length - 1]).toBe('* default');
  });

  test('--json prints one object per catalog entry: every public field, name first and the rest alphabetically, then default, persistence and status', () => {
    const { code, stdout } = run('versions', '--json');
    expect(code).toBe(0);
    const entries = JSON.parse(stdout);
    // The public fields as jsii sees them, so a private field never leaks and a new public one is never left out.
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
    const publicFields = (assembly.types['cdktf-docker-redis.RedisVersion'].properties as any[])
      .filter((p) => !p.static)
      .map((p) => p.name as string);
    const expectedKeys = ['name', ...publicFields.filter((f) => f !== 'name').sort(), 'default', 'persistence', 'status'];
    expect(entries.map((e: any) => e.name)).toEqual(RedisVersion.NAMES);
    for (const [i, entry] of entries.entries()) {
      const v = RedisVersion.ALL[i];
      expect(Object.keys(entry)).toEqual(expectedKeys);
      for (const field of publicFields) {
        const value = (v as any)[field];
        expect(entry[field]).toEqual(value instanceof RedisVersion ? value.name : value);
      }
      expect(entry.default).toBe(v === RedisVersion.DEFAULT);
      expect(entry.persistence).toBe(v.persistent ? 'rdb' : 'memory-only');
      expect(entry.status).toBe(v.endOfLife ? 'end of life' : 'supported');
    }
  });

  test('--help prints its usage, options and examples and exits 0', () => {
    const { code, stdout } = run('versions', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: cdktf-docker-redis versions \[--json\]\n/);
    expect(stdout).toMatch(/\n {2}--json {6}a JSON array/);
    expect(stdout).toMatch(/\n {2}-h, --help {2}this help\n/);
    expect(stdout).toContain('\nExamples:\n  cdktf-docker-redis versions\n  cdktf-docker-redis versions --json\n');
  });

  test('fails with exit code 2 naming an option it does not know', () => {
    const { code, stdout, stderr } = run('versions', '--yaml');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('cdktf-docker-redis: unknown option "--yaml" for versions; run cdktf-docker-redis versions --help\n');
  });

  test('fails with exit code 2 on an argument it does not take', () => {
    const { code, stderr } = run('versions', '7.2');
    expect(code).toBe(2);
    expect(stderr).toBe('cdktf-docker-redis: versions takes no arguments, got "7.2"; run cdktf-docker-redis versions --help\n');
  });
});

describe('cdktf-docker-redis help and usage errors', () => {
  test.each([['--help'], ['-h']])('%s prints the commands, options, examples and exit codes and exits 0', (flag) => {
    const { code, stdout, stderr } = run(flag);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: cdktf-docker-redis <command> \[options\]\n/);
    expect(stdout).toMatch(/\nCommands:\n {2}versions {2}list the Redis versions/);
    expect(stdout).toMatch(/\nOptions:\n {2}-h, --help {2}this help/);
    expect(stdout).toContain('\nExamples:\n  cdktf-docker-redis versions\n  cdktf-docker-redis versions --json\n');
    expect(stdout).toMatch(/\nExit codes:\n {2}0 {2}success\n {2}1 {2}the command failed.*\n {2}2 {2}usage error/);
  });

  test('fails with exit code 2 and the help on stderr when no command is given', () => {
    const { code, stdout, stderr } = run();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(run('--help').stdout);
  });

  test('fails with exit code 2 naming an unknown command on one line', () => {
    const { code, stdout, stderr } = run('lsit');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('cdktf-docker-redis: unknown command "lsit"; run cdktf-docker-redis --help\n');
  });

  test('fails with exit code 2 naming an unknown option before the command', () => {
    const { code, stderr } = run('--json');
    expect(code).toBe(2);
    expect(stderr).toBe('cdktf-docker-redis: unknown option "--json"; run cdktf-docker-redis --help\n');
  });

  test('fails with exit code 1 and the reason on one line when a command throws', async () => {
    const failing: CliCommand = {
      name: 'backups',
      summary: 'a command that fails',
      description: '',
      arguments: ['handle'],
      options: [],
      examples: [],
      run: () => {
        throw new Error('no backups of "cache" on this host');
      },
    };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['backups', 'cache'], { out: (t) => out.push(t), err: (t) => err.push(t) }, [failing]);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['cdktf-docker-redis: no backups of "cache" on this host\n']);
  });
});
