/**
 * Renders the ACL file of a database from plain data. Pure and deterministic,
 * like the other renderers. The file holds password hashes only: Redis
 * compares the SHA-256 of what a client sends with `#<hex>`. It has no header
 * comment as the other files do: Redis refuses to start on any line of an ACL
 * file that is not a `user` line.
 */

export interface AclFileUser {
  readonly name: string;
  /** Hex SHA-256 of the user's password (a Terraform expression when the password is generated). */
  readonly passwordSha256: string;
  /** ACL rules after the password, such as `~* &* +@all`. */
  readonly rules: string;
}

export interface AclFileInput {
  /** In this order: the default user, the library's users, then the app users. */
  readonly users: readonly AclFileUser[];
}

export function renderAclFile(input: AclFileInput): string {
  return input.users.map((user) => `user ${user.name} on #${user.passwordSha256} ${user.rules}\n`).join('');
}
