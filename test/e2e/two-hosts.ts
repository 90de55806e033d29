/**
 * Two Docker hosts on this machine, for the multi-host e2e suite and the
 * bench: host A is the default engine, host B a second engine started here
 * (test/support/second-dockerd.ts). The one path between them is through
 * published ports on addresses the caller's run created:
 *
 * - host A publishes on the gateway of a bridge network created on engine A
 *   (`aAddress`); engine A's own iptables DNAT sends what B's containers send
 *   there to A's containers;
 * - host B publishes on its engine's bridge address (`bAddress`), through
 *   engine B's userland proxy (B runs with `--iptables=false`).
 *
 * Callers talk only to those two addresses and to loopback. Each caller
 * names its objects with a prefix of its own, so the suite and the bench do
 * not remove each other's.
 */
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisOptions } from 'ioredis';
import { RedisDatabase, RedisFailover, RedisFollower, RedisInstanceOptions, RedisTlsMode, RedisVersion } from '../../lib';
import { connectWithUrl, parseInfo, Redis } from '../support/clients';
import { removeAllNamed } from '../support/leftovers';
import { waitFor } from '../support/processes';
import { startSecondDockerd } from '../support/second-dockerd';
import { dockerApi, dockerOk } from './docker-apply';
import { requireImages } from '../support/server-images';

export interface TwoHostsLayout {
  /** How the Docker names of everything the caller creates on engine A start: what is removed as leftovers of an earlier run. */
  readonly prefix: string;
  /** The second engine's name (second-dockerd.ts). */
  readonly engineName: string;
  /** Engine B's address pool, a /16 no other engine here uses. */
  readonly bPool: string;
  /** The bridge network on engine A that gives host A an address of its own, and its /24 (the gateway, `.1`, is that address). */
  readonly aNetwork: string;
  readonly aSubnet: string;
  /** Images copied to engine B (no registry is reachable). */
  readonly images: readonly string[];
}

export interface TwoHosts {
  readonly aAddress: string;
  readonly bAddress: string;
  /** The Docker provider `host` of engine B. */
  readonly bHost: string;
  /** Stops engine B and removes what the caller left on engine A. */
  stop(): Promise<void>;
}

/**
 * What a run killed before its teardown (or one whose engine A another suite
 * restarted) left on engine A: only names that start with the prefix, and the
 * layout's network.
 */
async function removeLeftovers(layout: TwoHostsLayout): Promise<void> {
  await removeAllNamed(layout.prefix);
  await dockerApi('DELETE', `/networks/${layout.aNetwork}`);
}

export async function startTwoHosts(layout: TwoHostsLayout): Promise<TwoHosts> {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(layout.aSubnet);
  if (!m) throw new Error(`aSubnet ${layout.aSubnet} must be an a.b.c.0/24`);
  const aAddress = `${m[1]}.1`;
  requireImages(layout.images);
  await removeLeftovers(layout);
  try {
    await dockerOk('POST', '/networks/create', {
      Name: layout.aNetwork, Driver: 'bridge', IPAM: { Config: [{ Subnet: layout.aSubnet, Gateway: aAddress }] }, Labels: { 'cdktf-docker-redis.test': layout.prefix },
    });
    const daemon = await startSecondDockerd({ name: layout.engineName, pool: layout.bPool, config: {} });
    try {
      await daemon.loadImages([...layout.images]);
    } catch (e) {
      await daemon.stop();
      throw e;
    }
    return {
      aAddress,
      bAddress: daemon.address,
      bHost: daemon.host,
      async stop() {
        try {
          await daemon.stop();
        } finally {
          await removeLeftovers(layout);
        }
      },
    };
  } catch (e) {
    await removeLeftovers(layout);
    throw e;
  }
}

/** What every node of a stack shares. */
export type CommonProps = RedisInstanceOptions & { readonly version: RedisVersion };
type Placed = CommonProps & { readonly hostIp: string; readonly hostname: string; readonly announceAddress: string };

/** A stack on both hosts, and the props that put a node on host A or B, announced and reached at that host's address. */
export interface TwoHostStack {
  readonly stack: TerraformStack;
  readonly hostB: DockerProvider;
  readonly onA: Placed;
  /** With `primaryAddress` for a follower of a primary on A. */
  readonly onB: Placed & { readonly provider: DockerProvider; readonly primaryAddress: string };
}

/** A stack with a default Docker provider for host A and an aliased one for host B; `common` goes into every node's props. */
export function twoHostStack(hosts: TwoHosts, id: string, common: CommonProps): TwoHostStack {
  const stack = new TerraformStack(Testing.app(), id);
  new DockerProvider(stack, 'docker', {});
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: hosts.bHost });
  const at = (address: string) => ({ hostIp: address, hostname: address, announceAddress: address });
  return {
    stack,
    hostB,
    onA: { ...common, ...at(hosts.aAddress) },
    onB: { ...common, provider: hostB, ...at(hosts.bAddress), primaryAddress: hosts.aAddress },
  };
}

export interface FailoverGroupPorts {
  readonly primary: number;
  readonly primaryTls: number;
  readonly replica: number;
  readonly replicaTls: number;
  readonly sentinels: readonly [number, number, number];
}

/**
 * A failover group across the hosts, native TLS: `<group>-primary` on A,
 * `<group>-replica` on B, 2 Sentinels on A and 1 on B.
 */
export function addFailoverGroup(on: TwoHostStack, group: string, ports: FailoverGroupPorts, downAfterMs?: number): RedisFailover {
  const native = { tlsMode: RedisTlsMode.NATIVE };
  const primary = new RedisDatabase(on.stack, `${group}-primary`, {
    ...on.onA, ...native, handle: `${group}-primary`, port: ports.primary, tlsPort: ports.primaryTls,
  });
  const replica = new RedisFollower(on.stack, `${group}-replica`, {
    ...on.onB, ...native, handle: `${group}-replica`, primary, sharePrimaryCredentials: true, port: ports.replica, tlsPort: ports.replicaTls,
  });
  const [s1, s2, s3] = ports.sentinels;
  const a = on.onA.announceAddress;
  const b = on.onB.announceAddress;
  return new RedisFailover(on.stack, group, {
    handle: group,
    primary,
    followers: [replica],
    downAfterMs,
    sentinels: [
      { address: a, hostIp: a, tlsPort: s1 },
      { address: a, hostIp: a, tlsPort: s2 },
      { provider: on.hostB, address: b, hostIp: b, tlsPort: s3 },
    ],
  });
}

/**
 * Clients of a deployed stack, reached as an app reaches it: through the
 * stack's outputs, read on every use (a test may apply a new plan).
 */
export function outputClients(outputs: () => Record<string, { readonly value: unknown }>) {
  const output = (name: string): string => {
    const value = outputs()[name]?.value;
    if (typeof value !== 'string') throw new Error(`output ${name} is not known`);
    return value;
  };

  /** Connects over TLS with a database's credential outputs. */
  const connect = (handle: string): Promise<Redis> => connectWithUrl(output(`${handle}_tls_url`), output(`${handle}_ca_certificate`));

  async function withClient<T>(handle: string, use: (client: Redis) => Promise<T>): Promise<T> {
    const client = await connect(handle);
    try {
      return await use(client);
    } finally {
      client.disconnect();
    }
  }

  const replication = (handle: string): Promise<Record<string, string>> => withClient(handle, async (client) => parseInfo(await client.info('replication')));

  const waitServing = (handle: string): Promise<true> => waitFor(
    `${handle} to serve TLS through its outputs`, () => withClient(handle, async (c) => ((await c.ping()) === 'PONG' ? true : undefined)), 60_000, 250,
  );

  /** Writes `count` keys `prefix:i` in pipelined batches. */
  const write = (handle: string, prefix: string, count: number, value: (i: number) => string | Buffer = (i) => `value-${i}`, batchSize = 10_000) =>
    withClient(handle, async (client) => {
      for (let start = 0; start < count; start += batchSize) {
        const batch = client.pipeline();
        for (let i = start; i < Math.min(count, start + batchSize); i++) batch.set(`${prefix}:${i}`, value(i));
        const results = await batch.exec();
        const failed = (results ?? []).find(([error]) => error);
        if (failed) throw failed[0];
      }
    });

  const waitForKeys = (handle: string, keys: number, timeoutMs = 60_000): Promise<true> => waitFor(
    `${handle} to hold ${keys} keys`, () => withClient(handle, async (c) => ((await c.dbsize()) === keys ? true : undefined)), timeoutMs, 250,
  );

  /**
   * ioredis through a failover group's Sentinels, set up from the group's
   * outputs (the apps' Sentinel login among them) and its primary's (the
   * password) as README shows; fails fast unless `options` say otherwise.
   */
  const sentinelClient = (group: string, primary: string, options: RedisOptions = {}): Redis => {
    const ca = output(`${group}_ca_certificate`);
    return new Redis({
      sentinels: output(`${group}_sentinels`).split(',').map((address) => ({ host: address.split(':')[0], port: Number(address.split(':')[1]) })),
      name: output(`${group}_master_name`),
      sentinelUsername: output(`${group}_sentinel_username`),
      sentinelPassword: output(`${group}_sentinel_password`),
      enableTLSForSentinelMode: true,
      sentinelTLS: { ca },
      tls: { ca },
      username: 'default',
      password: decodeURIComponent(new URL(output(`${primary}_tls_url`)).password),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      sentinelRetryStrategy: () => null,
      connectTimeout: 2_000,
      commandTimeout: 2_000,
      ...options,
    });
  };

  async function withSentinelClient<T>(group: string, primary: string, use: (client: Redis) => Promise<T>): Promise<T> {
    const client = sentinelClient(group, primary);
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await use(client);
    } finally {
      client.disconnect();
    }
  }

  /** What the group's first Sentinel says. */
  const askSentinel = (group: string, ...args: string[]): Promise<any> => askSentinelAt(group, 0, ...args);

  /** What the group's Sentinel number `index` (from 0, in the output's order) says to the apps' login. */
  async function askSentinelAt(group: string, index: number, ...args: string[]): Promise<any> {
    const address = output(`${group}_sentinels`).split(',')[index];
    const client = new Redis({
      host: address.split(':')[0], port: Number(address.split(':')[1]),
      username: output(`${group}_sentinel_username`), password: output(`${group}_sentinel_password`),
      tls: { ca: output(`${group}_ca_certificate`) }, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call('SENTINEL', ...args);
    } finally {
      client.disconnect();
    }
  }

  /** Until the group's first Sentinel knows `replicas` replicas, none of them down, and the other Sentinels. */
  const waitForSentinelTopology = (group: string, replicas: number, sentinels: number): Promise<true> => waitFor(
    'the Sentinels to know the replicas and each other', async () => {
      const known = (await askSentinel(group, 'REPLICAS', group)) as string[][];
      const others = (await askSentinel(group, 'SENTINELS', group)) as string[][];
      const flags = known.map((fields) => fields[fields.indexOf('flags') + 1]);
      return flags.length === replicas && flags.every((f) => f === 'slave') && others.length === sentinels - 1 ? true : undefined;
    }, 60_000, 500,
  );

  return { output, connect, withClient, replication, waitServing, write, waitForKeys, sentinelClient, withSentinelClient, askSentinel, askSentinelAt, waitForSentinelTopology };
}
