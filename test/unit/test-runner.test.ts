import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { STAGES, TOTAL_BUDGET_MS, runStages } = require('../../scripts/test');

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** A stage that runs a bit of JavaScript. */
function stage(name: string, script: string, extra: object = {}) {
  return { name, command: [process.execPath, '-e', script], budgetMs: 20_000, limitMs: 30_000, ...extra };
}

async function runFakes(stages: object[]) {
  const lines: string[] = [];
  const code = await runStages(stages, { stdio: 'ignore', log: (line: string) => lines.push(line) });
  return { code, lines };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls, at most `ms`, until `check` holds. */
async function within(ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm test (scripts/test.js)', () => {
  test('runs provisioning, build, typecheck, unit, the synthesis report, terraform, integration, e2e and e2e on Docker 28, in that order, each the npm script of its name', () => {
    expect(pkg.scripts.test).toBe('node scripts/test.js');
    expect(STAGES.map((s: any) => s.name)).toEqual(['provisioning', 'build', 'typecheck', 'unit', 'synthesis', 'terraform', 'integration', 'e2e', 'e2e-docker28']);
    expect(STAGES[0].command).toEqual(['node', 'scripts/provision-test-host.js']);
    const scripts = ['build', 'typecheck', 'test:unit', 'bench', 'test:terraform', 'test:integration', 'test:e2e', 'test:e2e-docker28'];
    // The last runs its suites inside Docker 28's network namespace, through the script that starts it.
    expect(pkg.scripts['test:e2e-docker28']).toMatch(/^bash scripts\/start-docker28\.sh run jest --runInBand --verbose( test\/e2e\/[a-z0-9-]+\.test\.ts)+$/);
    STAGES.slice(1).forEach((s: any, i: number) => {
      expect(s.command).toEqual(['npm', 'run', '--silent', scripts[i], ...(scripts[i] === 'bench' ? ['--', 'synth', '--report'] : [])]);
      expect(pkg.scripts[scripts[i]]).toBeDefined();
    });
  });

  test('.ci/run installs with npm ci, then runs npm test and nothing else', () => {
    const commands = fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8').split('\n')
      .filter((l) => /^(npm|node|bash) /.test(l));
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
  });

  test("prints each stage's wall time as it passes and a summary table at the end", async () => {
    const { code, lines } = await runFakes([stage('first', ''), stage('second', 'setTimeout(() => {}, 300)')]);
    expect(code).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(/^== first passed in \d+\.\d s, within its budget of 20\.0 s$/),
      expect.stringMatching(/^== second passed in \d+\.\d s, within its budget of 20\.0 s$/),
      '',
      'stage   result   wall time     budget',
      expect.stringMatching(/^first {3}passed {2} +\d+\.\d s +20\.0 s$/),
      expect.stringMatching(/^second {2}passed {2} +\d+\.\d s +20\.0 s$/),
      expect.stringMatching(/^total {12} +\d+\.\d s +40\.0 s$/),
    ]);
    expect(Number(/(\d+\.\d) s +20\.0 s$/.exec(lines[5])![1])).toBeGreaterThanOrEqual(0.3);
  });

  test('reports a stage that passes past its budget, in its line, the table and a closing line', async () => {
    const { code, lines } = await runFakes([stage('slow', 'setTimeout(() => {}, 300)', { budgetMs: 100 }), stage('quick', '')]);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^== slow passed in \d+\.\d s, OVER its budget of 0\.1 s$/);
    expect(lines).toContainEqual(expect.stringMatching(/^slow {3}passed {2} +\d+\.\d s +0\.1 s  OVER BUDGET$/));
    expect(lines).toContainEqual(expect.stringMatching(/^quick {2}passed {2} +\d+\.\d s +20\.0 s$/));
    expect(lines[lines.length - 1]).toBe('over budget: slow (README, "How this is tested", says what moves where when a suite outgrows its budget)');
  });

  test('gives every stage a budget within its time limit, the budgets adding up to 45 minutes', () => {
    expect(TOTAL_BUDGET_MS).toBe(45 * 60_000);
    expect(STAGES.reduce((sum: number, s: any) => sum + s.budgetMs, 0)).toBe(TOTAL_BUDGET_MS);
    for (const s of STAGES) expect(s.budgetMs).toBeLessThan(s.limitMs);
  });

  test('fails with the failing stage\'s exit code, runs no stage after it and marks those "not run"', async () => {
    const { code, lines } = await runFakes([stage('first', ''), stage('second', 'process.exit(3)'), stage('third', '')]);
    expect(code).toBe(3);
    expect(lines).toContainEqual(expect.stringMatching(/^== second FAILED \(exit code 3\) after \d+\.\d s$/));
    expect(lines).toContainEqual(expect.stringMatching(/^second {2}FAILED {2} +\d+\.\d s +20\.0 s$/));
    expect(lines).toContain('third   not run                20.0 s');
  });

  test('fails after a failing provisioning with nothing but the line provisioning printed', async () => {
    const { code, lines } = await runFakes([stage('provisioning', 'process.exit(1)', { explainsItsFailure: true }), stage('build', '')]);
    expect(code).toBe(1);
    expect(lines).toEqual([]);
  });

  test('fails a stage that outlives its limit, ending it and its children', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-runner-'));
    const pidFile = path.join(dir, 'pid');
    const hang = `const c = require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`;
    const { code, lines } = await runFakes([stage('hangs', hang, { limitMs: 1000 })]);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^== hangs FAILED \(killed after its limit of 1\.0 s\) after \d+\.\d s$/));
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    await within(5_000, () => !alive(grandchild));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('passes Ctrl-C on to the running stage, which ends, and still prints the summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-runner-'));
    const pidFile = path.join(dir, 'pid');
    const runner = `require(${JSON.stringify(path.join(root, 'scripts', 'test.js'))}).runStages([{ name: 'long', limitMs: 60000, command: [process.execPath, '-e', "require('fs').writeFileSync(${JSON.stringify(pidFile).replace(/"/g, '\\"')}, String(process.pid)); setInterval(() => {}, 1000)"] }]).then((code) => { process.exitCode = code; })`;
    const child = spawn(process.execPath, ['-e', runner], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await within(10_000, () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== '');
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(alive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(out).toMatch(/== long FAILED \(ended by SIGINT\)/);
    expect(out).toMatch(/\nlong {3}FAILED/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 20_000);
});
