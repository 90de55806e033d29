import { Capability, CapabilityEntry } from '../private/capability';
import { networkTlsHostFor } from '../private/instance-core';
import { TLS_PORT } from '../private/redis-node';
import { checkMetrics, ResolvedMetrics } from './metrics-checks';
import { MetricsExporter } from './metrics-exporter';

/** The exporter `Metrics/Exporter` beside the node, its URL, and its settings for the followers that inherit them. */
function metricsCapability(metrics: ResolvedMetrics | undefined): Capability {
  if (!metrics) return { name: 'metrics' };
  return {
    name: 'metrics',
    node: () => ({ internals: { metrics } }),
    companions: (instance) => {
      const { scope, handle, options, settings } = instance;
      const exporter = new MetricsExporter(scope, 'Metrics', metrics, {
        handle, role: instance.kind, provider: options.provider, image: options.metricsImage, restart: instance.restart, logging: instance.logging,
        networkName: instance.networkName, network: instance.network, tlsHost: instance.networkTlsHost, tlsPort: TLS_PORT,
        caCertificatePem: instance.tls.caCertificatePem, login: instance.access.exporter!, hostname: settings.hostname, createOutput: options.createOutputs ?? true,
      });
      return { attributes: { metricsUrl: exporter.url } };
    },
  };
}

/** `metrics`, which a follower takes from its primary when its own leave them out. */
export const metricsEntry: CapabilityEntry = {
  name: 'metrics',
  checkOrder: 3,
  check: ({ check, version, props, settings, primary }) => metricsCapability(checkMetrics(
    check, version, props, networkTlsHostFor(check.handle, settings.tlsMode),
    primary && { metrics: primary.internals?.metrics, sameHost: primary.sameHost },
  )),
};
