/**
 * Which Docker engine the e2e suites run on. By default the machine's own
 * (scripts/start-dockerd.sh, Debian's 20.10). Run through
 * `bash scripts/start-docker28.sh run …` (npm test's e2e-docker28 stage), they
 * run on Docker 28 instead: that sets DOCKER_HOST, which the stand-in's
 * provider configurations, the suites' own Engine API calls and the docker CLI
 * all follow, and runs the suite inside the engine's network namespace, where
 * 127.0.0.1 is that engine's loopback as on a host of its own.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { DEFAULT_DOCKER_HOST } from './standin/engine';
import { waitFor } from '../support/processes';

const run = promisify(execFile);
const SCRIPTS = path.join(__dirname, '..', '..', 'scripts');

export interface TestEngine {
  /** `main` or `docker28`. */
  readonly name: string;
  /** The Docker host the suites reach it at. */
  readonly host: string;
  /** What to run when it does not answer. */
  readonly startHint: string;
  /** Restarts the engine the way a host reboot does: containers stop and come back by their restart policy. */
  restart(): Promise<void>;
}

const DOCKER28_HOST = 'unix:///run/cdktf-docker-redis-docker28.sock';

async function exited(pid: number): Promise<void> {
  await waitFor('dockerd to exit', async () => {
    const state = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] : 'gone';
    return state === 'gone' || state === 'Z' ? true : undefined;
  }, 90_000, 250);
}

const main: TestEngine = {
  name: 'main',
  host: DEFAULT_DOCKER_HOST,
  startHint: 'run scripts/start-dockerd.sh',
  async restart() {
    const ours = '/run/cdktf-docker-redis-dockerd.pid';
    const pid = fs.existsSync('/var/run/docker.pid') ? Number(fs.readFileSync('/var/run/docker.pid', 'utf8')) : NaN;
    if (fs.existsSync(ours) && Number(fs.readFileSync(ours, 'utf8')) === pid) {
      process.kill(pid, 'SIGTERM');
      await exited(pid);
      await run('bash', [path.join(SCRIPTS, 'start-dockerd.sh')], { timeout: 120_000 });
    } else {
      await run('systemctl', ['restart', 'docker'], { timeout: 120_000 }).catch((e) => {
        throw new Error(`cannot restart the Docker daemon: it was not started by scripts/start-dockerd.sh and systemctl failed (${e.message})`);
      });
    }
  },
};

const docker28: TestEngine = {
  name: 'docker28',
  host: DOCKER28_HOST,
  startHint: 'run the suite through: bash scripts/start-docker28.sh run npx jest …',
  async restart() {
    // The script stops it with SIGTERM (bounded) and starts it again in its namespace.
    await run('bash', [path.join(SCRIPTS, 'start-docker28.sh'), 'restart'], { timeout: 240_000 });
  },
};

/** The engine an environment names; anything inconsistent fails, naming what to set. */
export function selectTestEngine(env: NodeJS.ProcessEnv): TestEngine {
  const wanted = env.CDKTF_DOCKER_REDIS_TEST_ENGINE;
  if (wanted === undefined || wanted === 'main') {
    if (env.DOCKER_HOST && env.DOCKER_HOST !== DEFAULT_DOCKER_HOST) {
      throw new Error(`DOCKER_HOST is ${env.DOCKER_HOST}: the e2e suites run on the machine's engine (${DEFAULT_DOCKER_HOST}) or, through scripts/start-docker28.sh run, on Docker 28; unset it`);
    }
    return main;
  }
  if (wanted === 'docker28') {
    if (env.DOCKER_HOST !== DOCKER28_HOST) {
      throw new Error(`CDKTF_DOCKER_REDIS_TEST_ENGINE=docker28 needs DOCKER_HOST=${DOCKER28_HOST} (got ${env.DOCKER_HOST ?? 'nothing'}): ${docker28.startHint}`);
    }
    return docker28;
  }
  throw new Error(`CDKTF_DOCKER_REDIS_TEST_ENGINE is "${wanted}": it must be main or docker28`);
}

export const TEST_ENGINE = selectTestEngine(process.env);
