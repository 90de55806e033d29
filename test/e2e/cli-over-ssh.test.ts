/**
 * The CLI's `backup` and `backups` against an `ssh://` Docker engine, as the
 * multi-host examples configure their providers: Debian's OpenSSH server on
 * 127.0.0.1 (its own host key, config and authorized key in a temporary
 * directory) in front of this machine's engine, reached with the ssh client
 * and `docker system dial-stdio` on the far side, as the docker CLI reaches
 * such an engine. The client's config comes from an `ssh` earlier on PATH
 * that adds `-F`, since ssh reads the user's config from the home directory
 * of the passwd entry, not from $HOME.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RedisDatabase, RedisVersion } from '../../lib';
import { runCdktfDockerRedis } from '../support/backups';
import { freePort, requireTools, RunningProcess, startProcess, stopAll, tempDir, waitFor } from '../support/processes';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, StandIn } from './docker-apply';

jest.setTimeout(180_000);
requireTools('docker', 'ssh', 'ssh-keygen', '/usr/sbin/sshd');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const REDIS_IMAGE = `${PREFIX}/redis:7.0`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:2.6`;
const HANDLE = 'e2e-ssh-db';
const SSHD_ATTEMPTS = 5;

const workDir = tempDir('e2e-ssh');
const standin = new StandIn();
const { scenario, report } = timedScenarios();
let sshd: RunningProcess;
let sshHost: string;
let sshEnv: NodeJS.ProcessEnv;

async function removeLeftovers(): Promise<void> {
  for (const name of [HANDLE, `${HANDLE}-tls`, `${HANDLE}-backup`]) await dockerApi('DELETE', `/containers/${name}?force=true&v=true`);
  for (const volume of [`${HANDLE}-data`, `${HANDLE}-run`, `${HANDLE}-backups`]) await dockerApi('DELETE', `/volumes/${volume}?force=true`);
  await dockerApi('DELETE', `/networks/${HANDLE}`);
}

/** A key pair made by ssh-keygen; returns the private key's path. */
function keyPair(name: string): string {
  const file = path.join(workDir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return file;
}

/** sshd on 127.0.0.1, root by key only; another port if the one picked was taken in the meantime. */
async function startSshd(hostKey: string, authorizedKeys: string): Promise<{ process: RunningProcess; port: number }> {
  // sshd's privilege separation needs this directory; the ssh service would create it at boot.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (let attempt = 1; attempt <= SSHD_ATTEMPTS; attempt++) {
    const port = await freePort();
    const config = path.join(workDir, 'sshd_config');
    fs.writeFileSync(config, [
      'ListenAddress 127.0.0.1', `Port ${port}`, `HostKey ${hostKey}`, `PidFile ${path.join(workDir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'AllowUsers root', 'LogLevel VERBOSE', '',
    ].join('\n'));
    const started = startProcess(`sshd-${attempt}`, '/usr/sbin/sshd', ['-D', '-e', '-f', config], workDir);
    const listening = await waitFor(`sshd on 127.0.0.1:${port}`, async () => {
      if (started.child.exitCode !== null) return 'exited';
      return /Server listening on 127\.0\.0\.1 port/.test(started.log()) ? 'listening' : undefined;
    }, 15_000, 50);
    if (listening === 'listening') return { process: started, port };
    if (!/Address already in use/.test(started.log())) throw new Error(`sshd did not start:\n${started.log()}`);
  }
  throw new Error(`sshd found no free port on 127.0.0.1 in ${SSHD_ATTEMPTS} attempts`);
}

beforeAll(async () => {
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  const hostKey = keyPair('host_ed25519');
  const clientKey = keyPair('client_ed25519');
  const authorizedKeys = path.join(workDir, 'authorized_keys');
  fs.copyFileSync(`${clientKey}.pub`, authorizedKeys);
  const started = await startSshd(hostKey, authorizedKeys);
  sshd = started.process;
  sshHost = `127.0.0.1:${started.port}`;

  const knownHosts = path.join(workDir, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${started.port} ${fs.readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const clientConfig = path.join(workDir, 'ssh_config');
  fs.writeFileSync(clientConfig, [
    'Host 127.0.0.1', `  IdentityFile ${clientKey}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '  BatchMode yes', '',
  ].join('\n'));
  const bin = path.join(workDir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec ${execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim()} -F ${clientConfig} "$@"\n`, { mode: 0o755 });
  sshEnv = { PATH: `${bin}:${process.env.PATH}` };

  const stack = dockerStack();
  new RedisDatabase(stack, 'db', {
    handle: HANDLE, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, hostIp: '127.0.0.1',
    port: await freePort(), tlsPort: await freePort(), containerSizeMb: 256, preventDestroy: false,
  });
  await removeLeftovers();
  await standin.apply(synthJson(stack));
});

afterAll(async () => {
  await standin.cleanUp().catch(() => undefined);
  await removeLeftovers();
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
  console.log(report('CLI over ssh e2e timings'));
});

scenario('backup and backups reach an ssh:// engine through sshd and the remote docker CLI, as over its socket', async () => {
  const overSsh = (args: string[]) => runCdktfDockerRedis(args, 300_000, { ...sshEnv, DOCKER_HOST: `ssh://root@${sshHost}` });

  const taken = await overSsh(['backup', HANDLE]);
  expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: '' });
  const name = /backup (e2e-ssh-db-7\.0-\d{8}T\d{6}Z\.rdb): \d+ bytes/.exec(taken.stdout)![1];

  const listed = await overSsh(['backups', HANDLE, '--verify', '--json']);
  expect(listed.code).toBe(0);
  const backups = JSON.parse(listed.stdout);
  expect(backups.map((b: any) => [b.name, b.trigger, b.checksum])).toEqual([[name, 'on-demand', 'ok']]);
  const local = await runCdktfDockerRedis(['backups', HANDLE, '--verify', '--json']);
  expect(JSON.parse(local.stdout)).toEqual(backups);

  // The reader container the CLI creates for a host path, and its errors, over ssh too.
  expect(await overSsh(['backups', HANDLE, '--host-path', '/nonexistent-backups'])).toEqual({
    code: 1, stdout: '', stderr: `cdktf-docker-redis: /nonexistent-backups does not exist on the Docker host at ssh://root@${sshHost}: give the directory of the backups\n`,
  });
  // Every one of these went through sshd as root, by the client's key.
  expect(sshd.log()).toMatch(/Accepted publickey for root from 127\.0\.0\.1 port \d+ ssh2: ED25519/);
});

scenario('fails naming what ssh said when the server refuses the login', async () => {
  const refused = await runCdktfDockerRedis(['backups', HANDLE], 60_000, { ...sshEnv, DOCKER_HOST: `ssh://nobody@${sshHost}` });
  expect(refused).toEqual({
    code: 1, stdout: '',
    stderr: `cdktf-docker-redis: cannot reach the Docker engine at ssh://nobody@${sshHost} through ssh (nobody@127.0.0.1: Permission denied (publickey).): `
      + `\`ssh -l nobody -p ${sshHost.split(':')[1]} -o ConnectTimeout=30 -T -- 127.0.0.1 docker system dial-stdio\` must work from here\n`,
  });
});
