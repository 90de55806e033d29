import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Network } from '@cdktf/provider-docker/lib/network';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { BasicStack } from '../../examples/basic/main';
import { FollowerStack } from '../../examples/follower/main';
import { MemoryOnlyStack } from '../../examples/memory-only/main';
import { MaxmemoryPolicy, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisRestartPolicy, RedisTlsMode, RedisVersion } from '../../lib';
import { makeTestPki } from '../support/pki';
import { TerraformJson } from '../support/terraform';
import { dockerStack, synthJson } from '../support/synth';

/**
 * The examples as `cdktf synth` writes them (cdk.tf.json with the local
 * backend and metadata), by synthesizing their stack classes in an App.
 */
export const EXAMPLES: Array<[string, new (scope: Construct, id: string) => TerraformStack]> = [
  ['basic', BasicStack],
  ['follower', FollowerStack],
  ['memory-only', MemoryOnlyStack],
];

export function synthExample(name: string): TerraformJson {
  const [, StackClass] = EXAMPLES.find(([example]) => example === name)!;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-synth-'));
  try {
    const app = new App({ outdir });
    new StackClass(app, name);
    app.synth();
    return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A single database with `props`, synthesized as the construct tests do. */
export function databaseStack(props: RedisDatabaseProps = {}): TerraformJson {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', props);
  return synthJson(stack);
}

export const LITERAL_PASSWORD = 'Literal0123456789abcdef';

/** Real PEMs, since the constructs check literal TLS material at synth; only the key's body is secret. */
const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-terraform-pki-'));
const pki = makeTestPki(pkiDir);
// The PEMs are read: nothing needs the files, and a jest worker ends without running exit handlers.
fs.rmSync(pkiDir, { recursive: true, force: true });
export const LITERAL_TLS = {
  tlsCertificatePem: pki.certPem,
  tlsPrivateKeyPem: pki.keyPem,
  tlsCaCertificatePem: pki.caCertPem,
};
/** The base64 line of the key that carries the secret. */
export const LITERAL_KEY_BODY = pki.keyPem.split('\n')[1];

/** The shapes the construct, integration and e2e suites synthesize, each as a stack a user could deploy. */
export const CONSTRUCT_STACKS: Array<[string, () => TerraformJson]> = [
  ['defaults', () => databaseStack()],
  ['memory-only', () => databaseStack({ version: RedisVersion.V7_2_NORDB, size: 3, maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU })],
  ['native TLS', () => databaseStack({ version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE })],
  ['literal TLS PEMs (sidecar)', () => databaseStack(LITERAL_TLS)],
  ['literal TLS PEMs (native TLS)', () => databaseStack({ ...LITERAL_TLS, tlsMode: RedisTlsMode.NATIVE })],
  ['a literal password', () => databaseStack({ password: LITERAL_PASSWORD })],
  ['createOutputs false', () => databaseStack({ createOutputs: false })],
  ['every prop set', () => databaseStack({
    version: RedisVersion.V6_2, size: 25, enforceSize: true, preventDestroy: false, containerSizeMb: 2048, appendOnly: true,
    saveSchedule: [{ afterSeconds: 120, minChanges: 5 }], hostname: '192.0.2.10', hostIp: '127.0.0.1', port: 7000, tlsPort: 7001,
    restart: RedisRestartPolicy.ALWAYS, config: { timeout: '300' }, image: 'registry.local/redis:6.2.20', tlsSidecarImage: 'registry.local/haproxy:3.2.4',
  })],
  ['4.0 with a follower (slaveof, no username)', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', { version: RedisVersion.V4_0 });
    new RedisFollower(stack, 'replica', { primary });
    return synthJson(stack);
  }],
  ['a follower with Docker-chosen ports, and a follower of it', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    const first = new RedisFollower(stack, 'replica', { primary });
    new RedisFollower(stack, 'replica-2', { primary: first, tlsMode: RedisTlsMode.NATIVE });
    return synthJson(stack);
  }],
  ['the integration suite\'s five instances', () => {
    const stack = dockerStack();
    const cache = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_0, containerSizeMb: 256 });
    new RedisDatabase(stack, 'journal', { version: RedisVersion.V7_0, appendOnly: true, port: 7000, tlsPort: 7001 });
    new RedisDatabase(stack, 'scratch', { version: RedisVersion.V7_0_NORDB, containerSizeMb: 256, maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU, port: 7100, tlsPort: 7101 });
    new RedisFollower(stack, 'replica', { primary: cache, port: 7200, tlsPort: 7201 });
    new RedisDatabase(stack, 'secure', { version: RedisVersion.V7_0, tlsMode: RedisTlsMode.NATIVE, port: 7300, tlsPort: 7301 });
    return synthJson(stack);
  }],
  ['metrics on a database and its follower (native TLS, a given port)', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', { metrics: { enabled: true } });
    new RedisFollower(stack, 'replica', { primary, tlsMode: RedisTlsMode.NATIVE, metrics: { enabled: true, port: 9121 } });
    return synthJson(stack);
  }],
  ['an existing network', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', { network: new Network(stack, 'apps', { name: 'apps' }) });
    return synthJson(stack);
  }],
  ['RandomProvider and TlsProvider declared before the first database', () => {
    const stack = dockerStack();
    new RandomProvider(stack, 'random', {});
    new TlsProvider(stack, 'tls', {});
    new RedisDatabase(stack, 'cache', {});
    return synthJson(stack);
  }],
];

/** A stack where the user declares a settingless provider between two databases, after the library has needed it. */
export function providerAfterFirstDatabase(declare: (stack: TerraformStack) => void): TerraformJson {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', {});
  declare(stack);
  new RedisDatabase(stack, 'sessions', { port: 7000, tlsPort: 7001 });
  return synthJson(stack);
}
