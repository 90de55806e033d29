import * as fs from 'fs';
import * as path from 'path';
import { RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { PROVEN_BY, REDIS_FAMILY_IMAGES } from '../support/server-images';
import { dockerStack, synthJson } from '../support/synth';

/** Every file a stack of the version uploads into its Redis containers, the header lines dropped, with the version's name and image normalized. */
function renderedFiles(version: RedisVersion): Record<string, string> {
  const stack = dockerStack();
  const memoryOnly = RedisVersion.ALL.find((v) => !v.persistent && v.persistentFlavor === version)!;
  const cache = new RedisDatabase(stack, 'cache', { version, appendOnly: true, users: [{ name: 'app', permissions: '+@read ~app:*' }] });
  new RedisFollower(stack, 'replica', { primary: cache });
  new RedisDatabase(stack, 'scratch', { version: memoryOnly, port: 7000, tlsPort: 7001 });
  new RedisDatabase(stack, 'secure', { version, tlsMode: RedisTlsMode.NATIVE, port: 7002, tlsPort: 7003 });
  const files: Record<string, string> = {};
  for (const container of Object.values(synthJson(stack).resource.docker_container) as any[]) {
    for (const upload of container.upload ?? []) {
      // The backup script names the version in its backups' file names and its log: the one difference allowed.
      const content = upload.content.replace(`VERSION='${version.name}'`, "VERSION='<version>'").replace(/^PRODUCT='.*'$/m, "PRODUCT='<product>'");
      files[`${container.name}:${upload.file}`] = content.split('\n').filter((l: string) => !l.startsWith('# ')).join('\n');
    }
  }
  return files;
}

describe('which real server proves each catalog entry', () => {
  test('names every persistent catalog entry', () => {
    expect(Object.keys(PROVEN_BY).sort()).toEqual(RedisVersion.ALL.filter((v) => v.persistent).map((v) => v.name).sort());
  });

  test.each(Object.entries(PROVEN_BY).filter(([, p]) => p.neighbour).map(([name, p]) => [name, p.neighbour!.name]))(
    '%s renders every file exactly as %s does, which a test image runs',
    (name, neighbour) => {
      expect(renderedFiles(RedisVersion.of(name))).toEqual(renderedFiles(RedisVersion.of(neighbour)));
    },
  );

  test('README\'s version table says which server proves each entry, as the suites run them', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const [name, proof] of Object.entries(PROVEN_BY)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${name} `) || line.startsWith(`| ${name}, `) || line.startsWith(`| ${name} (`));
      expect({ name, row }).toEqual({ name, row: expect.any(String) });
      const expected = !proof.image
        ? 'none: rendered text only (unit tests)'
        : proof.neighbour ? `${proof.image.label} (renders as ${proof.neighbour.name})` : proof.image.label;
      expect({ name, proof: row!.split('|')[6].trim() }).toEqual({ name, proof: expected });
    }
    expect(REDIS_FAMILY_IMAGES.every((image) => readme.includes(image.label))).toBe(true);
  });
});
