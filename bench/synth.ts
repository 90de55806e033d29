/**
 * The `synth` section of bench/run.ts (`npm run bench -- synth`): what
 * synthesis costs, in-process and as a whole `cdktf synth`, against the
 * goals (`SYNTH_GOALS`). Needs no Docker: only a jsii build (lib/*.js) and
 * the cdktf CLI of node_modules. It takes about a minute, so `npm test` runs
 * it too, as a report.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SYNTH_COUNTS } from './readme-table';
import { median, round2 } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REPO = path.join(__dirname, '..');
const HUNDRED = 100;

interface WorkerRun {
  readonly count: number;
  readonly elapsedMs: number;
  readonly peakRssMb: number;
  readonly planBytes: number;
}

/**
 * `bench/synth-worker.js` for each count, a fresh process per run, the
 * counts interleaved round by round so a busy moment of the machine (its 2
 * cores are shared) weighs on all of them alike; medians of the rounds.
 */
function inProcessSynth(results: Record<string, unknown>, table: string[][]): void {
  const worker = path.join(__dirname, 'synth-worker.js');
  const counts = [0, ...SYNTH_COUNTS];
  const samples = new Map<number, WorkerRun[]>(counts.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const count of counts) samples.get(count)!.push(JSON.parse(execFileSync('node', [worker, String(count)], { encoding: 'utf8' })));
  }
  const runs = counts.map((count) => {
    const of = samples.get(count)!;
    return {
      count,
      elapsedMs: median(of.map((r) => r.elapsedMs)),
      peakRssMb: median(of.map((r) => r.peakRssMb)),
      planBytes: of[0].planBytes,
      samplesMs: of.map((r) => round2(r.elapsedMs)),
    };
  });
  const empty = runs[0];
  results.synth_in_process = runs;
  for (const r of runs.slice(1)) {
    const msPerDb = (r.elapsedMs - empty.elapsedMs) / r.count;
    const kibPerDb = (r.planBytes - empty.planBytes) / r.count / 1024;
    results[`synth_ms_per_database_${r.count}`] = round2(msPerDb);
    table.push([`in-process synth, ${r.count} databases`, `${Math.round(r.elapsedMs)} ms (${msPerDb.toFixed(1)} ms/db), peak RSS ${Math.round(r.peakRssMb)} MB, plan ${kibPerDb.toFixed(1)} KiB/db`]);
  }
  const hundred = runs.find((r) => r.count === HUNDRED)!;
  results.plan_bytes_per_database = Math.round((hundred.planBytes - empty.planBytes) / HUNDRED);
}

/** A whole `cdktf synth` process, as a user runs it: an empty app against one with 100 databases, interleaved. */
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
  const hundredDir = appDir(HUNDRED);
  const empty: number[] = [];
  const hundred: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    empty.push(timeSynth(emptyDir));
    hundred.push(timeSynth(hundredDir));
  }
  const plan = JSON.parse(fs.readFileSync(path.join(hundredDir, 'cdktf.out', 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  const resources = Object.values(plan.resource as Record<string, object>).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
  results.cdktf_synth_rounds = ROUNDS;
  results.cdktf_synth_100_resources = resources;
  results.cdktf_synth_empty_ms = Math.round(median(empty));
  results.cdktf_synth_100_ms = Math.round(median(hundred));
  results.synth_100_to_empty_ratio = round2(median(hundred) / median(empty));
  table.push(['`cdktf synth` process, empty app', `${results.cdktf_synth_empty_ms} ms (median of ${ROUNDS})`]);
  table.push([`\`cdktf synth\` process, 100 databases (${resources} resources)`, `${results.cdktf_synth_100_ms} ms (median of ${ROUNDS})`]);
  table.push(['100 databases / empty (synth_100_to_empty_ratio)', String(results.synth_100_to_empty_ratio)]);
}

/** Both, in the same run: the goals are about one machine at one time. */
export function synthesis(workDir: string, results: Record<string, unknown>, table: string[][]): void {
  if (!fs.existsSync(path.join(REPO, 'lib', 'index.js'))) throw new Error('no jsii build: run `npm run build` first');
  inProcessSynth(results, table);
  cdktfSynthProcess(workDir, results, table);
}
