import { renderTlsProxyConf } from '../../lib/private/tls-proxy-conf';

const input = {
  listenPort: 6380,
  certificatePath: '/etc/certs/server.pem',
  backendSocket: '/run/redis/redis.sock',
  maxConnections: 4096,
  allowedSources: [],
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

  test('forwards TCP to Redis\'s Unix socket', () => {
    expect(lines).toContain('mode tcp');
    expect(lines).toContain('server redis unix@/run/redis/redis.sock');
  });

  test('runs one thread, like the Redis it fronts', () => {
    expect(lines).toContain('nbthread 1');
  });

  test('switches no user or group: the container starts it unprivileged, and only root could switch', () => {
    expect(lines.filter((l) => /^(user|uid|group|gid) /.test(l))).toEqual([]);
  });

  test('keeps idle Redis connections open for a day', () => {
    expect(lines).toEqual(expect.arrayContaining(['timeout client 24h', 'timeout server 24h']));
  });

  test('allows only forward-secret AEAD suites for TLS 1.2', () => {
    const ciphers = lines.find((l) => l.startsWith('ssl-default-bind-ciphers '))!.split(' ')[1].split(':');
    expect(ciphers.length).toBeGreaterThan(0);
    for (const cipher of ciphers) expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  test('admits any source when no source is listed', () => {
    expect(conf).not.toMatch(/acl |tcp-request/);
  });

  test('closes a connection from an unlisted source as it is accepted, before the TLS handshake, one acl line per source', () => {
    const filtered = renderTlsProxyConf({ ...input, allowedSources: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(filtered).toContain([
      '    bind :6380 ssl crt /etc/certs/server.pem',
      '    acl allowed_source src 10.0.0.0/8',
      '    acl allowed_source src 2001:db8::/32',
      '    tcp-request connection reject unless allowed_source',
      '    default_backend redis',
    ].join('\n'));
  });

  test('is deterministic and changes with its input', () => {
    expect(renderTlsProxyConf({ ...input })).toBe(conf);
    expect(renderTlsProxyConf({ ...input, listenPort: 7380 })).toContain('bind :7380 ssl');
  });
});
