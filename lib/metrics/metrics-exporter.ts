import { TerraformOutput, TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { DockerContainer } from '../private/docker-container';
import { imageIdFor } from '../private/images';
import { InternalLogin } from '../private/internals';
import { ContainerLogging } from '../logging/container-logging';
import { companionContainerSettings } from '../private/redis-node';
import {
  EXPORTER_CA_FILE, EXPORTER_PASSWORD_FILE, EXPORTER_PORT, ExporterConfigInput, renderExporterCommand, renderExporterPasswordFile,
} from './exporter-config';
import { ResolvedMetrics } from './metrics-checks';
import { pinnedImage } from '../private/version-pins';

/** oliver006/redis_exporter's official image (scratch, user 59000:59000, entrypoint /redis_exporter). */
const DEFAULT_METRICS_IMAGE = pinnedImage('oliver006/redis_exporter');
const EXPORTER_BINARY = '/redis_exporter';
const EXPORTER_UID = 59000;
const EXPORTER_MEMORY_MB = 128;
/** The exporter keeps no state and exits at once on SIGTERM; 10 s (Docker's own default) rather than the provider's 0, which kills it mid-scrape. */
const EXPORTER_STOP_GRACE_SECONDS = 10;

export interface MetricsExporterSpec {
  readonly handle: string;
  /** `database` or `follower`, for the role label. */
  readonly role: string;
  readonly provider?: DockerProvider;
  readonly image?: string;
  readonly restart: string;
  readonly logging: ContainerLogging;
  readonly networkName: string;
  readonly network?: TerraformResource;
  /** The name on the network whose certificate the exporter verifies, and the port behind it. */
  readonly tlsHost: string;
  readonly tlsPort: number;
  readonly caCertificatePem: string;
  /** The instance's `exporter` user. */
  readonly login: InternalLogin;
  /** The host in the metrics URL when the endpoint is published on every address. */
  readonly hostname: string;
  readonly createOutput: boolean;
}

/**
 * The exporter container `HANDLE-metrics` on the instance's network. Its
 * password is in an uploaded file, root-owned and mode 0640 like the server's
 * secrets; the exporter (uid 59000) reads it as a member of group root
 * (`group_add`), and no other user in the container can.
 */
export class MetricsExporter extends Construct {
  /** `http://HOST:PORT/metrics` (a token when Docker chooses the port). */
  public readonly url: string;

  constructor(scope: Construct, id: string, metrics: ResolvedMetrics, spec: MetricsExporterSpec) {
    super(scope, id);
    const config: ExporterConfigInput = { tlsHost: spec.tlsHost, tlsPort: spec.tlsPort, user: spec.login.user! };
    const name = `${spec.handle}-metrics`;
    const container = new DockerContainer(this, 'Exporter', {
      provider: spec.provider,
      name,
      image: imageIdFor(scope, 'MetricsImage', spec.image ?? DEFAULT_METRICS_IMAGE, spec.provider),
      entrypoint: [EXPORTER_BINARY],
      command: renderExporterCommand(config),
      user: `${EXPORTER_UID}:${EXPORTER_UID}`,
      groupAdd: ['0'],
      hostname: name,
      networksAdvanced: [{ name: spec.networkName, aliases: [name] }],
      ports: [{ internal: EXPORTER_PORT, external: metrics.port, ip: metrics.hostIp, protocol: 'tcp' }],
      restart: spec.restart,
      mustRun: false,
      destroyGraceSeconds: EXPORTER_STOP_GRACE_SECONDS,
      upload: [
        { file: EXPORTER_PASSWORD_FILE, content: renderExporterPasswordFile(config, spec.login.password), permissions: '0640' },
        { file: EXPORTER_CA_FILE, content: spec.caCertificatePem, permissions: '0644' },
      ],
      ...companionContainerSettings({ handle: spec.handle, role: spec.role, component: 'metrics', network: spec.network, memoryMb: EXPORTER_MEMORY_MB, logging: spec.logging }),
    });
    const port = metrics.port ?? container.publishedPort(0);
    const host = metrics.hostIp === '0.0.0.0' ? spec.hostname : metrics.hostIp;
    this.url = `http://${host}:${Token.isUnresolved(port) ? Token.asString(port) : String(port)}/metrics`;
    if (spec.createOutput) {
      // No secret in it: not sensitive, so `cdktf output` shows it.
      new TerraformOutput(this, 'UrlOutput', { value: this.url }).overrideLogicalId(`${spec.handle}_metrics_url`);
    }
  }
}
