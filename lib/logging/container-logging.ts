import { RedisLogDriver, RedisLoggingOptions } from './logging-options';

/** The library's limits on Docker's JSON files: without them one chatty container can fill the host's disk. */
export const DEFAULT_JSON_FILE_OPTS: Readonly<Record<string, string>> = { 'max-size': '10m', 'max-file': '3' };

/** The driver and options every container of an instance is created with. */
export interface ContainerLogging {
  readonly logDriver: string;
  readonly logOpts: Record<string, string>;
}

export function containerLogging(logging?: RedisLoggingOptions): ContainerLogging {
  const driver = logging?.driver ?? RedisLogDriver.JSON_FILE;
  const defaults = driver === RedisLogDriver.JSON_FILE ? DEFAULT_JSON_FILE_OPTS : {};
  return { logDriver: driver.name, logOpts: { ...(logging?.options ?? defaults) } };
}
