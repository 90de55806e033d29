import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScriptsAsNobody } from '../support/processes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { provision, ProvisionError } = require('../../scripts/provision-test-host');

const root = path.join(__dirname, '..', '..');
const AS_ROOT = 'sudo node scripts/provision-test-host.js';

interface FakeHost {
  /** Packages dpkg-query reports as not installed. */
  missing?: string[];
  /** What apt-get prints on stderr before failing; it succeeds without it. */
  aptError?: string;
  docker?: 'ok' | 'denied' | 'down';
  /** No apt-get on PATH: not Debian. */
  noApt?: boolean;
  /** Terraform on PATH (`ok`, `old`), or absent with apt-get offering it (`installable`) or not (`missing`). */
  terraform?: 'ok' | 'old' | 'installable' | 'missing';
  /** Whether Docker 28 answers before provisioning starts it. */
  docker28?: 'running' | 'stopped';
}

/**
 * A machine made of stand-ins: dpkg-query, apt-get and docker on PATH, and
 * install, dockerd and image scripts that only record that they ran, so each
 * test sees what provisioning did and what it printed.
 */
function fakeHost({ missing = [], aptError, docker = 'ok', noApt = false, terraform = 'ok', docker28 = 'stopped' }: FakeHost = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-provision-'));
  const bin = path.join(dir, 'bin');
  const scripts = path.join(dir, 'scripts');
  fs.mkdirSync(bin);
  fs.mkdirSync(scripts);
  const write = (file: string, text: string) => fs.writeFileSync(file, text, { mode: 0o755 });
  write(path.join(bin, 'dpkg-query'), `#!/bin/bash\ncase " ${missing.join(' ')} " in *" \${@: -1} "*) exit 1;; esac\necho "install ok installed"\n`);
  const fakeTerraform = (version: string) => `#!/bin/bash\necho '{"terraform_version":"${version}"}'\n`;
  if (!noApt) {
    const offersTerraform = terraform === 'installable'
      ? `[ "$1" = install ] && [ "\${@: -1}" = terraform ] && { cp ${dir}/terraform-package ${bin}/terraform; echo terraform >>${dir}/apt-installs; }\n`
      : '[ "$1" = install ] && [ "${@: -1}" = terraform ] && { echo "E: Unable to locate package terraform" >&2; exit 100; }\n';
    write(path.join(bin, 'apt-get'), aptError ? `#!/bin/bash\necho "${aptError}" >&2\nexit 100\n` : `#!/bin/bash\n${offersTerraform}exit 0\n`);
  }
  write(path.join(dir, 'terraform-package'), fakeTerraform('1.11.4'));
  if (terraform === 'ok' || terraform === 'old') write(path.join(bin, 'terraform'), fakeTerraform(terraform === 'ok' ? '1.11.4' : '1.3.9'));
  const dockerVersion = {
    ok: 'echo 20.10.24',
    denied: 'echo "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock" >&2; exit 1',
    down: `[ -e ${dir}/dockerd-started ] && { echo 20.10.24; exit 0; }; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1`,
  }[docker];
  const docker28Version = `[ -e ${dir}/docker28-started ] && { echo 28.5.2; exit 0; }; echo "Cannot connect to the Docker daemon at $2." >&2; exit 1`;
  write(path.join(bin, 'docker'), `#!/bin/bash\n[ "$1" = -H ] && { ${docker28Version}; }\ncase "$1" in\n  version) ${dockerVersion};;\n  image) cat ${dir}/images;;\nesac\n`);
  if (docker28 === 'running') fs.writeFileSync(path.join(dir, 'docker28-started'), '');
  fs.writeFileSync(path.join(dir, 'images'), 'cdktf-docker-redis-test/redis:7.0 sha256:old\nother/image:1 sha256:other\n');
  write(path.join(scripts, 'install-test-tools.sh'), [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'packages=(redis-server haproxy docker.io)',
    'missing=()',
    'for p in "${packages[@]}"; do dpkg-query -W -f=\'${Status}\' "$p" | grep -q "install ok installed" || missing+=("$p"); done',
    '[ "${#missing[@]}" -eq 0 ] && exit 0',
    'echo "installing: ${missing[*]}"',
    'apt-get update -qq',
    'apt-get install -y -qq "${missing[@]}"',
    '',
  ].join('\n'));
  write(path.join(scripts, 'start-dockerd.sh'), `#!/usr/bin/env bash\ntouch ${dir}/dockerd-started\necho "Docker engine ready"\n`);
  write(path.join(scripts, 'start-docker28.sh'), `#!/usr/bin/env bash\necho "$*" >>${dir}/docker28-runs\ntouch ${dir}/docker28-started\necho "docker28: ready"\n`);
  write(path.join(scripts, 'build-test-images.sh'), [
    '#!/usr/bin/env bash',
    `echo built >>${dir}/builds`,
    `printf 'cdktf-docker-redis-test/redis:7.0 sha256:%s\\nother/image:1 sha256:other\\n' "$(wc -l <${dir}/builds)" >${dir}/images`,
    'echo "built cdktf-docker-redis-test/redis:7.0"',
    '',
  ].join('\n'));
  const builds = () => (fs.existsSync(path.join(dir, 'builds')) ? fs.readFileSync(path.join(dir, 'builds'), 'utf8').split('\n').length - 1 : 0);
  const run = (uid = 0) => {
    const lines: string[] = [];
    provision({
      scriptsDir: scripts,
      stampFile: path.join(dir, 'state', 'test-images.stamp'),
      uid,
      env: { PATH: noApt ? bin : `${bin}:/usr/bin:/bin` },
      log: (line: string) => lines.push(...line.split('\n')),
    });
    return lines;
  };
  /** The one line provisioning stops with. */
  const failure = (uid = 0): string => {
    try {
      run(uid);
    } catch (e) {
      if (e instanceof ProvisionError) return (e as Error).message;
      throw e;
    }
    throw new Error('provisioning did not fail');
  };
  const docker28Runs = () => (fs.existsSync(path.join(dir, 'docker28-runs')) ? fs.readFileSync(path.join(dir, 'docker28-runs'), 'utf8').trim().split('\n') : []);
  return { dir, scripts, builds, docker28Runs, run, failure, cleanUp: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('scripts/provision-test-host.js (npm test\'s provisioning stage)', () => {
  test('builds the test images once and records them; the next run installs, starts and builds nothing', () => {
    const host = fakeHost();
    try {
      expect(host.run()).toEqual([
        expect.stringMatching(/^provision: Debian test packages installed \(\d+\.\d\d s\)$/),
        expect.stringMatching(/^provision: Terraform 1\.11\.4 on the PATH \(/),
        expect.stringMatching(/^provision: Docker engine 20\.10\.24 answers \(/),
        'provision: building the test images (scripts/build-test-images.sh)',
        'built cdktf-docker-redis-test/redis:7.0',
        expect.stringMatching(/^provision: test images built: cdktf-docker-redis-test\/redis:7\.0 \(/),
        'docker28: ready',
        expect.stringMatching(/^provision: Docker 28 running at unix:\/\/\/run\/cdktf-docker-redis-docker28\.sock with the test images \(/),
      ]);
      expect(host.run()).toEqual([
        expect.stringMatching(/^provision: Debian test packages installed \(/),
        expect.stringMatching(/^provision: Terraform 1\.11\.4 on the PATH \(/),
        expect.stringMatching(/^provision: Docker engine 20\.10\.24 answers \(/),
        expect.stringMatching(/^provision: test images up to date: cdktf-docker-redis-test\/redis:7\.0 \(/),
        'docker28: ready',
        expect.stringMatching(/^provision: Docker 28 running at /),
      ]);
      expect(host.builds()).toBe(1);
      // The script is idempotent (root current, engine running, images present: nothing to do), so every run asks it.
      expect(host.docker28Runs()).toEqual(['start', 'start']);
    } finally {
      host.cleanUp();
    }
  });

  test('rebuilds the test images when an image it recorded is gone or replaced', () => {
    const host = fakeHost();
    try {
      host.run();
      fs.writeFileSync(path.join(host.dir, 'images'), 'cdktf-docker-redis-test/redis:7.0 sha256:someone-else\n');
      expect(host.run()).toContain('provision: building the test images (scripts/build-test-images.sh)');
      expect(host.builds()).toBe(2);
    } finally {
      host.cleanUp();
    }
  });

  test('rebuilds the test images when a script that makes them changes', () => {
    const host = fakeHost();
    try {
      host.run();
      fs.appendFileSync(path.join(host.scripts, 'install-test-tools.sh'), '# another package source\n');
      host.run();
      expect(host.builds()).toBe(2);
    } finally {
      host.cleanUp();
    }
  });

  test('rebuilds nothing when only the engine starters or the detach they share change', () => {
    const host = fakeHost();
    try {
      host.run();
      for (const script of ['start-dockerd.sh', 'start-docker28.sh', 'detached.sh']) fs.appendFileSync(path.join(host.scripts, script), '# changed\n');
      host.run();
      expect(host.builds()).toBe(1);
    } finally {
      host.cleanUp();
    }
  });

  test('installs missing packages and starts the Docker engine as root', () => {
    const host = fakeHost({ missing: ['haproxy'], docker: 'down' });
    try {
      const lines = host.run();
      expect(lines).toContain('installing: haproxy');
      expect(lines).toContain('Docker engine ready');
      expect(fs.existsSync(path.join(host.dir, 'dockerd-started'))).toBe(true);
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line naming the missing packages and the command to run when not root', () => {
    const host = fakeHost({ missing: ['redis-server', 'haproxy'], aptError: 'E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)' });
    try {
      expect(host.failure(1000)).toBe(`missing Debian packages redis-server haproxy, and installing them needs root: run ${AS_ROOT}`);
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when this is not Debian (no apt-get)', () => {
    const host = fakeHost({ noApt: true });
    try {
      expect(host.failure()).toBe('the test tools are Debian packages (redis-server haproxy docker.io) and this machine has no apt-get/dpkg-query: run npm test on Debian (bookworm) as root');
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line naming the unreachable Debian archive and the command to run', () => {
    const host = fakeHost({ missing: ['haproxy'], aptError: "E: Failed to fetch http://archive.invalid/pool/main/h/haproxy.deb  Temporary failure resolving 'archive.invalid'" });
    try {
      expect(host.failure()).toBe(
        "missing Debian packages haproxy: the Debian package archive cannot be reached (E: Failed to fetch http://archive.invalid/pool/main/h/haproxy.deb  Temporary failure resolving 'archive.invalid'); once it can, run: bash scripts/install-test-tools.sh",
      );
    } finally {
      host.cleanUp();
    }
  });

  test('installs Terraform through apt where the machine\'s apt sources offer it', () => {
    const host = fakeHost({ terraform: 'installable' });
    try {
      expect(host.run()).toContainEqual(expect.stringMatching(/^provision: Terraform 1\.11\.4 on the PATH \(/));
      expect(fs.readFileSync(path.join(host.dir, 'apt-installs'), 'utf8')).toBe('terraform\n');
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line naming where to get Terraform when apt offers none', () => {
    const host = fakeHost({ terraform: 'missing' });
    try {
      expect(host.failure()).toBe(
        'the Terraform suite needs the terraform binary (1.4 or later) on the PATH, and this machine\'s apt sources offer none (E: Unable to locate package terraform): install it from HashiCorp\'s Debian repository or release archive (https://developer.hashicorp.com/terraform/install), checking the archive against its SHA256SUMS, then run npm test again',
      );
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when Terraform is missing and installing it needs root', () => {
    const host = fakeHost({ terraform: 'missing' });
    try {
      expect(host.failure(1000)).toBe(`the Terraform suite needs the terraform binary on the PATH, and installing it needs root: run ${AS_ROOT}`);
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when the Terraform on the PATH is older than the suite needs', () => {
    const host = fakeHost({ terraform: 'old' });
    try {
      expect(host.failure()).toBe('terraform 1.3.9 on the PATH is too old: the Terraform suite needs 1.4 or later (https://developer.hashicorp.com/terraform/install)');
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when the Docker engine refuses this user', () => {
    const host = fakeHost({ docker: 'denied' });
    try {
      expect(host.failure(1000)).toBe('the Docker engine refuses uid 1000 (permission denied on its socket): run npm test as root, or add the user to the docker group: sudo usermod -aG docker $(id -un)');
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when no Docker engine answers and starting one needs root', () => {
    const host = fakeHost({ docker: 'down' });
    try {
      expect(host.failure(1000)).toBe(`no Docker engine answers, and starting one needs root: run ${AS_ROOT}`);
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when the test images need building and that needs root', () => {
    const host = fakeHost();
    try {
      expect(host.failure(1000)).toBe(`the test images are missing or older than scripts/build-test-images.sh, and building them needs root: run ${AS_ROOT}`);
      expect(host.builds()).toBe(0);
    } finally {
      host.cleanUp();
    }
  });

  test('fails with one line when Docker 28 is not running and starting it needs root; passes when it answers', () => {
    const host = fakeHost();
    try {
      host.run();
      fs.rmSync(path.join(host.dir, 'docker28-started'));
      expect(host.failure(1000)).toBe(`Docker 28, the e2e-docker28 stage's engine, is not running, and starting it needs root: run ${AS_ROOT}`);
      expect(host.docker28Runs()).toEqual(['start']);
    } finally {
      host.cleanUp();
    }
    const running = fakeHost({ docker28: 'running' });
    try {
      running.run();
      expect(running.run(1000).pop()).toMatch(/^provision: Docker engine 28\.5\.2 answers at unix:\/\/\/run\/cdktf-docker-redis-docker28\.sock \(/);
      expect(running.docker28Runs()).toEqual(['start']);
    } finally {
      running.cleanUp();
    }
  });

  test('fails with one line when Docker 28 does not start', () => {
    const host = fakeHost();
    try {
      fs.writeFileSync(path.join(host.scripts, 'start-docker28.sh'), '#!/usr/bin/env bash\necho "start-docker28.sh: debootstrap of forky failed" >&2\nexit 1\n', { mode: 0o755 });
      expect(host.failure()).toBe('Docker 28 did not start (start-docker28.sh: debootstrap of forky failed): see why with: bash scripts/start-docker28.sh');
    } finally {
      host.cleanUp();
    }
  });

  test('fails on this machine, run by a user without root or Docker access, with exactly one line on stderr', () => {
    // The real scripts and commands: whatever this user lacks first, one line says so.
    const result = runScriptsAsNobody(path.join(root, 'scripts'), (scripts) => [process.execPath, path.join(scripts, 'provision-test-host.js')], { timeoutMs: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^npm test: [^\n]*: run [^\n]+\n$/);
  });
});
