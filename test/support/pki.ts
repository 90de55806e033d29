import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface TestPki {
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** A second CA that signed nothing here: a client trusting only it must be refused. */
  readonly otherCaCertPem: string;
  /** The second CA's key: a key that belongs to no server certificate here. */
  readonly otherCaKeyPem: string;
  readonly caFile: string;
  readonly otherCaFile: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  openssl(dir, 'req', '-x509', '-new', '-key', `${name}.key`, '-days', '90', '-subj', `/CN=${name}`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/**
 * A fresh CA and a server certificate for `localhost` and 127.0.0.1, made
 * with openssl the way the tls provider's resources would make them.
 */
export function makeTestPki(dir: string): TestPki {
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
  openssl(dir, 'req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,DNS:cache,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '90',
    '-extfile', 'server.ext', '-out', 'server.crt');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    caCertPem: read('ca.crt'),
    certPem: read('server.crt'),
    keyPem: read('server.key'),
    otherCaCertPem: read('other-ca.crt'),
    otherCaKeyPem: read('other-ca.key'),
    caFile: path.join(dir, 'ca.crt'),
    otherCaFile: path.join(dir, 'other-ca.crt'),
  };
}
