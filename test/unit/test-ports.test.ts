import * as net from 'net';
import { freePort, testPortRange } from '../support/processes';

describe('test ports', () => {
  test('come from below the ephemeral range when it leaves room there', () => {
    expect(testPortRange({ low: 32768, high: 60999 })).toEqual({ low: 24768, high: 32767 });
  });

  test('come from above the ephemeral range when it starts low', () => {
    expect(testPortRange({ low: 1024, high: 40000 })).toEqual({ low: 40001, high: 65535 });
  });

  test('fails when the ephemeral range leaves no room on either side', () => {
    expect(() => testPortRange({ low: 1024, high: 65000 })).toThrow('ip_local_port_range 1024-65000 leaves no range of 8000 ports for tests outside it');
  });

  test('are outside this machine\'s ephemeral range, never handed out twice, and can be listened on', async () => {
    const { low, high } = testPortRange();
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThanOrEqual(high);
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '0.0.0.0', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
