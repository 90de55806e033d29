import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { BasicStack } from '../../examples/basic/main';
import { CompleteStack } from '../../examples/complete/main';
import { MemoryOnlyStack } from '../../examples/memory-only/main';
import { MultiHostStack } from '../../examples/multi-host/main';
import { RedisDatabase, RedisTlsMode, RedisVersion } from '../../lib';

/** What the examples lack: a metrics exporter on a port Docker chooses, and a native-TLS Valkey with its backups. */
class BeyondTheExamples extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new DockerProvider(this, 'docker', {});
    new RedisDatabase(this, 'cache', { version: RedisVersion.V7_2, metrics: { enabled: true } });
    new RedisDatabase(this, 'native', { version: RedisVersion.VALKEY_8_1, tlsMode: RedisTlsMode.NATIVE, port: 7379, tlsPort: 7380 });
  }
}

/** The five examples' stacks and one more: between them, every kind of resource the library creates. */
export const EXAMPLE_STACKS: Array<[string, new (scope: Construct, id: string) => TerraformStack]> = [
  ['basic', BasicStack], ['complete', CompleteStack], ['memory-only', MemoryOnlyStack], ['multi-host', MultiHostStack], ['more', BeyondTheExamples],
];
