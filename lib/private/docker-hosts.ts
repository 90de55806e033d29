import { DockerProvider } from '@cdktf/provider-docker/lib/provider';

/**
 * Which Docker host a construct's resources go to, as a key for per-host
 * records (handles, host ports, shared images): the stack's default Docker
 * provider, or an aliased one. Names and ports clash only on one host.
 */
export function dockerHostKey(provider: DockerProvider | undefined): string {
  const alias = provider?.alias;
  return alias === undefined ? '' : alias;
}

/** For messages: "the default Docker host" or "Docker host `docker.b`". */
export function dockerHostName(hostKey: string): string {
  return hostKey === '' ? 'the default Docker host' : `Docker host \`docker.${hostKey}\``;
}
