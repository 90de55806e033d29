import * as fs from 'fs';
import * as path from 'path';
import { benchmarkTable, SECTIONS, tableInReadme } from '../../bench/readme-table';

/**
 * README's benchmark table is generated from bench/results.json (`npm run
 * bench` writes both); this regenerates it and compares, and keeps every
 * figure the prose around it states the recorded one.
 */
const root = path.join(__dirname, '..', '..');
const results = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results.json'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Benchmarks'), readme.indexOf('\n## ', readme.indexOf('## Benchmarks') + 1));

const count = (n: number) => Math.round(n).toLocaleString('en-US');

describe('README benchmark table', () => {
  test('is the table generated from the recorded figures, each row with its section\'s date and commit', () => {
    expect(tableInReadme(readme)).toBe(benchmarkTable(results));
    for (const name of SECTIONS) {
      expect({ name, commit: results.recorded[name].commit }).toEqual({ name, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
      expect(tableInReadme(readme)).toContain(` | ${results.recorded[name].date.slice(0, 10)}, ${results.recorded[name].commit.slice(0, 7)} |`);
    }
  });

  test('gives each section\'s figures a record of when they were measured, and every figure a section', () => {
    const owned = SECTIONS.flatMap((name) => results.recorded[name].keys as string[]);
    expect(new Set(owned).size).toBe(owned.length);
    expect(Object.keys(results).filter((k) => k !== 'recorded').sort()).toEqual([...owned].sort());
  });

  test('states the resources of the synthesized app as recorded', () => {
    expect(section).toContain(`databases, ${count(results.cdktf_synth_100_resources)} Terraform resources`);
  });

  test('states the recorded TLS ratios in its prose', () => {
    expect(section).toContain(`Redis's own TLS reaches ${results.bare_host_native_tls_to_plaintext_ratio} of plaintext and\n  HAProxy in front of Redis ${results.bare_host_haproxy_tls_to_plaintext_ratio}.`);
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

  test('states when and where the backup and multi-host rows were measured, and the spread of their rounds', () => {
    const b = results.backup_restore;
    expect(section).toContain(`(measured on ${results.recorded.backup.date.slice(0, 10)}, \`bench/backup.ts\``);
    expect(section).toContain(`The backup, restore, failover and full-sync rows were measured on ${results.recorded['multi-host'].date.slice(0, 10)}`);
    expect(results.recorded.backup.date.slice(0, 10)).toBe(results.recorded['multi-host'].date.slice(0, 10));
    expect(section).toContain(`on 2 cores of an Intel\n  Xeon with ${results.multi_host.machine.memory_gib} GiB`);
    expect(results.multi_host.machine).toMatchObject({ cpus: 2, cpu_model: expect.stringMatching(/^Intel\(R\) Xeon\(R\)/) });
    const rounds = results.failover_seconds_samples as number[];
    expect(section).toContain(`The rounds were ${Math.min(...rounds).toFixed(1)} to ${Math.max(...rounds).toFixed(1)} s.`);
    const restores = b.samples.restore as number[];
    expect(section).toContain(`a restore's from ${Math.min(...restores).toFixed(1)} to ${Math.max(...restores).toFixed(1)} s here (\`backup_restore.samples\`)`);
    expect(results.cross_host_tls_sync_ratio).toBe(results.cross_host_sync.native.ratio);
    expect(results.cross_host_tunnel_sync_ratio).toBe(results.cross_host_sync.sidecar_tunnel.ratio);
    // "almost three times as long", "longer than the server takes to load the file" (Backups, What a backup is).
    expect(b.sha256sum_seconds_per_gib / b.b2sum_seconds_per_gib).toBeGreaterThan(2.5);
    expect(b.sha256sum_seconds_per_gib / b.b2sum_seconds_per_gib).toBeLessThan(3);
    expect(b.sha256sum_seconds_per_gib).toBeGreaterThan(b.restore_floor_seconds_per_gib);
  });
});
