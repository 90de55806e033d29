/**
 * What the exporter container runs with, rendered from plain data: its
 * command line and its password file. Pure and deterministic, like the
 * other renderers; no secret goes into the command line.
 */

/** Where the exporter container finds its files (uploads, root-owned). */
const EXPORTER_CONFIG_DIR = '/etc/redis_exporter';
export const EXPORTER_PASSWORD_FILE = `${EXPORTER_CONFIG_DIR}/password.json`;
export const EXPORTER_CA_FILE = `${EXPORTER_CONFIG_DIR}/ca.crt`;
/** The exporter's own default port, in the container. */
export const EXPORTER_PORT = 9121;

export interface ExporterConfigInput {
  /** The name the server's TLS certificate names on the Docker network (`HANDLE-tls`, or `HANDLE` with native TLS). */
  readonly tlsHost: string;
  readonly tlsPort: number;
  /** The ACL user the exporter logs in as. */
  readonly user: string;
}

/** `rediss://HOST:PORT`: TLS, with the host the certificate is verified for. */
function exporterRedisAddress(input: ExporterConfigInput): string {
  return `rediss://${input.tlsHost}:${input.tlsPort}`;
}

/**
 * The exporter's arguments. `--config-command=-` because its user may not
 * run CONFIG GET (the config holds masterauth); `--tls-ca-cert-file` makes it
 * verify the server against the instance's CA, for the name in the address.
 */
export function renderExporterCommand(input: ExporterConfigInput): string[] {
  return [
    `--redis.addr=${exporterRedisAddress(input)}`,
    `--redis.user=${input.user}`,
    `--redis.password-file=${EXPORTER_PASSWORD_FILE}`,
    `--tls-ca-cert-file=${EXPORTER_CA_FILE}`,
    '--config-command=-',
    `--web.listen-address=:${EXPORTER_PORT}`,
  ];
}

/**
 * The password file: a JSON map of address to password
 * (oliver006/redis_exporter#877). With `--redis.user` the exporter looks the
 * password up under the address with that user in it
 * (`lookupPasswordInPasswordMap` in exporter/redis.go, 1.69 to 1.88), so the
 * key is `rediss://USER@HOST:PORT`; under the bare address it would find
 * nothing and connect without a password.
 */
export function renderExporterPasswordFile(input: ExporterConfigInput, password: string): string {
  const key = `rediss://${input.user}@${input.tlsHost}:${input.tlsPort}`;
  return `${JSON.stringify({ [key]: password })}\n`;
}
