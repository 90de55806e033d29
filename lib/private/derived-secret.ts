import { IResolvable, IResolveContext, Token } from 'cdktf';

/**
 * `sha256(join("/", [SECRET, "NAME"]))`, or its `sha256()` again, as
 * Terraform evaluates it and with the text `Fn.sha256(Fn.join(...))` would
 * give the plan. Not built from `Fn`: each of its calls mints a token that
 * captures a stack trace and checks its arguments, and these passwords are
 * read a dozen times per instance, which made them a tenth of synthesis
 * time (docs/architecture.md, "What synthesis costs").
 */
class DerivedSecret implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly secret: string, private readonly name: string, private readonly hashes: 1 | 2) {}

  public resolve(context: IResolveContext): string {
    // Inside an expression, as cdktf's function calls resolve their arguments: the reference without its braces.
    const suppressBraces = context.suppressBraces;
    context.suppressBraces = true;
    const secret = context.resolve(this.secret);
    context.suppressBraces = suppressBraces;
    let expression = `join("/", [${secret}, ${JSON.stringify(this.name)}])`;
    for (let i = 0; i < this.hashes; i++) expression = `sha256(${expression})`;
    return suppressBraces ? expression : `\${${expression}}`;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** The password of `name` derived from `secret` (a reference to a generated password's result). */
export function derivedPassword(secret: string, name: string): string {
  return Token.asString(new DerivedSecret(secret, name, 1));
}

/** The SHA-256 of `derivedPassword(secret, name)`, as an ACL file holds it. */
export function derivedPasswordHash(secret: string, name: string): string {
  return Token.asString(new DerivedSecret(secret, name, 2));
}
