import { execFileSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { checkSuppliedPems, SuppliedPems } from '../../lib/private/pem-checks';
import { ProblemList } from '../../lib/private/validation';
import { makeTestPki } from '../support/pki';
import { requireTools, tempDir } from '../support/processes';

requireTools('openssl');
const dir = tempDir('pem-checks');
const pki = makeTestPki(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const good: SuppliedPems = {
  certificatePem: pki.certPem,
  privateKeyPem: pki.keyPem,
  caCertificatePem: pki.caCertPem,
  hostname: 'localhost',
  networkTlsHost: 'cache',
};

function check(pems: Partial<SuppliedPems>, now?: Date): { problems: string[]; warnings: string[] } {
  const list = new ProblemList('RedisDatabase cache');
  const warnings: string[] = [];
  checkSuppliedPems(list, { ...good, ...pems }, (w) => warnings.push(w), now);
  let problems: string[] = [];
  try {
    list.throwIfAny();
  } catch (e) {
    problems = (e as Error).message.split('\n');
  }
  return { problems, warnings };
}

/** A server certificate for localhost signed by the test PKI's other CA. */
function certificateFromOtherCa(): string {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'stray.csr');
  run('x509', '-req', '-in', 'stray.csr', '-CA', 'other-ca.crt', '-CAkey', 'other-ca.key', '-CAcreateserial', '-days', '90',
    '-extfile', 'server.ext', '-out', 'stray.crt');
  return fs.readFileSync(path.join(dir, 'stray.crt'), 'utf8');
}

describe('checks of TLS material given as literal PEM text', () => {
  test('accepts a certificate, its key and the CA that signed it, for a host it names', () => {
    expect(check({})).toEqual({ problems: [], warnings: [] });
    expect(check({ hostname: '127.0.0.1' }).problems).toEqual([]);
  });

  test('fails on text that is not a PEM certificate', () => {
    expect(check({ certificatePem: 'not a certificate' }).problems).toEqual([
      'RedisDatabase cache: `tlsCertificatePem` must be PEM text with a "-----BEGIN CERTIFICATE-----" block, got 17 characters without one',
    ]);
  });

  test('fails on a CA certificate block that does not parse', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(check({ caCertificatePem: broken }).problems).toEqual([
      expect.stringMatching(/^RedisDatabase cache: `tlsCaCertificatePem` holds a certificate block that is not a valid X\.509 certificate/),
    ]);
  });

  test('fails on a private key that does not parse, without showing it', () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n';
    const { problems } = check({ privateKeyPem: secret });
    expect(problems).toEqual([expect.stringContaining('`tlsPrivateKeyPem` must be an unencrypted PEM private key')]);
    expect(problems.join('\n')).not.toContain('c2VjcmV0');
  });

  test('fails on a key that is not the certificate\'s', () => {
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(check({ privateKeyPem: otherKey }).problems).toEqual([
      'RedisDatabase cache: `tlsPrivateKeyPem` is not the key of `tlsCertificatePem` (their public keys differ): TLS would fail at the first handshake',
    ]);
  });

  test('fails on a certificate the given CA did not sign', () => {
    expect(check({ certificatePem: certificateFromOtherCa() }).problems).toEqual([
      'RedisDatabase cache: `tlsCertificatePem` is not signed by `tlsCaCertificatePem` (through the intermediates that follow it): clients verifying with that CA would refuse it',
    ]);
  });

  test('fails on a CA certificate that is not a CA', () => {
    expect(check({ caCertificatePem: pki.certPem }).problems).toContainEqual(
      'RedisDatabase cache: `tlsCaCertificatePem` must be a CA certificate (basicConstraints CA:TRUE), got one for CN=localhost',
    );
  });

  test('fails on a certificate that does not name the hostname, listing the names it has', () => {
    expect(check({ hostname: 'redis.example.com' }).problems).toEqual([
      'RedisDatabase cache: `tlsCertificatePem` does not name `hostname` "redis.example.com" (it names DNS:localhost, DNS:cache, IP Address:127.0.0.1): clients verifying the host name would refuse it',
    ]);
  });

  test('warns when the certificate does not name the network TLS host', () => {
    expect(check({ networkTlsHost: 'cache-tls' }).warnings).toEqual([
      'the TLS certificate does not name "cache-tls", the host of `networkTlsUrl` (it names DNS:localhost, DNS:cache, IP Address:127.0.0.1): containers on the network that verify host names will refuse it; add DNS:cache-tls to use it',
    ]);
  });

  test('fails on an expired certificate and warns about one expiring within 30 days', () => {
    const days = (n: number) => new Date(Date.now() + n * 24 * 3600 * 1000);
    expect(check({}, days(100)).problems).toEqual([expect.stringMatching(/`tlsCertificatePem` expired on \d{4}-/)]);
    expect(check({}, days(70)).warnings).toEqual([expect.stringMatching(/^the TLS certificate expires on .*, in less than 30 days; renew it$/)]);
    expect(check({}, days(50)).warnings).toEqual([]);
  });
});
