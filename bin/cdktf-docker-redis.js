#!/usr/bin/env node
// Thin entry point: the commands live in lib/private/cli, compiled by jsii
// with the library but not part of its API.
'use strict';
const { runCli } = require('../lib/private/cli/main');

// exitCode, not exit(): a piped stdout is written asynchronously and exit() would cut it.
runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
