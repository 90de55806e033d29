import { createPrivateKey, KeyObject, X509Certificate } from 'crypto';
import { Token } from 'cdktf';
import { isIpv4, ProblemList } from './validation';

/** User-supplied TLS material and the names clients will verify it for. */
export interface SuppliedPems {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly caCertificatePem: string;
  /** The host name in the credential URLs. */
  readonly hostname: string;
  /** The network alias in `networkTlsUrl`. */
  readonly networkTlsHost: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const RENEW_WARNING_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

function certificatesIn(problems: ProblemList, prop: string, pem: string): X509Certificate[] | undefined {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    problems.add(`\`${prop}\` must be PEM text with a "-----BEGIN CERTIFICATE-----" block, got ${pem.trim().length} characters without one`);
    return undefined;
  }
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch (e) {
    problems.add(`\`${prop}\` holds a certificate block that is not a valid X.509 certificate (${(e as Error).message})`);
    return undefined;
  }
}

function privateKeyIn(problems: ProblemList, pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    // The key is a secret: say what is wrong with it, never what it is.
    problems.add('`tlsPrivateKeyPem` must be an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----"), got text that does not parse as one');
    return undefined;
  }
}

function namesOf(certificate: X509Certificate): string {
  return certificate.subjectAltName ?? `no subject alternative names (subject ${certificate.subject.replace(/\n/g, ', ')})`;
}

function covers(certificate: X509Certificate, host: string): boolean {
  return (isIpv4(host) ? certificate.checkIP(host) : certificate.checkHost(host)) !== undefined;
}

/**
 * Checks what can be checked before deploy in TLS material given as literal
 * PEM text: that each part parses, that the key belongs to the certificate,
 * that the CA signed it, that it names the host clients connect to, and that
 * it is valid now. Values known only at apply time are not checked.
 */
export function checkSuppliedPems(problems: ProblemList, pems: SuppliedPems, warn: (message: string) => void, now = new Date()): void {
  const { certificatePem, privateKeyPem, caCertificatePem } = pems;
  if (Token.isUnresolved(certificatePem) || Token.isUnresolved(privateKeyPem) || Token.isUnresolved(caCertificatePem)) return;
  const chain = certificatesIn(problems, 'tlsCertificatePem', certificatePem);
  const cas = certificatesIn(problems, 'tlsCaCertificatePem', caCertificatePem);
  const key = privateKeyIn(problems, privateKeyPem);
  if (!chain || !cas) return;
  const [leaf] = chain;
  const ca = cas[0];

  if (key && !leaf.checkPrivateKey(key)) {
    problems.add('`tlsPrivateKeyPem` is not the key of `tlsCertificatePem` (their public keys differ): TLS would fail at the first handshake');
  }
  if (!ca.ca) {
    problems.add(`\`tlsCaCertificatePem\` must be a CA certificate (basicConstraints CA:TRUE), got one for ${ca.subject.replace(/\n/g, ', ')}`);
  }
  const signedByNext = chain.every((cert, i) => {
    const issuer = chain[i + 1] ?? ca;
    return cert.fingerprint256 === issuer.fingerprint256 || (cert.checkIssued(issuer) && cert.verify(issuer.publicKey));
  });
  if (!signedByNext) {
    problems.add('`tlsCertificatePem` is not signed by `tlsCaCertificatePem` (through the intermediates that follow it): clients verifying with that CA would refuse it');
  }
  if (!covers(leaf, pems.hostname)) {
    problems.add(`\`tlsCertificatePem\` does not name \`hostname\` "${pems.hostname}" (it names ${namesOf(leaf)}): clients verifying the host name would refuse it`);
  } else if (!covers(leaf, pems.networkTlsHost)) {
    warn(`the TLS certificate does not name "${pems.networkTlsHost}", the host of \`networkTlsUrl\` (it names ${namesOf(leaf)}): containers on the network that verify host names will refuse it; add DNS:${pems.networkTlsHost} to use it`);
  }
  const expires = new Date(leaf.validTo);
  if (expires.getTime() <= now.getTime()) {
    problems.add(`\`tlsCertificatePem\` expired on ${expires.toISOString()}`);
  } else if (expires.getTime() - now.getTime() < RENEW_WARNING_DAYS * DAY_MS) {
    warn(`the TLS certificate expires on ${expires.toISOString()}, in less than ${RENEW_WARNING_DAYS} days; renew it`);
  }
  if (new Date(leaf.validFrom).getTime() > now.getTime()) {
    problems.add(`\`tlsCertificatePem\` is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  }
}
