/**
 * A jest reporter, because it runs in jest's own process: test files get a
 * process object that signals never reach, so a Ctrl-C or a time limit's
 * SIGTERM ends jest without any afterAll. Once a Docker suite (integration or
 * e2e) has started, this removes on SIGINT or SIGTERM what those suites create
 * on the default engine, then exits as the signal would. (Each suite also
 * removes an earlier run's leftovers when it starts.) The second engines the
 * suites start are jest's children: the signal ends them too, and the next
 * start removes their roots.
 */
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

/**
 * Where Docker names of the suites start, with the suites that use them. A
 * new suite's names start with one of these (e2e-<suite>-…), or add its own.
 */
const SUITE_NAME_PREFIXES = [
  'e2e-', // deployment, backups, valkey-metrics, failed-start
  'mh-', // multi-host, on engine A
  'cdktf-mh-hosta', // multi-host's network on engine A
];
/** The integration suite's containers carry it (test/support/runners.ts). */
const RUN_LABEL = 'cdktf-docker-redis-test.run';
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };

function docker(args) {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 ? result.stdout.trim().split('\n').filter(Boolean) : [];
}

/** Removes what the Docker suites create: containers first, then the networks and volumes they used. */
function removeSuiteObjects(prefixes = SUITE_NAME_PREFIXES) {
  const ours = (name) => prefixes.some((p) => name.startsWith(p));
  const containers = [
    ...docker(['ps', '-aq', '--filter', `label=${RUN_LABEL}`]),
    ...docker(['ps', '-a', '--format', '{{.ID}} {{.Names}}']).map((row) => row.split(' ')).filter(([, name]) => ours(name)).map(([id]) => id),
  ];
  if (containers.length > 0) docker(['rm', '-fv', ...containers]);
  const networks = docker(['network', 'ls', '--format', '{{.Name}}']).filter(ours);
  if (networks.length > 0) docker(['network', 'rm', ...networks]);
  const volumes = docker(['volume', 'ls', '--format', '{{.Name}}']).filter(ours);
  if (volumes.length > 0) docker(['volume', 'rm', '-f', ...volumes]);
}

class InterruptReporter {
  constructor() {
    this.dockerSuites = false;
    this.handler = (signal) => {
      if (this.dockerSuites) {
        process.stderr.write(`\n${signal}: removing what the Docker suites created\n`);
        removeSuiteObjects();
      }
      process.exit(EXIT_CODES[signal]);
    };
    for (const signal of Object.keys(EXIT_CODES)) process.once(signal, this.handler);
  }

  onTestStart(test) {
    const relative = path.relative(test.context.config.rootDir, test.path);
    if (/^test[\\/](integration|e2e)[\\/]/.test(relative)) this.dockerSuites = true;
  }

  onRunComplete() {
    for (const signal of Object.keys(EXIT_CODES)) process.off(signal, this.handler);
  }
}

module.exports = InterruptReporter;
module.exports.removeSuiteObjects = removeSuiteObjects;
module.exports.SUITE_NAME_PREFIXES = SUITE_NAME_PREFIXES;
