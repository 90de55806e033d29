import { TerraformStack, Testing } from 'cdktf';
import { TestPki } from './pki';

/**
 * The files and URLs a synthesized stack would put on the Docker host, with
 * the Terraform references a deploy would fill in replaced by test values.
 * Everything else is the constructs' own output, unchanged.
 */
export interface GeneratedInstance {
  readonly handle: string;
  readonly redisConf: string;
  readonly tlsProxyConf: string;
  readonly tlsPem: string;
  readonly url: string;
  readonly tlsUrl: string;
  readonly caCertificatePem: string;
}

export interface TestSecrets {
  /** Password per handle, standing in for that handle's `random_password`. */
  readonly passwords: Record<string, string>;
  readonly pki: TestPki;
}

const REFERENCE = /\$\{([^}]*)\}/g;

export function substituteReferences(where: string, text: string, secrets: TestSecrets): string {
  return text.replace(REFERENCE, (ref: string, expr: string) => {
    let m = /^random_password\.([\w-]+)_Password_[0-9A-F]{8}\.result$/.exec(expr);
    if (m) {
      const pw = secrets.passwords[m[1]];
      if (pw === undefined) throw new Error(`${where}: no test password for ${ref}`);
      return pw;
    }
    if (/^trimspace\(tls_locally_signed_cert\.[\w-]+_ServerCertificate_[0-9A-F]{8}\.cert_pem\)$/.test(expr)) return secrets.pki.certPem.trim();
    if (/^trimspace\(tls_private_key\.[\w-]+_ServerKey_[0-9A-F]{8}\.private_key_pem\)$/.test(expr)) return secrets.pki.keyPem.trim();
    m = /^tls_self_signed_cert\.[\w-]+_CaCertificate_[0-9A-F]{8}\.cert_pem$/.exec(expr);
    if (m) return secrets.pki.caCertPem;
    throw new Error(`${where}: unresolved Terraform reference ${ref}`);
  });
}

export function generatedInstances(stack: TerraformStack, secrets: TestSecrets): Record<string, GeneratedInstance> {
  const plan = JSON.parse(Testing.synth(stack));
  const containers = Object.values(plan.resource.docker_container) as any[];
  const upload = (containerName: string, file: string) => {
    const container = containers.find((c) => c.name === containerName);
    const content = container?.upload?.find((u: any) => u.file === file)?.content;
    if (content === undefined) throw new Error(`container ${containerName} uploads no ${file}`);
    return substituteReferences(`${file} of container ${containerName}`, content, secrets);
  };
  const output = (name: string) => substituteReferences(`output ${name}`, plan.output[name].value, secrets);

  const instances: Record<string, GeneratedInstance> = {};
  for (const redis of containers.filter((c) => c.labels.some((l: any) => l.label === 'cdktf-docker-redis.component' && l.value === 'redis'))) {
    const handle = redis.name as string;
    instances[handle] = {
      handle,
      redisConf: upload(handle, '/usr/local/etc/redis/redis.conf'),
      tlsProxyConf: upload(`${handle}-tls`, '/usr/local/etc/haproxy/haproxy.cfg'),
      tlsPem: upload(`${handle}-tls`, '/usr/local/etc/haproxy/certs/server.pem'),
      url: output(`${handle}_url`),
      tlsUrl: output(`${handle}_tls_url`),
      caCertificatePem: output(`${handle}_ca_certificate`),
    };
  }
  return instances;
}
