#!/usr/bin/env node
// Synthesizes a stack of N databases in this process and prints one JSON line:
// construct + app.synth() time (what `cdktf synth` runs), peak RSS and plan
// size. Plain JavaScript on the jsii build (lib/*.js), so the numbers are the
// library's, not a TypeScript loader's; run in a fresh process per N so peak
// memory belongs to that N.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, TerraformStack } = require('cdktf');
const { DockerProvider } = require('@cdktf/provider-docker/lib/provider');
const { RedisDatabase } = require('../lib');

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 0) throw new Error(`usage: synth-worker.js N, got ${process.argv[2]}`);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-synth-'));
const started = process.hrtime.bigint();
const app = new App({ outdir });
const stack = new TerraformStack(app, 'bench');
new DockerProvider(stack, 'docker', {});
for (let i = 0; i < count; i++) {
  new RedisDatabase(stack, `db${i}`, { version: i % 2 === 0 ? '7.2' : '7.2-nordb', port: 20000 + 2 * i, tlsPort: 20001 + 2 * i });
}
app.synth();
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
const planBytes = fs.statSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json')).size;
fs.rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify({ count, elapsedMs, peakRssMb: process.resourceUsage().maxRSS / 1024, planBytes }));
