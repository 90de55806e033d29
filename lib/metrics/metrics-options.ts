/**
 * A Prometheus exporter for a database or follower: oliver006/redis_exporter
 * in a container of its own on the instance's Docker network, reading the
 * server over TLS as the library's `exporter` user.
 */
export interface RedisMetricsOptions {
  /**
   * Run the exporter. A follower whose `metrics` is not given inherits its
   * primary's: a follower's broken replication link shows only in its own
   * metrics (`redis_master_link_up`).
   */
  readonly enabled: boolean;

  /**
   * Host port of the metrics endpoint (`/metrics`).
   *
   * @default - Docker chooses a free port; read it from `metricsUrl` or the output `HANDLE_metrics_url`
   */
  readonly port?: number;

  /**
   * Host address the metrics endpoint is published on. The endpoint has no
   * authentication: whoever reaches it reads the server's INFO (memory,
   * clients, replication, the number of keys), so publish it beyond this host
   * only on an address where your Prometheus alone reaches it (a warning says
   * so).
   *
   * @default "127.0.0.1"; a follower on its primary's Docker host inherits its primary's
   */
  readonly hostIp?: string;
}
