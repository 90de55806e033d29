import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CertRequest, LocallySignedCert, PrivateKey, SelfSignedCert } from './lean-resources';
import { isIpv4 } from './validation';

/** PEM text; each ends with a newline, so they can be concatenated into one file. */
export interface TlsMaterial {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly caCertificatePem: string;
}

interface GeneratedTlsSpec {
  readonly handle: string;
  readonly hostname: string;
  /** The TLS endpoint's alias on the Docker network (`networkTlsUrl`). */
  readonly networkTlsHost: string;
  /** Further names peers on other hosts use (`announceAddress`, `tlsHostnames`). */
  readonly extraNames?: readonly string[];
}

const CA_VALIDITY_HOURS = 10 * 365 * 24;
/** Two years, renewed by the first apply in the last 30 days. */
const SERVER_CERT_VALIDITY_HOURS = 2 * 365 * 24;
const SERVER_CERT_EARLY_RENEWAL_HOURS = 30 * 24;

/**
 * The names the certificate must verify for: the client-facing host, the
 * network aliases, loopback, and the names peers on other hosts use. Tokens
 * cannot be told apart, so they go where a DNS name would.
 */
export function subjectAlternativeNames(spec: GeneratedTlsSpec): { dnsNames: string[]; ipAddresses: string[] } {
  const extra = spec.extraNames ?? [];
  const dnsNames = [spec.hostname, spec.handle, spec.networkTlsHost, 'localhost', ...extra].filter((name) => !isIpv4(name));
  const ipAddresses = [spec.hostname, '127.0.0.1', ...extra].filter((name) => isIpv4(name));
  return { dnsNames: [...new Set(dnsNames)], ipAddresses: [...new Set(ipAddresses)] };
}

/**
 * User-supplied PEM may carry stray whitespace or lack the final newline. The
 * key is marked sensitive: given as a literal it would otherwise be printed by
 * every plan that shows the uploaded file.
 */
export function suppliedTlsMaterial(certificatePem: string, privateKeyPem: string, caCertificatePem: string): TlsMaterial {
  const normalized = (pem: string) => (Token.isUnresolved(pem) ? `${Fn.trimspace(pem)}\n` : `${pem.trim()}\n`);
  return {
    certificatePem: normalized(certificatePem),
    privateKeyPem: Token.asString(Fn.sensitive(normalized(privateKeyPem))),
    caCertificatePem: normalized(caCertificatePem),
  };
}

/**
 * A CA of the instance's own and a server certificate it signs. ECDSA P-256
 * keeps TLS handshakes cheap; every maintained TLS library supports it.
 */
/** A generated CA: the key signs the certificates of one database (and of its failover group's nodes and Sentinels). */
export interface GeneratedCa {
  readonly keyPem: string;
  readonly certificatePem: string;
}

export function generateTlsMaterial(scope: Construct, spec: GeneratedTlsSpec, sharedCa?: GeneratedCa): TlsMaterial & { readonly ca: GeneratedCa } {
  // Each attribute is read once: every read creates a token and captures a stack trace, a large share of synth time.
  const caKeyPem = sharedCa?.keyPem ?? new PrivateKey(scope, 'CaKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' }).privateKeyPem;
  const caCertificatePem = sharedCa?.certificatePem ?? new SelfSignedCert(scope, 'CaCertificate', {
    privateKeyPem: caKeyPem,
    subject: [{ commonName: `${spec.handle} Redis CA`, organization: 'cdktf-docker-redis' }],
    isCaCertificate: true,
    validityPeriodHours: CA_VALIDITY_HOURS,
    allowedUses: ['cert_signing', 'crl_signing'],
  }).certPem;
  const serverKeyPem = new PrivateKey(scope, 'ServerKey', { algorithm: 'ECDSA', ecdsaCurve: 'P256' }).privateKeyPem;
  const request = new CertRequest(scope, 'ServerCertificateRequest', {
    privateKeyPem: serverKeyPem,
    subject: [{ commonName: spec.hostname, organization: 'cdktf-docker-redis' }],
    ...subjectAlternativeNames(spec),
  });
  const server = new LocallySignedCert(scope, 'ServerCertificate', {
    certRequestPem: request.certRequestPem,
    caPrivateKeyPem: caKeyPem,
    caCertPem: caCertificatePem,
    validityPeriodHours: SERVER_CERT_VALIDITY_HOURS,
    earlyRenewalHours: SERVER_CERT_EARLY_RENEWAL_HOURS,
    allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
  });
  // The provider's PEM attributes end with a newline (Go's pem.EncodeToMemory).
  return { certificatePem: server.certPem, privateKeyPem: serverKeyPem, caCertificatePem, ca: { keyPem: caKeyPem, certificatePem: caCertificatePem } };
}
