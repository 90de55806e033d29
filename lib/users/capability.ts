import { Construct } from 'constructs';
import { Capability, CapabilityEntry, InstanceAccess, InstanceSpec } from '../private/capability';
import { engineFiles } from '../private/engine';
import { InstanceSecrets } from '../private/instance-core';
import { buildInstanceUsers } from './instance-users';
import { checkUsers } from './user-checks';

/** `InternalSecret` and `Users/NAME/Password`: who may connect, which the config, the healthcheck and every internal login read. */
export function instanceAccess(scope: Construct, spec: InstanceSpec, secrets: InstanceSecrets): InstanceAccess {
  return buildInstanceUsers(scope, {
    version: spec.version,
    files: engineFiles(spec.version),
    defaultPassword: secrets.password,
    literalDefaultPassword: secrets.literalPassword,
    users: secrets.users,
    internalSecret: spec.shared?.internalSecret,
  });
}

/** The ACL file and the health user's secret in the node, and preconditions on what reaches them, or the config, only at deploy. */
export const USERS: Capability = {
  name: 'users',
  node: ({ access, userDefinitions, options }) => ({
    serverFiles: access.files,
    deployTimeValues: [
      ...userDefinitions.map((user, index) => ({ what: `\`users[${index}]\`.permissions`, value: user.permissions })),
      // Before 6.0 the password itself is in the config (requirepass); from 6.0 only its hash reaches a file.
      ...(access.confAuth.requirepass !== undefined && options.password !== undefined ? [{ what: '`password`', value: options.password, secret: true }] : []),
    ],
  }),
};

/** `users`: checked first, as the props list them first. */
export const usersEntry: CapabilityEntry = {
  name: 'users',
  checkOrder: 1,
  check: ({ check, version, props }) => {
    checkUsers(check, version, props.users);
    return USERS;
  },
};
