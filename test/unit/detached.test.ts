/**
 * scripts/detached.sh's run_detached, which start-dockerd.sh and
 * start-docker28.sh start their engines with: run for real on a small command
 * that reports its own fds, process group and session.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const script = path.join(__dirname, '..', '..', 'scripts', 'detached.sh');

test('the command runs in a session and group of its own, with none of the caller\'s files beyond 0-2, its output in the log, and DETACHED_PID its pid', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-detached-'));
  try {
    const log = path.join(dir, 'log');
    // The caller holds fd 7 open (as a test run holds its lock); the command lists its fds, then its pid, pgrp and session.
    // `ls -m` alone, not a pipeline: while a pipeline's first command runs, the shell holds the pipes' fds itself.
    const report = `sh -c 'ls -m /proc/$$/fd; echo "$$ $(cut -d " " -f 5,6 /proc/$$/stat)"'`;
    const caller = [
      'set -euo pipefail',
      `. ${JSON.stringify(script)}`,
      `exec 7>${JSON.stringify(path.join(dir, 'lock'))}`,
      `${report} | sed -n 1p`,
      `run_detached ${JSON.stringify(log)} ${report}`,
      'wait "$DETACHED_PID"',
      'echo "$DETACHED_PID $$"',
    ].join('\n');
    const result = spawnSync('bash', ['-c', caller], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [inherited, pids] = result.stdout.trim().split('\n');
    // Run directly, the same command inherits the caller's fd 7.
    expect(inherited.trim().split(/,\s*/)).toContain('7');
    const [detachedPid, callerPid] = pids.split(' ').map(Number);
    const [fds, ids] = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(fds.trim().split(/,\s*/)).toEqual(['0', '1', '2']);
    const [pid, pgrp, session] = ids.split(' ').map(Number);
    expect(pid).toBe(detachedPid);
    expect(pgrp).toBe(pid);
    expect(session).toBe(pid);
    expect(session).not.toBe(callerPid);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
