/**
 * The multi-host figures of `npm run bench`, on two Docker engines of this
 * machine as the multi-host e2e suite runs them (test/e2e/two-hosts.ts):
 *
 * - `failover_seconds`: a RedisFailover group across the engines with the
 *   default `downAfterMs`, a client writing through Sentinel, the primary
 *   killed; the time until the new primary acknowledges a write.
 * - `cross_host_tls_sync_ratio`: a full sync of about 1 GiB to a follower on
 *   engine B over TLS, against the same sync in plaintext to a follower on
 *   the primary's engine; for native TLS (the headline) and for the sidecar's
 *   replication tunnel.
 *
 * Everything it creates is named `bench-mh-…` (engine B `bench-mh-b`, its own
 * address pools), so it runs beside the e2e suite's `mh-…` objects. The
 * `multi-host` section of bench/run.ts (`npm run bench -- multi-host`).
 */
import { randomBytes } from 'crypto';
import * as os from 'os';
import { TLSSocket } from 'tls';
import { RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../lib';
import { dockerOk, StandIn } from '../test/e2e/docker-apply';
import { addFailoverGroup, CommonProps, outputClients, startTwoHosts, TwoHosts, twoHostStack } from '../test/e2e/two-hosts';
import { onInterrupt } from '../test/support/leftovers';
import { parseInfo, Redis } from '../test/support/clients';
import { freePort, GaveUp, sleep, waitFor } from '../test/support/processes';
import { synthJson } from '../test/support/synth';
import { median, round2 } from './stats';

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
/** Each failover round deploys a group and each sync moves 1 GiB: fewer rounds than the rest of the bench. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LAYOUT = {
  prefix: 'bench-mh-', engineName: 'bench-mh-b', bPool: '10.218.0.0/16', aNetwork: 'bench-mh-hosta', aSubnet: '10.219.0.0/24', images: [REDIS_IMAGE, HAPROXY_IMAGE],
};
const GROUP = 'bench-mh-fo';
/** The issue's goals: failover within `downAfterMs` plus 2 s; TLS across hosts at most half again as slow as plaintext on one. */
const FAILOVER_GOAL_EXTRA_SECONDS = 2;
const SYNC_RATIO_GOAL = 1.5;
/** 65,536 random values of 16,378 bytes: about 1 GiB that neither RDB's LZF nor anything else compresses. */
const SYNC_KEYS = 65_536;
/** With the 6-byte header and terminator Redis adds, each value fills a 16 KiB allocation exactly: the dataset takes 1 GiB of memory, not a third more. */
const VALUE_BYTES = 16_378;
/** maxmemory is half of it for persistent versions: 1.5 GiB for the 1 GiB dataset. */
const SYNC_CONTAINER_MB = 3072;

const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;

function common(containerSizeMb: number): CommonProps {
  return { version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb, size: 4, preventDestroy: false };
}

/** What the deployed Sentinels were given: the goal follows the group as synthesized, not a constant here. */
function downAfterMsIn(plan: any): number {
  const conf = Object.values<any>(plan.resource.docker_container)
    .flatMap((c) => c.upload ?? [])
    .map((u: any) => /^sentinel down-after-milliseconds \S+ (\d+)$/m.exec(String(u.content)))
    .find((m) => m);
  if (!conf) throw new Error('no Sentinel config with down-after-milliseconds in the plan');
  return Number(conf[1]);
}

/**
 * One round: a fresh group, a client writing through Sentinel every 10 ms as
 * an app does, the primary killed; seconds from the kill to the first write
 * the new primary acknowledged.
 */
async function failoverRound(hosts: TwoHosts): Promise<{ seconds: number; downAfterMs: number }> {
  const ports = {
    primary: await freePort(), primaryTls: await freePort(), replica: await freePort(), replicaTls: await freePort(),
    sentinels: [await freePort(), await freePort(), await freePort()] as const,
  };
  const on = twoHostStack(hosts, 'bench-failover', common(512));
  // downAfterMs left out: the default is what the goal is about.
  addFailoverGroup(on, GROUP, ports);
  const plan = synthJson(on.stack);
  const standin = new StandIn();
  const nodes = outputClients(() => standin.outputs(plan));
  try {
    await standin.apply(plan);
    await nodes.waitServing(`${GROUP}-primary`);
    await nodes.waitServing(`${GROUP}-replica`);
    await nodes.waitForSentinelTopology(GROUP, 1, 3);

    const client = nodes.sentinelClient(GROUP, `${GROUP}-primary`, {
      // An app's client keeps reconnecting, asking the Sentinels for the primary
      // each time; every 100 ms, so its back-off adds little to what is measured.
      retryStrategy: () => 100,
      sentinelRetryStrategy: () => 100,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
    });
    client.on('error', () => undefined);
    const serverOf = (c: Redis) => `${(c.stream as TLSSocket).remoteAddress}:${(c.stream as TLSSocket).remotePort}`;
    const oldPrimary = `${hosts.aAddress}:${ports.primaryTls}`;
    const newPrimary = `${hosts.bAddress}:${ports.replicaTls}`;
    const acknowledged = new Map<string, bigint>();
    let writing = true;
    const write = async () => {
      for (let n = 0; writing; n++) {
        try {
          await client.set('bench:failover', String(n));
          const server = serverOf(client);
          if (!acknowledged.has(server)) acknowledged.set(server, process.hrtime.bigint());
        } catch {
          // The primary is gone or not known yet: the next write tries again.
        }
        await sleep(10);
      }
    };
    let writer: Promise<void> | undefined;
    try {
      // Connected before the writer starts: with lazyConnect its first write would start a connect of its own.
      await client.connect();
      writer = write();
      await waitFor('the first write on the primary', async () => (acknowledged.has(oldPrimary) ? true : undefined), 30_000, 20);
      const killed = process.hrtime.bigint();
      await dockerOk('POST', `/containers/${GROUP}-primary/kill`);
      const promoted = await waitFor('a write acknowledged by the new primary', async () => acknowledged.get(newPrimary), 60_000, 10);
      return { seconds: seconds(killed, promoted), downAfterMs: downAfterMsIn(plan) };
    } finally {
      writing = false;
      await writer;
      client.disconnect();
    }
  } finally {
    await standin.cleanUp();
  }
}

async function failover(hosts: TwoHosts, results: Record<string, unknown>, table: string[][]): Promise<void> {
  const samples: number[] = [];
  let downAfterMs = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await failoverRound(hosts);
    samples.push(round2(r.seconds));
    downAfterMs = r.downAfterMs;
    console.error(`failover round ${round}: ${r.seconds.toFixed(2)} s from the kill to a write on the new primary`);
  }
  const goal = downAfterMs / 1000 + FAILOVER_GOAL_EXTRA_SECONDS;
  Object.assign(results, {
    failover_seconds: round2(median(samples)),
    failover_seconds_samples: samples,
    failover_down_after_ms: downAfterMs,
    failover_goal_seconds: goal,
  });
  table.push([`failover: primary killed to the first write on the new primary (downAfterMs ${downAfterMs})`, `${results.failover_seconds} s (median of ${ROUNDS}; goal <= ${goal})`]);
}

interface SyncSample {
  /** From `REPLICAOF` to the link up with every key. */
  readonly seconds: number;
  /** Its parts: until the snapshot's first byte arrives (the primary waits for more replicas first), the transfer, and the follower loading what it received. */
  readonly waiting: number;
  readonly transfer: number;
  readonly load: number;
}

/**
 * A full sync of `follower` from its primary, started by `REPLICAOF` on the
 * running follower so that the clock holds no container start. The follower
 * first leaves replication (`REPLICAOF NO ONE`), which gives it a replication
 * id of its own: the primary knows none it could continue from, so the sync
 * is a full one (checked in the primary's `sync_full`).
 */
async function fullSync(nodes: ReturnType<typeof outputClients>, primary: string, follower: string): Promise<SyncSample> {
  const { master_host: host, master_port: port } = await nodes.replication(follower);
  return nodes.withClient(primary, (p) => nodes.withClient(follower, async (f) => {
    await f.call('REPLICAOF', 'NO', 'ONE');
    // A snapshot in progress on either side would delay the sync's own.
    await waitFor('no snapshot in progress', async () => {
      const busy = await Promise.all([p, f].map(async (c) => parseInfo(await c.info('persistence')).rdb_bgsave_in_progress !== '0'));
      return busy.some((b) => b) ? undefined : true;
    }, 120_000, 100);
    const fullSyncs = async () => Number(parseInfo(await p.info('stats')).sync_full);
    const before = await fullSyncs();
    const started = process.hrtime.bigint();
    await f.call('REPLICAOF', host, port);
    let firstByte: bigint | undefined;
    let loading: bigint | undefined;
    const done = await waitFor(`${follower} to finish a full sync`, async () => {
      const info = parseInfo(await f.call('INFO', 'replication', 'persistence') as string);
      const at = process.hrtime.bigint();
      if (firstByte === undefined && Number(info.master_sync_read_bytes ?? 0) > 0) firstByte = at;
      if (loading === undefined && info.loading === '1') loading = at;
      if (info.master_link_status !== 'up') return undefined;
      return (await f.dbsize()) === SYNC_KEYS ? at : undefined;
    }, 300_000, 20);
    if (await fullSyncs() !== before + 1) throw new Error(`${follower}: the primary counted ${await fullSyncs() - before} full syncs, not 1`);
    if (firstByte === undefined || loading === undefined) throw new Error(`${follower}: the link came up before the transfer or the load was seen`);
    return { seconds: seconds(started, done), waiting: seconds(started, firstByte), transfer: seconds(firstByte, loading), load: seconds(loading, done) };
  }));
}

interface SyncPair {
  /** The follower on the primary's host, in plaintext over the primary's Docker network. */
  readonly local: SyncSample[];
  /** The follower on host B, over TLS. */
  readonly remote: SyncSample[];
}

/**
 * One primary on host A with about 1 GiB, a follower beside it and one on
 * host B; `ROUNDS` full syncs of each, interleaved, for each entry of
 * `settings` (runtime settings of the primary, applied in turn).
 */
async function syncPair(hosts: TwoHosts, mode: RedisTlsMode, settings: ReadonlyArray<Record<string, string>>): Promise<SyncPair[]> {
  const handle = `bench-mh-${mode}`;
  const on = twoHostStack(hosts, `bench-sync-${mode}`, { ...common(SYNC_CONTAINER_MB), tlsMode: mode });
  const port = async () => ({ port: await freePort(), tlsPort: await freePort() });
  const primary = new RedisDatabase(on.stack, 'primary', { ...on.onA, handle, ...await port() });
  new RedisFollower(on.stack, 'local', { ...on.onA, handle: `${handle}-local`, primary, ...await port() });
  new RedisFollower(on.stack, 'remote', { ...on.onB, handle: `${handle}-remote`, primary, ...await port() });
  const plan = synthJson(on.stack);
  const standin = new StandIn();
  const nodes = outputClients(() => standin.outputs(plan));
  const local = `${handle}-local`;
  const remote = `${handle}-remote`;
  try {
    await standin.apply(plan);
    for (const h of [handle, local, remote]) await nodes.waitServing(h);
    const filling = process.hrtime.bigint();
    await nodes.write(handle, 'fill', SYNC_KEYS, () => randomBytes(VALUE_BYTES), 256);
    for (const h of [local, remote]) await nodes.waitForKeys(h, SYNC_KEYS, 300_000);
    console.error(`${mode}: ${SYNC_KEYS} keys written and replicated in ${seconds(filling, process.hrtime.bigint()).toFixed(1)} s`);
    // Every node saves now, so that no scheduled snapshot (`save 60 10000`) starts during a timed sync.
    for (const h of [handle, local, remote]) {
      await nodes.withClient(h, (c) => waitFor(`${h} to start a snapshot`, () => c.bgsave().then(() => true, (e) => {
        if (/already in progress/.test(String(e))) return undefined;
        throw new GaveUp(String(e));
      }), 120_000, 200));
    }

    const pairs: SyncPair[] = [];
    for (const changes of settings) {
      for (const [name, value] of Object.entries(changes)) await nodes.withClient(handle, (c) => c.config('SET', name, value));
      const pair: SyncPair = { local: [], remote: [] };
      for (let round = 1; round <= ROUNDS; round++) {
        for (const [samples, follower] of [[pair.local, local], [pair.remote, remote]] as const) {
          const s = await fullSync(nodes, handle, follower);
          samples.push(s);
          console.error(
            `${mode} ${JSON.stringify(changes)} round ${round}: full sync to ${follower}: ${s.seconds.toFixed(2)} s ` +
            `(waiting ${s.waiting.toFixed(2)}, transfer ${s.transfer.toFixed(2)}, load ${s.load.toFixed(2)})`,
          );
        }
      }
      pairs.push(pair);
    }
    return pairs;
  } finally {
    await standin.cleanUp();
  }
}

/** Medians of each part, the samples, and cross-host over same-host, of the whole sync and of its transfer. */
function compare(pair: SyncPair) {
  const summary = (samples: SyncSample[]) => {
    const of = (part: keyof SyncSample) => median(samples.map((x) => x[part]));
    return {
      seconds: round2(of('seconds')), waiting: round2(of('waiting')), transfer: round2(of('transfer')), load: round2(of('load')),
      samples: samples.map((x) => ({ seconds: round2(x.seconds), waiting: round2(x.waiting), transfer: round2(x.transfer), load: round2(x.load) })),
    };
  };
  const ratio = (part: keyof SyncSample) => round2(median(pair.remote.map((x) => x[part])) / median(pair.local.map((x) => x[part])));
  return { same_host_plaintext: summary(pair.local), cross_host: summary(pair.remote), ratio: ratio('seconds'), transfer_ratio: ratio('transfer') };
}

async function crossHostSync(hosts: TwoHosts, results: Record<string, unknown>, table: string[][]): Promise<void> {
  // Native TLS is the headline: the mode for throughput, and the only one a failover group across hosts runs.
  // With rdbcompression off as well: the primary then makes its snapshot fast enough for the path to matter.
  const [native, nativeUncompressed] = await syncPair(hosts, RedisTlsMode.NATIVE, [{}, { rdbcompression: 'no' }]);
  const [tunnel] = await syncPair(hosts, RedisTlsMode.SIDECAR, [{}]);
  const sync = {
    dataset: { keys: SYNC_KEYS, value_bytes: VALUE_BYTES, bytes: SYNC_KEYS * VALUE_BYTES, container_size_mb: SYNC_CONTAINER_MB },
    native: compare(native),
    sidecar_tunnel: compare(tunnel),
    native_rdbcompression_no: compare(nativeUncompressed),
  };
  Object.assign(results, {
    cross_host_sync: sync,
    cross_host_tls_sync_ratio: sync.native.ratio,
    cross_host_tls_sync_ratio_goal: SYNC_RATIO_GOAL,
    cross_host_tunnel_sync_ratio: sync.sidecar_tunnel.ratio,
  });
  const gib = (SYNC_KEYS * VALUE_BYTES / 2 ** 30).toFixed(2);
  const parts = (s: ReturnType<typeof compare>['cross_host']) => `${s.seconds} s (waiting ${s.waiting}, transfer ${s.transfer}, load ${s.load}; median of ${ROUNDS})`;
  for (const [what, c] of [['native TLS', sync.native], ['sidecar tunnel', sync.sidecar_tunnel], ['native TLS, rdbcompression no', sync.native_rdbcompression_no]] as const) {
    table.push([`full sync of ${gib} GiB, REPLICAOF to link up, ${what}: same host, plaintext`, parts(c.same_host_plaintext)]);
    table.push([`full sync of ${gib} GiB, REPLICAOF to link up, ${what}: host B, TLS`, parts(c.cross_host)]);
    table.push([`  host B TLS / same-host plaintext, ${what}`, `${c.ratio} (transfer alone ${c.transfer_ratio})${c === sync.native ? `: cross_host_tls_sync_ratio, goal <= ${SYNC_RATIO_GOAL}` : ''}`]);
  }
}

/**
 * Failover and cross-host sync figures into `results.multi_host`, with the
 * date, the machine and its load meanwhile (the 2 cores are often shared),
 * and rows into `table`; starts and stops engine B.
 */
export async function multiHost(results: Record<string, unknown>, table: string[][]): Promise<void> {
  // When and under what load these rows were measured: the rows themselves are top-level keys, as README's test reads them.
  const figures: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
  };
  const load: number[] = [];
  const sampler = setInterval(() => load.push(os.loadavg()[0]), 10_000);
  const hosts = await startTwoHosts(LAYOUT);
  // Engine B is this process's child: a SIGTERM to the bench alone would leave it running.
  const offInterrupt = onInterrupt(() => hosts.stop());
  try {
    await failover(hosts, results, table);
    await crossHostSync(hosts, results, table);
  } finally {
    clearInterval(sampler);
    offInterrupt();
    await hosts.stop();
  }
  figures.load_average_1m = { mean: round2(load.reduce((a, b) => a + b, 0) / load.length), max: round2(Math.max(...load)) };
  results.multi_host = figures;
}
