import { EngineFiles } from '../private/engine';
import { fillShellCommand, shellFile, shellQuote } from '../private/shell-template';
import { DATA_DIR } from '../private/redis-node';

/**
 * Where a failover group's node runs its config from: a copy in the data
 * volume that Redis may rewrite. Sentinel reconfigures a node with SLAVEOF and
 * CONFIG REWRITE, which needs a config file Redis can write; the uploaded one
 * is root's.
 */
export const NODE_STATE_FILE = `${DATA_DIR}/failover-node.conf`;

/**
 * The entrypoint and command of a failover group's node. At every start the
 * config is the uploaded file plus one line, the node's role: at the first
 * start the role the code gives it (`replicaof` of its primary, or none for
 * the primary), later the role its previous run ended with, as Sentinel's
 * CONFIG REWRITE left it in the copy. So a restart, or a container replaced
 * with unchanged code or a new config, keeps the roles Sentinel gave, while
 * every other setting comes from the code. The copy is in the data volume
 * (which outlives the container) and holds secrets, hence umask 077.
 *
 * The script is node-start.sh beside this file. Terraform interpolates `${`
 * in any string, so the script uses `$name` only.
 */
export function memberStartup(files: EngineFiles, initialRole: string | undefined): { entrypoint: string[]; command: string[] } {
  const script = fillShellCommand(shellFile(__dirname, 'node-start.sh'), {
    STATE_FILE: NODE_STATE_FILE,
    INITIAL_ROLE: shellQuote(initialRole ?? ''),
    CONFIG_FILE: files.configPath,
    SERVER: files.serverBinary,
  });
  return { entrypoint: ['/bin/sh', '-c'], command: [script] };
}
