import * as fs from 'fs';
import * as path from 'path';

/**
 * README's benchmark table is copied by hand from bench/results.json; this
 * keeps every figure in it the recorded one, so a re-run of `npm run bench`
 * without updating README (or the reverse) fails here.
 */
const root = path.join(__dirname, '..', '..');
const results = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results.json'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Benchmarks'), readme.indexOf('\n## ', readme.indexOf('## Benchmarks') + 1));

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const synth = (n: number) => results.synth_in_process.find((r: { count: number }) => r.count === n);

describe('README benchmark table', () => {
  test('states the date and the recorded synthesis figures', () => {
    expect(section).toContain(`Measured on ${results.date.slice(0, 10)}`);
    expect(section).toContain(`${[1, 10, 100, 500].map((n) => count(synth(n).elapsedMs)).join(' / ')} ms`);
    expect(section).toContain([1, 10, 100, 500].map((n) => results[`synth_ms_per_database_${n}`].toFixed(1)).join(' / '));
    expect(section).toContain(`peak RSS ${[1, 10, 100, 500].map((n) => Math.round(synth(n).peakRssMb)).join(' / ')} MB`);
    expect(section).toContain(`${(results.plan_bytes_per_database / 1024).toFixed(1)} KiB per database`);
    expect(section).toContain(`${count(results.cdktf_synth_empty_ms)} / ${count(results.cdktf_synth_100_ms)} ms: \`synth_100_to_empty_ratio\` ${results.synth_100_to_empty_ratio}`);
  });

  test('states the recorded throughput, ratios and time to ready', () => {
    for (const key of Object.keys(results).filter((k) => k.endsWith('_rps'))) {
      expect({ key, inReadme: section.includes(count(results[key])) }).toEqual({ key, inReadme: true });
    }
    expect(section).toContain(`\`tls_to_plaintext_ratio\` ${results.tls_to_plaintext_ratio}`);
    expect(section).toContain(`\`native_tls_to_plaintext_ratio\` ${results.native_tls_to_plaintext_ratio}`);
    expect(section).toContain(`rps: ${results.bare_host_haproxy_tls_to_plaintext_ratio} of plaintext`);
    expect(section).toContain(`rps: ${results.bare_host_native_tls_to_plaintext_ratio} |`);
    expect(section).toContain(`(${results.docker_to_bare_host_ratio} of bare host)`);
    expect(section).toContain(`rps: ${results.container_address_tls_to_plaintext_ratio} |`);
    expect(section).toContain(`${results.time_to_ready_ms} ms (median of 5)`);
  });

  test('states the time the userland proxy adds per request as the recorded rows give it', () => {
    const microsecondsPerRequest = (rps: number) => 1e6 / rps;
    const added = [
      ['docker_plaintext_rps', 'bare_host_plaintext_rps'],
      ['sidecar_tls_rps', 'bare_host_haproxy_tls_rps'],
      ['native_db_plaintext_rps', 'bare_host_native_config_plaintext_rps'],
      ['native_tls_rps', 'bare_host_native_tls_rps'],
    ].map(([docker, bare]) => Math.round(microsecondsPerRequest(results[docker]) - microsecondsPerRequest(results[bare])));
    const [low, high] = [Math.min(...added), Math.max(...added)];
    expect(section).toContain(`(${low}-${high} µs here, from the rows above)`);
  });

  test('states the recorded failover time and cross-host sync figures, each against its goal', () => {
    expect(section).toContain(`\`downAfterMs\` at its default ${results.failover_down_after_ms}`);
    expect(section).toContain(`${results.failover_seconds.toFixed(1)} s: \`failover_seconds\` (goal ≤ ${results.failover_goal_seconds} s)`);
    const sync = results.cross_host_sync;
    expect(section).toContain(`${(sync.dataset.bytes / 2 ** 30).toFixed(2)} GiB (${count(sync.dataset.keys)} random values of ${count(sync.dataset.value_bytes)} bytes)`);
    const parts = (s: { seconds: number; waiting: number; transfer: number; load: number }) =>
      `${s.seconds.toFixed(1)} s (${[s.waiting, s.transfer, s.load].map((x) => x.toFixed(1)).join(' / ')})`;
    const pair = (c: any) => `${parts(c.same_host_plaintext)}, ${parts(c.cross_host)}`;
    expect(section).toContain(`| ${pair(sync.native)}: \`cross_host_tls_sync_ratio\` ${results.cross_host_tls_sync_ratio} (goal ≤ ${results.cross_host_tls_sync_ratio_goal}); transfer alone ${sync.native.transfer_ratio} |`);
    expect(section).toContain(`| ${pair(sync.sidecar_tunnel)}: \`cross_host_tunnel_sync_ratio\` ${results.cross_host_tunnel_sync_ratio}; transfer alone ${sync.sidecar_tunnel.transfer_ratio} |`);
    expect(section).toContain(`| ${pair(sync.native_rdbcompression_no)}: ${sync.native_rdbcompression_no.ratio}; transfer alone ${sync.native_rdbcompression_no.transfer_ratio} |`);
    expect(section).toContain(`on 2 cores of an Intel\n  Xeon with ${results.multi_host.machine.memory_gib} GiB`);
    expect(results.multi_host.machine).toMatchObject({ cpus: 2, cpu_model: expect.stringMatching(/^Intel\(R\) Xeon\(R\)/) });
    const rounds = results.failover_seconds_samples as number[];
    expect(section).toContain(`The rounds were ${Math.min(...rounds).toFixed(1)} to ${Math.max(...rounds).toFixed(1)} s.`);
    expect(results.cross_host_tls_sync_ratio).toBe(sync.native.ratio);
    expect(results.cross_host_tunnel_sync_ratio).toBe(sync.sidecar_tunnel.ratio);
  });

  test('states the recorded backup and restore figures, each beside its floor and goal', () => {
    const b = results.backup_restore;
    expect(section).toContain(`backup of a ${Math.round(b.rdb_bytes / 2 ** 20)} MiB RDB`);
    expect(section).toContain(`median of ${b.samples.backup.length} | ${b.backup_seconds_per_gib} s/GiB |`);
    expect(section).toContain(`| ${b.backup_floor_seconds_per_gib} s/GiB: \`backup_to_floor_ratio\` ${results.backup_to_floor_ratio} (goal ≤ 1.3) |`);
    expect(section).toContain(`median of ${b.samples.restore.length} | ${b.restore_seconds_per_gib} s/GiB |`);
    const met = results.restore_to_floor_ratio <= 1.3 ? '' : ': not met';
    expect(section).toContain(`| ${b.restore_floor_seconds_per_gib} s/GiB: \`restore_to_floor_ratio\` ${results.restore_to_floor_ratio} (goal ≤ 1.3${met}) |`);
    expect(section).toContain(`| ${b.sanitized_load_seconds_per_gib} s/GiB: \`restore_to_sanitized_load_ratio\` ${results.restore_to_sanitized_load_ratio} |`);
    expect(section).toContain(`(measured on ${b.date.slice(0, 10)}, \`bench/backup.ts\``);
    const restores = b.samples.restore as number[];
    expect(section).toContain(`a restore's from ${Math.min(...restores).toFixed(1)} to ${Math.max(...restores).toFixed(1)} s here (\`backup_restore.samples\`)`);
    expect(section).toContain(`median of ${b.samples.b2sum.length} | ${b.b2sum_seconds_per_gib} / ${b.sha256sum_seconds_per_gib} s/GiB |`);
    // "almost three times as long", "longer than the server takes to load the file" (Backups, What a backup is).
    expect(b.sha256sum_seconds_per_gib / b.b2sum_seconds_per_gib).toBeGreaterThan(2.5);
    expect(b.sha256sum_seconds_per_gib / b.b2sum_seconds_per_gib).toBeLessThan(3);
    expect(b.sha256sum_seconds_per_gib).toBeGreaterThan(b.restore_floor_seconds_per_gib);
  });
});
