/**
 * `npm run bench -- [SECTION...] [--report]`: what synthesis, TLS, Docker,
 * backups and a second host cost, measured on this machine. Sections:
 *
 * - `synth` (bench/synth.ts): in-process and `cdktf synth`; about a minute, no Docker.
 * - `tls` (bench/tls.ts), `backup` (bench/backup.ts), `multi-host`
 *   (bench/multi-host.ts): what the e2e suite needs, and over half an hour together.
 *
 * With none named it runs all four. Each section run replaces that
 * section's figures in bench/results.json and records its date, commit and
 * machine under `recorded.SECTION`; README's table is then regenerated from
 * the file (bench/readme-table.ts), every row beside its section's date and
 * commit. Not a test: nothing here passes or fails on a number.
 *
 * `--report` measures and prints the figures beside the recorded ones and
 * writes nothing: `npm test` runs `synth --report`, so every test run shows
 * whether the recorded synthesis figures still hold for the code.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stopAll, tempDir } from '../test/support/processes';
import { Recorded, SectionName, SECTIONS, withBenchmarkTable } from './readme-table';

const REPO = path.join(__dirname, '..');
const RESULTS = path.join(__dirname, 'results.json');
const README = path.join(REPO, 'README.md');
/** The name of everything the Docker sections create on the default engine starts with it. */
const BENCH_PREFIX = 'bench-';

/** Each section, loaded only when it runs: the Docker ones pull in the e2e support code. */
const RUNNERS: Record<SectionName, (workDir: string, results: Record<string, unknown>, table: string[][]) => Promise<void>> = {
  synth: async (workDir, results, table) => (await import('./synth')).synthesis(workDir, results, table),
  tls: async (_workDir, results, table) => (await import('./tls')).tlsAndDocker(results, table),
  backup: async (_workDir, results, table) => (await import('./backup')).backupAndRestore(results, table),
  'multi-host': async (_workDir, results, table) => (await import('./multi-host')).multiHost(results, table),
};

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
}

/** The commit whose code is measured; `dirty` when lib/ or bench/ (its results aside) differ from it. */
function measuredCommit(): { commit: string; dirty?: boolean } {
  const commit = git('rev-parse', 'HEAD');
  return git('status', '--porcelain', '--', 'lib', 'bench', ':!bench/results.json') === '' ? { commit } : { commit, dirty: true };
}

function machine() {
  return { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() };
}

function printTable(table: string[][]): void {
  const width = Math.max(...table.map((row) => row[0].length));
  for (const [what, value] of table) console.log(`${what.padEnd(width)}  ${value}`);
}

/** The recorded value of each figure this run measured, for `--report`. */
function printBesideRecorded(section: SectionName, figures: Record<string, unknown>, results: Record<string, any>): void {
  const recorded: Recorded | undefined = results.recorded?.[section];
  console.log(`${section}: now, and as recorded${recorded ? ` on ${recorded.date.slice(0, 10)} at ${recorded.commit.slice(0, 7)}` : ' (nothing yet)'}:`);
  for (const [key, value] of Object.entries(figures)) {
    if (typeof value !== 'number') continue;
    console.log(`  ${key.padEnd(36)} ${String(value).padStart(10)}  ${String(results[key] ?? '-').padStart(10)}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const report = args.includes('--report');
  const named = args.filter((a) => a !== '--report');
  const unknown = named.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: the sections are ${SECTIONS.join(', ')}`);
  const sections = named.length > 0 ? SECTIONS.filter((s) => named.includes(s)) : [...SECTIONS];

  const results = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  const workDir = tempDir('bench');
  // What an interrupted run left goes first, and what this one leaves (the -backups volumes no destroy
  // removes, anything after a failure) last; synthesis alone touches no Docker engine.
  const leftovers = sections.some((s) => s !== 'synth') ? await import('../test/support/leftovers') : undefined;
  await leftovers?.removeAllNamed(BENCH_PREFIX);
  const offInterrupt = leftovers?.onInterrupt(async () => {
    await stopAll();
    await leftovers.removeAllNamed(BENCH_PREFIX);
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  try {
    for (const section of sections) {
      const table: string[][] = [];
      const figures: Record<string, unknown> = {};
      const started = { date: new Date().toISOString(), ...measuredCommit() };
      await RUNNERS[section](workDir, figures, table);
      console.log(`== ${section}, machine ${JSON.stringify(machine())}`);
      printTable(table);
      if (report) {
        printBesideRecorded(section, figures, results);
        continue;
      }
      for (const key of results.recorded[section]?.keys ?? []) delete results[key];
      Object.assign(results, figures);
      results.recorded[section] = { ...started, machine: machine(), keys: Object.keys(figures) };
      // Written after each section, so a later one that fails loses nothing of the earlier ones.
      fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
      fs.writeFileSync(README, withBenchmarkTable(fs.readFileSync(README, 'utf8'), results));
      console.log(`recorded: bench/results.json (recorded.${section}) and README's table`);
    }
  } finally {
    offInterrupt?.();
    await leftovers?.removeAllNamed(BENCH_PREFIX);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
