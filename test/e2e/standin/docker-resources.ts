/**
 * The Docker provider's create, Read, Update and Delete of the resource types
 * the constructs use, through the Engine API as kreuzwerker/docker 3.6.2 calls
 * it (files named per function, under internal/provider/). Create handles only
 * the arguments listed per type and refuses the others; Read maps every
 * attribute the provider's Read sets, so a refresh sees what Terraform would.
 */
import { sleep } from '../../support/processes';
import { Engine } from './engine';
import { validate } from './validators';

export type Attributes = Record<string, any>;

export interface ResourceHandler {
  /** Arguments create understands; any other in the plan is refused. */
  readonly supported: readonly string[];
  /** Attributes read sets from Docker, as the provider's Read does (some only when Docker reports them). */
  readonly readBack: readonly string[];
  create(engine: Engine, where: string, config: Attributes): Promise<Attributes>;
  /** The refreshed state, or undefined when the object is gone (Terraform then plans to create it). */
  read(engine: Engine, where: string, state: Attributes): Promise<Attributes | undefined>;
  update?(engine: Engine, where: string, state: Attributes, planned: Attributes): Promise<Attributes>;
  delete(engine: Engine, where: string, state: Attributes): Promise<void>;
}

function only(where: string, config: Attributes, supported: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (!supported.includes(key)) throw new Error(`${where}: attribute "${key}" is not modelled by the stand-in's create`);
  }
}

const labelMap = (labels: Array<{ label: string; value: string }> | undefined) =>
  Object.fromEntries((labels ?? []).map((l) => [l.label, l.value]));
const labelSet = (labels: Record<string, string> | null | undefined) =>
  Object.entries(labels ?? {}).map(([label, value]) => ({ label, value }));

/** Retries a removal Docker refuses while the object is in use, for 30 s, as the provider's StateChangeConf does. */
async function removeWhileInUse(where: string, inUse: RegExp, attempt: () => Promise<'removed' | 'in use'>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let tries = 0; tries < 20; tries++) {
    if ((await attempt()) === 'removed') return;
    if (Date.now() >= deadline) break;
    await sleep(2000);
  }
  throw new Error(`${where}: timeout while waiting for state to become 'removed' (still ${inUse.source} after 30 s)`);
}

// resource_docker_image_funcs.go
export const dockerImage: ResourceHandler = {
  supported: ['name', 'keep_locally'],
  readBack: ['id', 'image_id', 'repo_digest'],
  async create(engine, where, config) {
    only(where, config, this.supported);
    if (config.keep_locally !== true) {
      throw new Error(`${where}: keep_locally must be true: a destroy would otherwise remove an image other tests and stacks share`);
    }
    const state = await this.read(engine, where, { ...config });
    if (!state) throw new Error(`${where}: image ${config.name} is not on ${engine.host} and no registry is reachable: build or load it first`);
    return state;
  },
  async read(engine, _where, state) {
    const inspected = await engine.call('GET', `/images/${encodeURIComponent(state.name)}/json`);
    if (inspected.status === 404) return undefined;
    if (inspected.status !== 200) throw new Error(`image ${state.name}: HTTP ${inspected.status}`);
    const listed = (await engine.ok('GET', '/images/json')) as Array<{ Id: string }>;
    if (!listed.some((image) => image.Id === inspected.body.Id)) return undefined;
    const digests: string[] = inspected.body.RepoDigests ?? [];
    return { ...state, id: `${inspected.body.Id}${state.name}`, image_id: inspected.body.Id, repo_digest: digests[0] ?? '' };
  },
  async delete(_engine, where, state) {
    if (state.keep_locally !== true) throw new Error(`${where}: the stand-in never removes images`);
  },
};

// resource_docker_network.go, resource_docker_network_funcs.go
export const dockerNetwork: ResourceHandler = {
  supported: ['name', 'labels', 'driver', 'options', 'internal', 'attachable', 'ipv6', 'ipam_config'],
  readBack: ['id', 'name', 'labels', 'driver', 'internal', 'attachable', 'ingress', 'ipv6', 'ipam_driver', 'ipam_options', 'scope', 'options', 'ipam_config'],
  async create(engine, where, config) {
    only(where, config, this.supported);
    const body: Attributes = { Name: config.name, Labels: labelMap(config.labels), IPAM: { Driver: config.ipam_driver ?? 'default' } };
    if (config.driver) body.Driver = config.driver;
    if (config.options) body.Options = config.options;
    if (config.internal) body.Internal = true;
    if (config.attachable) body.Attachable = true;
    if (config.ipv6) body.EnableIPv6 = true;
    // ipamConfigSetToIpamConfigs; the API types leave empty fields out (omitempty).
    if ((config.ipam_config ?? []).length > 0) {
      body.IPAM = {
        ...(body.IPAM as Attributes),
        Config: (config.ipam_config as Attributes[]).map((c, i) => {
          only(`${where}.ipam_config[${i}]`, c, ['subnet', 'ip_range', 'gateway']);
          return Object.fromEntries([['Subnet', c.subnet], ['IPRange', c.ip_range], ['Gateway', c.gateway]].filter(([, v]) => v));
        }),
      };
    }
    // The Go client adds CheckDuplicate for engines older than API 1.44 (client/network_create.go).
    const version = await engine.apiVersion();
    if (Number(version.split('.')[1]) < 44) body.CheckDuplicate = true;
    const created = await engine.ok('POST', '/networks/create', { body });
    const state = await this.read(engine, where, { ...config, id: created.Id });
    if (!state) throw new Error(`${where}: network ${config.name} vanished right after its creation`);
    return state;
  },
  async read(engine, _where, state) {
    // Any failed inspect, not only a 404, removes the network from the state (resourceDockerNetworkReadRefreshFunc).
    const res = await engine.call('GET', `/networks/${state.id}`).catch(() => undefined);
    if (res?.status !== 200) return undefined;
    const n = res.body;
    return {
      ...state,
      name: n.Name,
      labels: labelSet(n.Labels),
      driver: n.Driver,
      internal: n.Internal,
      attachable: n.Attachable,
      ingress: n.Ingress,
      ipv6: n.EnableIPv6,
      ipam_driver: n.IPAM?.Driver,
      ipam_options: n.IPAM?.Options ?? {},
      scope: n.Scope,
      options: n.Options ?? {},
      ipam_config: (n.IPAM?.Config ?? []).map((c: any) => Object.fromEntries(
        [['subnet', c.Subnet], ['ip_range', c.IPRange], ['gateway', c.Gateway]].filter(([, v]) => v),
      )),
    };
  },
  async delete(engine, where, state) {
    await removeWhileInUse(where, /has active endpoints/, async () => {
      // Any failed inspect counts as removed already (resourceDockerNetworkRemoveRefreshFunc).
      const inspected = await engine.call('GET', `/networks/${state.id}`).catch(() => undefined);
      if (inspected?.status !== 200) return 'removed';
      const res = await engine.call('DELETE', `/networks/${state.id}`);
      if (res.status < 300 || res.status === 404) return 'removed';
      if (/has active endpoints/.test(JSON.stringify(res.body))) return 'in use';
      throw new Error(`${where}: removing network ${state.name}: HTTP ${res.status} ${res.body?.message ?? ''}`);
    });
  },
};

// resource_docker_volume.go
export const dockerVolume: ResourceHandler = {
  supported: ['name', 'labels', 'driver', 'driver_opts'],
  readBack: ['id', 'name', 'labels', 'driver', 'driver_opts', 'mountpoint'],
  async create(engine, where, config) {
    only(where, config, this.supported);
    const body: Attributes = { Name: config.name, Labels: labelMap(config.labels) };
    if (config.driver) body.Driver = config.driver;
    if (config.driver_opts) body.DriverOpts = config.driver_opts;
    const created = await engine.ok('POST', '/volumes/create', { body });
    const state = await this.read(engine, where, { ...config, id: created.Name });
    if (!state) throw new Error(`${where}: volume ${config.name} vanished right after its creation`);
    return state;
  },
  async read(engine, _where, state) {
    const res = await engine.call('GET', `/volumes/${encodeURIComponent(state.id)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`volume ${state.id}: HTTP ${res.status}`);
    const v = res.body;
    return { ...state, name: v.Name, labels: labelSet(v.Labels), driver: v.Driver, driver_opts: v.Options ?? {}, mountpoint: v.Mountpoint };
  },
  async delete(engine, where, state) {
    await removeWhileInUse(where, /volume is in use/, async () => {
      const res = await engine.call('DELETE', `/volumes/${encodeURIComponent(state.id)}?force=true`);
      if (res.status < 300 || res.status === 404) return 'removed';
      if (/volume is in use/.test(JSON.stringify(res.body))) return 'in use';
      throw new Error(`${where}: removing volume ${state.id}: HTTP ${res.status} ${res.body?.message ?? ''}`);
    });
  },
};

const DURATION = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration of a duration the provider's validator let through ("10s", "1m30s", "500ms", ".5s"). */
export function parseGoDuration(where: string, text: string): number {
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  while (rest) {
    const m = DURATION.exec(rest);
    if (!m) throw new Error(`${where}: duration ${JSON.stringify(text)} not understood`);
    total += Number(m[1]) * UNIT_NS[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (!text) throw new Error(`${where}: empty duration`);
  return Math.round(total);
}

/** Go's time.Duration.String(), which the provider's Read writes back into the healthcheck. */
export function goDurationString(ns: number): string {
  if (ns === 0) return '0s';
  const trim = (n: number) => String(Number(n.toFixed(9)));
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  const hours = Math.floor(ns / 3600e9);
  const minutes = Math.floor((ns % 3600e9) / 60e9);
  const seconds = (ns % 60e9) / 1e9;
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${trim(seconds)}s`;
}

/** A ustar archive holding one root-owned file, as the provider builds one per upload. */
export function tarOfOne(file: string, content: Buffer, mode: number): Buffer {
  const header = Buffer.alloc(512);
  if (Buffer.byteLength(file) > 99) throw new Error(`upload path longer than 99 bytes is not modelled: ${file}`);
  header.write(file, 0);
  header.write(mode.toString(8).padStart(7, '0') + '\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return Buffer.concat([header, content, Buffer.alloc((512 - (content.length % 512)) % 512), Buffer.alloc(1024)]);
}

/** Set by Read only when Docker reports them: otherwise the state keeps what it had. */
const CONDITIONALLY_READ = ['ports', 'capabilities', 'cpus', 'gpus', 'healthcheck', 'exit_code'];

/** The provider's Read of a container, attribute by attribute (resourceDockerContainerRead). */
export function containerAttributes(state: Attributes, c: any): Attributes {
  const hc = c.HostConfig ?? {};
  const cfg = c.Config ?? {};
  const mib = 1024 * 1024;
  const ports: Attributes[] = [];
  const portKeys = Object.keys(c.NetworkSettings?.Ports ?? {}).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  for (const key of portKeys) {
    const [internal, protocol] = key.split('/');
    for (const binding of c.NetworkSettings.Ports[key] ?? []) {
      ports.push({ internal: Number(internal), external: Number(binding.HostPort), ip: binding.HostIp, protocol });
    }
  }
  const read: Attributes = {
    id: c.Id,
    name: String(c.Name).replace(/^\/+/, ''),
    rm: hc.AutoRemove ?? false,
    read_only: hc.ReadonlyRootfs ?? false,
    image: String(state.image ?? '').startsWith('sha256:') ? c.Image : cfg.Image,
    hostname: cfg.Hostname,
    domainname: cfg.Domainname,
    command: cfg.Cmd ?? [],
    entrypoint: cfg.Entrypoint ?? [],
    user: cfg.User,
    dns: hc.Dns ?? [],
    dns_opts: hc.DnsOptions ?? [],
    security_opts: hc.SecurityOpt ?? [],
    dns_search: hc.DnsSearch ?? [],
    publish_all_ports: hc.PublishAllPorts ?? false,
    restart: hc.RestartPolicy?.Name,
    max_retry_count: hc.RestartPolicy?.MaximumRetryCount ?? 0,
    init: hc.Init ?? false,
    working_dir: cfg.WorkingDir,
    runtime: hc.Runtime,
    mounts: (hc.Mounts ?? []).map((m: any) => ({ target: m.Target, source: m.Source, type: m.Type, read_only: m.ReadOnly ?? false })),
    tmpfs: hc.Tmpfs ?? {},
    host: (hc.ExtraHosts ?? []).map((h: string) => ({ host: h.split(':')[0], ip: h.split(':')[1] })),
    ulimit: (hc.Ulimits ?? []).map((u: any) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    privileged: hc.Privileged ?? false,
    devices: (hc.Devices ?? []).map((d: any) => ({ host_path: d.PathOnHost, container_path: d.PathInContainer, permissions: d.CgroupPermissions })),
    memory: Math.trunc((hc.Memory ?? 0) / mib),
    memory_swap: hc.MemorySwap > 0 ? Math.trunc(hc.MemorySwap / mib) : hc.MemorySwap ?? 0,
    shm_size: Math.trunc((hc.ShmSize ?? 0) / mib),
    cpu_shares: hc.CpuShares ?? 0,
    cpu_set: hc.CpusetCpus ?? '',
    log_driver: hc.LogConfig?.Type,
    log_opts: hc.LogConfig?.Config ?? {},
    storage_opts: hc.StorageOpt ?? {},
    network_mode: hc.NetworkMode,
    pid_mode: hc.PidMode ?? '',
    userns_mode: hc.UsernsMode ?? '',
    sysctls: hc.Sysctls ?? {},
    ipc_mode: hc.IpcMode,
    group_add: hc.GroupAdd ?? [],
    tty: cfg.Tty ?? false,
    stdin_open: cfg.OpenStdin ?? false,
    stop_signal: cfg.StopSignal ?? '',
    stop_timeout: cfg.StopTimeout ?? 0,
    bridge: c.NetworkSettings?.Bridge ?? '',
    network_data: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]: [string, any]) => ({
      network_name: name, ip_address: n.IPAddress, ip_prefix_length: n.IPPrefixLen, gateway: n.Gateway, mac_address: n.MacAddress,
    })),
  };
  if (c.NetworkSettings) read.ports = ports;
  if ((hc.CapAdd ?? []).length > 0 || (hc.CapDrop ?? []).length > 0) read.capabilities = [{ add: hc.CapAdd ?? [], drop: hc.CapDrop ?? [] }];
  if (hc.NanoCpus > 0) read.cpus = String(hc.NanoCpus);
  if ((hc.DeviceRequests ?? []).length > 0) read.gpus = 'all';
  if (cfg.Healthcheck) {
    read.healthcheck = {
      test: cfg.Healthcheck.Test ?? [],
      interval: goDurationString(cfg.Healthcheck.Interval ?? 0),
      timeout: goDurationString(cfg.Healthcheck.Timeout ?? 0),
      start_period: goDurationString(cfg.Healthcheck.StartPeriod ?? 0),
      start_interval: goDurationString(cfg.Healthcheck.StartInterval ?? 0),
      retries: cfg.Healthcheck.Retries ?? 0,
    };
  }
  if (!c.State?.Running) read.exit_code = c.State?.ExitCode;
  return { ...state, ...read };
}

const CONTAINER_ARGUMENTS = [
  'name', 'image', 'hostname', 'domainname', 'command', 'entrypoint', 'user', 'working_dir', 'group_add', 'env', 'labels',
  'network_mode', 'networks_advanced', 'ports', 'memory', 'memory_swap', 'restart', 'max_retry_count', 'must_run',
  'stop_timeout', 'stop_signal', 'destroy_grace_seconds', 'remove_volumes', 'upload', 'healthcheck', 'volumes', 'tmpfs',
  'log_driver', 'log_opts', 'read_only', 'tty', 'stdin_open', 'rm', 'init', 'start', 'capabilities', 'security_opts', 'ulimit',
];

/** The one `capabilities` block (MaxItems 1), as cdktf renders it: an object, or a list of one. */
function capabilitiesOf(config: Attributes): { add?: string[]; drop?: string[] } {
  const block = Array.isArray(config.capabilities) ? config.capabilities[0] : config.capabilities;
  return block ?? {};
}

/**
 * A create that failed after ContainerCreate: the provider had stored the id (d.SetId), so Terraform keeps
 * the container in its state, tainted, and the next plan replaces it.
 */
export class CreatedButFailed extends Error {
  constructor(message: string, readonly attributes: Attributes) {
    super(message);
  }
}

/**
 * The Read that ends create, with must_run: it polls every 100 ms for 15 s until the container runs
 * (resourceDockerContainerReadRefreshFunc). One that stopped after its start is deleted and the error
 * leaves no id (the create is forgotten); one still not running after 15 s stays, tainted. One that
 * runs at the first look passes, even if it stops right after: the next refresh deletes it.
 */
async function waitUntilRunning(engine: Engine, where: string, id: string, startedAt: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  // The StateChangeConf's Delay: its first look is 100 ms after the start (containerReadRefreshDelay).
  await sleep(100);
  for (let i = 0; i < 150; i++) {
    const c = await engine.ok('GET', `/containers/${id}/json`);
    if (c.State.Running) return;
    if (Date.parse(c.State.FinishedAt) > startedAt) {
      await dockerContainer.delete(engine, where, { id, destroy_grace_seconds: 0, remove_volumes: true });
      throw new Error(`${where}: container exited immediately`);
    }
    if (Date.now() >= deadline) break;
    await sleep(100);
  }
  throw new Error(`${where}: timeout while waiting for state to become 'running'`);
}

// resource_docker_container.go, resource_docker_container_funcs.go, resource_docker_container_structures.go
export const dockerContainer: ResourceHandler = {
  supported: CONTAINER_ARGUMENTS,
  readBack: [
    'id', 'name', 'rm', 'read_only', 'image', 'hostname', 'domainname', 'command', 'entrypoint', 'user', 'dns', 'dns_opts',
    'security_opts', 'dns_search', 'publish_all_ports', 'restart', 'max_retry_count', 'init', 'working_dir', 'runtime', 'mounts',
    'tmpfs', 'host', 'ulimit', 'privileged', 'devices', 'memory', 'memory_swap', 'shm_size', 'cpu_shares', 'cpu_set', 'log_driver',
    'log_opts', 'storage_opts', 'network_mode', 'pid_mode', 'userns_mode', 'sysctls', 'ipc_mode', 'group_add', 'tty', 'stdin_open',
    'stop_signal', 'stop_timeout', 'bridge', 'network_data', ...CONDITIONALLY_READ,
  ],
  async create(engine, where, config) {
    only(where, config, this.supported);
    if (config.start === false) throw new Error(`${where}: start = false is not modelled`);
    for (const n of config.networks_advanced ?? []) only(`${where}.networks_advanced`, n, ['name', 'aliases']);
    for (const v of config.volumes ?? []) {
      only(`${where}.volumes`, v, ['volume_name', 'host_path', 'container_path', 'read_only']);
      if ((v.volume_name === undefined) === (v.host_path === undefined)) throw new Error(`${where}.volumes: give exactly one of volume_name and host_path`);
    }
    for (const u of config.upload ?? []) only(`${where}.upload`, u, ['file', 'content', 'permissions', 'executable']);
    for (const p of config.ports ?? []) only(`${where}.ports`, p, ['internal', 'external', 'ip', 'protocol']);
    for (const u of config.ulimit ?? []) only(`${where}.ulimit`, u, ['name', 'soft', 'hard']);
    if (config.healthcheck) only(`${where}.healthcheck`, config.healthcheck, ['test', 'interval', 'timeout', 'start_period', 'start_interval', 'retries']);
    only(`${where}.capabilities`, capabilitiesOf(config), ['add', 'drop']);

    const exposed: Attributes = {};
    const bindings: Attributes = {};
    for (const p of config.ports ?? []) {
      const key = `${p.internal}/${p.protocol ?? 'tcp'}`;
      exposed[key] = {};
      // An unset external is the schema's zero, sent as "0" (portSetToDockerPorts, resource_docker_container_structures.go).
      (bindings[key] ??= []).push({ HostIp: p.ip ?? '0.0.0.0', HostPort: String(p.external ?? 0) });
    }
    const hc = config.healthcheck;
    const duration = (name: string) => parseGoDuration(`${where}.healthcheck.${name}`, hc[name] ?? '0s');
    const mib = 1024 * 1024;
    const body: Attributes = {
      Image: config.image,
      Hostname: config.hostname ?? '',
      Domainname: config.domainname ?? '',
      Tty: config.tty ?? false,
      OpenStdin: config.stdin_open ?? false,
      StopSignal: config.stop_signal ?? '',
      StopTimeout: config.stop_timeout,
      Env: config.env,
      Cmd: config.command,
      Entrypoint: config.entrypoint,
      User: config.user ?? '',
      WorkingDir: config.working_dir ?? '',
      ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
      Volumes: (config.volumes ?? []).length ? Object.fromEntries(config.volumes.map((v: any) => [v.container_path, {}])) : undefined,
      Labels: labelMap(config.labels),
      Healthcheck: hc && {
        Test: hc.test,
        Interval: duration('interval'),
        Timeout: duration('timeout'),
        StartPeriod: duration('start_period'),
        StartInterval: duration('start_interval'),
        Retries: hc.retries ?? 0,
      },
      HostConfig: {
        RestartPolicy: { Name: config.restart ?? 'no', MaximumRetryCount: config.max_retry_count ?? 0 },
        AutoRemove: config.rm ?? false,
        ReadonlyRootfs: config.read_only ?? false,
        LogConfig: { Type: config.log_driver ?? '', Config: config.log_opts },
        Tmpfs: config.tmpfs,
        PortBindings: Object.keys(bindings).length ? bindings : undefined,
        // A volume by name (Docker creates it if no resource did) or a host directory, as volumeSetToDockerVolumes builds them.
        Binds: (config.volumes ?? []).map((v: any) => `${v.volume_name ?? v.host_path}:${v.container_path}:${v.read_only ? 'ro' : 'rw'}`),
        Memory: config.memory === undefined ? undefined : config.memory * mib,
        MemorySwap: config.memory_swap === undefined ? undefined : config.memory_swap > 0 ? config.memory_swap * mib : config.memory_swap,
        NetworkMode: config.network_mode ?? 'bridge',
        GroupAdd: config.group_add,
        // Sent as written (the provider's set order); the engine normalizes them, and Read brings back its form.
        CapAdd: capabilitiesOf(config).add,
        CapDrop: capabilitiesOf(config).drop,
        SecurityOpt: config.security_opts,
        // ulimitsToDockerUlimits; the daemon adds its default-ulimits for the names not given here.
        Ulimits: (config.ulimit ?? []).map((u: any) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
        // The provider always sends init, false unless set: a daemon's "init": true does not apply to its containers.
        Init: config.init ?? false,
      },
    };
    validate('docker_container', where, config, 'create-before-container');
    const created = await engine.ok('POST', `/containers/create?name=${encodeURIComponent(config.name)}`, { body });
    const id: string = created.Id;
    try {
      if ((config.networks_advanced ?? []).length > 0) {
        const res = await engine.call('POST', '/networks/bridge/disconnect', { body: { Container: id, Force: false } });
        if (res.status >= 300 && !/is not connected to the network bridge/.test(JSON.stringify(res.body))) {
          throw new Error(`${where}: Unable to disconnect the default network: HTTP ${res.status} ${res.body?.message ?? ''}`);
        }
        for (const n of config.networks_advanced) {
          await engine.ok('POST', `/networks/${encodeURIComponent(n.name)}/connect`, {
            body: { Container: id, EndpointConfig: { Aliases: n.aliases ?? [], IPAMConfig: {} } },
          });
        }
      }
      validate('docker_container', where, config, 'create-after-container');
      for (const u of config.upload ?? []) {
        const mode = u.permissions ? parseInt(u.permissions, 8) : u.executable ? 0o744 : 0o644;
        await engine.ok('PUT', `/containers/${id}/archive?path=/`, { tar: tarOfOne(u.file, Buffer.from(u.content, 'utf8'), mode) });
      }
      const startedAt = Date.now();
      await engine.ok('POST', `/containers/${id}/start`);
      if (config.must_run !== false) await waitUntilRunning(engine, where, id, startedAt);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      // Nothing undoes the steps before: the container stays as it is, unless the wait above deleted it.
      const stillThere = (await engine.call('GET', `/containers/${id}/json`)).status === 200;
      if (!stillThere) throw e;
      throw new CreatedButFailed(e.message, containerAttributes({ ...config, id }, await engine.ok('GET', `/containers/${id}/json`)));
    }
    // Create ends with Read, which may not delete what it just created.
    return containerAttributes({ ...config, id }, await engine.ok('GET', `/containers/${id}/json`));
  },
  async read(engine, where, state) {
    const listed = (await engine.ok('GET', '/containers/json?all=true')) as Array<{ Id: string }>;
    if (!listed.some((c) => c.Id === state.id)) return undefined;
    const c = await engine.ok('GET', `/containers/${state.id}/json`);
    if (!c.State.Running && state.must_run !== false) {
      // A refresh of a stopped container that must run deletes it (resourceDockerContainerRead, provider issue 590).
      await this.delete(engine, where, state);
      return undefined;
    }
    return containerAttributes(state, c);
  },
  async update(engine, _where, state, planned) {
    const changed = ['restart', 'max_retry_count', 'cpu_shares', 'memory', 'cpu_set', 'memory_swap'].some(
      (a) => JSON.stringify(state[a] ?? null) !== JSON.stringify(planned[a] ?? null),
    );
    if (changed) {
      const mib = 1024 * 1024;
      const body: Attributes = {
        RestartPolicy: { Name: planned.restart ?? 'no', MaximumRetryCount: planned.max_retry_count ?? 0 },
        CpuShares: planned.cpu_shares ?? 0,
        Memory: (planned.memory ?? 0) * mib,
        CpusetCpus: planned.cpu_set ?? '',
      };
      if (planned.memory_swap) body.MemorySwap = planned.memory_swap > 0 ? planned.memory_swap * mib : planned.memory_swap;
      await engine.ok('POST', `/containers/${state.id}/update`, { body });
    }
    // Update does not read the container back: the state holds the plan, applied or not.
    return { ...state, ...planned };
  },
  async delete(engine, where, state) {
    const grace = state.destroy_grace_seconds > 0 ? state.destroy_grace_seconds : 0;
    const stop = await engine.call('POST', `/containers/${state.id}/stop?t=${grace}`, { timeoutMs: (grace + 30) * 1000 });
    // Gone since the refresh (which drops a container already gone): the provider's stop fails, and so the destroy.
    if (stop.status >= 300 && stop.status !== 304) {
      throw new Error(`${where}: Error stopping container ${state.id}: HTTP ${stop.status} ${stop.body?.message ?? ''}`);
    }
    const removed = await engine.call('DELETE', `/containers/${state.id}?v=${state.remove_volumes !== false}&force=true`);
    if (removed.status >= 300 && removed.status !== 404 && !/already in progress/.test(JSON.stringify(removed.body))) {
      throw new Error(`${where}: Error deleting container: HTTP ${removed.status}`);
    }
    const waited = await engine.call('POST', `/containers/${state.id}/wait?condition=not-running`, { timeoutMs: 60_000 });
    if (waited.status >= 300 && waited.status !== 404) throw new Error(`${where}: Error waiting for container removal: HTTP ${waited.status}`);
  },
};

export const DOCKER_HANDLERS: Record<string, ResourceHandler> = {
  docker_image: dockerImage,
  docker_network: dockerNetwork,
  docker_volume: dockerVolume,
  docker_container: dockerContainer,
};
