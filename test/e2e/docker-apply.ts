/**
 * A deliberately small stand-in for `terraform apply` of the Docker resources
 * in a synthesized stack.
 *
 * Why it exists: no Terraform binary or provider can be installed on these
 * machines, so `cdktf deploy` cannot run in CI. This creates exactly the
 * docker_network, docker_volume, docker_image and docker_container resources
 * the plan declares, through the Docker Engine API the provider also uses,
 * so the end-to-end tests can use and break what a deploy would create.
 *
 * It must not silently diverge from the plan: any resource type, attribute or
 * Terraform reference it does not understand is an error, never skipped.
 * Values a deploy would compute elsewhere (passwords, TLS material) must be
 * given to the constructs as props by the test, so they are literals here.
 */
import * as http from 'http';

const API = '/v1.41';
const SOCKET = '/var/run/docker.sock';

export interface DockerResponse {
  readonly status: number;
  readonly body: any;
}

/** One Engine API call over the local socket, bounded in time. */
export function dockerApi(method: string, path: string, body?: unknown, raw?: Buffer, timeoutMs = 60_000): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    const payload = raw ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    const req = http.request(
      {
        socketPath: SOCKET,
        method,
        path: `${API}${path}`,
        headers: payload ? { 'Content-Type': raw ? 'application/x-tar' : 'application/json', 'Content-Length': payload.length } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Some endpoints answer plain text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export async function dockerOk(method: string, path: string, body?: unknown, raw?: Buffer, timeoutMs?: number): Promise<any> {
  const res = await dockerApi(method, path, body, raw, timeoutMs);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A ustar archive of files owned by root, as the provider's `upload` writes them. */
function tarOf(files: Array<{ path: string; content: string; mode: number }>): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const data = Buffer.from(file.content, 'utf8');
    const header = Buffer.alloc(512);
    const name = file.path.replace(/^\//, '');
    if (name.length > 99) throw new Error(`upload path too long for this stand-in: ${file.path}`);
    header.write(name, 0);
    header.write(file.mode.toString(8).padStart(7, '0') + '\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
function nanoseconds(where: string, value: string): number {
  const m = DURATION.exec(value);
  if (!m) throw new Error(`${where}: duration ${JSON.stringify(value)} not understood`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** Checks that `resource` has only attributes this stand-in implements. */
function onlyKnown(where: string, resource: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(resource)) {
    if (key !== '//' && !known.includes(key)) throw new Error(`${where}: attribute "${key}" is not understood by the e2e stand-in`);
  }
}

export interface AppliedStack {
  readonly containers: Record<string, { id: string; name: string; destroyGraceSeconds: number }>;
  readonly volumes: string[];
  readonly networks: string[];
  /** Removes everything this apply created, containers first. */
  destroy(): Promise<void>;
}

const APPLY_ORDER = ['docker_image', 'docker_network', 'docker_volume', 'docker_container'];

/**
 * Creates the plan's Docker objects in dependency order. Only 127.0.0.1 may be
 * used for published ports: the tests never expose anything beyond loopback.
 */
export async function applyDockerPlan(plan: any): Promise<AppliedStack> {
  const resources = plan.resource as Record<string, Record<string, any>>;
  for (const type of Object.keys(resources)) {
    if (!APPLY_ORDER.includes(type)) throw new Error(`resource type ${type} is not understood by the e2e stand-in; give the constructs literal props instead`);
  }
  const attributes = new Map<string, Record<string, unknown>>();
  const applied: AppliedStack = {
    containers: {},
    volumes: [],
    networks: [],
    destroy: async () => {
      for (const c of Object.values(applied.containers).reverse()) {
        await dockerApi('POST', `/containers/${c.id}/stop?t=${c.destroyGraceSeconds}`, undefined, undefined, (c.destroyGraceSeconds + 30) * 1000);
        await dockerApi('DELETE', `/containers/${c.id}?force=true&v=true`);
      }
      for (const v of applied.volumes) await dockerApi('DELETE', `/volumes/${v}?force=true`);
      for (const n of applied.networks) await dockerApi('DELETE', `/networks/${n}`);
    },
  };

  const resolve = (where: string, value: unknown): any => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([^}]*)\}/g, (ref, expr: string) => {
        const m = /^(docker_\w+)\.([\w-]+)\.(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(expr);
        const known = m && attributes.get(`${m[1]}.${m[2]}`);
        if (!m || !known) throw new Error(`${where}: reference ${ref} is not understood by the e2e stand-in`);
        const attr = m[4] === undefined ? known[m[3]] : (known[m[3]] as any[])?.[Number(m[4])]?.[m[5]];
        if (attr === undefined) throw new Error(`${where}: reference ${ref} names an attribute the stand-in does not compute`);
        return String(attr);
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => resolve(`${where}[${i}]`, v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '//' ? v : resolve(`${where}.${k}`, v)]));
    }
    return value;
  };

  try {
    for (const type of APPLY_ORDER) {
      for (const [logicalId, declared] of dependencyOrder(type, resources[type] ?? {})) {
        const where = `${type}.${logicalId}`;
        const r = resolve(where, declared);
        switch (type) {
          case 'docker_image': {
            onlyKnown(where, r, ['name', 'keep_locally']);
            if (r.keep_locally !== true) throw new Error(`${where}: the stand-in never removes images; keep_locally must be true`);
            // No registry is reachable: the image must already be on the host, built by scripts/build-test-images.sh.
            const image = await dockerOk('GET', `/images/${encodeURIComponent(r.name)}/json`);
            attributes.set(`${type}.${logicalId}`, { name: r.name, image_id: image.Id });
            break;
          }
          case 'docker_network': {
            onlyKnown(where, r, ['name', 'labels']);
            const labels = Object.fromEntries((r.labels ?? []).map((l: any) => [l.label, l.value]));
            await dockerOk('POST', '/networks/create', { Name: r.name, Labels: labels, CheckDuplicate: true });
            applied.networks.push(r.name);
            attributes.set(`${type}.${logicalId}`, { name: r.name });
            break;
          }
          case 'docker_volume': {
            onlyKnown(where, r, ['name', 'driver', 'driver_opts', 'labels', 'lifecycle']);
            const labels = Object.fromEntries((r.labels ?? []).map((l: any) => [l.label, l.value]));
            await dockerOk('POST', '/volumes/create', { Name: r.name, Driver: r.driver ?? 'local', DriverOpts: r.driver_opts ?? {}, Labels: labels });
            applied.volumes.push(r.name);
            attributes.set(`${type}.${logicalId}`, { name: r.name });
            break;
          }
          case 'docker_container': {
            const id = await createContainer(where, r);
            applied.containers[logicalId] = { id, name: r.name, destroyGraceSeconds: r.destroy_grace_seconds ?? 0 };
            const inspected = await dockerOk('GET', `/containers/${id}/json`);
            const ports = (r.ports ?? []).map((p: any) => ({
              ...p,
              external: Number(inspected.NetworkSettings.Ports?.[`${p.internal}/${p.protocol ?? 'tcp'}`]?.[0]?.HostPort),
            }));
            attributes.set(`${type}.${logicalId}`, { id, name: r.name, ports });
            break;
          }
        }
      }
    }
  } catch (e) {
    await applied.destroy();
    throw e;
  }
  return applied;
}

/**
 * Resources of one type in an order where each comes after the resources of
 * the same type it references (a container joining another's namespace).
 */
function dependencyOrder(type: string, byId: Record<string, any>): Array<[string, any]> {
  const pending = new Map(Object.entries(byId));
  const ordered: Array<[string, any]> = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, r]) =>
      [...JSON.stringify(r).matchAll(new RegExp(`\\$\\{${type}\\.([\\w-]+)\\.`, 'g'))].every((m) => !pending.has(m[1])),
    );
    if (ready.length === 0) throw new Error(`${type}: circular references between ${[...pending.keys()].join(', ')}`);
    for (const [id, r] of ready) {
      ordered.push([id, r]);
      pending.delete(id);
    }
  }
  return ordered;
}

const CONTAINER_ATTRIBUTES = [
  'name', 'image', 'entrypoint', 'command', 'user', 'group_add', 'hostname', 'network_mode', 'networks_advanced', 'ports', 'memory',
  'memory_swap', 'restart', 'stop_timeout', 'stop_signal', 'destroy_grace_seconds', 'upload', 'healthcheck', 'volumes',
  'tmpfs', 'labels', 'log_driver', 'log_opts', 'read_only',
];

async function createContainer(where: string, r: any): Promise<string> {
  onlyKnown(where, r, CONTAINER_ATTRIBUTES);
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const exposed: Record<string, object> = {};
  for (const p of r.ports ?? []) {
    onlyKnown(`${where}.ports`, p, ['internal', 'external', 'ip', 'protocol']);
    if (p.ip !== '127.0.0.1') throw new Error(`${where}: the e2e tests publish on 127.0.0.1 only, the plan says ${p.ip}`);
    const key = `${p.internal}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    portBindings[key] = [{ HostIp: p.ip, HostPort: p.external === undefined ? '' : String(p.external) }];
  }
  const networks = r.networks_advanced ?? [];
  if (networks.length > 1) throw new Error(`${where}: the stand-in attaches one network, the plan has ${networks.length}`);
  for (const n of networks) onlyKnown(`${where}.networks_advanced`, n, ['name', 'aliases']);
  if (r.healthcheck) onlyKnown(`${where}.healthcheck`, r.healthcheck, ['test', 'interval', 'timeout', 'retries', 'start_period']);
  for (const u of r.upload ?? []) onlyKnown(`${where}.upload`, u, ['file', 'content', 'permissions']);
  for (const v of r.volumes ?? []) onlyKnown(`${where}.volumes`, v, ['volume_name', 'container_path']);

  const megabytes = (mb: number | undefined) => (mb === undefined ? undefined : mb * 1024 * 1024);
  const body = {
    Image: r.image,
    Entrypoint: r.entrypoint,
    Cmd: r.command,
    User: r.user,
    Hostname: r.hostname,
    Labels: Object.fromEntries((r.labels ?? []).map((l: any) => [l.label, l.value])),
    StopSignal: r.stop_signal,
    StopTimeout: r.stop_timeout,
    ExposedPorts: exposed,
    Healthcheck: r.healthcheck && {
      Test: r.healthcheck.test,
      Interval: nanoseconds(`${where}.healthcheck.interval`, r.healthcheck.interval),
      Timeout: nanoseconds(`${where}.healthcheck.timeout`, r.healthcheck.timeout),
      StartPeriod: nanoseconds(`${where}.healthcheck.start_period`, r.healthcheck.start_period),
      Retries: r.healthcheck.retries,
    },
    HostConfig: {
      NetworkMode: r.network_mode ?? networks[0]?.name,
      GroupAdd: r.group_add,
      PortBindings: portBindings,
      Memory: megabytes(r.memory),
      MemorySwap: megabytes(r.memory_swap),
      RestartPolicy: { Name: r.restart ?? 'no' },
      ReadonlyRootfs: r.read_only ?? false,
      Binds: (r.volumes ?? []).map((v: any) => `${v.volume_name}:${v.container_path}`),
      Tmpfs: r.tmpfs,
      LogConfig: { Type: r.log_driver ?? 'json-file', Config: r.log_opts ?? {} },
    },
    NetworkingConfig: networks.length === 1 ? { EndpointsConfig: { [networks[0].name]: { Aliases: networks[0].aliases ?? [] } } } : undefined,
  };
  const created = await dockerOk('POST', `/containers/create?name=${encodeURIComponent(r.name)}`, body);
  if ((r.upload ?? []).length > 0) {
    // Like the provider: written once, before start, owned by root.
    const archive = tarOf(r.upload.map((u: any) => ({ path: u.file, content: u.content, mode: parseInt(u.permissions ?? '0644', 8) })));
    await dockerOk('PUT', `/containers/${created.Id}/archive?path=/`, undefined, archive);
  }
  await dockerOk('POST', `/containers/${created.Id}/start`);
  return created.Id;
}
