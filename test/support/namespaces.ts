/**
 * Network namespaces that stand for client machines off the Docker host: each
 * joined to the host by a veth pair on a /30 of its own, with routes the test
 * adds through the host's end. Clients run inside with `ip netns exec … node`
 * and talk only to the addresses the test names.
 */
import { execFile, execFileSync } from 'child_process';

/** A namespace, its end of the veth pair and the host's, on a /30 nothing else here uses. */
export interface Namespace { readonly name: string; readonly hostIf: string; readonly nsIf: string; readonly hostAddress: string; readonly address: string }

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}

export function removeNamespace(ns: Namespace): void {
  // Deleting the namespace deletes the veth pair with it; a host end left by an earlier run without its namespace goes by itself.
  if (ip('netns', 'list').split('\n').some((line) => line.split(' ')[0] === ns.name)) ip('netns', 'delete', ns.name);
  else if (ip('-o', 'link', 'show').includes(`${ns.hostIf}@`)) ip('link', 'delete', ns.hostIf);
}

export function addNamespace(ns: Namespace): void {
  const subnet = `${ns.address.replace(/\.\d+$/, '.0')}/30`;
  if (ip('-4', 'route', 'show', subnet).trim() !== '') throw new Error(`${subnet} is routed here already: pick another /30 for the test`);
  ip('netns', 'add', ns.name);
  ip('link', 'add', ns.hostIf, 'type', 'veth', 'peer', 'name', ns.nsIf);
  ip('link', 'set', ns.nsIf, 'netns', ns.name);
  ip('addr', 'add', `${ns.hostAddress}/30`, 'dev', ns.hostIf);
  ip('link', 'set', ns.hostIf, 'up');
  const inNs = (...args: string[]) => ip('netns', 'exec', ns.name, 'ip', ...args);
  inNs('addr', 'add', `${ns.address}/30`, 'dev', ns.nsIf);
  inNs('link', 'set', ns.nsIf, 'up');
  inNs('link', 'set', 'lo', 'up');
}

/** Routes from inside `ns` to each destination (`address/prefix`) through the host's end of its veth pair. */
export function addRoutes(ns: Namespace, routes: string[]): void {
  for (const route of routes) ip('netns', 'exec', ns.name, 'ip', 'route', 'add', route, 'via', ns.hostAddress);
}

/**
 * What a client got from `host:port`: whether TCP (and TLS) came up, what the server sent to `AUTH`, `PING`,
 * `QUIT`, and the socket's error code if it had one.
 */
export interface Session { readonly connected: boolean; readonly handshake: boolean; readonly received: string; readonly error?: string }

export interface SessionTarget { readonly host: string; readonly port: number; readonly ca?: string; readonly user?: string; readonly password?: string }

/** Plaintext without `ca`, TLS with it; the target (password included) comes on stdin. */
const CLIENT_SCRIPT = `
const net = require('net'), tls = require('tls');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const o = JSON.parse(input);
  const result = { connected: false, handshake: false, received: '' };
  const done = () => { process.stdout.write(JSON.stringify(result)); process.exit(0); };
  const tcp = net.connect({ host: o.host, port: o.port });
  tcp.setTimeout(3000, () => { tcp.destroy(); done(); });
  tcp.on('error', (e) => { result.error = e.code; done(); });
  tcp.on('connect', () => {
    result.connected = true;
    const hello = (o.user ? 'AUTH ' + o.user + ' ' + o.password + '\\r\\n' : '') + 'PING\\r\\nQUIT\\r\\n';
    if (!o.ca) { tcp.write(hello); tcp.on('data', (c) => (result.received += c)); tcp.on('close', done); return; }
    const s = tls.connect({ socket: tcp, ca: o.ca, servername: 'localhost' }, () => { result.handshake = true; s.write(hello); });
    s.on('data', (c) => (result.received += c));
    s.on('error', done);
    s.on('close', done);
  });
});
`;

/** Runs one session from inside `ns` (from the test's own namespace without one); the password goes through stdin, never an argument. */
export function sessionFrom(ns: Namespace | undefined, target: SessionTarget): Promise<Session> {
  return new Promise((resolve, reject) => {
    const command = ns ? ['ip', 'netns', 'exec', ns.name, process.execPath, '-e', CLIENT_SCRIPT] : [process.execPath, '-e', CLIENT_SCRIPT];
    const child = execFile(command[0], command.slice(1), { timeout: 20_000 }, (error, stdout) => {
      if (error) reject(new Error(`client in ${ns?.name ?? 'the test\'s namespace'} failed: ${error.message}`));
      else resolve(JSON.parse(stdout) as Session);
    });
    child.stdin!.end(JSON.stringify(target));
  });
}
