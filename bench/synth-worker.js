#!/usr/bin/env node
// Synthesizes a stack of N databases in this process and prints one JSON line:
// construct + synth time, peak RSS and plan size. Plain JavaScript on the jsii
// build (lib/*.js), so the numbers are the library's, not a TypeScript
// loader's; run in a fresh process per N so peak memory belongs to that N.
'use strict';
const { App, TerraformStack, Testing } = require('cdktf');
const { DockerProvider } = require('@cdktf/provider-docker/lib/provider');
const { RedisDatabase } = require('../lib');

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 0) throw new Error(`usage: synth-worker.js N, got ${process.argv[2]}`);

const started = process.hrtime.bigint();
const stack = new TerraformStack(new App({ outdir: require('os').tmpdir() }), 'bench');
new DockerProvider(stack, 'docker', {});
for (let i = 0; i < count; i++) {
  new RedisDatabase(stack, `db${i}`, { version: i % 2 === 0 ? '7.2' : '7.2-nordb', port: 20000 + 2 * i, tlsPort: 20001 + 2 * i });
}
const plan = Testing.synth(stack);
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
console.log(JSON.stringify({ count, elapsedMs, peakRssMb: process.resourceUsage().maxRSS / 1024, planBytes: Buffer.byteLength(plan) }));
