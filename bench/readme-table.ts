/**
 * README's benchmark table, generated from bench/results.json: `npm run bench`
 * writes it after recording a section, and a unit test regenerates it and
 * compares, so no figure in it can be other than the recorded one. Each row
 * names the date and commit its section was recorded at.
 */

/** The sections `npm run bench` runs, in this order when none is named. */
export const SECTIONS = ['synth', 'tls', 'backup', 'multi-host'] as const;
export type SectionName = (typeof SECTIONS)[number];

/** When, at which commit and on what a section's figures were recorded. */
export interface Recorded {
  readonly date: string;
  readonly commit: string;
  /** lib/ or bench/ differed from `commit` when it was measured. */
  readonly dirty?: boolean;
  readonly machine: { readonly cpus: number; readonly cpu_model?: string; readonly memory_gib: number };
  /** The top-level keys of bench/results.json the section wrote, which its next run replaces. */
  readonly keys: readonly string[];
}

/** The synthesis goals (issue 28): per database at 100 databases, and a whole `cdktf synth` against an empty app. */
export const SYNTH_GOALS = { msPerDatabaseAt100: 10, synth100ToEmptyRatio: 1.3 };
export const SYNTH_COUNTS = [1, 10, 100, 500];

export const TABLE_HEADER = '| what | result | measured |';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
/** `(goal < 10 ms)`, with `: not met` when the figure is over it. */
const goal = (met: boolean, text: string) => `(goal ${text}${met ? '' : ': not met'})`;

function synthRows(r: any): string[][] {
  const run = (n: number) => r.synth_in_process.find((x: { count: number }) => x.count === n);
  const perDb100 = r.synth_ms_per_database_100;
  return [
    [
      `in-process synth (\`app.synth()\`, \`bench/synth-worker.js\`), ${SYNTH_COUNTS.join(' / ')} databases, median of ${run(1).samplesMs.length}`,
      `${SYNTH_COUNTS.map((n) => count(run(n).elapsedMs)).join(' / ')} ms; ` +
      `${SYNTH_COUNTS.map((n) => r[`synth_ms_per_database_${n}`].toFixed(1)).join(' / ')} ms per database ` +
      `${goal(perDb100 < SYNTH_GOALS.msPerDatabaseAt100, `at 100 < ${SYNTH_GOALS.msPerDatabaseAt100} ms`)}; ` +
      `peak RSS ${SYNTH_COUNTS.map((n) => Math.round(run(n).peakRssMb)).join(' / ')} MB`,
    ],
    ['plan size, 100 databases', `${(r.plan_bytes_per_database / 1024).toFixed(1)} KiB per database`],
    [
      `\`cdktf synth\` process, empty app / 100 databases (${count(r.cdktf_synth_100_resources)} resources), median of ${r.cdktf_synth_rounds}`,
      `${count(r.cdktf_synth_empty_ms)} / ${count(r.cdktf_synth_100_ms)} ms: \`synth_100_to_empty_ratio\` ${r.synth_100_to_empty_ratio} ` +
      goal(r.synth_100_to_empty_ratio < SYNTH_GOALS.synth100ToEmptyRatio, `< ${SYNTH_GOALS.synth100ToEmptyRatio}`),
    ],
  ];
}

function tlsRows(r: any): string[][] {
  const rounds = (Object.values(r.rps_samples)[0] as number[]).length;
  return [
    [`\`redis-benchmark -t set,get -n 100000 -c 50\`, mean of SET and GET, median of ${rounds} interleaved rounds: bare host plaintext`, `${count(r.bare_host_plaintext_rps)} rps`],
    ['bare host, no Docker: HAProxy TLS in front of Redis (same `haproxy.cfg`)', `${count(r.bare_host_haproxy_tls_rps)} rps: ${r.bare_host_haproxy_tls_to_plaintext_ratio} of plaintext`],
    [
      `bare host, no Docker: native Redis TLS (same \`redis.conf\`) against its plaintext port (${count(r.bare_host_native_config_plaintext_rps)} rps)`,
      `${count(r.bare_host_native_tls_rps)} rps: ${r.bare_host_native_tls_to_plaintext_ratio}`,
    ],
    ['Docker plaintext (published port)', `${count(r.docker_plaintext_rps)} rps (${r.docker_to_bare_host_ratio} of bare host)`],
    ['Docker TLS via the HAProxy sidecar', `${count(r.sidecar_tls_rps)} rps: \`tls_to_plaintext_ratio\` ${r.tls_to_plaintext_ratio}`],
    [
      `Docker TLS, native Redis TLS (\`tlsMode: NATIVE\`) against the same database's plaintext (${count(r.native_db_plaintext_rps)} rps)`,
      `${count(r.native_tls_rps)} rps: \`native_tls_to_plaintext_ratio\` ${r.native_tls_to_plaintext_ratio}`,
    ],
    [
      "the containers' own addresses (no port publishing): Redis plaintext / sidecar TLS",
      `${count(r.container_address_plaintext_rps)} / ${count(r.container_address_sidecar_tls_rps)} rps: ${r.container_address_tls_to_plaintext_ratio}`,
    ],
    ['Redis container start to an authenticated TLS `PING` through the sidecar', `${r.time_to_ready_ms} ms (median of 5)`],
  ];
}

function backupRows(r: any): string[][] {
  const b = r.backup_restore;
  const rounds = b.samples.backup.length;
  return [
    [
      `backup of a ${Math.round(b.rdb_bytes / 2 ** 20)} MiB RDB (\`npx cdktf-docker-redis backup\`: snapshot through Redis's socket, b2sum, fsync, rename, prune), median of ${rounds}`,
      `${b.backup_seconds_per_gib} s/GiB`,
    ],
    [
      'floor: `redis-cli --rdb` to a file on the bare host, from a bare `redis-server` holding the same data',
      `${b.backup_floor_seconds_per_gib} s/GiB: \`backup_to_floor_ratio\` ${r.backup_to_floor_ratio} ${goal(r.backup_to_floor_ratio <= 1.3, '≤ 1.3')}`,
    ],
    [
      `restore of that backup into a new database (\`restoreFrom\`), Redis container start to the first \`PONG\`, median of ${b.samples.restore.length}`,
      `${b.restore_seconds_per_gib} s/GiB`,
    ],
    [
      'floor: a bare `redis-server` starting on the same RDB',
      `${b.restore_floor_seconds_per_gib} s/GiB: \`restore_to_floor_ratio\` ${r.restore_to_floor_ratio} ${goal(r.restore_to_floor_ratio <= 1.3, '≤ 1.3')}`,
    ],
    [
      'the same start with `sanitize-dump-payload yes`, the checks a restore makes',
      `${b.sanitized_load_seconds_per_gib} s/GiB: \`restore_to_sanitized_load_ratio\` ${r.restore_to_sanitized_load_ratio}`,
    ],
    [
      `\`b2sum\` / \`sha256sum\` of that RDB (GNU coreutils, file in the page cache), median of ${b.samples.b2sum.length}`,
      `${b.b2sum_seconds_per_gib} / ${b.sha256sum_seconds_per_gib} s/GiB`,
    ],
  ];
}

function multiHostRows(r: any): string[][] {
  const sync = r.cross_host_sync;
  const parts = (s: { seconds: number; waiting: number; transfer: number; load: number }) =>
    `${s.seconds.toFixed(1)} s (${[s.waiting, s.transfer, s.load].map((x) => x.toFixed(1)).join(' / ')})`;
  const pair = (c: any) => `${parts(c.same_host_plaintext)}, ${parts(c.cross_host)}`;
  const syncRounds = sync.native.same_host_plaintext.samples.length;
  return [
    [
      `failover across two Docker engines (\`RedisFailover\`, 3 Sentinels, \`downAfterMs\` at its default ${r.failover_down_after_ms}): primary container killed until a ` +
      `Sentinel-aware ioredis client writing every 10 ms gets a write acknowledged by the new primary, median of ${r.failover_seconds_samples.length}`,
      `${r.failover_seconds.toFixed(1)} s: \`failover_seconds\` ${goal(r.failover_seconds <= r.failover_goal_seconds, `≤ ${r.failover_goal_seconds} s`)}`,
    ],
    [
      `full sync of ${(sync.dataset.bytes / 2 ** 30).toFixed(2)} GiB (${count(sync.dataset.keys)} random values of ${count(sync.dataset.value_bytes)} bytes), \`REPLICAOF\` until ` +
      'the link is up, native TLS: a plaintext follower on the primary\'s engine, then a follower on the second engine over TLS; each as total (waiting / transfer / load), ' +
      `median of ${syncRounds}`,
      `${pair(sync.native)}: \`cross_host_tls_sync_ratio\` ${r.cross_host_tls_sync_ratio} ` +
      `${goal(r.cross_host_tls_sync_ratio <= r.cross_host_tls_sync_ratio_goal, `≤ ${r.cross_host_tls_sync_ratio_goal}`)}; transfer alone ${sync.native.transfer_ratio}`,
    ],
    [
      'the same with the TLS sidecar, the second engine\'s follower through its replication tunnel',
      `${pair(sync.sidecar_tunnel)}: \`cross_host_tunnel_sync_ratio\` ${r.cross_host_tunnel_sync_ratio}; transfer alone ${sync.sidecar_tunnel.transfer_ratio}`,
    ],
    [
      'the same as the native TLS row, with `rdbcompression no` on the primary',
      `${pair(sync.native_rdbcompression_no)}: ${sync.native_rdbcompression_no.ratio}; transfer alone ${sync.native_rdbcompression_no.transfer_ratio}`,
    ],
  ];
}

const ROWS: Record<SectionName, (results: any) => string[][]> = { synth: synthRows, tls: tlsRows, backup: backupRows, 'multi-host': multiHostRows };

/** The table, one section after another, each row with its section's recorded date and commit. */
export function benchmarkTable(results: any): string {
  const lines = [TABLE_HEADER, '|---|---|---|'];
  for (const section of SECTIONS) {
    const recorded: Recorded = results.recorded[section];
    const measured = `${recorded.date.slice(0, 10)}, ${recorded.commit.slice(0, 7)}${recorded.dirty ? ' with uncommitted changes' : ''}`;
    for (const [what, result] of ROWS[section](results)) lines.push(`| ${what} | ${result} | ${measured} |`);
  }
  return lines.join('\n');
}

/** Where README's table is: from its header line to the blank line after it. */
function tableBounds(readme: string): [number, number] {
  const start = readme.indexOf(`\n${TABLE_HEADER}\n`, readme.indexOf('\n## Benchmarks\n'));
  if (start < 0) throw new Error(`README.md: no "${TABLE_HEADER}" table under "## Benchmarks"`);
  const end = readme.indexOf('\n\n', start + 1);
  return [start + 1, end];
}

export function tableInReadme(readme: string): string {
  const [start, end] = tableBounds(readme);
  return readme.slice(start, end);
}

export function withBenchmarkTable(readme: string, results: any): string {
  const [start, end] = tableBounds(readme);
  return readme.slice(0, start) + benchmarkTable(results) + readme.slice(end);
}
