#!/usr/bin/env node
// `npm test`: provisions this machine for the suites, then builds, type-checks
// and runs every suite, printing each stage's wall time against its budget and
// a summary table.
'use strict';
const { spawn } = require('child_process');

const MINUTE = 60_000;

/**
 * The stages in order. Each has a budget, its share of the 45 minutes a whole
 * run may take on a 2-core machine from a fresh one (provisioning included):
 * a stage past it is reported, and a suite that keeps outgrowing it moves to a
 * CI job of its own (see README, "How this is tested"). Each also has a time
 * limit against hangs: past it the stage is killed with its children.
 */
const STAGES = [
  // Its failure is one line that says what to run; nothing follows it.
  { name: 'provisioning', command: ['node', 'scripts/provision-test-host.js'], budgetMs: 8 * MINUTE, limitMs: 25 * MINUTE, explainsItsFailure: true },
  { name: 'build', command: ['npm', 'run', '--silent', 'build'], budgetMs: 2 * MINUTE, limitMs: 10 * MINUTE },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'], budgetMs: 2 * MINUTE, limitMs: 10 * MINUTE },
  { name: 'unit', command: ['npm', 'run', '--silent', 'test:unit'], budgetMs: 5 * MINUTE, limitMs: 20 * MINUTE },
  // Today's synthesis figures beside the recorded ones (bench/run.ts): a report, which fails on no number.
  { name: 'synthesis', command: ['npm', 'run', '--silent', 'bench', '--', 'synth', '--report'], budgetMs: 2 * MINUTE, limitMs: 10 * MINUTE },
  { name: 'terraform', command: ['npm', 'run', '--silent', 'test:terraform'], budgetMs: 3 * MINUTE, limitMs: 10 * MINUTE },
  { name: 'integration', command: ['npm', 'run', '--silent', 'test:integration'], budgetMs: 8 * MINUTE, limitMs: 20 * MINUTE },
  { name: 'e2e', command: ['npm', 'run', '--silent', 'test:e2e'], budgetMs: 11 * MINUTE, limitMs: 30 * MINUTE },
  // The deployment, day-two, endpoints, IPv6 and userland-proxy suites again, on Docker 28 in its network namespace (scripts/start-docker28.sh).
  { name: 'e2e-docker28', command: ['npm', 'run', '--silent', 'test:e2e-docker28'], budgetMs: 4 * MINUTE, limitMs: 15 * MINUTE },
];

/** What a whole run may take: the stages' budgets add up to it. */
const TOTAL_BUDGET_MS = 45 * MINUTE;

/** Runs one stage in a process group of its own, so a timeout ends its children too. */
function runStage(stage, options) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(stage.command[0], stage.command.slice(1), { cwd: options.cwd, stdio: options.stdio, detached: true });
    let timedOut = false;
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, stage.limitMs);
    // The terminal's Ctrl-C reaches only this process's group: pass it on, and
    // the stage ends as interrupted instead of running on unseen.
    process.on('SIGINT', killGroup);
    process.on('SIGTERM', killGroup);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', killGroup);
      process.off('SIGTERM', killGroup);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      resolve({ code: code ?? 1, seconds, timedOut, signal });
    });
  });
}

function format(seconds) {
  return `${seconds.toFixed(1)} s`;
}

/** `within its budget of X`, or `OVER its budget of X` when `seconds` went past it. */
function againstBudget(seconds, budgetMs) {
  return `${seconds * 1000 > budgetMs ? 'OVER' : 'within'} its budget of ${format(budgetMs / 1000)}`;
}

/** Runs the stages until one fails; returns the exit code. */
async function runStages(stages, { cwd = process.cwd(), stdio = 'inherit', log = (line) => console.log(line) } = {}) {
  const results = [];
  for (const stage of stages) {
    const result = await runStage(stage, { cwd, stdio });
    results.push({ stage, ...result });
    if (result.code === 0) {
      log(`== ${stage.name} passed in ${format(result.seconds)}, ${againstBudget(result.seconds, stage.budgetMs)}`);
      continue;
    }
    if (stage.explainsItsFailure) return result.code;
    const why = result.timedOut ? `killed after its limit of ${format(stage.limitMs / 1000)}` : result.signal ? `ended by ${result.signal}` : `exit code ${result.code}`;
    log(`== ${stage.name} FAILED (${why}) after ${format(result.seconds)}`);
    break;
  }
  const nameWidth = Math.max(...stages.map((s) => s.name.length), 'total'.length);
  log('');
  log(`${'stage'.padEnd(nameWidth)}  result   wall time     budget`);
  const row = (name, outcome, seconds, budgetMs) => {
    const over = seconds !== undefined && seconds * 1000 > budgetMs ? '  OVER BUDGET' : '';
    return `${name.padEnd(nameWidth)}  ${outcome.padEnd(7)}  ${seconds === undefined ? ''.padStart(9) : format(seconds).padStart(9)}  ${format(budgetMs / 1000).padStart(9)}${over}`;
  };
  for (const stage of stages) {
    const result = results.find((r) => r.stage === stage);
    const outcome = !result ? 'not run' : result.code === 0 ? 'passed' : 'FAILED';
    log(row(stage.name, outcome, result?.seconds, stage.budgetMs));
  }
  log(row('total', '', results.reduce((sum, r) => sum + r.seconds, 0), stages.reduce((sum, s) => sum + s.budgetMs, 0)));
  const over = results.filter((r) => r.seconds * 1000 > r.stage.budgetMs).map((r) => r.stage.name);
  if (over.length > 0) log(`over budget: ${over.join(', ')} (README, "How this is tested", says what moves where when a suite outgrows its budget)`);
  const failed = results.find((r) => r.code !== 0);
  return failed ? failed.code : 0;
}

module.exports = { STAGES, TOTAL_BUDGET_MS, runStages };

if (require.main === module) {
  runStages(STAGES).then((code) => {
    process.exitCode = code;
  });
}
