#!/usr/bin/env node
// Synthesizes an example (examples/basic unless named) with the real `cdktf
// synth` and prints, one line per resource, what a `cdktf deploy` of it would
// create, read from the synthesized plan.
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
  const resources = Object.entries(plan.resource || {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([logicalId, attributes]) => ({ type, logicalId, attributes })));
  const text = readableText(stackName, resources);
  console.log(`Stack "${stackName}" (${path.relative(process.cwd(), planFile)}) would create ${resources.length} resources:`);
  for (const { type, attributes } of resources) {
    console.log(`  ${type.padEnd(24)} ${describe(type, attributes, text)}`);
  }
  const outputs = Object.entries(plan.output || {});
  const width = Math.max(...outputs.map(([name]) => name.length));
  console.log('Outputs:');
  for (const [name, output] of outputs) {
    console.log(`  ${name.padEnd(width)}  ${output.sensitive ? 'sensitive' : 'PLAIN'}  ${text(output.value)}`);
  }
}

/**
 * Replaces each Terraform reference in a value with what it names: a Docker
 * object's name where the plan gives it (the image name for an image id),
 * otherwise `<construct path.attribute>`, the path as cdktf records it.
 */
function readableText(stackName, resources) {
  const byAddress = new Map(resources.map((r) => [`${r.type}.${r.logicalId}`, r]));
  const pathOf = (r) => r.attributes['//'].metadata.path.slice(stackName.length + 1);
  return (value) =>
    String(value).replace(/\$\{([a-z_]+\.[^.}]+)\.([a-z_]+)\}/g, (reference, address, attribute) => {
      const target = byAddress.get(address);
      if (!target) return reference;
      if (attribute === 'image_id' && target.type === 'docker_image') return target.attributes.name;
      if (attribute === 'name' && typeof target.attributes.name === 'string') return target.attributes.name;
      return `<${pathOf(target)}.${attribute}>`;
    });
}

function describe(type, r, text) {
  const id = r.name !== undefined ? r.name : r['//'].metadata.path.replace(/^[^/]*\//, '');
  return `${id}: ${details(type, r, text).filter(Boolean).join('; ')}`;
}

function details(type, r, text) {
  const labels = (r.labels || []).map((l) => `${l.label}=${l.value}`).join(' ');
  switch (type) {
    case 'docker_container':
      return [
        `image ${text(r.image)}`,
        r.user && `user ${r.user}`,
        r.memory && `memory ${r.memory} MB`,
        r.network_mode && `network_mode ${r.network_mode}`,
        ...(r.networks_advanced || []).map((n) => `network ${text(n.name)}${n.aliases ? ` (alias ${n.aliases.join(' ')})` : ''}`),
        ...(r.ports || []).map((p) => `port ${p.ip}:${p.external ?? '(Docker picks)'}->${p.internal}`),
        ...(r.volumes || []).map((v) => `${v.host_path ? `host directory ${text(v.host_path)}` : `volume ${text(v.volume_name)}`} at ${v.container_path}${v.read_only ? ' read-only' : ''}`),
        ...Object.entries(r.tmpfs || {}).map(([dir, options]) => `tmpfs at ${dir} (${options})`),
        ...(r.upload || []).map((u) => `file ${u.file} (${u.permissions})`),
        ...(r.env || []).map((e) => `env ${text(e)}`),
      ];
    case 'docker_volume':
      return [
        `driver ${r.driver}${Object.entries(r.driver_opts || {}).map(([k, v]) => ` ${k}=${v}`).join('')}`,
        labels && `labels ${labels}`,
        r.lifecycle?.prevent_destroy && 'prevent_destroy',
      ];
    case 'docker_image':
      return [r.keep_locally && 'kept on the host'];
    case 'docker_network':
      return [labels && `labels ${labels}`];
    case 'random_password':
      return [`${r.length} characters`, r.special === false && 'no special characters'];
    case 'tls_private_key':
      return [[r.algorithm, r.ecdsa_curve, r.rsa_bits && `${r.rsa_bits} bits`].filter(Boolean).join(' ')];
    case 'tls_self_signed_cert':
      return [
        r.is_ca_certificate && 'CA',
        `subject ${subject(r.subject)}`,
        `key ${text(r.private_key_pem)}`,
        validity(r),
        `uses ${r.allowed_uses.join(' ')}`,
      ];
    case 'tls_cert_request':
      return [
        `subject ${subject(r.subject)}`,
        `SANs ${[...(r.dns_names || []).map((n) => `DNS:${n}`), ...(r.ip_addresses || []).map((a) => `IP:${a}`)].join(' ')}`,
        `key ${text(r.private_key_pem)}`,
      ];
    case 'tls_locally_signed_cert':
      return [
        `request ${text(r.cert_request_pem)}`,
        `signed by ${text(r.ca_cert_pem)}`,
        validity(r),
        `uses ${r.allowed_uses.join(' ')}`,
      ];
    default:
      throw new Error(`scripts/example.js cannot describe ${type} yet: add it to details()`);
  }
}

function subject(subjects) {
  return subjects.map((s) => [s.common_name && `CN=${s.common_name}`, s.organization && `O=${s.organization}`].filter(Boolean).join(' ')).join('; ');
}

function validity(r) {
  const renewal = r.early_renewal_hours ? `, renewed ${hours(r.early_renewal_hours)} before expiry` : '';
  return `valid ${hours(r.validity_period_hours)}${renewal}`;
}

function hours(h) {
  if (h % 8760 === 0) return `${h / 8760} years`;
  if (h % 24 === 0) return `${h / 24} days`;
  return `${h} h`;
}
