/**
 * Clean-up on an interrupt: the bench's (test/support/leftovers.ts), in a
 * process of its own that owns its signals as the bench does, and the jest
 * reporter's for the Docker suites (test/support/interrupt-reporter.js), with
 * a docker on PATH that records its calls. No Docker engine is touched.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/processes';

const root = path.join(__dirname, '..', '..');

/** Sends `signal` once the process is ready; its exit code, or null when it had to be killed after 60 s. */
async function interrupt(run: { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> }, signal: NodeJS.Signals): Promise<number | null> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  try {
    await run.ready;
    run.child.kill(signal);
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A ts-node process that registers two clean-ups (the second unregistered again), says so, and waits for a signal. */
function interruptible(dir: string) {
  const script = `
    const fs = require('fs');
    const { onInterrupt } = require(${JSON.stringify(path.join(root, 'test', 'support', 'leftovers'))});
    const write = (name) => async () => fs.appendFileSync(${JSON.stringify(path.join(dir, 'order'))}, name + '\\n');
    onInterrupt(write('first'));
    onInterrupt(write('second'));
    onInterrupt(write('unregistered'))();
    console.log('ready');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json') },
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, stderr: () => stderr };
}

test.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('on %s runs the registered clean-ups, newest first, and exits with %i', async (signal, code) => {
  const dir = tempDir('interrupt');
  try {
    const p = interruptible(dir);
    expect(await interrupt(p, signal)).toBe(code);
    expect(p.stderr()).toContain(`${signal}: removing what this run created`);
    expect(fs.readFileSync(path.join(dir, 'order'), 'utf8')).toBe('second\nfirst\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 70_000);

describe('the jest reporter that cleans up after an interrupted Docker suite', () => {
  /** jest on a suite under test/e2e that waits forever, with a docker on PATH that records its calls and lists one object of each kind. */
  function interruptedJest(dir: string, suite = 'e2e') {
    fs.mkdirSync(path.join(dir, 'test', suite), { recursive: true });
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'test', suite, 'waits.test.js'), "test('waits', () => new Promise(() => { console.log('started'); }), 60000);\n");
    fs.writeFileSync(path.join(dir, 'jest.config.js'), `module.exports = { rootDir: ${JSON.stringify(dir)}, reporters: [${JSON.stringify(path.join(root, 'test', 'support', 'interrupt-reporter.js'))}] };\n`);
    fs.writeFileSync(path.join(dir, 'bin', 'docker'), [
      '#!/bin/bash',
      `echo "$*" >> ${dir}/calls`,
      'case "$*" in',
      '  "ps -aq --filter label=cdktf-docker-redis-test.run") echo labelled1 ;;',
      '  "ps -a --format {{.ID}} {{.Names}}") printf "c1 e2e-cache\\nc2 someone-else\\n" ;;',
      '  "network ls --format {{.Name}}") printf "bridge\\ne2e-cache\\ncdktf-mh-hosta\\n" ;;',
      '  "volume ls --format {{.Name}}") printf "e2e-cache-backups\\nmh-primary-data\\nkept\\n" ;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
    const child = spawn(process.execPath, [path.join(root, 'node_modules', '.bin', 'jest'), '--config', path.join(dir, 'jest.config.js'), '--runInBand'], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` },
    });
    let output = '';
    const ready = new Promise<void>((resolve) => {
      const seen = (d: Buffer) => {
        output += d;
        if (output.includes('started')) resolve();
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, ready, exited };
  }

  test.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('on %s removes the suites\' containers, networks and volumes, nothing else, and exits with %i', async (signal, code) => {
    const dir = tempDir('interrupted-jest');
    try {
      expect(await interrupt(interruptedJest(dir), signal)).toBe(code);
      expect(fs.readFileSync(path.join(dir, 'calls'), 'utf8').split('\n').filter((c) => !/^(ps|network ls|volume ls) /.test(c) && c)).toEqual([
        'rm -fv labelled1 c1',
        'network rm e2e-cache cdktf-mh-hosta',
        'volume rm -f e2e-cache-backups mh-primary-data',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);

  test('on SIGINT during unit tests only exits, touching no Docker object', async () => {
    const dir = tempDir('interrupted-jest');
    try {
      expect(await interrupt(interruptedJest(dir, 'unit'), 'SIGINT')).toBe(130);
      expect(fs.existsSync(path.join(dir, 'calls'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});
