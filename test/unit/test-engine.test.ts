/**
 * How the e2e suites pick their engine (test/e2e/test-engine.ts): the
 * machine's by default, Docker 28 only with both variables
 * scripts/start-docker28.sh run sets, and a clear error for anything between.
 */
import { selectTestEngine } from '../e2e/test-engine';

const DOCKER28 = 'unix:///run/cdktf-docker-redis-docker28.sock';

test('the machine\'s engine by default, or when DOCKER_HOST names its socket', () => {
  expect(selectTestEngine({})).toMatchObject({ name: 'main', host: 'unix:///var/run/docker.sock' });
  expect(selectTestEngine({ DOCKER_HOST: 'unix:///var/run/docker.sock' }).name).toBe('main');
  expect(selectTestEngine({ CDKTF_DOCKER_REDIS_TEST_ENGINE: 'main' }).name).toBe('main');
});

test('Docker 28 with the engine variable and its socket, as start-docker28.sh run sets them', () => {
  expect(selectTestEngine({ CDKTF_DOCKER_REDIS_TEST_ENGINE: 'docker28', DOCKER_HOST: DOCKER28 })).toMatchObject({ name: 'docker28', host: DOCKER28 });
});

test('refuses a DOCKER_HOST the suites would only half follow, and an unknown engine', () => {
  expect(() => selectTestEngine({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toThrow(
    'DOCKER_HOST is tcp://10.0.0.5:2375: the e2e suites run on the machine\'s engine (unix:///var/run/docker.sock) or, through scripts/start-docker28.sh run, on Docker 28; unset it',
  );
  expect(() => selectTestEngine({ CDKTF_DOCKER_REDIS_TEST_ENGINE: 'docker28' })).toThrow(
    `CDKTF_DOCKER_REDIS_TEST_ENGINE=docker28 needs DOCKER_HOST=${DOCKER28} (got nothing): run the suite through: bash scripts/start-docker28.sh run npx jest …`,
  );
  expect(() => selectTestEngine({ CDKTF_DOCKER_REDIS_TEST_ENGINE: 'docker29', DOCKER_HOST: DOCKER28 })).toThrow('CDKTF_DOCKER_REDIS_TEST_ENGINE is "docker29": it must be main or docker28');
});
