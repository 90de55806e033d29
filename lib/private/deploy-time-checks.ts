import { Fn, Op, Precondition, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A value Terraform knows only at deploy (a variable, another resource's
 * attribute) passes synth unchecked, yet lands in a rendered file: a line
 * break in it would add lines there, such as a `user evil on nopass ~* +@all`
 * line in the ACL file or a directive in the config. Each such value gets a
 * precondition on the container holding the file, which fails the plan
 * before anything is created. `${` and `%{` need no check there: Terraform
 * reads templates only in configuration, never in a value it computed.
 */
export interface DeployTimeValue {
  /** What it is, as messages name props, such as `` `config` value of "timeout" ``. */
  readonly what: string;
  readonly value: string;
  /**
   * A failed condition prints the value of every reference in it unless that
   * is sensitive: a secret is checked through a local marked sensitive.
   */
  readonly secret?: boolean;
}

export function singleLinePreconditions(scope: Construct, owner: string, values: readonly DeployTimeValue[]): Precondition[] {
  return values.filter((v) => Token.isUnresolved(v.value)).map((v, index) => {
    const value = v.secret ? new TerraformLocal(scope, `DeployTimeSecret${index}`, Fn.sensitive(v.value)).asString : v.value;
    return {
      // RE2's escapes, passed as text. `< 1`: cdktf renders a literal 0 operand as `undefined`.
      condition: Op.lt(Fn.lengthOf(Fn.regexall('[\\r\\n]', value)), 1),
      // Names the prop only: the value may be a secret.
      errorMessage: `${owner}: ${v.what} must be a single line: a line break would add lines to the file it is rendered into.`,
    };
  });
}
