// Shared by the users capability (rule checks) and server-hardening (the 6.x lockdown), which lies below it.
/**
 * Splits a rule list as the server's ACL file loader does: on spaces, with a
 * selector, `(` to `)`, kept as one token though it holds spaces. A selector
 * that is never closed comes back as one token without its `)`.
 */
export function aclRuleTokens(rules: string): string[] {
  const tokens: string[] = [];
  let selector: string[] | undefined;
  for (const word of rules.split(/\s+/).filter((w) => w !== '')) {
    if (selector) {
      selector.push(word);
    } else if (word.startsWith('(')) {
      selector = [word];
    } else {
      tokens.push(word);
    }
    if (selector && word.endsWith(')')) {
      tokens.push(selector.join(' '));
      selector = undefined;
    }
  }
  if (selector) tokens.push(selector.join(' '));
  return tokens;
}
