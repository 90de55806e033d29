import { createHash } from 'crypto';
/**
 * What `terraform plan` shows a user: the terraform_data mirror carries the
 * sensitivity the real providers' schemas give (test/support/terraform.ts),
 * so a secret that shows here would show in the plan of a real deploy.
 */
import { EvaluatedMirror, mirrorAddress, planMirror, requireTerraform, TerraformJson } from '../support/terraform';
import { RedisTlsMode, RedisVersion } from '../../lib';
import { databaseStack, LITERAL_KEY_BODY, LITERAL_PASSWORD, LITERAL_TLS } from './stacks';

jest.setTimeout(120_000);

requireTerraform();

const REDIS_CONF = '/usr/local/etc/redis/redis.conf';
const USERS_ACL = '/usr/local/etc/redis/users.acl';
const HEALTH_SECRET = '/usr/local/etc/redis/health.secret';
const SIDECAR_PEM = '/usr/local/etc/haproxy/certs/server.pem';
const NATIVE_KEY = '/usr/local/etc/redis/tls/server.key';

/** The plan's text for one resource, from its `# … will be created` line to the next resource or the summary. */
function planSection(planText: string, address: string): string {
  const start = planText.indexOf(`  # ${mirrorAddress(address)} will be created\n`);
  if (start < 0) throw new Error(`the plan creates no ${mirrorAddress(address)}`);
  const end = planText.slice(start + 1).search(/\n {2}# |\nPlan: /);
  return planText.slice(start, end < 0 ? undefined : start + 1 + end);
}

function addressOf(stack: TerraformJson, type: string, namePrefix: string): string {
  const names = Object.keys(stack.resource[type] ?? {}).filter((name) => name.startsWith(namePrefix));
  if (names.length !== 1) throw new Error(`expected one ${type} named ${namePrefix}*, found ${names.length}`);
  return `${type}.${names[0]}`;
}

/** A masked upload renders as `content = (sensitive value)` right above its `file` line. */
function expectMaskedUpload(section: string, file: string): void {
  expect(section).toMatch(new RegExp(`\\+ content\\s+= \\(sensitive value\\)\\n\\s+\\+ file\\s+= "${file.replace(/[./]/g, '\\$&')}"\\n`));
}

function uploadContent(mirror: EvaluatedMirror, address: string, file: string): string {
  return (mirror.resources[address].upload as any[]).find((u) => u.file === file).content;
}

describe('a database with a generated password and generated TLS material', () => {
  const stack = databaseStack();
  let mirror: EvaluatedMirror;
  beforeAll(() => {
    mirror = planMirror(stack);
  });

  test('plans the generated secrets, keys and the uploads derived from them as (sensitive value)', () => {
    const password = addressOf(stack, 'random_password', 'cache_Password_');
    const internalSecret = addressOf(stack, 'random_password', 'cache_InternalSecret_');
    const serverKey = addressOf(stack, 'tls_private_key', 'cache_ServerKey_');
    const redis = addressOf(stack, 'docker_container', 'cache_Node_Redis_');
    const healthPassword = uploadContent(mirror, redis, HEALTH_SECRET);
    const secrets = [mirror.resources[password].result, mirror.resources[internalSecret].result, healthPassword, mirror.resources[serverKey].private_key_pem.split('\n')[1]];
    expect(uploadContent(mirror, addressOf(stack, 'docker_container', 'cache_Node_TlsSidecar_'), SIDECAR_PEM)).toContain(secrets[3]);
    for (const secret of secrets) expect(mirror.planText).not.toContain(secret);

    expect(planSection(mirror.planText, password)).toMatch(/\+ result\s+= \(sensitive value\)\n/);
    expect(planSection(mirror.planText, serverKey)).toMatch(/\+ private_key_pem\s+= \(sensitive value\)\n/);
    for (const file of [USERS_ACL, HEALTH_SECRET]) expectMaskedUpload(planSection(mirror.planText, redis), file);
    expectMaskedUpload(planSection(mirror.planText, addressOf(stack, 'docker_container', 'cache_Node_TlsSidecar_')), SIDECAR_PEM);
  });

  test('plans every output as (sensitive value)', () => {
    const outputs = mirror.planText.slice(mirror.planText.indexOf('Changes to Outputs:'));
    for (const name of ['cache_url', 'cache_tls_url', 'cache_ca_certificate']) {
      expect(outputs).toMatch(new RegExp(`\\+ ${name}\\s+= \\(sensitive value\\)\\n`));
    }
  });

  test('shows what is not secret, so the masking above is not the whole plan hidden', () => {
    const haproxyCfg = planSection(mirror.planText, addressOf(stack, 'docker_container', 'cache_Node_TlsSidecar_'));
    expect(haproxyCfg).toContain('server redis unix@/run/redis/redis.sock');
    expect(planSection(mirror.planText, addressOf(stack, 'docker_volume', 'cache_Data_'))).toMatch(/\+ name\s+= "cache-data"\n/);
  });
});

describe('a database with a metrics exporter', () => {
  test('plans the exporter\'s password file as (sensitive value) and its command and CA in the clear', () => {
    const stack = databaseStack({ metrics: { enabled: true } });
    const mirror = planMirror(stack);
    const exporter = addressOf(stack, 'docker_container', 'cache_Metrics_Exporter_');
    const password = JSON.parse(uploadContent(mirror, exporter, '/etc/redis_exporter/password.json'))['rediss://exporter@cache-tls:6380'];
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(mirror.planText).not.toContain(password);
    const section = planSection(mirror.planText, exporter);
    expectMaskedUpload(section, '/etc/redis_exporter/password.json');
    expect(section).toContain('"--redis.addr=rediss://cache-tls:6380"');
    expect(section).toMatch(/\+ file\s+= "\/etc\/redis_exporter\/ca\.crt"/);
  });
});

/**
 * Secrets given as literal props are plain strings to Terraform, and the
 * Docker provider marks no upload sensitive: only the library can keep them
 * out of the plan, by marking them sensitive itself.
 */
describe('a literal password on Redis 6 and later', () => {
  const stack = databaseStack({ password: LITERAL_PASSWORD });
  test('reaches no uploaded file, where only its SHA-256 stands, and never shows in the plan', () => {
    const mirror = planMirror(stack);
    const redis = addressOf(stack, 'docker_container', 'cache_Node_Redis_');
    for (const upload of mirror.resources[redis].upload as any[]) expect(upload.content).not.toContain(LITERAL_PASSWORD);
    expect(uploadContent(mirror, redis, USERS_ACL)).toContain(`user default on #${createHash('sha256').update(LITERAL_PASSWORD).digest('hex')} `);
    expect(mirror.planText).not.toContain(LITERAL_PASSWORD);
  });
});

describe.each([
  ['a literal password before Redis 6 (requirepass)', { version: RedisVersion.V5_0, password: LITERAL_PASSWORD }, LITERAL_PASSWORD, 'cache_Node_Redis_', REDIS_CONF],
  ['a literal private key with the TLS sidecar', LITERAL_TLS, LITERAL_KEY_BODY, 'cache_Node_TlsSidecar_', SIDECAR_PEM],
  ['a literal private key with native TLS', { ...LITERAL_TLS, tlsMode: RedisTlsMode.NATIVE }, LITERAL_KEY_BODY, 'cache_Node_Redis_', NATIVE_KEY],
])('%s', (_name, props, secret, container, file) => {
  const stack = databaseStack(props);
  let mirror: EvaluatedMirror;
  beforeAll(() => {
    mirror = planMirror(stack);
  });

  test('never shows in the plan, though the uploaded file carries it', () => {
    const address = addressOf(stack, 'docker_container', container);
    expect(uploadContent(mirror, address, file)).toContain(secret);
    expect(mirror.planText).not.toContain(secret);
    expectMaskedUpload(planSection(mirror.planText, address), file);
  });
});
