import { createHash } from 'crypto';
import { Fn, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { RedisCredentials } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { derivedPassword, derivedPasswordHash } from '../private/derived-secret';
import { EngineFiles, engineFeatures } from '../private/engine';
import { Password } from '../private/lean-resources';
import { AppUser, InstanceAccess } from '../private/capability';
import { REDIS_PORT } from '../private/redis-node';
import { fillShellCommand, shellFile } from '../private/shell-template';
import { appUserRules, defaultUserRules } from '../private/server-hardening';
import { internalUserRules, InternalUser } from './acl-rules';
import { renderAclFile } from './acl-file';
import { RedisUser } from './redis-user';

/** The library's own users, in the order the ACL file lists them. */
export const INTERNAL_USERS: readonly InternalUser[] = ['replication', 'backup', 'health', 'sentinel', 'exporter'];

export interface InstanceUsersSpec {
  readonly version: RedisVersion;
  readonly files: EngineFiles;
  /** The `default` user's password as the instance uses it (a sensitive token). */
  readonly defaultPassword: string;
  /** The literal `password` prop, when given: its hash is computed here, so no secret reaches the ACL file. */
  readonly literalDefaultPassword?: string;
  readonly users: readonly RedisUser[];
  /**
   * The secret the internal users' passwords derive from, when the instance
   * shares another's (a failover group's members); else one is generated.
   */
  readonly internalSecret?: string;
}

/** Where the health user's password is, in the server's container (6.0+). */
export function healthSecretPath(files: EngineFiles): string {
  return `${files.configDir}/health.secret`;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The hash Redis compares with: computed at synth for a literal, by Terraform for a generated secret. */
function passwordHash(password: string, literal?: string): string {
  return literal !== undefined && !Token.isUnresolved(literal) ? sha256Hex(literal) : Fn.sha256(password);
}

/** The Docker healthcheck's one line of shell, from its .sh file beside this one. */
function healthcheck(file: string, values: Record<string, string>): string {
  return fillShellCommand(shellFile(__dirname, file), values);
}

/**
 * Builds the users of one instance. From Redis 6 on, every instance has the
 * library's own users from its first deploy, so adding a follower, a backup or
 * an exporter later never rewrites its ACL file (which would replace the
 * container). Their passwords derive from one generated secret per instance:
 * SHA-256 of the secret and the user name, so a leaked health password says
 * nothing about the replication one.
 */
export function buildInstanceUsers(scope: Construct, spec: InstanceUsersSpec): InstanceAccess {
  const { version, files } = spec;
  const features = engineFeatures(version);
  if (!features.acl) {
    return {
      confAuth: { requirepass: spec.defaultPassword },
      files: [],
      healthcheckScript: healthcheck('health-requirepass.sh', { CONFIG_FILE: files.configPath, CLI: files.cliBinary, PORT: `${REDIS_PORT}` }),
      defaultUrlUser: '',
      replication: { password: spec.defaultPassword },
      backup: { password: spec.defaultPassword },
      appUsers: new Map(),
    };
  }

  const secret = spec.internalSecret ?? new Password(scope, 'InternalSecret', { length: 64, special: false }).result;
  // One token per user, read wherever its password goes.
  const internalPasswords = new Map(INTERNAL_USERS.map((user) => [user, derivedPassword(secret, user)]));
  const internalPassword = (user: InternalUser) => internalPasswords.get(user)!;
  const internalRules = internalUserRules(version.engine, version.major, version.minor);

  const usersScope = spec.users.length > 0 ? new Construct(scope, 'Users') : undefined;
  const appUsers = new Map<string, AppUser>();
  const appLines = [...spec.users].sort((a, b) => (a.name < b.name ? -1 : 1)).map((user) => {
    const userScope = new Construct(usersScope!, user.name);
    const password = user.password === undefined
      ? new Password(userScope, 'Password', { length: 40, special: false }).result
      : Token.asString(Fn.sensitive(user.password));
    appUsers.set(user.name, { password, scope: userScope });
    return { name: user.name, passwordSha256: passwordHash(password, user.password), rules: appUserRules(version, user.permissions) };
  });

  const aclFile = `${files.configDir}/users.acl`;
  const healthSecretFile = healthSecretPath(files);
  const acl = renderAclFile({
    users: [
      {
        name: 'default',
        passwordSha256: passwordHash(spec.defaultPassword, spec.literalDefaultPassword),
        rules: defaultUserRules(version),
      },
      ...INTERNAL_USERS.map((user) => ({ name: user, passwordSha256: derivedPasswordHash(secret, user), rules: internalRules[user] })),
      ...appLines,
    ],
  });

  return {
    confAuth: { aclFile },
    files: [
      { file: aclFile, content: acl },
      { file: healthSecretFile, content: internalPassword('health') },
    ],
    healthcheckScript: healthcheck('health-acl.sh', { SECRET_FILE: healthSecretFile, CLI: files.cliBinary, PORT: `${REDIS_PORT}` }),
    defaultUrlUser: 'default',
    replication: { user: 'replication', password: internalPassword('replication') },
    exporter: { user: 'exporter', password: internalPassword('exporter') },
    backup: { user: 'backup', password: internalPassword('backup') },
    appUsers,
    internalSecret: secret,
    sentinel: { user: 'sentinel', password: internalPassword('sentinel') },
  };
}

/** `credentialsFor(name)` of a database or follower: the app user's credentials, or an error naming the users there are. */
export function appUserCredentials(instance: IConstruct, credentials: ReadonlyMap<string, RedisCredentials>, name: string): RedisCredentials {
  const found = credentials.get(name);
  if (!found) {
    const known = [...credentials.keys()];
    throw new Error(`${instance.node.path}: no user "${name}" in \`users\`${known.length > 0 ? `; its users are ${known.join(', ')}` : ' (none is declared)'}`);
  }
  return found;
}
