/**
 * An application user of a database or follower (Redis 6.0 and later, and
 * Valkey), with its own password and only the permissions it is given.
 */
export interface RedisUser {
  /**
   * The user name: lowercase letters, digits and dashes, starting with a
   * letter. Not one of the library's own users (`default`, `replication`,
   * `backup`, `health`, `sentinel`, `exporter`).
   */
  readonly name: string;

  /**
   * ACL rules, as in `ACL SETUSER`: commands and categories (`+@read`,
   * `-@dangerous`, `+get`), key patterns (`~app:*`, `%R~cache:*` on 7.0+),
   * channels (`&events:*` on 6.2+) and selectors (7.0+). Checked at synth
   * against the version's commands and categories. Rules that switch the user
   * on or off or set passwords (`on`, `off`, `nopass`, `reset`, `>…`, `#…`)
   * are refused: the library owns them.
   */
  readonly permissions: string;

  /**
   * The user's password, 16 to 128 URL-safe characters. Written into no
   * file in clear: the ACL file holds its SHA-256.
   *
   * @default - a generated 40-character `random_password`
   */
  readonly password?: string;
}
