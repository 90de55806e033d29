#!/usr/bin/env node
// First stage of `npm test`: makes this machine ready for the Terraform,
// integration and end-to-end suites (Debian packages, Terraform, a running
// Docker engine, the test images, Docker 28 for the e2e-docker28 stage), each
// step cheap when already done. Where it
// cannot (not root, not Debian, no Debian archive, no Terraform to be had, no
// access to Docker) it stops with one line that
// names what is missing and the command to run.
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.join(__dirname, '..');
const IMAGE_PREFIX = 'cdktf-docker-redis-test/';
const AS_ROOT = 'sudo node scripts/provision-test-host.js';
// terraform_data, which the Terraform suite's plan mirror is made of, came with 1.4.
const MIN_TERRAFORM = [1, 4];
const TERRAFORM_INSTALL_DOCS = 'https://developer.hashicorp.com/terraform/install';
/** Where scripts/start-docker28.sh's engine answers. */
const DOCKER28_HOST = 'unix:///run/cdktf-docker-redis-docker28.sock';

class ProvisionError extends Error {}

/**
 * Provisions the machine. Everything it touches can be pointed elsewhere, so
 * the tests run it against stand-in scripts and commands.
 *
 * @param {object} o
 * @param {string} [o.scriptsDir] the install, dockerd and image scripts
 * @param {string} [o.stampFile] records which test images the last build made, from which scripts
 * @param {number} [o.uid] the user provisioning runs as
 * @param {NodeJS.ProcessEnv} [o.env] environment of every command run (PATH finds apt-get, dpkg-query, docker)
 * @param {(line: string) => void} [o.log]
 */
function provision({
  scriptsDir = path.join(REPO_ROOT, 'scripts'),
  stampFile = '/var/lib/cdktf-docker-redis-test/test-images.stamp',
  uid = process.getuid(),
  env = process.env,
  log = (line) => console.log(line),
} = {}) {
  const asRoot = uid === 0;
  const run = (command, args, timeoutMs) => {
    const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = `${result.stdout || ''}${result.stderr || ''}`.trim();
    return { ok: result.status === 0, output, stdout: result.stdout || '', lastLine: output.split('\n').pop() || `exit ${result.status ?? result.signal}` };
  };
  const timed = (step) => {
    const start = process.hrtime.bigint();
    const result = step();
    log(`provision: ${result} (${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(2)} s)`);
  };

  timed(() => {
    const packages = testPackages(scriptsDir);
    if (!onPath('apt-get', env) || !onPath('dpkg-query', env)) {
      throw new ProvisionError(`the test tools are Debian packages (${packages.join(' ')}) and this machine has no apt-get/dpkg-query: run npm test on Debian (bookworm) as root`);
    }
    const install = run('bash', [path.join(scriptsDir, 'install-test-tools.sh')], 15 * 60_000);
    if (!install.ok) {
      const missing = packages.filter((p) => !run('dpkg-query', ['-W', '-f=${Status}', p], 10_000).output.includes('install ok installed'));
      const what = missing.length > 0 ? `missing Debian packages ${missing.join(' ')}` : 'the test tools are incomplete';
      if (!asRoot) throw new ProvisionError(`${what}, and installing them needs root: run ${AS_ROOT}`);
      const unreachable = /Temporary failure resolving|Could not resolve|Unable to connect|Failed to fetch|Network is unreachable|Unable to locate package/.test(install.output);
      throw new ProvisionError(unreachable
        ? `${what}: the Debian package archive cannot be reached (${install.lastLine}); once it can, run: bash scripts/install-test-tools.sh`
        : `${what}: installing them failed (${install.lastLine}); see why with: bash scripts/install-test-tools.sh`);
    }
    if (install.output) log(install.output);
    return 'Debian test packages installed';
  });

  timed(() => {
    const terraformVersion = () => {
      const version = run('terraform', ['version', '-json'], 30_000);
      return version.ok ? JSON.parse(version.stdout).terraform_version : undefined;
    };
    let version = terraformVersion();
    if (!version) {
      if (!asRoot) throw new ProvisionError(`the Terraform suite needs the terraform binary on the PATH, and installing it needs root: run ${AS_ROOT}`);
      // Debian has no Terraform package: this finds one only where the machine's apt sources include
      // HashiCorp's repository, and apt then checks the package against that repository's signing key.
      const install = run('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends terraform'], 10 * 60_000);
      version = terraformVersion();
      if (!version) {
        throw new ProvisionError(`the Terraform suite needs the terraform binary (${MIN_TERRAFORM.join('.')} or later) on the PATH, and this machine's apt sources offer none (${install.lastLine}): install it from HashiCorp's Debian repository or release archive (${TERRAFORM_INSTALL_DOCS}), checking the archive against its SHA256SUMS, then run npm test again`);
      }
    }
    const [major, minor] = version.split('.').map(Number);
    if (major < MIN_TERRAFORM[0] || (major === MIN_TERRAFORM[0] && minor < MIN_TERRAFORM[1])) {
      throw new ProvisionError(`terraform ${version} on the PATH is too old: the Terraform suite needs ${MIN_TERRAFORM.join('.')} or later (${TERRAFORM_INSTALL_DOCS})`);
    }
    return `Terraform ${version} on the PATH`;
  });

  timed(() => {
    let version = run('docker', ['version', '--format', '{{.Server.Version}}'], 30_000);
    if (!version.ok) {
      if (/permission denied/i.test(version.output)) {
        throw new ProvisionError(`the Docker engine refuses uid ${uid} (permission denied on its socket): run npm test as root, or add the user to the docker group: sudo usermod -aG docker $(id -un)`);
      }
      if (!asRoot) throw new ProvisionError(`no Docker engine answers, and starting one needs root: run ${AS_ROOT}`);
      const start = run('bash', [path.join(scriptsDir, 'start-dockerd.sh')], 5 * 60_000);
      version = run('docker', ['version', '--format', '{{.Server.Version}}'], 30_000);
      if (!start.ok || !version.ok) {
        throw new ProvisionError(`the Docker engine did not start (${start.lastLine}): see why with: bash scripts/start-dockerd.sh`);
      }
      log(start.output);
    }
    return `Docker engine ${version.output} answers`;
  });

  timed(() => {
    const fingerprint = imageFingerprint(scriptsDir, env);
    const present = () => {
      const listed = run('docker', ['image', 'ls', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], 30_000);
      if (!listed.ok) throw new ProvisionError(`cannot list Docker images (${listed.lastLine}): run docker image ls`);
      const wanted = testImageNames(env);
      return listed.output.split('\n').filter((l) => l.startsWith(IMAGE_PREFIX) || wanted.includes(l.split(' ')[0])).sort();
    };
    const stamp = readStamp(stampFile);
    const images = present();
    if (stamp && stamp.fingerprint === fingerprint && stamp.images.length > 0 && stamp.images.every((i) => images.includes(i))) {
      return `test images up to date: ${stamp.images.map((i) => i.split(' ')[0]).join(' ')}`;
    }
    if (!asRoot) throw new ProvisionError(`the test images are missing or older than scripts/build-test-images.sh, and building them needs root: run ${AS_ROOT}`);
    log('provision: building the test images (scripts/build-test-images.sh)');
    const build = run('bash', [path.join(scriptsDir, 'build-test-images.sh')], 20 * 60_000);
    if (!build.ok) throw new ProvisionError(`building the test images failed (${build.lastLine}): see why with: bash scripts/build-test-images.sh`);
    const built = present();
    // Nothing under the prefix means the script names its images otherwise:
    // without a record it simply runs again next time.
    if (built.length > 0) {
      fs.mkdirSync(path.dirname(stampFile), { recursive: true });
      fs.writeFileSync(stampFile, JSON.stringify({ fingerprint, images: built }, null, 2) + '\n');
    }
    if (build.output) log(build.output);
    return `test images built: ${built.map((i) => i.split(' ')[0]).join(' ')}`;
  });

  timed(() => {
    if (!asRoot) {
      const version = run('docker', ['-H', DOCKER28_HOST, 'version', '--format', '{{.Server.Version}}'], 30_000);
      if (!version.ok) throw new ProvisionError(`Docker 28, the e2e-docker28 stage's engine, is not running, and starting it needs root: run ${AS_ROOT}`);
      return `Docker engine ${version.output} answers at ${DOCKER28_HOST}`;
    }
    // Builds its root when that is not current, starts it when it is not running, copies test images it lacks.
    const start = run('bash', [path.join(scriptsDir, 'start-docker28.sh'), 'start'], 20 * 60_000);
    if (!start.ok) throw new ProvisionError(`Docker 28 did not start (${start.lastLine}): see why with: bash scripts/start-docker28.sh`);
    if (start.output) log(start.output);
    return `Docker 28 running at ${DOCKER28_HOST} with the test images`;
  });
}

/** The package list of install-test-tools.sh, its `packages=(...)` line. */
function testPackages(scriptsDir) {
  const match = /^packages=\(([^)]*)\)/m.exec(fs.readFileSync(path.join(scriptsDir, 'install-test-tools.sh'), 'utf8'));
  if (!match) throw new ProvisionError(`no packages=(...) line in ${path.join(scriptsDir, 'install-test-tools.sh')}`);
  return match[1].trim().split(/\s+/);
}

function onPath(command, env) {
  return (env.PATH || '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Image references the suites take from the environment (REDIS_TEST_IMAGE, ...). */
function testImageNames(env) {
  return Object.keys(env).filter((k) => k.endsWith('_TEST_IMAGE')).sort().map((k) => env[k]);
}

/** Scripts that neither install the images' sources nor build them. */
const NOT_IMAGE_INPUTS = ['start-dockerd.sh', 'start-docker28.sh', 'detached.sh', 'reset-test-host.sh'];

/**
 * What the test images are made from: the scripts that install their sources
 * and build them (every scripts/*.sh but the two engine starters, the detach they share, and the reset) and
 * the image names taken from the environment. A change to any of them rebuilds.
 */
function imageFingerprint(scriptsDir, env) {
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(scriptsDir).filter((f) => f.endsWith('.sh') && !NOT_IMAGE_INPUTS.includes(f)).sort()) {
    hash.update(`${file}\0${fs.readFileSync(path.join(scriptsDir, file))}\0`);
  }
  for (const name of testImageNames(env)) hash.update(`image\0${name}\0`);
  return hash.digest('hex');
}

function readStamp(stampFile) {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return undefined;
  }
}

module.exports = { provision, ProvisionError };

if (require.main === module) {
  try {
    provision();
  } catch (e) {
    if (!(e instanceof ProvisionError)) throw e;
    console.error(`npm test: ${e.message}`);
    process.exitCode = 1;
  }
}
