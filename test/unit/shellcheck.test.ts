/**
 * `shellcheck` (the Debian package, which provisioning installs) on every
 * shell file the package ships (lib/**\/*.sh) and on the project's own
 * scripts (scripts/*.sh), with no exclusion left unexplained; and on a
 * fixture with planted mistakes, which it must refuse.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const FIXTURE = path.join('test', 'fixtures', 'shellcheck', 'planted.sh');

function shFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return shFiles(rel);
    return entry.name.endsWith('.sh') ? [rel] : [];
  });
}

const shipped = shFiles('lib').sort();
const projectScripts = fs.readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => path.join('scripts', f)).sort();

interface Finding { readonly file: string; readonly line: number; readonly code: number; readonly message: string }

/** shellcheck as `npm test` runs it: every severity, sourced files followed (paths from `cwd`, the repository root by default). */
function shellcheck(files: readonly string[], cwd = root): { status: number | null; findings: Finding[]; stderr: string } {
  const result = spawnSync('shellcheck', ['--external-sources', '--format=json1', ...files], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) {
    throw new Error(`shellcheck could not run (${result.error.message}): it is the Debian package shellcheck, which provisioning installs: bash scripts/install-test-tools.sh`);
  }
  const findings = result.stdout ? (JSON.parse(result.stdout).comments as Finding[]) : [];
  return { status: result.status, findings, stderr: result.stderr };
}

/**
 * A template as shellcheck must also see it: `NAME=@NAME@` gives NAME a value
 * it knows nothing of, as the data is, so an unquoted use of one (a value may
 * hold blanks) is found; a placeholder read as a plain word would hide it.
 */
function withUnknownData(text: string): string {
  return text.replace(/^([ \t]*[A-Za-z_][A-Za-z0-9_]*)=@([A-Z][A-Z0-9_]*)@$/gm, '$1=$$FILL_$2');
}

/** shellcheck on texts written to a directory of their own under their names. */
function shellcheckTexts(files: Record<string, string>): ReturnType<typeof shellcheck> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-shellcheck-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    return shellcheck(Object.keys(files), dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `# shellcheck disable=` lines without a reason: `# shellcheck disable=SC2086 # why`, or a comment line just above. */
function unexplainedDisables(text: string): number[] {
  const lines = text.split('\n');
  const bad: number[] = [];
  lines.forEach((line, i) => {
    if (!/#\s*shellcheck\s+disable=/.test(line)) return;
    const sameLine = /#\s*shellcheck\s+disable=[A-Z0-9,]+\s+#\s*\S/.test(line);
    const above = i > 0 && /^\s*#(?!!)(?!\s*shellcheck)\s*\S/.test(lines[i - 1]);
    if (!sameLine && !above) bad.push(i + 1);
  });
  return bad;
}

test('the shipped shell files are found: the renderers\' scripts and the shared functions', () => {
  expect(shipped).toEqual(expect.arrayContaining([
    'lib/backup/backup.sh', 'lib/backup/restore.sh', 'lib/backup/rdb-format.sh',
    'lib/failover/node-start.sh', 'lib/failover/sentinel-start.sh',
    'lib/users/health-acl.sh', 'lib/users/health-requirepass.sh',
  ]));
  expect(projectScripts).toEqual(expect.arrayContaining(['scripts/start-dockerd.sh', 'scripts/start-docker28.sh', 'scripts/detached.sh']));
});

test('shellcheck is bookworm\'s or newer (0.9.0)', () => {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (result.error) throw new Error(`no shellcheck (${result.error.message}): run bash scripts/install-test-tools.sh`);
  const [major, minor] = /^version: (\d+)\.(\d+)/m.exec(result.stdout)!.slice(1).map(Number);
  expect(major > 0 || minor >= 9).toBe(true);
});

test('shellcheck finds nothing in the shipped .sh files and scripts/*.sh', () => {
  const { status, findings, stderr } = shellcheck([...shipped, ...projectScripts]);
  expect(findings.map((f) => `${f.file}:${f.line}: SC${f.code} ${f.message}`)).toEqual([]);
  expect(stderr).toBe('');
  expect(status).toBe(0);
}, 60_000);

test('shellcheck finds nothing in the shipped .sh files with their data variables\' values unknown', () => {
  const { status, findings, stderr } = shellcheckTexts(Object.fromEntries(shipped.map((file) => [file, withUnknownData(fs.readFileSync(path.join(root, file), 'utf8'))])));
  expect(findings.map((f) => `${f.file}:${f.line}: SC${f.code} ${f.message}`)).toEqual([]);
  expect(stderr).toBe('');
  expect(status).toBe(0);
}, 60_000);

test('with its data unknown, an unquoted use of a data variable is found, which the placeholder alone hides', () => {
  const template = '#!/bin/sh\nDIR=@DIR@\nls $DIR\n';
  expect(withUnknownData(template)).toBe('#!/bin/sh\nDIR=$FILL_DIR\nls $DIR\n');
  expect(shellcheckTexts({ 'as-is.sh': template }).findings).toEqual([]);
  expect(shellcheckTexts({ 'unknown.sh': withUnknownData(template) }).findings.map((f) => [f.line, f.code])).toEqual([[3, 2086]]);
});

test('every exclusion says why', () => {
  const unexplained = [...shipped, ...projectScripts].flatMap((file) =>
    unexplainedDisables(fs.readFileSync(path.join(root, file), 'utf8')).map((line) => `${file}:${line}`));
  expect(unexplained).toEqual([]);
});

test('the exclusion check refuses a disable with no reason, and takes one with its reason beside or above it', () => {
  expect(unexplainedDisables('#!/bin/sh\n# shellcheck disable=SC2086\nls $a\n')).toEqual([2]);
  expect(unexplainedDisables('#!/bin/sh\n# shellcheck shell=sh\n# shellcheck disable=SC2086\nls $a\n')).toEqual([3]);
  expect(unexplainedDisables('#!/bin/sh\n# shellcheck disable=SC2086 # a is two words\nls $a\n')).toEqual([]);
  expect(unexplainedDisables('#!/bin/sh\n# a is two words\n# shellcheck disable=SC2086\nls $a\n')).toEqual([]);
});

test('shellcheck refuses the planted mistakes: an unquoted $@ and an unquoted [ $x = y ]', () => {
  const { status, findings } = shellcheck([FIXTURE]);
  expect(status).toBe(1);
  expect(findings.map((f) => [f.line, f.code])).toEqual([[6, 2068], [10, 2086]]);
});
