/**
 * The random and tls providers' resources, made here as those providers make
 * them (random v3.7.2 internal/random/string.go; tls v4.1.0 common_key.go,
 * common_cert.go and the resource files), so generated passwords and
 * certificates run end to end. Keys come from node's crypto, certificates from
 * openssl with the extensions Go's x509 package writes for the same template.
 * Key material passes through files in a private temporary directory, never
 * through command lines.
 */
import { execFileSync } from 'child_process';
import { createPrivateKey as parsePrivateKey, generateKeyPairSync, randomBytes, randomInt, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

type Attributes = Record<string, any>;

function only(where: string, config: Attributes, supported: string[]): void {
  for (const key of Object.keys(config)) {
    if (!supported.includes(key)) throw new Error(`${where}: attribute "${key}" is not modelled by the stand-in`);
  }
}

/** random_password: one character of each class per `min_*`, the rest from all enabled classes, shuffled. */
export function createRandomPassword(where: string, config: Attributes): Attributes {
  only(where, config, ['length', 'special', 'upper', 'lower', 'numeric', 'number', 'min_numeric', 'min_upper', 'min_lower', 'min_special', 'override_special']);
  const numeric = config.numeric ?? config.number ?? true;
  const state: Attributes = {
    length: config.length,
    special: config.special ?? true,
    upper: config.upper ?? true,
    lower: config.lower ?? true,
    numeric,
    number: numeric,
    min_numeric: config.min_numeric ?? 0,
    min_upper: config.min_upper ?? 0,
    min_lower: config.min_lower ?? 0,
    min_special: config.min_special ?? 0,
    override_special: config.override_special,
  };
  const classes = {
    numeric: '0123456789',
    lower: 'abcdefghijklmnopqrstuvwxyz',
    upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    special: state.override_special || '!@#$%&*()-_=+[]{}<>:?',
  };
  const pick = (chars: string, count: number) => Array.from({ length: count }, () => chars[randomInt(chars.length)]);
  const all = (['upper', 'lower', 'numeric', 'special'] as const).filter((c) => state[c]).map((c) => classes[c]).join('');
  if (!all) throw new Error(`${where}: the character set specified is empty`);
  const chars = [
    ...pick(classes.numeric, state.min_numeric),
    ...pick(classes.lower, state.min_lower),
    ...pick(classes.upper, state.min_upper),
    ...pick(classes.special, state.min_special),
  ];
  chars.push(...pick(all, state.length - chars.length));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return { ...state, id: 'none', result: chars.join('') };
}

const CURVES: Record<string, string> = { P224: 'P-224', P256: 'P-256', P384: 'P-384', P521: 'P-521' };

/** tls_private_key: PEM as the provider encodes it (PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for ED25519). */
export function createPrivateKey(where: string, config: Attributes): Attributes {
  only(where, config, ['algorithm', 'rsa_bits', 'ecdsa_curve']);
  const algorithm = config.algorithm;
  const rsaBits = config.rsa_bits ?? 2048;
  const curve = config.ecdsa_curve ?? 'P224';
  let keys: { privateKey: string; publicKey: string };
  if (algorithm === 'RSA') {
    keys = generateKeyPairSync('rsa', { modulusLength: rsaBits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  } else if (algorithm === 'ECDSA') {
    if (!CURVES[curve]) throw new Error(`${where}: ecdsa_curve ${curve} is not one of ${Object.keys(CURVES).join(', ')}`);
    keys = generateKeyPairSync('ec', { namedCurve: CURVES[curve], publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'sec1', format: 'pem' } });
  } else if (algorithm === 'ED25519') {
    keys = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  } else {
    throw new Error(`${where}: algorithm ${algorithm} is not RSA, ECDSA or ED25519`);
  }
  const pkcs8 = parsePrivateKey(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    algorithm,
    rsa_bits: rsaBits,
    ecdsa_curve: curve,
    id: randomBytes(20).toString('hex'),
    private_key_pem: keys.privateKey,
    private_key_pem_pkcs8: pkcs8,
    public_key_pem: keys.publicKey,
  };
}

/**
 * Runs openssl with `{name}` arguments replaced by files holding `files[name]`
 * in a private directory, and returns its standard output.
 */
function execOpenssl(where: string, args: string[], files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-standin-tls-'));
  fs.chmodSync(dir, 0o700);
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content, { mode: 0o600 });
    const resolved = args.map((a) => a.replace(/^\{(\w+)\}$/, (_, name) => {
      if (!(name in files)) throw new Error(`${where}: no file ${name} for openssl`);
      return path.join(dir, name);
    }));
    return execFileSync('openssl', resolved, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e: any) {
    throw new Error(`${where}: openssl ${args[0]} failed: ${String(e.stderr ?? e.message).trim().split('\n')[0]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const OPENSSL_CURVES: Record<string, string> = { secp224r1: 'sha256', prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** The key's algorithm and the digest Go's x509 signs with for it. */
function keyAlgorithm(where: string, pem: string): { name: string; digest: string } {
  let key;
  try {
    key = parsePrivateKey(pem);
  } catch {
    throw new Error(`${where}: the private key PEM does not parse`);
  }
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSA', digest: 'sha256' };
  if (key.asymmetricKeyType === 'ed25519') return { name: 'ED25519', digest: '' };
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  if (key.asymmetricKeyType === 'ec' && OPENSSL_CURVES[curve]) return { name: 'ECDSA', digest: OPENSSL_CURVES[curve] };
  throw new Error(`${where}: private key of an unsupported kind (${key.asymmetricKeyType} ${curve})`);
}

const KEY_USAGES: Record<string, string> = {
  digital_signature: 'digitalSignature', content_commitment: 'nonRepudiation', key_encipherment: 'keyEncipherment',
  data_encipherment: 'dataEncipherment', key_agreement: 'keyAgreement', cert_signing: 'keyCertSign', crl_signing: 'cRLSign',
  encipher_only: 'encipherOnly', decipher_only: 'decipherOnly',
};
const EXTENDED_KEY_USAGES: Record<string, string> = {
  any_extended: 'anyExtendedKeyUsage', server_auth: 'serverAuth', client_auth: 'clientAuth', code_signing: 'codeSigning',
  email_protection: 'emailProtection', ipsec_end_system: 'ipsecEndSystem', ipsec_tunnel: 'ipsecTunnel', ipsec_user: 'ipsecUser',
  timestamping: 'timeStamping', ocsp_signing: 'OCSPSigning', microsoft_server_gated_crypto: 'msSGC', netscape_server_gated_crypto: 'nsSGC',
  microsoft_commercial_code_signing: 'msCodeCom', microsoft_kernel_code_signing: '1.3.6.1.4.1.311.61.1.1',
};

/** Go's pkix.Name.ToRDNSequence order, as openssl `-subj` text. */
function subjectText(where: string, subject: Attributes[] | undefined): string {
  if (!subject || subject.length === 0) return '/';
  if (subject.length !== 1) throw new Error(`${where}: subject has ${subject.length} blocks, the provider reads one`);
  const s = subject[0];
  only(`${where}.subject`, s, ['common_name', 'organization', 'organizational_unit', 'street_address', 'locality', 'province', 'country', 'postal_code', 'serial_number', 'email_address']);
  const escape = (v: string) => v.replace(/[\\/+=]/g, (c) => `\\${c}`);
  const parts: string[] = [];
  const add = (key: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') parts.push(`${key}=${escape(String(v))}`);
  };
  add('C', s.country);
  add('ST', s.province);
  add('L', s.locality);
  for (const street of s.street_address ?? []) add('street', street);
  add('postalCode', s.postal_code);
  add('O', s.organization);
  add('OU', s.organizational_unit);
  add('CN', s.common_name);
  add('serialNumber', s.serial_number);
  add('emailAddress', s.email_address);
  return `/${parts.join('/')}`;
}

function subjectAltNames(dnsNames: string[] = [], ipAddresses: string[] = [], uris: string[] = []): string | undefined {
  const names = [...dnsNames.map((n) => `DNS:${n}`), ...ipAddresses.map((ip) => `IP:${ip}`), ...uris.map((u) => `URI:${u}`)];
  return names.length > 0 ? names.join(',') : undefined;
}

/** The extensions Go's x509.CreateCertificate writes for the provider's template. */
function extensionsConfig(config: Attributes, options: { isCa: boolean; subjectKeyId: boolean; authorityKeyId: boolean; san?: string }): string {
  const usages = (config.allowed_uses ?? []) as string[];
  const keyUsage = usages.map((u) => KEY_USAGES[u]).filter(Boolean);
  const extended = usages.map((u) => EXTENDED_KEY_USAGES[u]).filter(Boolean);
  return [
    '[req]', 'distinguished_name = dn', '[dn]', '[ext]',
    `basicConstraints = critical,CA:${options.isCa ? 'TRUE' : 'FALSE'}`,
    ...(keyUsage.length ? [`keyUsage = critical,${keyUsage.join(',')}`] : []),
    ...(extended.length ? [`extendedKeyUsage = ${extended.join(',')}`] : []),
    `subjectKeyIdentifier = ${options.subjectKeyId ? 'hash' : 'none'}`,
    `authorityKeyIdentifier = ${options.authorityKeyId ? 'keyid' : 'none'}`,
    ...(options.san ? [`subjectAltName = ${options.san}`] : []),
    '',
  ].join('\n');
}

function validityDays(where: string, hours: number): string {
  if (!Number.isInteger(hours) || hours <= 0 || hours % 24 !== 0) {
    throw new Error(`${where}: validity_period_hours ${hours} is not a whole number of days, which openssl 3.0 cannot express`);
  }
  return String(hours / 24);
}

/** A random serial below 2^128, as the provider draws it. */
function serialNumber(): string {
  return `0x${randomBytes(16).toString('hex')}`;
}

function certificateState(pem: string, config: Attributes): Attributes {
  const cert = new X509Certificate(pem);
  return {
    cert_pem: pem,
    id: BigInt(`0x${cert.serialNumber}`).toString(),
    validity_start_time: new Date(cert.validFrom).toISOString().replace(/\.000Z$/, 'Z'),
    validity_end_time: new Date(cert.validTo).toISOString().replace(/\.000Z$/, 'Z'),
    ready_for_renewal: false,
    early_renewal_hours: config.early_renewal_hours ?? 0,
    is_ca_certificate: config.is_ca_certificate ?? false,
    set_subject_key_id: config.set_subject_key_id ?? false,
  };
}

export function createSelfSignedCert(where: string, config: Attributes): Attributes {
  only(where, config, ['private_key_pem', 'subject', 'validity_period_hours', 'allowed_uses', 'dns_names', 'ip_addresses', 'uris', 'is_ca_certificate', 'early_renewal_hours', 'set_subject_key_id']);
  const key = keyAlgorithm(where, config.private_key_pem);
  const isCa = config.is_ca_certificate === true;
  const cfg = extensionsConfig(config, {
    isCa,
    subjectKeyId: isCa || config.set_subject_key_id === true,
    authorityKeyId: false,
    san: subjectAltNames(config.dns_names, config.ip_addresses, config.uris),
  });
  const pem = execOpenssl(where, [
    'req', '-x509', '-new', '-key', '{key}', '-config', '{cfg}', '-extensions', 'ext', '-subj', subjectText(where, config.subject),
    '-days', validityDays(where, config.validity_period_hours), '-set_serial', serialNumber(), ...(key.digest ? [`-${key.digest}`] : []),
  ], { key: config.private_key_pem, cfg });
  return { ...config, ...certificateState(pem, config), key_algorithm: key.name };
}

export function createCertRequest(where: string, config: Attributes): Attributes {
  only(where, config, ['private_key_pem', 'subject', 'dns_names', 'ip_addresses', 'uris']);
  const key = keyAlgorithm(where, config.private_key_pem);
  const san = subjectAltNames(config.dns_names, config.ip_addresses, config.uris);
  const pem = execOpenssl(where, [
    'req', '-new', '-key', '{key}', '-config', '{cfg}', '-subj', subjectText(where, config.subject),
    ...(san ? ['-addext', `subjectAltName=${san}`] : []), ...(key.digest ? [`-${key.digest}`] : []),
  ], { key: config.private_key_pem, cfg: '[req]\ndistinguished_name = dn\n[dn]\n' });
  return { ...config, cert_request_pem: pem, key_algorithm: key.name, id: randomBytes(20).toString('hex') };
}

/** The names a CSR asks for: the provider copies only its subject, DNS names, IP addresses and URIs. */
function requestedNames(where: string, csrPem: string): string | undefined {
  const text = execOpenssl(where, ['req', '-in', '{csr}', '-noout', '-text'], { csr: csrPem });
  const line = /X509v3 Subject Alternative Name:.*\n\s*(.+)/.exec(text)?.[1];
  if (!line) return undefined;
  return line.split(/,\s*/).map((entry) => {
    const m = /^(DNS|IP Address|URI):(.+)$/.exec(entry.trim());
    if (!m) throw new Error(`${where}: the request names something other than DNS names, IP addresses and URIs`);
    return `${m[1] === 'IP Address' ? 'IP' : m[1]}:${m[2]}`;
  }).join(',');
}

export function createLocallySignedCert(where: string, config: Attributes): Attributes {
  only(where, config, ['cert_request_pem', 'ca_private_key_pem', 'ca_cert_pem', 'validity_period_hours', 'allowed_uses', 'is_ca_certificate', 'early_renewal_hours', 'set_subject_key_id']);
  const key = keyAlgorithm(where, config.ca_private_key_pem);
  const caHasKeyId = /X509v3 Subject Key Identifier/.test(execOpenssl(where, ['x509', '-in', '{ca}', '-noout', '-text'], { ca: config.ca_cert_pem }));
  const isCa = config.is_ca_certificate === true;
  const cfg = extensionsConfig(config, {
    isCa,
    subjectKeyId: isCa || config.set_subject_key_id === true,
    authorityKeyId: caHasKeyId,
    san: requestedNames(where, config.cert_request_pem),
  });
  const pem = execOpenssl(where, [
    'x509', '-req', '-in', '{csr}', '-CA', '{ca}', '-CAkey', '{cakey}', '-extfile', '{cfg}', '-extensions', 'ext',
    '-days', validityDays(where, config.validity_period_hours), '-set_serial', serialNumber(), ...(key.digest ? [`-${key.digest}`] : []),
  ], { csr: config.cert_request_pem, ca: config.ca_cert_pem, cakey: config.ca_private_key_pem, cfg });
  return { ...config, ...certificateState(pem, config), ca_key_algorithm: key.name };
}

/** The provider's Read: a certificate inside its early-renewal window is marked for replacement. */
export function readyForRenewal(state: Attributes, now = new Date()): boolean {
  const end = Date.parse(state.validity_end_time);
  return end - (state.early_renewal_hours ?? 0) * 3600_000 <= now.getTime();
}
