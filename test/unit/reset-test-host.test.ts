/**
 * scripts/reset-test-host.sh, which removes Docker and everything `npm test`
 * provisions, never runs for real here: its dry run and its refusals run
 * against stand-in commands that record every call, so the tests see that
 * nothing was changed and what it would have done.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runScriptsAsNobody, tempDir } from '../support/processes';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'reset-test-host.sh');
/** What provisioning installs: the `packages=(...)` line of install-test-tools.sh, which the script reads too. */
const PACKAGES = /^packages=\(([^)]*)\)/m.exec(fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'install-test-tools.sh'), 'utf8'))![1].trim().split(/\s+/);

/** Stand-ins for every command the script reads with or changes through; each records its arguments. */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function standIns(): { bin: string; calls: () => string[] } {
  const dir = tempDir('reset-test-host');
  dirs.push(dir);
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls');
  fs.mkdirSync(bin);
  const write = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`, { mode: 0o755 });
  write('dpkg-query', 'echo "install ok installed"');
  // openssl is needed by ca-certificates, as on Debian; redis-tools only by redis-server, which goes too.
  write('apt-cache', 'case "${@: -1}" in openssl) printf "openssl\\nReverse Depends:\\n  ca-certificates\\n";; redis-tools) printf "redis-tools\\nReverse Depends:\\n  redis-server\\n";; *) printf "%s\\nReverse Depends:\\n" "${@: -1}";; esac');
  write('iptables', 'echo "-A FORWARD -s 10.213.0.0/16 -d 10.213.0.0/16 -j ACCEPT"');
  write('systemctl', 'exit 0');
  for (const name of ['apt-get', 'rm', 'rmdir', 'umount', 'ip']) write(name, 'exit 0');
  return { bin, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

function reset(args: string[], bin: string, asNobody = false) {
  const env = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` };
  if (asNobody) return runScriptsAsNobody(path.dirname(SCRIPT), (scripts) => ['bash', path.join(scripts, path.basename(SCRIPT)), ...args], { env, timeoutMs: 60_000 });
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env, timeout: 60_000 });
}

/** Only commands that read: the dry run changes nothing. */
const READING = /^(dpkg-query -W|apt-cache rdepends|iptables -S FORWARD|systemctl is-active)/;

test('a dry run changes nothing and says what it would remove: engines, the test packages others do not need, the build stamp', () => {
  const { bin, calls } = standIns();
  const result = reset(['--dry-run'], bin);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(calls().filter((c) => !READING.test(c))).toEqual([]);
  expect(result.stdout).toContain('would run: iptables -D FORWARD -s 10.213.0.0/16 -d 10.213.0.0/16 -j ACCEPT\n');
  expect(result.stdout).toContain('keeping openssl: ca-certificates need it\n');
  expect(result.stdout).toContain(`would run: env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ${PACKAGES.filter((p) => p !== 'openssl').join(' ')}\n`);
  expect(result.stdout).toContain('would run: env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq\n');
  expect(result.stdout).toMatch(/dry run: nothing was changed\n$/);
  // Every line is a heading, a kept package or a step it would run.
  expect(result.stdout.trim().split('\n').filter((l) => !/^(== |would run: |keeping |dry run: )/.test(l))).toEqual([]);
});

test('a dry run would stop Docker 28 and delete its network namespace where it runs (npm test starts it before the unit stage), and names neither where it does not', () => {
  const { bin } = standIns();
  const result = reset(['--dry-run'], bin);
  expect(result.status).toBe(0);
  const pidFile = '/run/cdktf-docker-redis-docker28.pid';
  const pid = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : '';
  const runs = pid !== '' && fs.existsSync(`/proc/${pid}/comm`) && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
  const expected = [
    ...(runs ? [`would run: kill -TERM ${pid}`] : []),
    ...(fs.existsSync('/run/netns/cdr-docker28') ? ['would run: ip netns delete cdr-docker28'] : []),
    ...(fs.existsSync('/var/lib/cdktf-docker-redis-docker28') ? ['would run: rm -rf /var/lib/cdktf-docker-redis-docker28'] : []),
  ];
  const lines = result.stdout.split('\n');
  expect(lines.filter((l) => (pid !== '' && l === `would run: kill -TERM ${pid}`) || (/docker28/.test(l) && /ip netns delete|rm -rf \/var\/lib\//.test(l)))).toEqual(expected);
  // Before the engines of the machine: they hold the second engines' bridges and rules, Docker 28 its own.
  if (runs) expect(lines.indexOf(`would run: kill -TERM ${pid}`)).toBeLessThan(lines.indexOf('== Docker engines and their state'));
});

test('fails without --dry-run or --yes, changing nothing', () => {
  const { bin, calls } = standIns();
  const result = reset([], bin);
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^usage: .*reset-test-host\.sh --dry-run \| --yes/);
  expect(calls()).toEqual([]);
});

test('fails with --yes when not root, changing nothing', () => {
  const { bin, calls } = standIns();
  const result = reset(['--yes'], bin, process.getuid!() === 0);
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/must run as root: sudo bash .* --yes/);
  expect(calls()).toEqual([]);
});
