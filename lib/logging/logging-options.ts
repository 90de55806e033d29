/**
 * Where the Docker engine sends a container's output: the log drivers this
 * library offers, each tested on Docker 20.10 (test/e2e/log-drains.test.ts).
 */
export class RedisLogDriver {
  /** Docker's JSON files on the host; `docker logs` reads them. */
  public static readonly JSON_FILE = new RedisLogDriver('json-file');
  /** Docker's compressed, rotated files on the host (20 MB x 5 unless `options` say otherwise); `docker logs` reads them. */
  public static readonly LOCAL = new RedisLogDriver('local');
  /**
   * A syslog server, named by the `syslog-address` option (`udp://`, `tcp://`, `tcp+tls://` or `unix://`).
   * `docker logs` reads Docker's own local copy of the output (dual logging, Docker 20.10+) unless its
   * `cache-disabled` option is `true`.
   */
  public static readonly SYSLOG = new RedisLogDriver('syslog');

  /** Every driver offered. */
  public static readonly ALL: RedisLogDriver[] = [RedisLogDriver.JSON_FILE, RedisLogDriver.LOCAL, RedisLogDriver.SYSLOG];

  private constructor(
    /** The driver's name as Docker knows it. */
    public readonly name: string,
  ) {}
}

/** Where every container of an instance logs (`docker_container.log_driver` and `log_opts`). */
export interface RedisLoggingOptions {
  /** The Docker log driver. */
  readonly driver: RedisLogDriver;

  /**
   * The driver's options, as Docker names them (`--log-opt`), such as `syslog-address`, `tag`, `max-size`.
   * The daemon's `log-opts` are merged in where the daemon's default driver is this one.
   *
   * @default - with `JSON_FILE`: `max-size` 10m and `max-file` 3, so that no log fills the host's disk; with the others: none (the driver's own defaults)
   */
  readonly options?: { [key: string]: string };
}
