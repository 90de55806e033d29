/**
 * lib/private holds what every capability shares (the contract in
 * capability.ts, rendering, validation, node wiring); the capabilities build
 * on it, and the composition (lib/instance) sits above them. So no file under
 * lib/private may import a capability, in any form TypeScript or Node reads:
 * `import`, `import type`, `export … from`, a side-effect import, `require`,
 * a dynamic `import()`. lib/logging is not a capability: it holds the public
 * logging options every container of every capability takes, as
 * redis-options.ts holds the others, and lib/private reads it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const CAPABILITIES = ['backup', 'users', 'metrics', 'failover'];
const ROOT = path.join(__dirname, '..', '..');

interface Violation {
  /** Relative to the scanned lib directory. */
  readonly file: string;
  readonly specifier: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** What each file under `lib/private` imports, as TypeScript's pre-processor reads it (comments and strings aside). */
function importsOfPrivate(lib: string): Array<{ file: string; specifiers: string[] }> {
  return sourceFiles(path.join(lib, 'private')).map((file) => ({
    file: path.relative(lib, file),
    specifiers: ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName),
  }));
}

/** The imports of lib/private files that resolve into a capability's folder. */
function layeringViolations(lib: string): Violation[] {
  return importsOfPrivate(lib).flatMap(({ file, specifiers }) => specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => {
      const target = path.relative(lib, path.resolve(lib, path.dirname(file), specifier));
      return CAPABILITIES.includes(target.split(path.sep)[0]);
    })
    .map((specifier) => ({ file, specifier })));
}

describe('lib/private imports no capability', () => {
  test('in the library', () => {
    const lib = path.join(ROOT, 'lib');
    const scanned = importsOfPrivate(lib);
    // A scan that read nothing would pass: the shared core is some thirty files, most importing each other.
    expect(scanned.length).toBeGreaterThan(20);
    expect(scanned.find((f) => f.file === path.join('private', 'instance-core.ts'))?.specifiers).toContain('./capability');
    expect(layeringViolations(lib)).toEqual([]);
  });

  test('and the check finds each form of a capability import planted in a fixture, and only those', () => {
    const violations = layeringViolations(path.join(ROOT, 'test', 'fixtures', 'layering', 'lib'));
    expect(violations).toEqual(expect.arrayContaining([
      { file: path.join('private', 'planted.ts'), specifier: '../backup/schedule' },
      { file: path.join('private', 'planted.ts'), specifier: '../users/rules' },
      { file: path.join('private', 'planted.ts'), specifier: '../metrics/side-effect' },
      { file: path.join('private', 'planted.ts'), specifier: '../metrics/exporter' },
      { file: path.join('private', 'planted.ts'), specifier: '../failover/start' },
      { file: path.join('private', 'nested', 'deeper.ts'), specifier: '../../backup/schedule' },
    ]));
    // `import type` and the dynamic `import()` name the same module: both are found, and nothing else is (the
    // comment, the string, lib/logging and lib/private itself).
    expect(violations.filter((v) => v.specifier === '../backup/schedule')).toHaveLength(2);
    expect(violations).toHaveLength(7);
  });
});
