/**
 * What the providers this library uses do with each attribute, read from their
 * source at the versions the constructs are built against. One table, so the
 * next provider upgrade is one review: re-read the files named per resource,
 * update the rows, and the facts test and the e2e stand-in follow.
 *
 * - kreuzwerker/terraform-provider-docker v3.6.2, internal/provider/
 * - hashicorp/terraform-provider-random v3.7.2, internal/provider/
 * - hashicorp/terraform-provider-tls v4.1.0, internal/provider/
 */

/** What a changed value does. */
export type Change =
  /** Replaces the object (schema `ForceNew` / plan modifier `RequiresReplace`). */
  | 'force-new'
  /** The provider's Update applies it to the existing object. */
  | 'update'
  /** Used only by the provider itself, from state (stop timeout at delete, refresh rules): a change applies without touching Docker. */
  | 'provider-only'
  /** Neither replaced nor applied: Update stores the new value and the object keeps the old one. */
  | 'neither'
  /** Set by the provider, never by configuration. */
  | 'computed';

/** What Read (refresh) does with it. */
export type ReadBack =
  /** Overwritten with what the Docker engine reports. */
  | 'read'
  /** Never set by Read: the state keeps the value applied last. */
  | 'kept'
  /**
   * Read from Docker, which merges daemon defaults into what the container asked for: `log-opts` into
   * containers on the default driver, `default-ulimits` for every name the container does not set;
   * into what a network asked for: `default-network-opts` (Docker 25+), IPv6 among them.
   */
  | 'merged'
  /** Read from Docker, which may store another value than the one asked for: `memory_swap` is -1 without swap accounting. */
  | 'altered';

export type Shape = 'string' | 'number' | 'bool' | 'list' | 'set' | 'map' | 'block' | 'block-list' | 'block-set';

export interface AttributeFact {
  readonly change: Change;
  readonly read: ReadBack;
  readonly shape: Shape;
  /** Optional and Computed: left unset, whatever the state holds is accepted. */
  readonly computedWhenUnset?: boolean;
  /** A DiffSuppressFunc accepts any state value when the configuration leaves it empty. */
  readonly emptySuppressesDiff?: boolean;
  /** The schema default Terraform compares the state with when the attribute is unset. */
  readonly default?: unknown;
  readonly sensitive?: boolean;
  /** Attributes of a nested block. */
  readonly nested?: Readonly<Record<string, AttributeFact>>;
}

export interface ResourceFacts {
  /** The provider's registry source and version. */
  readonly provider: string;
  /** Files the rows come from: the schema (what a change does) and Read. */
  readonly files: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeFact>>;
}

type Options = Omit<AttributeFact, 'change' | 'read' | 'shape'>;
const fact = (change: Change, read: ReadBack, shape: Shape, options: Options = {}): AttributeFact => ({ change, read, shape, ...options });
const computed = (shape: Shape = 'string', options: Options = {}): AttributeFact => fact('computed', 'read', shape, options);

const DOCKER = 'kreuzwerker/docker 3.6.2';
const RANDOM = 'hashicorp/random 3.7.2';
const TLS = 'hashicorp/tls 4.1.0';

const LABEL_SET = { label: fact('force-new', 'kept', 'string'), value: fact('force-new', 'kept', 'string') };
const TLS_SUBJECT = Object.fromEntries(
  ['common_name', 'organization', 'organizational_unit', 'locality', 'province', 'country', 'postal_code', 'serial_number', 'email_address']
    .map((name) => [name, fact('force-new', 'kept', 'string')]),
);
TLS_SUBJECT.street_address = fact('force-new', 'kept', 'list');

export const PROVIDER_FACTS: Readonly<Record<string, ResourceFacts>> = {
  docker_container: {
    provider: DOCKER,
    files: ['resource_docker_container.go (schema)', 'resource_docker_container_funcs.go (create, Read, Update, Delete)', 'resource_docker_container_structures.go (ports, volumes)'],
    attributes: {
      id: computed(),
      name: fact('force-new', 'read', 'string'),
      image: fact('force-new', 'read', 'string'),
      hostname: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      domainname: fact('force-new', 'read', 'string'),
      command: fact('force-new', 'read', 'list', { computedWhenUnset: true }),
      entrypoint: fact('force-new', 'read', 'list', { computedWhenUnset: true }),
      user: fact('force-new', 'read', 'string', { emptySuppressesDiff: true }),
      working_dir: fact('force-new', 'read', 'string', { emptySuppressesDiff: true }),
      group_add: fact('force-new', 'read', 'set'),
      dns: fact('force-new', 'read', 'set'),
      dns_opts: fact('force-new', 'read', 'set'),
      dns_search: fact('force-new', 'read', 'set'),
      security_opts: fact('force-new', 'read', 'set', { computedWhenUnset: true }),
      publish_all_ports: fact('force-new', 'read', 'bool'),
      read_only: fact('force-new', 'read', 'bool', { default: false }),
      privileged: fact('force-new', 'read', 'bool'),
      tty: fact('force-new', 'read', 'bool', { default: false }),
      stdin_open: fact('force-new', 'read', 'bool', { default: false }),
      runtime: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      stop_signal: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      stop_timeout: fact('force-new', 'read', 'number', { computedWhenUnset: true }),
      shm_size: fact('force-new', 'read', 'number', { computedWhenUnset: true }),
      ipc_mode: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      pid_mode: fact('force-new', 'read', 'string'),
      userns_mode: fact('force-new', 'read', 'string'),
      network_mode: fact('force-new', 'read', 'string', { default: 'bridge' }),
      sysctls: fact('force-new', 'read', 'map'),
      storage_opts: fact('force-new', 'read', 'map'),
      log_driver: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      log_opts: fact('force-new', 'merged', 'map'),
      mounts: fact('force-new', 'read', 'block-set'),
      host: fact('force-new', 'read', 'block-set'),
      // Read: `d.Set("ulimit", flattenUlimits(container.HostConfig.Ulimits))`, and Docker stores the daemon's default-ulimits there.
      ulimit: fact('force-new', 'merged', 'block-set', {
        nested: { name: fact('force-new', 'read', 'string'), soft: fact('force-new', 'read', 'number'), hard: fact('force-new', 'read', 'number') },
      }),
      devices: fact('force-new', 'read', 'block-set'),
      // Read sets what Docker reports: `ALL` as given, other names upper-case with `CAP_` (the daemon normalizes them), in sorted order.
      capabilities: fact('force-new', 'read', 'block-set', {
        nested: { add: fact('force-new', 'read', 'set'), drop: fact('force-new', 'read', 'set') },
      }),
      cpus: fact('force-new', 'read', 'string'),
      gpus: fact('force-new', 'read', 'string'),
      ports: fact('force-new', 'read', 'block-list', {
        nested: {
          internal: fact('force-new', 'read', 'number'),
          external: fact('force-new', 'read', 'number', { computedWhenUnset: true }),
          ip: fact('force-new', 'read', 'string', { default: '0.0.0.0' }),
          protocol: fact('force-new', 'read', 'string', { default: 'tcp' }),
        },
      }),
      // Read sets these from Docker and Update applies them (ContainerUpdate).
      restart: fact('update', 'read', 'string', { default: 'no' }),
      max_retry_count: fact('update', 'read', 'number'),
      memory: fact('update', 'read', 'number'),
      // Read: MiB when positive, else as stored; a daemon on a kernel without swap accounting stores -1 whatever was asked.
      memory_swap: fact('update', 'altered', 'number'),
      cpu_shares: fact('update', 'read', 'number'),
      cpu_set: fact('update', 'read', 'string'),
      // Not ForceNew and not in Update's list: stored, never applied. Read brings the container's value back.
      healthcheck: fact('neither', 'read', 'block', {
        computedWhenUnset: true,
        nested: {
          test: fact('neither', 'read', 'list'),
          interval: fact('neither', 'read', 'string', { default: '0s' }),
          timeout: fact('neither', 'read', 'string', { default: '0s' }),
          start_period: fact('neither', 'read', 'string', { default: '0s' }),
          start_interval: fact('neither', 'read', 'string', { default: '0s' }),
          retries: fact('neither', 'read', 'number', { default: 0 }),
        },
      }),
      tmpfs: fact('neither', 'read', 'map'),
      rm: fact('neither', 'read', 'bool', { default: false }),
      init: fact('neither', 'read', 'bool', { computedWhenUnset: true }),
      // Stored and never applied, and Read leaves them alone.
      cpu_period: fact('neither', 'kept', 'number'),
      cpu_quota: fact('neither', 'kept', 'number'),
      start: fact('neither', 'kept', 'bool', { default: true }),
      wait: fact('neither', 'kept', 'bool', { default: false }),
      wait_timeout: fact('neither', 'kept', 'number', { default: 60 }),
      attach: fact('neither', 'kept', 'bool', { default: false }),
      logs: fact('neither', 'kept', 'bool', { default: false }),
      // Read leaves these alone ("upload can't be imported", labels and env on purpose, volumes and networks_advanced not read).
      labels: fact('force-new', 'kept', 'block-set', { computedWhenUnset: true, nested: LABEL_SET }),
      env: fact('force-new', 'kept', 'set', { computedWhenUnset: true }),
      volumes: fact('force-new', 'kept', 'block-set', {
        nested: {
          from_container: fact('force-new', 'kept', 'string'),
          container_path: fact('force-new', 'kept', 'string'),
          host_path: fact('force-new', 'kept', 'string'),
          volume_name: fact('force-new', 'kept', 'string'),
          read_only: fact('force-new', 'kept', 'bool'),
        },
      }),
      networks_advanced: fact('force-new', 'kept', 'block-set', {
        nested: {
          name: fact('force-new', 'kept', 'string'),
          aliases: fact('force-new', 'kept', 'set'),
          ipv4_address: fact('force-new', 'kept', 'string'),
          ipv6_address: fact('force-new', 'kept', 'string'),
        },
      }),
      upload: fact('force-new', 'kept', 'block-set', {
        nested: {
          file: fact('force-new', 'kept', 'string'),
          content: fact('force-new', 'kept', 'string'),
          content_base64: fact('force-new', 'kept', 'string'),
          executable: fact('force-new', 'kept', 'bool', { default: false }),
          permissions: fact('force-new', 'kept', 'string'),
          source: fact('force-new', 'kept', 'string'),
          source_hash: fact('force-new', 'kept', 'string'),
        },
      }),
      cgroupns_mode: fact('force-new', 'kept', 'string'),
      cgroup_parent: fact('force-new', 'kept', 'string'),
      // Used by the provider alone: must_run by Read, the others by Delete and Read's wait.
      must_run: fact('provider-only', 'kept', 'bool', { default: true }),
      destroy_grace_seconds: fact('provider-only', 'kept', 'number'),
      remove_volumes: fact('provider-only', 'kept', 'bool', { default: true }),
      container_read_refresh_timeout_milliseconds: fact('provider-only', 'kept', 'number', { default: 15000 }),
      exit_code: computed('number'),
      // Set by create when attach and logs are on, not by Read.
      container_logs: fact('computed', 'kept', 'string'),
      bridge: computed(),
      network_data: computed('block-list'),
    },
  },
  docker_volume: {
    provider: DOCKER,
    files: ['resource_docker_volume.go (schema, Read, Delete)'],
    attributes: {
      id: computed(),
      name: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      labels: fact('force-new', 'read', 'block-set', { nested: LABEL_SET }),
      driver: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      driver_opts: fact('force-new', 'read', 'map'),
      mountpoint: computed(),
    },
  },
  docker_network: {
    provider: DOCKER,
    files: ['resource_docker_network.go (schema)', 'resource_docker_network_funcs.go (create, Read, Delete)'],
    attributes: {
      id: computed(),
      name: fact('force-new', 'read', 'string'),
      labels: fact('force-new', 'read', 'block-set', { nested: LABEL_SET }),
      check_duplicate: fact('force-new', 'kept', 'bool'),
      driver: fact('force-new', 'read', 'string', { computedWhenUnset: true }),
      options: fact('force-new', 'read', 'map', { computedWhenUnset: true }),
      internal: fact('force-new', 'read', 'bool', { computedWhenUnset: true }),
      attachable: fact('force-new', 'read', 'bool'),
      ingress: fact('force-new', 'read', 'bool'),
      // Not sent unless true (GetOk): an engine whose default-network-opts enable IPv6 creates the network with it.
      ipv6: fact('force-new', 'merged', 'bool'),
      ipam_driver: fact('force-new', 'read', 'string', { default: 'default' }),
      ipam_options: fact('force-new', 'read', 'map'),
      ipam_config: fact('force-new', 'read', 'block-set', { computedWhenUnset: true }),
      scope: computed(),
    },
  },
  docker_image: {
    provider: DOCKER,
    files: ['resource_docker_image.go (schema)', 'resource_docker_image_funcs.go (create, Read, Delete)'],
    attributes: {
      id: computed(),
      name: fact('force-new', 'kept', 'string'),
      image_id: computed(),
      repo_digest: computed(),
      pull_triggers: fact('force-new', 'kept', 'set'),
      triggers: fact('force-new', 'kept', 'map'),
      platform: fact('force-new', 'kept', 'string', { default: '' }),
      keep_locally: fact('provider-only', 'kept', 'bool'),
      force_remove: fact('provider-only', 'kept', 'bool'),
    },
  },
  random_password: {
    provider: RANDOM,
    files: ['resource_password.go (schema: RequiresReplace on every argument; Read is a no-op)'],
    attributes: {
      id: computed(),
      length: fact('force-new', 'kept', 'number'),
      special: fact('force-new', 'kept', 'bool', { default: true }),
      upper: fact('force-new', 'kept', 'bool', { default: true }),
      lower: fact('force-new', 'kept', 'bool', { default: true }),
      numeric: fact('force-new', 'kept', 'bool', { default: true }),
      number: fact('force-new', 'kept', 'bool', { default: true }),
      min_numeric: fact('force-new', 'kept', 'number', { default: 0 }),
      min_upper: fact('force-new', 'kept', 'number', { default: 0 }),
      min_lower: fact('force-new', 'kept', 'number', { default: 0 }),
      min_special: fact('force-new', 'kept', 'number', { default: 0 }),
      override_special: fact('force-new', 'kept', 'string'),
      keepers: fact('force-new', 'kept', 'map'),
      result: computed('string', { sensitive: true }),
      bcrypt_hash: computed('string', { sensitive: true }),
    },
  },
  tls_private_key: {
    provider: TLS,
    files: ['resource_private_key.go (schema: RequiresReplace; Read is a no-op)', 'common_key.go'],
    attributes: {
      id: computed(),
      algorithm: fact('force-new', 'kept', 'string'),
      rsa_bits: fact('force-new', 'kept', 'number', { default: 2048 }),
      ecdsa_curve: fact('force-new', 'kept', 'string', { default: 'P224' }),
      private_key_pem: computed('string', { sensitive: true }),
      private_key_pem_pkcs8: computed('string', { sensitive: true }),
      private_key_openssh: computed('string', { sensitive: true }),
      public_key_pem: computed(),
      public_key_openssh: computed(),
      public_key_fingerprint_md5: computed(),
      public_key_fingerprint_sha256: computed(),
    },
  },
  tls_self_signed_cert: {
    provider: TLS,
    files: ['resource_self_signed_cert.go (schema, Read marks ready_for_renewal)', 'common_cert.go (certificate template, renewal)'],
    attributes: {
      id: computed(),
      private_key_pem: fact('force-new', 'kept', 'string', { sensitive: true }),
      validity_period_hours: fact('force-new', 'kept', 'number'),
      allowed_uses: fact('force-new', 'kept', 'list'),
      dns_names: fact('force-new', 'kept', 'list'),
      ip_addresses: fact('force-new', 'kept', 'list'),
      uris: fact('force-new', 'kept', 'list'),
      is_ca_certificate: fact('force-new', 'kept', 'bool', { default: false }),
      set_subject_key_id: fact('force-new', 'kept', 'bool', { default: false }),
      set_authority_key_id: fact('force-new', 'kept', 'bool', { default: false }),
      subject: fact('force-new', 'kept', 'block-list', { nested: TLS_SUBJECT }),
      early_renewal_hours: fact('provider-only', 'kept', 'number', { default: 0 }),
      cert_pem: computed(),
      ready_for_renewal: computed('bool'),
      validity_start_time: computed(),
      validity_end_time: computed(),
      key_algorithm: computed(),
    },
  },
  tls_cert_request: {
    provider: TLS,
    files: ['resource_cert_request.go (schema: RequiresReplace; Read is a no-op)'],
    attributes: {
      id: computed(),
      private_key_pem: fact('force-new', 'kept', 'string', { sensitive: true }),
      dns_names: fact('force-new', 'kept', 'list'),
      ip_addresses: fact('force-new', 'kept', 'list'),
      uris: fact('force-new', 'kept', 'list'),
      subject: fact('force-new', 'kept', 'block-list', { nested: TLS_SUBJECT }),
      cert_request_pem: computed(),
      key_algorithm: computed(),
    },
  },
  tls_locally_signed_cert: {
    provider: TLS,
    files: ['resource_locally_signed_cert.go (schema, Read marks ready_for_renewal)', 'common_cert.go (certificate template, renewal)'],
    attributes: {
      id: computed(),
      cert_request_pem: fact('force-new', 'kept', 'string'),
      ca_private_key_pem: fact('force-new', 'kept', 'string', { sensitive: true }),
      ca_cert_pem: fact('force-new', 'kept', 'string'),
      validity_period_hours: fact('force-new', 'kept', 'number'),
      allowed_uses: fact('force-new', 'kept', 'list'),
      is_ca_certificate: fact('force-new', 'kept', 'bool', { default: false }),
      set_subject_key_id: fact('force-new', 'kept', 'bool', { default: false }),
      early_renewal_hours: fact('provider-only', 'kept', 'number', { default: 0 }),
      cert_pem: computed(),
      ready_for_renewal: computed('bool'),
      validity_start_time: computed(),
      validity_end_time: computed(),
      ca_key_algorithm: computed(),
    },
  },
};

/** Terraform's own arguments on every resource: not the provider's, handled by Terraform itself. */
export const META_ARGUMENTS = ['lifecycle', 'provider', 'depends_on', '//'];

export function factFor(type: string, attribute: string): AttributeFact | undefined {
  return PROVIDER_FACTS[type]?.attributes[attribute];
}
