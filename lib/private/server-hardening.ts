/**
 * No client of a database, `default` included, may take the known path from
 * the admin commands to code execution in the container (whose network has
 * egress): point `dir`/`dbfilename` somewhere else and write a file there
 * (`CONFIG SET`, a snapshot, or a full sync from a rogue primary), load it
 * (`MODULE LOAD`), or crash and poke the server (`DEBUG`).
 *
 * - 7.0 and later (every Valkey): the server's own switches, rendered `no`
 *   and owned: `dir` and `dbfilename` are protected configs then, and
 *   `DEBUG` and `MODULE` are refused for every user. `local` would be as open
 *   as `yes` here: every client of the TLS sidecar arrives over the Unix
 *   socket, which the server counts as local.
 * - 6.0 and 6.2: no switches, and no argument-level ACL: the ACL rules of
 *   `default` and of every app user end in rules that take away `CONFIG`
 *   (keeping `CONFIG GET` and `RESETSTAT` for `default`), `MODULE` (keeping
 *   `MODULE LIST`) and `DEBUG`. 6.x refuses `-config|set` ("Unknown command
 *   or category"), so the form is the whole command off, then the harmless
 *   subcommands on again.
 * - 4.0 and 5.0: one password, no ACL, no switches. `rename-command` would
 *   break what the library itself sends with that password (the restore's
 *   `CONFIG SET appendonly`, Sentinel's `CONFIG REWRITE`), so a warning says
 *   what such a database still allows.
 *
 * `REPLICAOF` stays: without a writable `dir`/`dbfilename` and `MODULE LOAD`
 * a rogue primary can only replace the data, which `default` can do anyway
 * (`FLUSHALL`, `RESTORE`), and `REPLICAOF NO ONE` is how a follower is
 * promoted by hand.
 */
import { EngineRelease, engineFeatures, engineFiles } from './engine';
import { aclRuleTokens } from './acl-tokens';

/** The 7.0 switches, each rendered `no`. */
export const ADMIN_SWITCHES: readonly string[] = ['enable-protected-configs', 'enable-debug-command', 'enable-module-command'];

/** The lines of redis.conf that close the admin path (7.0 and later), or none. */
export function adminSwitchLines(release: EngineRelease): string[] {
  return engineFeatures(release).adminSwitches ? ADMIN_SWITCHES.map((name) => `${name} no`) : [];
}

const TEMPLATE_SEQUENCE = /[$%]\{/;

/**
 * Why `config` may not set `name` to `value`, or undefined. The value is
 * shown except for `tls-*` directives, some of which hold a key's passphrase.
 */
export function refusedConfigDirective(name: string, value: string, valueIsToken: boolean): string | undefined {
  const lower = name.toLowerCase();
  const shown = valueIsToken ? 'a value known only at deploy' : JSON.stringify(value);
  if (ADMIN_SWITCHES.includes(lower)) {
    if (!valueIsToken && value.trim().toLowerCase() === 'no') return undefined;
    return `\`config\` must not set "${name}" to ${shown}: the construct renders it \`no\`. \`yes\` and \`local\` (as open as \`yes\` here: `
      + 'every client of the TLS sidecar arrives over the Unix socket, which counts as local) let a client change `dir`/`dbfilename`, '
      + 'run DEBUG or MODULE LOAD: the known path to code execution in the container';
  }
  if (lower === 'loadmodule') {
    return `\`config\` must not set "loadmodule" (got ${shown}): a module is native code running inside the server with every privilege it has; `
      + 'the constructs load none';
  }
  if (lower === 'rename-command') {
    return `\`config\` must not set "rename-command" (got ${shown}): the library's own users, healthcheck, backups, restores and Sentinel `
      + 'send commands by their names, and access is decided by ACL users (`users`), not by hidden names';
  }
  if (lower.startsWith('cluster-')) {
    return `\`config\` must not set "${name}" (got ${shown}): the constructs run standalone servers; cluster mode opens a cluster bus `
      + 'port without TLS or authentication and changes how every client and follower connects';
  }
  if (lower.startsWith('tls-')) {
    return `\`config\` must not set "${name}": the construct owns TLS (TLS 1.2 and later with forward-secret AEAD suites, natively or in the `
      + 'sidecar), and the last line of a directive wins in the config file, so a `tls-*` directive here would replace its settings';
  }
  if (!valueIsToken && TEMPLATE_SEQUENCE.test(value)) {
    return `\`config\` value of "${name}" must not hold "\${" or "%{" (got ${shown}): Terraform would read it as a template `
      + 'and render its result (a file of the deploying machine, say) into the config file';
  }
  return undefined;
}

/** 6.x: whether ACL rules must take the admin path away (no server switches there). */
function needsAclLockdown(release: EngineRelease): boolean {
  const features = engineFeatures(release);
  return features.acl && !features.adminSwitches;
}

const LOCKDOWN = ['-config', '-module', '-debug'];
/** What `default` gets back after the lockdown: reading the config and its stats, listing modules. */
const DEFAULT_REGRANTS = ['+config|get', '+config|resetstat', '+module|list'];
/** Subcommands that are the admin path itself: never granted back. */
const PATH_SUBCOMMANDS = ['config|set', 'module|load'];

/** The `default` user's rules. */
export function defaultUserRules(release: EngineRelease): string {
  const all = engineFeatures(release).aclChannels ? '~* &* +@all' : '~* +@all';
  return needsAclLockdown(release) ? [all, ...LOCKDOWN, ...DEFAULT_REGRANTS].join(' ') : all;
}

/**
 * An app user's rules as the ACL file holds them: on 6.x followed by the
 * lockdown and by the user's own `+config|…` and `+module|…` grants again
 * (6.x's `-command` clears the allowed subcommands too).
 */
export function appUserRules(release: EngineRelease, permissions: string): string {
  const rules = permissions.trim();
  if (!needsAclLockdown(release)) return rules;
  const regrants = aclRuleTokens(rules).filter((token) => /^\+(config|module)\|/i.test(token));
  return [rules, ...LOCKDOWN, ...regrants].join(' ');
}

/**
 * Why an app user's rule cannot be given on 6.x, where only whole commands
 * can be taken away: an explicit grant of the admin path. Undefined elsewhere.
 */
export function lockdownRuleProblem(release: EngineRelease, token: string): string | undefined {
  if (!needsAclLockdown(release)) return undefined;
  const rule = token.toLowerCase();
  if (!rule.startsWith('+')) return undefined;
  const command = rule.slice(1);
  if (['config', 'module', 'debug'].includes(command) || PATH_SUBCOMMANDS.includes(command) || command.startsWith('debug|')) {
    return `ACL rule "${token}" grants ${command.toUpperCase().replace('|', ' ')}, which ${engineFiles(release).displayName} cannot limit to `
      + 'safe arguments (CONFIG SET dir, MODULE LOAD and DEBUG are the path to code execution in the container); the library takes '
      + 'CONFIG, MODULE and DEBUG from every user there. Grant subcommands such as +config|get or +module|list instead';
  }
  return undefined;
}

/**
 * The rule that leaves a user with admin or dangerous commands, worth a
 * warning, or undefined: a later `-@dangerous`, `-@all` or `nocommands` takes
 * them away again (every admin command is in @dangerous too).
 */
export function grantsAdminCommands(permissions: string): string | undefined {
  let grant: string | undefined;
  for (const token of aclRuleTokens(permissions)) {
    if (/^(\+@(all|admin|dangerous)|allcommands)$/i.test(token)) grant = token;
    else if (/^(-@(all|dangerous)|nocommands)$/i.test(token)) grant = undefined;
  }
  return grant;
}

/** What a user with admin commands can still do, per line. */
export function adminWarning(release: EngineRelease): string {
  const name = engineFiles(release).displayName;
  if (engineFeatures(release).adminSwitches) {
    return `${name} refuses CONFIG SET of protected configs (dir, dbfilename), DEBUG and MODULE to every user (the construct renders the `
      + 'enable-* switches `no`), but such a user can still read every key, FLUSHALL, SHUTDOWN, change other settings and other users (ACL SETUSER)';
  }
  return `the library takes CONFIG (but GET and RESETSTAT it was given), MODULE (but LIST) and DEBUG from the user on ${name}, but such a user `
    + 'can still read every key, FLUSHALL, SHUTDOWN and change other users (ACL SETUSER)';
}

/** 4.0 and 5.0: what whoever has the password can do; undefined where ACLs or switches close it. */
export function noAclWarning(release: EngineRelease): string | undefined {
  if (engineFeatures(release).acl) return undefined;
  const name = engineFiles(release).displayName;
  return `${name} has no ACL users and no enable-protected-configs: whoever has the password can run CONFIG SET dir/dbfilename, MODULE LOAD, `
    + 'DEBUG and SLAVEOF, the known path to code execution inside the container. The library does not rename those commands, since its '
    + 'restores and Sentinel send CONFIG with that password: give the password to administrators only, or use 6.0 or later';
}
