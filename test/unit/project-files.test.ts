import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('project files users look for', () => {
  test('LICENSE is the Apache License 2.0 that package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const firstLines = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8').split('\n').slice(0, 4).map((l) => l.trim());
    expect(firstLines).toEqual(['', 'Apache License', 'Version 2.0, January 2004', 'http://www.apache.org/licenses/']);
  });

  test('package.json requires the Node.js version the provider bindings require, which this Node.js meets', () => {
    for (const provider of ['@cdktf/provider-docker', '@cdktf/provider-random', '@cdktf/provider-tls']) {
      const providerPkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', provider, 'package.json'), 'utf8'));
      expect(pkg.engines?.node).toBe(providerPkg.engines.node);
    }
    const [, major, minor] = /^>= (\d+)\.(\d+)\.0$/.exec(pkg.engines.node)!.map(Number);
    const [runningMajor, runningMinor] = process.versions.node.split('.').map(Number);
    expect(runningMajor > major || (runningMajor === major && runningMinor >= minor)).toBe(true);
  });
});
