import { createHash } from 'crypto';
import { TerraformStack, Testing } from 'cdktf';
import { evaluate, inlineLocals, Resolver } from '../e2e/standin/expressions';
import { TestPki } from './pki';

/**
 * The files and URLs a synthesized stack would put on the Docker host, with
 * the Terraform references a deploy would fill in replaced by test values.
 * Everything else is the constructs' own output, unchanged.
 */
export interface GeneratedInstance {
  readonly handle: string;
  /** `redis-server` or `valkey-server`: the Redis container's entrypoint. */
  readonly serverBinary: string;
  /** The matching cli, `redis-cli` or `valkey-cli`. */
  readonly cliBinary: string;
  /** Where the container reads its config: the command's argument. */
  readonly configPath: string;
  readonly redisConf: string;
  /** The `default` user's password and the URL's username (empty before Redis 6). */
  readonly password: string;
  readonly username?: string;
  /** The HAProxy sidecar's files (default TLS mode). */
  readonly tlsProxyConf?: string;
  readonly tlsPem?: string;
  /** Files Redis reads itself in native TLS mode, by path in the container. */
  readonly nativeTlsFiles?: Record<string, string>;
  /** The ACL file (Redis 6.0 and later), as the container gets it. */
  readonly aclFile?: string;
  readonly url: string;
  readonly tlsUrl: string;
  readonly networkUrl: string;
  readonly networkTlsUrl: string;
  readonly caCertificatePem: string;
  /** Every file uploaded into the Redis container, by its path there. */
  readonly serverUploads: Record<string, string>;
  /** The start script of a database created with `restoreFrom`, which runs before the server. */
  readonly restoreScript?: string;
  /** The backup container's script and password file, when the database takes backups. */
  readonly backupScript?: string;
  readonly backupSecret?: string;
}

export interface TestSecrets {
  /** Password per handle, standing in for that handle's `random_password`. */
  readonly passwords: Record<string, string>;
  readonly pki: TestPki;
}

/** What stands in for a handle's `InternalSecret`, the secret its internal users' passwords derive from. */
export function testInternalSecret(handle: string): string {
  return `InternalSecretOf-${handle}-0123456789abcdef0123456789abcdef`;
}

/** An internal user's password, derived as the library derives it: SHA-256 of the secret and the user name. */
export function testInternalPassword(handle: string, user: string): string {
  return createHash('sha256').update(`${testInternalSecret(handle)}/${user}`).digest('hex');
}

/** What stands in for an app user's generated password. */
export function testUserPassword(handle: string, user: string): string {
  return `UserPasswordOf-${handle}-${user}-0123456789`;
}

/**
 * Evaluates a plan string (a Terraform template) with the references a
 * deploy would fill in replaced by test values: the handle's password, the
 * test PKI. Functions such as `sensitive()` and `trimspace()` are evaluated as
 * Terraform would; anything else is an error.
 */
export function substituteReferences(where: string, text: string, secrets: TestSecrets): string {
  const resolve: Resolver = (traversal) => {
    const [type, name, attribute] = traversal;
    const ref = `${type}.${name}.${attribute}`;
    let value: string | undefined;
    const internal = /^([\w-]+)_InternalSecret_[0-9A-F]{8}$/.exec(String(name));
    const appUser = /^([\w-]+)_Users_([\w-]+)_Password_[0-9A-F]{8}$/.exec(String(name));
    if (type === 'random_password' && attribute === 'result' && internal) {
      value = testInternalSecret(internal[1]);
    } else if (type === 'random_password' && attribute === 'result' && appUser) {
      value = testUserPassword(appUser[1], appUser[2]);
    } else if (type === 'random_password' && attribute === 'result') {
      const handle = /^([\w-]+)_Password_[0-9A-F]{8}$/.exec(String(name))?.[1];
      value = handle === undefined ? undefined : secrets.passwords[handle];
      if (value === undefined) throw new Error(`${where}: no test password for ${ref}`);
    } else if (type === 'tls_locally_signed_cert' && /_ServerCertificate_[0-9A-F]{8}$/.test(String(name)) && attribute === 'cert_pem') {
      // PEM text as the tls provider returns it: ending with a newline, like the openssl files of the test PKI.
      value = secrets.pki.certPem;
    } else if (type === 'tls_private_key' && /_ServerKey_[0-9A-F]{8}$/.test(String(name)) && attribute === 'private_key_pem') {
      value = secrets.pki.keyPem;
    } else if (type === 'tls_self_signed_cert' && /_CaCertificate_[0-9A-F]{8}$/.test(String(name)) && attribute === 'cert_pem') {
      value = secrets.pki.caCertPem;
    }
    if (value === undefined || traversal.length !== 3) throw new Error(`${where}: unresolved Terraform reference ${traversal.join('.')}`);
    return { value, sensitive: true };
  };
  const { value } = evaluate(where, text, resolve);
  if (typeof value !== 'string') throw new Error(`${where}: does not evaluate to text`);
  return value;
}

export function generatedInstances(stack: TerraformStack, secrets: TestSecrets): Record<string, GeneratedInstance> {
  const plan = inlineLocals(JSON.parse(Testing.synth(stack)));
  const containers = Object.values(plan.resource.docker_container) as any[];
  const uploadsOf = (containerName: string): Record<string, string> | undefined => {
    const container = containers.find((c) => c.name === containerName);
    if (!container) return undefined;
    return Object.fromEntries(
      (container.upload ?? []).map((u: any) => [u.file, substituteReferences(`${u.file} of container ${containerName}`, u.content, secrets)]),
    );
  };
  const upload = (files: Record<string, string> | undefined, containerName: string, file: string) => {
    if (files?.[file] === undefined) throw new Error(`container ${containerName} uploads no ${file}`);
    return files[file];
  };
  const output = (name: string) => substituteReferences(`output ${name}`, plan.output[name].value, secrets);

  const instances: Record<string, GeneratedInstance> = {};
  for (const redis of containers.filter((c) => c.labels.some((l: any) => l.label === 'cdktf-docker-redis.component' && l.value === 'redis'))) {
    const handle = redis.name as string;
    const redisFiles = uploadsOf(handle)!;
    const sidecarFiles = uploadsOf(`${handle}-tls`);
    // With restoreFrom, a start script runs first and then its arguments, the server and its config.
    const restoring = redis.entrypoint[0] === 'sh';
    const [serverBinary, configPath] = restoring ? redis.command as string[] : [redis.entrypoint[0], redis.command[0]] as string[];
    const backupFiles = uploadsOf(`${handle}-backup`);
    const nativeTlsFiles = Object.fromEntries(Object.entries(redisFiles).filter(([file]) => file.includes('/tls/')));
    const aclFile = Object.entries(redisFiles).find(([file]) => file.endsWith('/users.acl'))?.[1];
    const url = new URL(output(`${handle}_url`));
    instances[handle] = {
      handle,
      serverBinary,
      cliBinary: serverBinary.replace(/-server$/, '-cli'),
      configPath,
      redisConf: upload(redisFiles, handle, configPath),
      password: decodeURIComponent(url.password),
      username: decodeURIComponent(url.username) || undefined,
      tlsProxyConf: sidecarFiles && upload(sidecarFiles, `${handle}-tls`, '/usr/local/etc/haproxy/haproxy.cfg'),
      tlsPem: sidecarFiles && upload(sidecarFiles, `${handle}-tls`, '/usr/local/etc/haproxy/certs/server.pem'),
      nativeTlsFiles: Object.keys(nativeTlsFiles).length > 0 ? nativeTlsFiles : undefined,
      aclFile,
      url: output(`${handle}_url`),
      tlsUrl: output(`${handle}_tls_url`),
      networkUrl: output(`${handle}_network_url`),
      networkTlsUrl: output(`${handle}_network_tls_url`),
      caCertificatePem: output(`${handle}_ca_certificate`),
      serverUploads: redisFiles,
      restoreScript: restoring ? upload(redisFiles, handle, redis.entrypoint[1]) : undefined,
      backupScript: backupFiles && upload(backupFiles, `${handle}-backup`, '/usr/local/etc/cdktf-docker-redis/backup.sh'),
      backupSecret: backupFiles && upload(backupFiles, `${handle}-backup`, '/usr/local/etc/cdktf-docker-redis/backup.secret'),
    };
  }
  return instances;
}
