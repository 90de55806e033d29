#!/usr/bin/env node
// Thin entry point: the commands live in lib/cli, compiled by jsii
// with the library but not part of its API.
'use strict';
const fs = require('fs');
const path = require('path');

const cli = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
// Only a clone of the repository lacks the compiled library (the package's
// tarball is built before it is packed): say how to build it instead of a
// bare MODULE_NOT_FOUND.
if (!fs.existsSync(cli)) {
  process.stderr.write(`cdktf-docker-redis: the library is not built (no ${path.relative(process.cwd(), cli)}); in a clone of the repository run: npm run build\n`);
  process.exit(1);
}
const { runCli } = require(cli);

// exitCode, not exit(): a piped stdout is written asynchronously and exit() would cut it.
runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
