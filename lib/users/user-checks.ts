import { Token } from 'cdktf';
import { RedisVersion } from '../redis-version';
import { engineFeatures, engineFiles } from '../private/engine';
import { InstanceCheck } from '../private/instance-checks';
import { count } from '../private/validation';
import { adminWarning, grantsAdminCommands, lockdownRuleProblem } from '../private/server-hardening';
import { aclRuleProblems } from './acl-rules';
import { aclRuleTokens } from '../private/acl-tokens';
import { INTERNAL_USERS } from './instance-users';
import { RedisUser } from './redis-user';

const USER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const PASSWORD = /^[A-Za-z0-9._~-]{16,128}$/;
const RESERVED_NAMES: readonly string[] = ['default', ...INTERNAL_USERS];

/**
 * Checks the `users` prop: names, permissions against the version's commands
 * and categories, and literal passwords (described, never shown). Warns that
 * changing users replaces the container.
 */
export function checkUsers(check: InstanceCheck, version: RedisVersion, users: readonly RedisUser[] | undefined): void {
  if (users === undefined || users.length === 0) return;
  const { problems } = check;
  if (!engineFeatures(version).acl) {
    problems.add(`\`users\` needs ACL users, which Redis 6.0 added; "${version.name}" has only the one password: use \`password\` or a version from 6.0 on`);
    return;
  }
  const seen = new Set<string>();
  users.forEach((user, index) => {
    const at = `\`users[${index}]\``;
    if (!USER_NAME.test(user.name)) {
      problems.add(`${at}.name must be lowercase letters, digits and dashes, starting with a letter, at most 32 characters, got "${user.name}"`);
    } else if (RESERVED_NAMES.includes(user.name)) {
      problems.add(`${at}.name "${user.name}" is one of the library's own users (${RESERVED_NAMES.join(', ')}); choose another name`);
    } else if (seen.has(user.name)) {
      problems.add(`${at}.name "${user.name}" is given twice; every user needs its own name`);
    }
    seen.add(user.name);
    if (!Token.isUnresolved(user.permissions)) {
      // Only the rules holding one are shown, and a password rule only by its first character.
      const templated = aclRuleTokens(user.permissions).filter((token) => /[$%]\{/.test(token))
        .map((token) => (/^[><#!]/.test(token) ? `"${token[0]}…"` : `"${token}"`));
      if (templated.length > 0) {
        problems.add(`${at}.permissions of "${user.name}" must not hold "\${" or "%{" (got ${templated.join(', ')}): Terraform would read it as a `
          + 'template in the ACL file and render its result as rules');
      }
      for (const problem of aclRuleProblems(version.engine, version.major, version.minor, user.permissions)) {
        problems.add(`${at}.permissions of "${user.name}": ${problem}`);
      }
      for (const token of aclRuleTokens(user.permissions)) {
        const problem = lockdownRuleProblem(version, token);
        if (problem !== undefined) problems.add(`${at}.permissions of "${user.name}": ${problem}`);
      }
      const grant = grantsAdminCommands(user.permissions);
      if (grant !== undefined) check.warn(`${at} "${user.name}" has admin commands ("${grant}"): ${adminWarning(version)}`);
    }
    if (user.password !== undefined && !Token.isUnresolved(user.password) && !PASSWORD.test(user.password)) {
      problems.add(`${at}.password of "${user.name}" must be 16 to 128 URL-safe characters (A-Z a-z 0-9 . _ ~ -), got a value of ${count(user.password.length, 'character')} that does not match`);
    }
  });
  check.warn(
    `\`users\` live in the ACL file uploaded into the ${engineFiles(version).productName} container: a deploy that adds, removes or changes a user or its password replaces the container` +
    (version.persistent ? ', which saves its data on the way down and loads it again' : ', and this memory-only database starts empty after it'),
  );
}
