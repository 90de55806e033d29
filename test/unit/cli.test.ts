import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RedisVersion } from '../../lib';
import { CliCommand } from '../../lib/cli/command';
import { endpointOf, SingleFileTar } from '../../lib/cli/docker-engine';
import { runCli } from '../../lib/cli/main';
import { CATALOG_PINS } from '../../lib/private/version-pins';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'cdktf-docker-redis.js');

/** Runs the installed entry point, as users do; it needs the jsii build, as npm test runs it. */
function run(...args: string[]) {
  const result = spawnSync('node', [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cdktf-docker-redis in a clone that is not built yet', () => {
  test('fails naming the build command instead of a bare module-not-found', () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-unbuilt-'));
    try {
      fs.mkdirSync(path.join(clone, 'bin'));
      fs.copyFileSync(cli, path.join(clone, 'bin', 'cdktf-docker-redis.js'));
      const result = spawnSync('node', [path.join(clone, 'bin', 'cdktf-docker-redis.js'), 'versions'], { cwd: clone, encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('cdktf-docker-redis: the library is not built (no lib/cli/main.js); in a clone of the repository run: npm run build\n');
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe('cdktf-docker-redis versions', () => {
  test('prints every catalog version with its engine, image, persistence, license and status', () => {
    const { code, stdout } = run('versions');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+ENGINE\s+IMAGE\s+PERSISTENCE\s+LICENSE\s+STATUS\s+NEWEST KNOWN\s+CHECKED\s+MARKS$/);
    const end = lines.indexOf('* default');
    expect(lines.slice(1, end).map((l) => l.split(/\s+/)[0])).toEqual(RedisVersion.NAMES);
    expect(lines).toContainEqual(expect.stringMatching(/^8\.2 \*\s+redis 8\.2\s+redis:8\.2\.10\s+rdb\s+RSALv2 OR SSPLv1 OR AGPLv3\s+supported\s+8\.2\.10\s+2026-12-03$/));
    expect(lines).toContainEqual(expect.stringMatching(/^8\.0\s+redis 8\.0\s+redis:8\.0\.6\s+rdb\s+RSALv2 OR SSPLv1 OR AGPLv3\s+end of life\s+8\.0\.6\s+2026-12-03$/));
    expect(lines).toContainEqual(expect.stringMatching(/^4\.0-nordb\s+redis 4\.0\s+redis:4\.0\.14\s+memory-only\s+BSD-3-Clause\s+end of life\s+4\.0\.14\s+2026-12-03$/));
    expect(lines).toContainEqual(expect.stringMatching(/^valkey-8\.1\s+valkey 8\.1\s+valkey\/valkey:8\.1\.10\s+rdb\s+BSD-3-Clause\s+supported\s+8\.1\.10\s+2026-12-03$/));
    // Then the other containers' default images and the upstream lines the catalog lacks.
    expect(lines.slice(end + 1)).toEqual([
      '',
      expect.stringMatching(/^IMAGE\s+NEWEST KNOWN\s+CHECKED\s+MARKS$/),
      expect.stringMatching(/^haproxy:3\.2\.22\s+3\.2\.22\s+2026-12-03$/),
      expect.stringMatching(/^oliver006\/redis_exporter:v1\.93\.0\s+v1\.93\.0\s+2026-12-03$/),
      '',
      expect.stringMatching(/^NOT IN THE CATALOG\s+NEWEST KNOWN\s+CHECKED\s+STATUS$/),
      expect.stringMatching(/^redis 8\.10\s+8\.10\.2\s+2026-12-03\s+supported$/),
      expect.stringMatching(/^redis 8\.8\s+8\.8\.3\s/),
      expect.stringMatching(/^redis 8\.6\s+8\.6\.7\s/),
      expect.stringMatching(/^redis 8\.4\s+8\.4\.6\s/),
    ]);
  });

  test('--json prints one object per catalog entry: every public field, name first and the rest alphabetically, then default, persistence, status and the pin record', () => {
    const { code, stdout } = run('versions', '--json');
    expect(code).toBe(0);
    const entries = JSON.parse(stdout);
    // The public fields as jsii sees them, so a private field never leaks and a new public one is never left out.
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
    const publicFields = (assembly.types['cdktf-docker-redis.RedisVersion'].properties as any[])
      .filter((p) => !p.static)
      .map((p) => p.name as string);
    const expectedKeys = ['name', ...publicFields.filter((f) => f !== 'name').sort(), 'default', 'persistence', 'status', 'pin'];
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
      expect(entry.pin).toEqual({ ...CATALOG_PINS[`${v.engine} ${v.engineVersion}`] });
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

describe('cdktf-docker-redis backup and backups', () => {
  /** Runs the entry point against an engine that is not there. */
  function runWith(env: Record<string, string>, ...args: string[]) {
    const result = spawnSync('node', [cli, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('are listed in the help with their options and examples', () => {
    const { stdout } = run('--help');
    expect(stdout).toMatch(/\n {2}backup {4}take a backup of a database now/);
    expect(stdout).toMatch(/\n {2}backups {3}list the backups of a database, also after it was destroyed/);
    expect(stdout).toContain('  cdktf-docker-redis backup cache\n');
    const backups = run('backups', '--help');
    expect(backups.stdout).toMatch(/^Usage: cdktf-docker-redis backups <handle> \[--verify\] \[--json\] \[--host-path DIR\]\n/);
  });

  test.each([
    [['backup'], 'cdktf-docker-redis: backup takes <handle>, got none; run cdktf-docker-redis backup --help\n'],
    [['backup', 'Cache'], 'cdktf-docker-redis: the handle must be lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters, got "Cache"; run cdktf-docker-redis backup --help\n'],
    [['backups', 'cache', '--host-path'], 'cdktf-docker-redis: --host-path needs a value (--host-path DIR); run cdktf-docker-redis backups --help\n'],
    [['backups', 'cache', '--host-path', 'backups'], 'cdktf-docker-redis: --host-path must be an absolute directory on the Docker host, got "backups"; run cdktf-docker-redis backups --help\n'],
  ])('fails with exit code 2 on %j', (args, message) => {
    const { code, stderr } = runWith({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, ...args);
    expect({ code, stderr }).toEqual({ code: 2, stderr: message });
  });

  test('fails with exit code 1 naming the engine it cannot reach, and one it cannot use', () => {
    expect(runWith({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 'backup', 'cache')).toEqual({
      code: 1, stdout: '',
      stderr: 'cdktf-docker-redis: cannot reach the Docker engine at unix:///nonexistent/docker.sock (ENOENT): is Docker running there? DOCKER_HOST selects another engine\n',
    });
    expect(runWith({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, 'backups', 'cache').stderr).toBe(
      'cdktf-docker-redis: DOCKER_HOST "npipe:////./pipe/docker_engine" is not supported: give unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]\n',
    );
  });
  test('fails with exit code 1 and what ssh said when an ssh:// engine cannot be reached', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ssh-'));
    try {
      fs.writeFileSync(path.join(bin, 'ssh'), '#!/bin/sh\necho "deploy@db1: Permission denied (publickey)." >&2\nexit 255\n', { mode: 0o755 });
      expect(runWith({ DOCKER_HOST: 'ssh://deploy@db1', PATH: `${bin}:${process.env.PATH}` }, 'backups', 'cache')).toEqual({
        code: 1, stdout: '',
        stderr: 'cdktf-docker-redis: cannot reach the Docker engine at ssh://deploy@db1 through ssh (deploy@db1: Permission denied (publickey).): '
          + '`ssh -l deploy -o ConnectTimeout=30 -T -- db1 docker system dial-stdio` must work from here\n',
      });
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the engine DOCKER_HOST names', () => {
  test.each([
    ['unix:///run/docker-b.sock', {}, { socketPath: '/run/docker-b.sock' }],
    ['tcp://db1.internal:2375', {}, { host: 'db1.internal', port: 2375 }],
    ['tcp://db1.internal', {}, { host: 'db1.internal', port: 2375 }],
    ['tcp://[fd00::1]/', {}, { host: 'fd00::1', port: 2375 }],
    ['ssh://db1.internal', {}, { ssh: ['-o', 'ConnectTimeout=30', '-T', '--', 'db1.internal', 'docker', 'system', 'dial-stdio'] }],
    ['ssh://deploy@db1.internal:2222', {}, { ssh: ['-l', 'deploy', '-p', '2222', '-o', 'ConnectTimeout=30', '-T', '--', 'db1.internal', 'docker', 'system', 'dial-stdio'] }],
    ['ssh://deploy@[fd00::1]', {}, { ssh: ['-l', 'deploy', '-o', 'ConnectTimeout=30', '-T', '--', 'fd00::1', 'docker', 'system', 'dial-stdio'] }],
  ])('%s is reached as the docker CLI reaches it', (host, env, endpoint) => {
    expect(endpointOf(host, env)).toEqual(endpoint);
  });

  test('without a port and with DOCKER_TLS_VERIFY, port 2376 and the certificates of DOCKER_CERT_PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-certs-'));
    try {
      for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, file), file);
      expect(endpointOf('tcp://db1.internal', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir })).toEqual({
        host: 'db1.internal', port: 2376, tls: { ca: Buffer.from('ca.pem'), cert: Buffer.from('cert.pem'), key: Buffer.from('key.pem') },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading a file out of the archive the Docker engine sends', () => {
  /** A tar header block for `name` of `size` bytes and `type`, as Go's archive/tar writes one. */
  function header(name: string, size: number, type: string): Buffer {
    const block = Buffer.alloc(512);
    block.write(name, 0);
    block.write(size.toString(8).padStart(11, '0') + '\0', 124);
    block.write(type, 156);
    return block;
  }
  const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

  test.each([[1], [7], [512], [100_000]])('passes on the file\'s content after a PAX record, whatever the chunks (%p bytes each)', (chunkSize) => {
    const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const pax = Buffer.from('13 size=5000\n');
    const tar = Buffer.concat([header('PaxHeaders/x', pax.length, 'x'), padded(pax), header('x.rdb', 0, '0'), padded(content), Buffer.alloc(1024)]);
    const read: Buffer[] = [];
    const reader = new SingleFileTar((chunk) => read.push(Buffer.from(chunk)));
    for (let i = 0; i < tar.length; i += chunkSize) reader.write(tar.subarray(i, i + chunkSize));
    reader.end('x.rdb');
    expect(Buffer.concat(read)).toEqual(content);
  });

  test('fails when the archive ends before the file does', () => {
    const reader = new SingleFileTar(() => undefined);
    reader.write(Buffer.concat([header('x.rdb', 5000, '0'), Buffer.alloc(100)]));
    expect(() => reader.end('x.rdb')).toThrow("the engine's archive of x.rdb ended before the file did");
  });
});
