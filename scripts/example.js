#!/usr/bin/env node
// Synthesizes examples/basic with the real `cdktf synth` and prints what a
// `cdktf deploy` of it would create on the Docker host.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const exampleDir = path.join(__dirname, '..', 'examples', process.argv[2] || 'basic');
const cdktf = path.join(__dirname, '..', 'node_modules', '.bin', 'cdktf');
// No Terraform runs here; an empty CLI config stops cdktf complaining about a missing ~/.terraformrc.
const synthOutput = execFileSync(cdktf, ['synth', '--output', 'cdktf.out'], {
  cwd: exampleDir,
  env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', TF_CLI_CONFIG_FILE: '/dev/null' },
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
for (const line of synthOutput.split('\n').filter((l) => /^(WARN|ERROR)/.test(l))) {
  console.log(line);
}

const stacksDir = path.join(exampleDir, 'cdktf.out', 'stacks');
for (const stackName of fs.readdirSync(stacksDir)) {
  const planFile = path.join(stacksDir, stackName, 'cdk.tf.json');
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  console.log(`Stack "${stackName}" (${path.relative(process.cwd(), planFile)}) would create:`);
  for (const [type, byId] of Object.entries(plan.resource || {})) {
    for (const resource of Object.values(byId)) {
      console.log(`  ${type.padEnd(24)} ${describe(type, resource)}`);
    }
  }
  console.log('Outputs (all sensitive):');
  for (const [name, output] of Object.entries(plan.output || {})) {
    console.log(`  ${name.padEnd(24)} ${output.sensitive ? 'sensitive' : 'PLAIN'}  ${output.value}`);
  }
}

function describe(type, r) {
  switch (type) {
    case 'docker_container': {
      const ports = (r.ports || []).map((p) => `${p.ip}:${p.external ?? '(docker picks)'}->${p.internal}`).join(', ');
      const data = r.volumes ? `volume ${r.volumes[0].volume_name} at /data` : r.tmpfs ? `tmpfs ${JSON.stringify(r.tmpfs)}` : '';
      return [`${r.name}`, `image ${r.image}`, r.user && `user ${r.user}`, r.memory && `${r.memory} MB`, ports && `ports ${ports}`, data]
        .filter(Boolean)
        .join('; ');
    }
    case 'docker_volume':
      return `${r.name} (labels ${r.labels.map((l) => `${l.label}=${l.value}`).join(', ')}; prevent_destroy ${r.lifecycle?.prevent_destroy === true})`;
    case 'docker_image':
      return `${r.name} (kept on the host)`;
    case 'docker_network':
      return r.name;
    default:
      return r.subject ? `subject ${r.subject[0].common_name}` : JSON.stringify({ length: r.length, algorithm: r.algorithm }).replace(/"/g, '');
  }
}
