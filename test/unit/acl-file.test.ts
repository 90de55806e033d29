import { renderAclFile } from '../../lib/users/acl-file';

describe('renderAclFile', () => {
  const input = {
    users: [
      { name: 'default', passwordSha256: 'a'.repeat(64), rules: '~* &* +@all' },
      { name: 'health', passwordSha256: 'b'.repeat(64), rules: '+ping' },
    ],
  };

  test('writes each user on, with its password as a SHA-256 hash and its rules, in the order given, and nothing else (Redis refuses comments)', () => {
    expect(renderAclFile(input).split('\n')).toEqual([
      `user default on #${'a'.repeat(64)} ~* &* +@all`,
      `user health on #${'b'.repeat(64)} +ping`,
      '',
    ]);
  });

  test('is deterministic', () => {
    expect(renderAclFile(input)).toBe(renderAclFile({ ...input, users: [...input.users] }));
  });
});
