import { IResolvable, Token } from 'cdktf';

/**
 * A value computed when cdktf resolves it, as with `Lazy`, without the stack
 * trace each `Lazy` captures when it is created: a database has several, and
 * traces are most of what a token costs (docs/architecture.md, "What
 * synthesis costs").
 */
class Deferred implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly produce: () => string | string[]) {}

  public resolve(): string | string[] {
    return this.produce();
  }

  public toString(): string {
    return Token.asString(this);
  }
}

export function deferredString(produce: () => string): string {
  return Token.asString(new Deferred(produce));
}

export function deferredList(produce: () => string[]): string[] {
  return Token.asList(new Deferred(produce));
}
