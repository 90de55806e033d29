import { AnnotationMetadataEntryType, App, Lazy, TerraformStack, Tokenization } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFailover, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { withoutTokenTraces } from '../../lib/private/token-traces';

/** The trace cdktf recorded for the first token in `text`. */
const creationStackOf = (text: string): string[] => Tokenization.reverseString(text).tokens[0].creationStack;

describe('withoutTokenTraces', () => {
  test('a token created inside records no trace; one created outside still does', () => {
    const inside = withoutTokenTraces(() => Lazy.anyValue({ produce: () => 'inside' }));
    const outside = Lazy.anyValue({ produce: () => 'outside' });
    expect(inside.creationStack).toEqual([]);
    expect(outside.creationStack.length).toBeGreaterThan(0);
  });

  test('Error.captureStackTrace is the original again after a return and after a throw, and an error thrown inside keeps its stack', () => {
    const original = Error.captureStackTrace;
    expect(withoutTokenTraces(() => 42)).toBe(42);
    expect(Error.captureStackTrace).toBe(original);
    function failsInsideTheWindow(): never {
      throw new Error('bad');
    }
    let thrown: Error | undefined;
    try {
      withoutTokenTraces(failsInsideTheWindow);
    } catch (e) {
      thrown = e as Error;
    }
    expect(Error.captureStackTrace).toBe(original);
    expect(thrown?.stack).toContain('failsInsideTheWindow');
  });

  test('nested, the outer call restores the original', () => {
    const original = Error.captureStackTrace;
    withoutTokenTraces(() => withoutTokenTraces(() => undefined));
    expect(Error.captureStackTrace).toBe(original);
  });

  test('a database\'s tokens carry no trace, while the warnings of its props checks keep theirs', () => {
    // A plain App: Testing's apps turn annotation traces off.
    const stack = new TerraformStack(new App(), 'test');
    new DockerProvider(stack, 'docker', {});
    const db = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_2 });
    for (const text of [db.credentials.url, db.credentials.tlsUrl, db.networkName]) {
      expect({ text, trace: creationStackOf(text) }).toEqual({ text, trace: [] });
    }
    const warnings = db.node.metadata.filter((entry) => entry.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => w.data)).toEqual([expect.stringContaining('not enforced')]);
    expect(warnings[0].trace?.join('\n')).toContain('RedisDatabase');
  });

  test('neither do the tokens of a follower on another host, nor a failover group\'s', () => {
    const stack = new TerraformStack(new App(), 'test');
    new DockerProvider(stack, 'docker', {});
    const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
    const primary = new RedisDatabase(stack, 'db', { version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE, announceAddress: '10.0.0.1' });
    const follower = new RedisFollower(stack, 'db-b', {
      primary, provider: hostB, primaryAddress: '10.0.0.1', announceAddress: '10.0.0.2', port: 6379, tlsPort: 6380, sharePrimaryCredentials: true,
    });
    const failover = new RedisFailover(stack, 'db-failover', {
      primary,
      followers: [follower],
      sentinels: [{ address: '10.0.0.1', tlsPort: 26380 }, { provider: hostB, address: '10.0.0.2', tlsPort: 26380 }, { provider: hostB, address: '10.0.0.2', tlsPort: 26381 }],
    });
    // The follower's own network (it is on another host), and a Sentinel container's state volume as the group read it.
    const sentinel = failover.node.findAll().find((c) => c.node.path.endsWith('Sentinel1/Container'))!;
    const stateVolumeName: string = (sentinel as any).config.volumes[0].volumeName;
    expect(stateVolumeName).toMatch(/TfToken/);
    for (const text of [follower.networkName, follower.credentials.tlsUrl, stateVolumeName]) {
      expect({ text, trace: creationStackOf(text) }).toEqual({ text, trace: [] });
    }
  });
});
