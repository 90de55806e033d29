/**
 * `npm run bench`: what TLS, Docker and synthesis cost, measured side by side
 * on this machine. Prints a table and writes bench/results.json. Not a test:
 * nothing here passes or fails on a number.
 *
 * Needs what the e2e suite needs (a Docker engine, the test images, Debian's
 * redis-server, redis-benchmark and haproxy) and a jsii build (npm run build).
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { RedisDatabase, RedisInstanceOptions, RedisTlsMode, RedisVersion } from '../lib';
import { dockerOk, StandIn } from '../test/e2e/docker-apply';
import { connectClient } from '../test/support/clients';
import { generatedInstances } from '../test/support/generated';
import { onInterrupt, removeAllNamed } from '../test/support/leftovers';
import { startLocalRedis, startLocalTlsProxy } from '../test/support/local-servers';
import { makeTestPki, TestPki } from '../test/support/pki';
import { freePort, requireTools, stopAll, tempDir, waitFor } from '../test/support/processes';
import { onHost } from '../test/support/runners';
import { dockerStack, synthJson } from '../test/support/synth';
import { backupAndRestore } from './backup';
import { multiHost } from './multi-host';

const run = promisify(execFile);
const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REPO = path.join(__dirname, '..');
/** The name of everything the bench creates on the default engine starts with it. */
const BENCH_PREFIX = 'bench-';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round2 = (n: number) => Math.round(n * 100) / 100;

interface Target {
  readonly label: string;
  readonly port: number;
  readonly password: string;
  readonly tls?: { readonly caFile: string };
  /** A container's own address on its Docker network, past Docker's port publishing. */
  readonly host?: string;
}

/** One redis-benchmark run (SET and GET, 50 clients, 100k requests each); requests per second, mean of SET and GET. */
async function benchmark(target: Target): Promise<{ set: number; get: number }> {
  const args = ['-h', target.host ?? '127.0.0.1', '-p', String(target.port), '--user', 'default', '-a', target.password, '-t', 'set,get', '-n', '100000', '-c', '50', '--csv'];
  if (target.tls) args.push('--tls', '--cacert', target.tls.caFile, '--sni', 'localhost');
  const { stdout } = await run('redis-benchmark', args, { timeout: 300_000 });
  const rps = (test: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(`"${test}"`));
    if (!line) throw new Error(`redis-benchmark printed no ${test} line for ${target.label}:\n${stdout}`);
    return Number(JSON.parse(`[${line}]`)[1]);
  };
  return { set: rps('SET'), get: rps('GET') };
}

function databaseProps(handle: string, pki: TestPki, password: string, ports: { port: number; tlsPort: number }): RedisInstanceOptions & { port: number; tlsPort: number } {
  return {
    handle,
    image: REDIS_IMAGE,
    tlsSidecarImage: HAPROXY_IMAGE,
    hostIp: '127.0.0.1',
    password,
    tlsCertificatePem: pki.certPem,
    tlsPrivateKeyPem: pki.keyPem,
    tlsCaCertificatePem: pki.caCertPem,
    createOutputs: true,
    ...ports,
  };
}

async function waitForTls(port: number, password: string, pki: TestPki, timeoutMs: number): Promise<void> {
  await waitFor(`TLS endpoint on ${port}`, async () => {
    const client = await connectClient({
      port, username: 'default', password, tls: { ca: pki.caCertPem, servername: 'localhost' }, connectTimeout: 2000, commandTimeout: 2000,
    });
    try {
      return (await client.ping()) === 'PONG' ? true : undefined;
    } finally {
      client.disconnect();
    }
  }, timeoutMs, 20);
}

async function removeContainers(names: string[]): Promise<void> {
  for (const name of names) await run('docker', ['rm', '-f', '-v', name]).catch(() => undefined);
}

async function tlsAndDockerOverhead(workDir: string, pki: TestPki, results: Record<string, unknown>, table: string[][]): Promise<void> {
  const password = 'BenchPassword0123456789abcdefgh';
  const sidecarPorts = { port: await freePort(), tlsPort: await freePort() };
  const nativePorts = { port: await freePort(), tlsPort: await freePort() };
  const stack = dockerStack();
  new RedisDatabase(stack, 'sidecar', { version: RedisVersion.V7_0, ...databaseProps('bench-sidecar', pki, password, sidecarPorts) });
  new RedisDatabase(stack, 'native', { version: RedisVersion.V7_0, tlsMode: RedisTlsMode.NATIVE, ...databaseProps('bench-native', pki, password, nativePorts) });
  await removeContainers(['bench-sidecar', 'bench-sidecar-tls', 'bench-native']);
  await run('docker', ['volume', 'rm', '-f', 'bench-sidecar-data', 'bench-sidecar-run', 'bench-native-data']).catch(() => undefined);
  await run('docker', ['network', 'rm', 'bench-sidecar', 'bench-native']).catch(() => undefined);
  const standin = new StandIn();
  try {
    await standin.apply(synthJson(stack));
    await waitForTls(sidecarPorts.tlsPort, password, pki, 30_000);
    await waitForTls(nativePorts.tlsPort, password, pki, 30_000);

    // The same generated configs on the bare host: what Docker itself costs, and
    // the most each TLS path reaches on this machine without Docker in the way.
    const bare = generatedInstances(stack, { pki, passwords: {} });
    const bareHost = await startLocalRedis(bare['bench-sidecar'], workDir, onHost);
    const bareHostProxy = await startLocalTlsProxy(bare['bench-sidecar'], bareHost, workDir, onHost);
    const bareHostNative = await startLocalRedis(bare['bench-native'], workDir, onHost);

    const addressOf = async (container: string) =>
      (await dockerOk('GET', `/containers/${container}/json`)).NetworkSettings.Networks['bench-sidecar'].IPAddress as string;
    const targets: Target[] = [
      { label: 'bare host, plaintext', port: bareHost.port, password },
      { label: 'bare host, TLS via HAProxy', port: bareHostProxy.port, password, tls: { caFile: pki.caFile } },
      { label: 'bare host, plaintext (native-TLS config)', port: bareHostNative.port, password },
      { label: 'bare host, native Redis TLS', port: bareHostNative.tlsPort!, password, tls: { caFile: pki.caFile } },
      { label: 'docker, plaintext', port: sidecarPorts.port, password },
      { label: 'docker, TLS via HAProxy sidecar', port: sidecarPorts.tlsPort, password, tls: { caFile: pki.caFile } },
      { label: 'docker, plaintext (native-TLS database)', port: nativePorts.port, password },
      { label: 'docker, native Redis TLS', port: nativePorts.tlsPort, password, tls: { caFile: pki.caFile } },
      { label: 'container address, plaintext', port: 6379, password, host: await addressOf('bench-sidecar') },
      { label: 'container address, TLS via HAProxy sidecar', port: 6380, password, tls: { caFile: pki.caFile }, host: await addressOf('bench-sidecar-tls') },
    ];
    const samples = new Map<string, number[]>(targets.map((t) => [t.label, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        const { set, get } = await benchmark(target);
        samples.get(target.label)!.push((set + get) / 2);
        console.error(`round ${round}: ${target.label}: SET ${set} GET ${get} rps`);
      }
    }
    const rps = (label: string) => median(samples.get(label)!);
    const [bareHostPlain, bareHostProxied, bareHostNativePlain, bareHostNativeTls, dockerPlain, sidecarTls, nativeDbPlain, nativeTls, addressPlain, addressTls] =
      targets.map((t) => rps(t.label));
    const figures = {
      bare_host_plaintext_rps: bareHostPlain,
      bare_host_haproxy_tls_rps: bareHostProxied,
      bare_host_native_config_plaintext_rps: bareHostNativePlain,
      bare_host_native_tls_rps: bareHostNativeTls,
      docker_plaintext_rps: dockerPlain,
      sidecar_tls_rps: sidecarTls,
      native_db_plaintext_rps: nativeDbPlain,
      native_tls_rps: nativeTls,
      container_address_plaintext_rps: addressPlain,
      container_address_sidecar_tls_rps: addressTls,
    };
    results.rps_samples = Object.fromEntries(samples);
    Object.assign(results, figures, {
      tls_to_plaintext_ratio: round2(figures.sidecar_tls_rps / figures.docker_plaintext_rps),
      native_tls_to_plaintext_ratio: round2(figures.native_tls_rps / figures.native_db_plaintext_rps),
      bare_host_haproxy_tls_to_plaintext_ratio: round2(figures.bare_host_haproxy_tls_rps / figures.bare_host_plaintext_rps),
      bare_host_native_tls_to_plaintext_ratio: round2(figures.bare_host_native_tls_rps / figures.bare_host_native_config_plaintext_rps),
      docker_to_bare_host_ratio: round2(figures.docker_plaintext_rps / figures.bare_host_plaintext_rps),
      container_address_tls_to_plaintext_ratio: round2(figures.container_address_sidecar_tls_rps / figures.container_address_plaintext_rps),
    });
    for (const t of targets) table.push([`redis-benchmark SET+GET mean, ${t.label}`, `${Math.round(rps(t.label))} rps (median of ${ROUNDS})`]);
    table.push(['TLS / plaintext, HAProxy sidecar (tls_to_plaintext_ratio)', String(results.tls_to_plaintext_ratio)]);
    table.push(['TLS / plaintext, native Redis TLS (native_tls_to_plaintext_ratio)', String(results.native_tls_to_plaintext_ratio)]);
    table.push(['bare host, no Docker: TLS / plaintext, HAProxy in front of Redis', String(results.bare_host_haproxy_tls_to_plaintext_ratio)]);
    table.push(['bare host, no Docker: TLS / plaintext, native Redis TLS', String(results.bare_host_native_tls_to_plaintext_ratio)]);
    table.push(['docker plaintext / bare host plaintext', String(results.docker_to_bare_host_ratio)]);
    table.push(['container addresses: sidecar TLS / plaintext', String(results.container_address_tls_to_plaintext_ratio)]);
  } finally {
    await stopAll();
    await standin.cleanUp();
  }
}

async function timeToReady(pki: TestPki, results: Record<string, unknown>, table: string[][]): Promise<void> {
  const password = 'ReadyPassword0123456789abcdefgh';
  const sinceStart: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ports = { port: await freePort(), tlsPort: await freePort() };
    const stack = dockerStack();
    new RedisDatabase(stack, 'ready', { version: RedisVersion.V7_0, ...databaseProps('bench-ready', pki, password, ports), preventDestroy: false });
    await removeContainers(['bench-ready', 'bench-ready-tls']);
    await run('docker', ['volume', 'rm', '-f', 'bench-ready-data', 'bench-ready-run']).catch(() => undefined);
    await run('docker', ['network', 'rm', 'bench-ready']).catch(() => undefined);
    const standin = new StandIn();
    await standin.apply(synthJson(stack));
    try {
      await waitForTls(ports.tlsPort, password, pki, 60_000);
      const readyAt = Date.now();
      const startedAt = Date.parse((await dockerOk('GET', '/containers/bench-ready/json')).State.StartedAt);
      sinceStart.push(readyAt - startedAt);
    } finally {
      await standin.cleanUp();
    }
  }
  results.time_to_ready_ms = median(sinceStart);
  table.push(['Redis container start to authenticated TLS PING', `${results.time_to_ready_ms} ms (median of 5)`]);
}

function inProcessSynth(results: Record<string, unknown>, table: string[][]): void {
  const worker = path.join(__dirname, 'synth-worker.js');
  const runs: Array<{ count: number; elapsedMs: number; peakRssMb: number; planBytes: number }> = [];
  for (const count of [0, 1, 10, 100, 500]) {
    runs.push(JSON.parse(execFileSync('node', [worker, String(count)], { encoding: 'utf8' })));
  }
  const empty = runs[0];
  results.synth_in_process = runs;
  for (const r of runs.slice(1)) {
    const msPerDb = (r.elapsedMs - empty.elapsedMs) / r.count;
    const kbPerDb = (r.planBytes - empty.planBytes) / r.count / 1024;
    results[`synth_ms_per_database_${r.count}`] = round2(msPerDb);
    table.push([`in-process synth, ${r.count} databases`, `${Math.round(r.elapsedMs)} ms (${msPerDb.toFixed(1)} ms/db), peak RSS ${Math.round(r.peakRssMb)} MB, plan ${kbPerDb.toFixed(1)} KiB/db`]);
  }
  results.plan_bytes_per_database = Math.round((runs[3].planBytes - empty.planBytes) / runs[3].count);
}

/** A whole `cdktf synth` process, as a user runs it: an empty app against one with 100 databases. */
function cdktfSynthProcess(workDir: string, results: Record<string, unknown>, table: string[][]): void {
  const appDir = (count: number) => {
    const dir = path.join(workDir, `app-${count}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', terraformProviders: [] }));
    fs.writeFileSync(
      path.join(dir, 'main.js'),
      [
        `const { App, TerraformStack } = require(${JSON.stringify(require.resolve('cdktf'))});`,
        `const { DockerProvider } = require(${JSON.stringify(require.resolve('@cdktf/provider-docker/lib/provider'))});`,
        `const { RedisDatabase, RedisVersion } = require(${JSON.stringify(path.join(REPO, 'lib'))});`,
        'const app = new App();',
        "const stack = new TerraformStack(app, 'bench');",
        "new DockerProvider(stack, 'docker', {});",
        `for (let i = 0; i < ${count}; i++) new RedisDatabase(stack, 'db' + i, { version: RedisVersion.V7_2, port: 20000 + 2 * i, tlsPort: 20001 + 2 * i });`,
        'app.synth();',
      ].join('\n'),
    );
    return dir;
  };
  const cdktf = path.join(REPO, 'node_modules', '.bin', 'cdktf');
  const timeSynth = (dir: string) => {
    const started = process.hrtime.bigint();
    execFileSync(cdktf, ['synth'], { cwd: dir, stdio: 'ignore', env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', TF_CLI_CONFIG_FILE: '/dev/null' } });
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const emptyDir = appDir(0);
  const hundredDir = appDir(100);
  const empty: number[] = [];
  const hundred: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    empty.push(timeSynth(emptyDir));
    hundred.push(timeSynth(hundredDir));
  }
  results.cdktf_synth_empty_ms = Math.round(median(empty));
  results.cdktf_synth_100_ms = Math.round(median(hundred));
  results.synth_100_to_empty_ratio = round2(median(hundred) / median(empty));
  table.push(['`cdktf synth` process, empty app', `${results.cdktf_synth_empty_ms} ms (median of ${ROUNDS})`]);
  table.push(['`cdktf synth` process, 100 databases', `${results.cdktf_synth_100_ms} ms (median of ${ROUNDS})`]);
  table.push(['100 databases / empty (synth_100_to_empty_ratio)', String(results.synth_100_to_empty_ratio)]);
}

async function main(): Promise<void> {
  requireTools('docker', 'redis-server', 'redis-benchmark', 'openssl');
  if (!fs.existsSync(path.join(REPO, 'lib', 'index.js'))) throw new Error('no jsii build: run `npm run build` first');
  const workDir = tempDir('bench');
  const pki = makeTestPki(workDir);
  const results: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() },
    date: new Date().toISOString(),
  };
  const table: string[][] = [];
  // Everything the bench creates on the default engine is named bench-*: what an interrupted run left goes
  // first, and what this one leaves (the -backups volumes no destroy removes, anything after a failure) last.
  await removeAllNamed(BENCH_PREFIX);
  const offInterrupt = onInterrupt(async () => {
    await stopAll();
    await removeAllNamed(BENCH_PREFIX);
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  try {
    inProcessSynth(results, table);
    cdktfSynthProcess(workDir, results, table);
    await tlsAndDockerOverhead(workDir, pki, results, table);
    await timeToReady(pki, results, table);
    await backupAndRestore(results, table);
    await multiHost(results, table);
  } finally {
    offInterrupt();
    await removeAllNamed(BENCH_PREFIX);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const width = Math.max(...table.map((row) => row[0].length));
  console.log(`machine: ${JSON.stringify(results.machine)}`);
  for (const [what, value] of table) console.log(`${what.padEnd(width)}  ${value}`);
  console.log('written: bench/results.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
