#!/usr/bin/env node
// `npm test`: provisions this machine for the suites, then builds, type-checks
// and runs every suite, printing each stage's wall time and a summary table.
'use strict';
const { spawn } = require('child_process');

const MINUTE = 60_000;

/**
 * The stages in order. Each has a time limit against hangs (it is killed with
 * its children past it), not a budget: a whole run takes minutes.
 */
const STAGES = [
  // Its failure is one line that says what to run; nothing follows it.
  { name: 'provisioning', command: ['node', 'scripts/provision-test-host.js'], limitMs: 25 * MINUTE, explainsItsFailure: true },
  { name: 'build', command: ['npm', 'run', '--silent', 'build'], limitMs: 10 * MINUTE },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'], limitMs: 10 * MINUTE },
  { name: 'unit', command: ['npm', 'run', '--silent', 'test:unit'], limitMs: 20 * MINUTE },
  // Today's synthesis figures beside the recorded ones (bench/run.ts): a report, which fails on no number.
  { name: 'synthesis', command: ['npm', 'run', '--silent', 'bench', '--', 'synth', '--report'], limitMs: 10 * MINUTE },
  { name: 'terraform', command: ['npm', 'run', '--silent', 'test:terraform'], limitMs: 10 * MINUTE },
  { name: 'integration', command: ['npm', 'run', '--silent', 'test:integration'], limitMs: 20 * MINUTE },
  { name: 'e2e', command: ['npm', 'run', '--silent', 'test:e2e'], limitMs: 30 * MINUTE },
];

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

/** Runs the stages until one fails; returns the exit code. */
async function runStages(stages, { cwd = process.cwd(), stdio = 'inherit', log = (line) => console.log(line) } = {}) {
  const results = [];
  for (const stage of stages) {
    const result = await runStage(stage, { cwd, stdio });
    results.push({ stage, ...result });
    if (result.code === 0) {
      log(`== ${stage.name} passed in ${format(result.seconds)}`);
      continue;
    }
    if (stage.explainsItsFailure) return result.code;
    const why = result.timedOut ? `killed after its limit of ${format(stage.limitMs / 1000)}` : result.signal ? `ended by ${result.signal}` : `exit code ${result.code}`;
    log(`== ${stage.name} FAILED (${why}) after ${format(result.seconds)}`);
    break;
  }
  const nameWidth = Math.max(...stages.map((s) => s.name.length), 'total'.length);
  log('');
  log(`${'stage'.padEnd(nameWidth)}  result   wall time`);
  for (const stage of stages) {
    const result = results.find((r) => r.stage === stage);
    const outcome = !result ? 'not run' : result.code === 0 ? 'passed' : 'FAILED';
    log(`${stage.name.padEnd(nameWidth)}  ${outcome.padEnd(7)}  ${result ? format(result.seconds).padStart(9) : ''}`.trimEnd());
  }
  log(`${'total'.padEnd(nameWidth)}           ${format(results.reduce((sum, r) => sum + r.seconds, 0)).padStart(9)}`);
  const failed = results.find((r) => r.code !== 0);
  return failed ? failed.code : 0;
}

module.exports = { STAGES, runStages };

if (require.main === module) {
  runStages(STAGES).then((code) => {
    process.exitCode = code;
  });
}
