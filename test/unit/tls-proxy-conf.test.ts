import { renderTlsProxyConf } from '../../lib/private/tls-proxy-conf';

const input = {
  listenPort: 6380,
  certificatePath: '/etc/certs/server.pem',
  backendHost: 'cache',
  backendPort: 6379,
  resolver: '127.0.0.11:53',
  maxConnections: 4096,
};

describe('renderTlsProxyConf', () => {
  const conf = renderTlsProxyConf(input);
  const lines = conf.split('\n').map((l) => l.trim());

  test('terminates TLS on the listen port with the certificate', () => {
    expect(lines).toContain('bind :6380 ssl crt /etc/certs/server.pem');
  });

  test('refuses TLS older than 1.2', () => {
    expect(lines).toContain('ssl-default-bind-options ssl-min-ver TLSv1.2');
  });

  test('forwards TCP to Redis by name, resolved through Docker\'s DNS and re-resolved', () => {
    expect(lines).toContain('mode tcp');
    expect(lines).toContain('server redis cache:6379 resolvers docker init-addr last,libc,none check inter 2s');
    const resolvers = conf.slice(conf.indexOf('resolvers docker'), conf.indexOf('frontend')).trim().split('\n').map((l) => l.trim());
    expect(resolvers).toEqual(['resolvers docker', 'nameserver embedded 127.0.0.11:53', 'hold valid 5s', 'hold obsolete 5s']);
  });

  test('runs one thread, like the Redis it fronts', () => {
    expect(lines).toContain('nbthread 1');
  });

  test('drops root after reading the key', () => {
    expect(lines).toEqual(expect.arrayContaining(['user haproxy', 'group haproxy']));
  });

  test('keeps idle Redis connections open for a day', () => {
    expect(lines).toEqual(expect.arrayContaining(['timeout client 24h', 'timeout server 24h']));
  });

  test('allows only forward-secret AEAD suites for TLS 1.2', () => {
    const ciphers = lines.find((l) => l.startsWith('ssl-default-bind-ciphers '))!.split(' ')[1].split(':');
    expect(ciphers.length).toBeGreaterThan(0);
    for (const cipher of ciphers) expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  test('is deterministic and changes with its input', () => {
    expect(renderTlsProxyConf({ ...input })).toBe(conf);
    expect(renderTlsProxyConf({ ...input, listenPort: 7380 })).toContain('bind :7380 ssl');
  });
});
