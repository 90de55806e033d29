/**
 * The stand-in's tls provider resources, made with node's crypto and openssl:
 * the certificates the constructs ask for (an ECDSA CA of their own signing a
 * server certificate) carry the subject, names, key usages, CA flags and
 * validity of the plan, and verify as a TLS client would check them.
 */
import { X509Certificate } from 'crypto';
import { createCertRequest, createLocallySignedCert, createPrivateKey, createSelfSignedCert, readyForRenewal } from '../e2e/standin/generated';
import { requireTools } from '../support/processes';

requireTools('openssl');

const HOUR = 3600_000;

describe('a CA and a server certificate it signs, as the constructs plan them', () => {
  const caKey = createPrivateKey('ca_key', { algorithm: 'ECDSA', ecdsa_curve: 'P256' });
  const ca = createSelfSignedCert('ca', {
    private_key_pem: caKey.private_key_pem,
    subject: [{ common_name: 'cache Redis CA', organization: 'cdktf-docker-redis' }],
    is_ca_certificate: true,
    validity_period_hours: 87600,
    allowed_uses: ['cert_signing', 'crl_signing'],
  });
  const serverKey = createPrivateKey('server_key', { algorithm: 'ECDSA', ecdsa_curve: 'P256' });
  const request = createCertRequest('request', {
    private_key_pem: serverKey.private_key_pem,
    subject: [{ common_name: 'redis.example', organization: 'cdktf-docker-redis' }],
    dns_names: ['redis.example', 'cache', 'localhost'],
    ip_addresses: ['127.0.0.1'],
  });
  const server = createLocallySignedCert('server', {
    cert_request_pem: request.cert_request_pem,
    ca_private_key_pem: caKey.private_key_pem,
    ca_cert_pem: ca.cert_pem,
    validity_period_hours: 17520,
    early_renewal_hours: 720,
    allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth'],
  });
  const caCert = new X509Certificate(ca.cert_pem);
  const serverCert = new X509Certificate(server.cert_pem);

  test('PEMs in the provider\'s encodings, each ending with a newline', () => {
    expect(caKey.private_key_pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----\n$/);
    expect(caKey.private_key_pem_pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    for (const pem of [ca.cert_pem, server.cert_pem]) expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(request.cert_request_pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+\n$/);
  });

  test('the CA is a CA with the subject and validity of the plan', () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('O=cdktf-docker-redis\nCN=cache Redis CA');
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(Date.parse(caCert.validTo) - Date.now()).toBeGreaterThan(87600 * HOUR - HOUR);
    expect(Date.parse(caCert.validTo) - Date.now()).toBeLessThan(87600 * HOUR + HOUR);
  });

  test('the server certificate is signed by the CA for the requested names, for server authentication only', () => {
    expect(serverCert.ca).toBe(false);
    expect(serverCert.checkIssued(caCert)).toBe(true);
    expect(serverCert.verify(caCert.publicKey)).toBe(true);
    expect(serverCert.subject).toBe('O=cdktf-docker-redis\nCN=redis.example');
    expect(serverCert.subjectAltName).toBe('DNS:redis.example, DNS:cache, DNS:localhost, IP Address:127.0.0.1');
    expect(serverCert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(serverCert.checkHost('cache')).toBe('cache');
    expect(serverCert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serverCert.checkHost('other.example')).toBeUndefined();
    expect(serverCert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(serverKey.public_key_pem);
  });

  test('validity and early renewal as the provider records and checks them', () => {
    expect(Date.parse(server.validity_end_time) - Date.parse(server.validity_start_time)).toBe(17520 * HOUR);
    expect(readyForRenewal(server)).toBe(false);
    expect(readyForRenewal(server, new Date(Date.parse(server.validity_end_time) - 719 * HOUR))).toBe(true);
    expect(server.id).toMatch(/^\d+$/);
  });
});

test('RSA and ED25519 keys sign too, and a validity openssl cannot express is refused', () => {
  for (const config of [{ algorithm: 'RSA', rsa_bits: 2048 }, { algorithm: 'ED25519' }]) {
    const key = createPrivateKey('k', config);
    const cert = createSelfSignedCert('c', { private_key_pem: key.private_key_pem, subject: [{ common_name: 'x' }], validity_period_hours: 24 });
    expect(new X509Certificate(cert.cert_pem).verify(new X509Certificate(cert.cert_pem).publicKey)).toBe(true);
    expect(cert.key_algorithm).toBe(config.algorithm);
  }
  const key = createPrivateKey('k', { algorithm: 'ECDSA', ecdsa_curve: 'P384' });
  expect(() => createSelfSignedCert('c', { private_key_pem: key.private_key_pem, validity_period_hours: 36 })).toThrow(/not a whole number of days/);
});
