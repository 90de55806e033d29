import * as fs from 'fs';
import * as path from 'path';
import { RedisBackupFile, RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { rdbFormatsReadBy } from '../../lib/private/compatibility';
import { PROVEN_BY, REDIS_FAMILY_IMAGES } from '../support/server-images';
import { dockerStack, synthJson } from '../support/synth';

/** A database that restores a backup of its own version, so that its stack uploads restore.sh too. */
function restoringDatabase(stack: ReturnType<typeof dockerStack>, version: RedisVersion): void {
  new RedisDatabase(stack, 'restored', {
    version, port: 7004, tlsPort: 7005,
    restoreFrom: RedisBackupFile.inVolume('cache-backups', `cache-${version.name}-20261201T000000Z.rdb`),
  });
}

/** The restore script of a stack of `version`, as uploaded. */
function restoreScript(version: RedisVersion): string {
  const stack = dockerStack();
  restoringDatabase(stack, version);
  const uploads = (Object.values(synthJson(stack).resource.docker_container) as any[]).flatMap((c) => c.upload ?? []);
  return uploads.find((u: any) => u.file.endsWith('/restore.sh')).content;
}

/**
 * The restore script names the version (the reader, the backup's file name)
 * and carries its RDB formats as data; the rest is the same text for every
 * version. The formats are held to the catalog by their own test below.
 */
function normalizedRestoreScript(content: string, version: RedisVersion): string {
  const formats = rdbFormatsReadBy(version);
  return content
    .replace(/^READER=.*$/m, "READER='<reader>'")
    .replace(/^READER_NAME=.*$/m, "READER_NAME='<version>'")
    .replace(/^(SRC|LABEL)='(.*)'$/gm, (_line, name: string, value: string) => `${name}='${value.split(`-${version.name}-`).join('-<version>-')}'`)
    .replace(`\nOWN_FORMAT=${formats.own}\n`, '\nOWN_FORMAT=<own format>\n')
    .replace(`\nREADS_UP_TO=${formats.upTo}\n`, '\nREADS_UP_TO=<reads up to>\n')
    .replace(/^READS='RDB formats up to [0-9]+( and [0-9]+)?'$/m, "READS='<formats>'");
}

/** Every file a stack of the version uploads into its Redis containers, the header lines dropped, with the version's name, image and RDB formats normalized. */
function renderedFiles(version: RedisVersion): Record<string, string> {
  const stack = dockerStack();
  const memoryOnly = RedisVersion.ALL.find((v) => !v.persistent && v.persistentFlavor === version)!;
  const cache = new RedisDatabase(stack, 'cache', { version, appendOnly: true, users: [{ name: 'app', permissions: '+@read ~app:*' }] });
  new RedisFollower(stack, 'replica', { primary: cache });
  new RedisDatabase(stack, 'scratch', { version: memoryOnly, port: 7000, tlsPort: 7001 });
  new RedisDatabase(stack, 'secure', { version, tlsMode: RedisTlsMode.NATIVE, port: 7002, tlsPort: 7003 });
  restoringDatabase(stack, version);
  const files: Record<string, string> = {};
  for (const container of Object.values(synthJson(stack).resource.docker_container) as any[]) {
    for (const upload of container.upload ?? []) {
      // The backup script names the version in its backups' file names and its log: the one difference allowed.
      const named = upload.content.replace(`VERSION='${version.name}'`, "VERSION='<version>'").replace(/^PRODUCT='.*'$/m, "PRODUCT='<product>'");
      const content = upload.file.endsWith('/restore.sh') ? normalizedRestoreScript(named, version) : named;
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

  test.each(Object.keys(PROVEN_BY))('%s restores with the RDB formats the catalog gives it, the data its restore.sh carries', (name) => {
    const version = RedisVersion.of(name);
    const formats = rdbFormatsReadBy(version);
    const script = restoreScript(version);
    expect(script).toContain(`\nOWN_FORMAT=${formats.own}\nREADS_UP_TO=${formats.upTo}\n`);
    expect(version.rdbFormat).toBe(formats.own);
  });

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
