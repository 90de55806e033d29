/**
 * A strict evaluator of the Terraform expressions a synthesized plan contains.
 * In Terraform's JSON syntax every string is a template: literal text with
 * `${ ... }` interpolations holding references, string literals, tuples and
 * function calls. What this does not implement (operators, conditionals,
 * `%{ }` directives, unknown functions, references other than to resources)
 * is an error, never passed through as text.
 */
import { createHash } from 'crypto';

/** A value Terraform knows only after apply: a planned change shows it as "(known after apply)". */
export const UNKNOWN: unique symbol = Symbol('known after apply');
export type Value = string | number | boolean | null | typeof UNKNOWN | Value[] | { [key: string]: Value };

export type TraversalStep = string | number;

export interface Resolved {
  readonly value: Value;
  readonly sensitive: boolean;
}

/** Resolves a reference such as `docker_container.x.ports[0].external`; throws for what it cannot. */
export type Resolver = (traversal: readonly TraversalStep[]) => Resolved;

type Node =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'template'; readonly parts: readonly Node[] }
  | { readonly kind: 'reference'; readonly traversal: readonly TraversalStep[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'tuple'; readonly items: readonly Node[] };

/** Roots Terraform gives meaning to that are not resources; a plan using them is beyond this evaluator. */
const NON_RESOURCE_ROOTS = ['var', 'local', 'data', 'module', 'path', 'terraform', 'count', 'each', 'self'];

export class ExpressionError extends Error {}

class Parser {
  private pos = 0;

  constructor(private readonly where: string, private readonly src: string) {}

  private fail(message: string): never {
    throw new ExpressionError(`${this.where}: ${message} at offset ${this.pos} of a ${this.src.length}-character string`);
  }

  /** The whole source as a template: literal text and interpolations, up to the end. */
  template(): Node {
    const parts = this.templateParts(undefined);
    if (this.pos !== this.src.length) this.fail('unexpected end of template');
    return { kind: 'template', parts };
  }

  /** Template parts up to `closing` (a quote inside an expression) or the end of the source. */
  private templateParts(closing: '"' | undefined): Node[] {
    const parts: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push({ kind: 'literal', value: text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const rest = this.src.slice(this.pos);
      if (closing && rest[0] === closing) break;
      if (rest.startsWith('$${')) {
        text += '${';
        this.pos += 3;
      } else if (rest.startsWith('%%{')) {
        text += '%{';
        this.pos += 3;
      } else if (rest.startsWith('%{')) {
        this.fail('template directives (%{ }) are not supported');
      } else if (rest.startsWith('${')) {
        flush();
        this.pos += 2;
        if (this.src[this.pos] === '~') this.fail('strip markers are not supported');
        parts.push(this.expression());
        this.skipSpace();
        if (this.src[this.pos] === '~') this.fail('strip markers are not supported');
        if (this.src[this.pos] !== '}') this.fail('expected "}" closing the interpolation; operators and conditionals are not supported');
        this.pos += 1;
      } else if (closing && rest[0] === '\\') {
        text += this.escape();
      } else {
        text += rest[0];
        this.pos += 1;
      }
    }
    flush();
    return parts;
  }

  private escape(): string {
    const next = this.src[this.pos + 1];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
    if (next in simple) {
      this.pos += 2;
      return simple[next];
    }
    if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.src.slice(this.pos + 2, this.pos + 6))) {
      const ch = String.fromCharCode(parseInt(this.src.slice(this.pos + 2, this.pos + 6), 16));
      this.pos += 6;
      return ch;
    }
    return this.fail(`unsupported escape \\${next}`);
  }

  private skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos += 1;
  }

  private identifier(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  expression(): Node {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === '"') {
      this.pos += 1;
      const parts = this.templateParts('"');
      if (this.src[this.pos] !== '"') this.fail('unterminated string');
      this.pos += 1;
      return { kind: 'template', parts };
    }
    if (c === '[') {
      this.pos += 1;
      const items: Node[] = [];
      for (;;) {
        this.skipSpace();
        if (this.src[this.pos] === ']') break;
        items.push(this.expression());
        this.skipSpace();
        if (this.src[this.pos] === ',') this.pos += 1;
        else if (this.src[this.pos] !== ']') this.fail('expected "," or "]" in a tuple');
      }
      this.pos += 1;
      return { kind: 'tuple', items };
    }
    const number = /^[0-9]+(\.[0-9]+)?/.exec(this.src.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const name = this.identifier();
    this.skipSpace();
    if (this.src[this.pos] === '(') {
      this.pos += 1;
      const args: Node[] = [];
      for (;;) {
        this.skipSpace();
        if (this.src[this.pos] === ')') break;
        args.push(this.expression());
        this.skipSpace();
        if (this.src[this.pos] === ',') this.pos += 1;
        else if (this.src[this.pos] !== ')') this.fail(`expected "," or ")" in the arguments of ${name}()`);
      }
      this.pos += 1;
      return { kind: 'call', name, args };
    }
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    if (NON_RESOURCE_ROOTS.includes(name)) this.fail(`references to ${name}.* are not supported`);
    const traversal: TraversalStep[] = [name];
    for (;;) {
      if (this.src[this.pos] === '.') {
        this.pos += 1;
        const index = /^[0-9]+/.exec(this.src.slice(this.pos));
        if (index) {
          this.pos += index[0].length;
          traversal.push(Number(index[0]));
        } else {
          traversal.push(this.identifier());
        }
      } else if (this.src[this.pos] === '[') {
        this.pos += 1;
        this.skipSpace();
        const index = this.expression();
        this.skipSpace();
        if (this.src[this.pos] !== ']') this.fail('expected "]"');
        this.pos += 1;
        if (index.kind === 'literal' && typeof index.value === 'number') traversal.push(index.value);
        else if (index.kind === 'template' && index.parts.length === 1 && index.parts[0].kind === 'literal') traversal.push(String((index.parts[0] as any).value));
        else this.fail('only literal indexes are supported');
      } else {
        break;
      }
    }
    if (traversal.length < 3) this.fail(`reference ${traversal.join('.')} must name a resource attribute`);
    return { kind: 'reference', traversal };
  }
}

const parsed = new Map<string, Node>();
function parseTemplate(where: string, src: string): Node {
  let node = parsed.get(src);
  if (!node) {
    node = new Parser(where, src).template();
    parsed.set(src, node);
  }
  return node;
}

/** Go's strings.TrimSpace: ASCII white space plus U+0085 and U+00A0. */
function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00A0]+|[\t\n\v\f\r \u0085\u00A0]+$/g, '');
}

interface Evaluation {
  sensitive: boolean;
}

function isUnknown(v: Value): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(isUnknown);
  return false;
}

function expectString(where: string, fn: string, v: Value): string {
  if (typeof v !== 'string') throw new ExpressionError(`${where}: ${fn}() needs a string, got ${typeof v}`);
  return v;
}

const FUNCTIONS: Record<string, (where: string, args: Value[], ev: Evaluation) => Value> = {
  sensitive: (where, args, ev) => {
    if (args.length !== 1) throw new ExpressionError(`${where}: sensitive() takes one argument`);
    ev.sensitive = true;
    return args[0];
  },
  trimspace: (where, args) => {
    if (args.length !== 1) throw new ExpressionError(`${where}: trimspace() takes one argument`);
    return args[0] === UNKNOWN ? UNKNOWN : trimSpace(expectString(where, 'trimspace', args[0]));
  },
  sha256: (where, args) => {
    if (args.length !== 1) throw new ExpressionError(`${where}: sha256() takes one argument`);
    return args[0] === UNKNOWN ? UNKNOWN : createHash('sha256').update(expectString(where, 'sha256', args[0]), 'utf8').digest('hex');
  },
  join: (where, args) => {
    if (args.length < 2) throw new ExpressionError(`${where}: join() takes a separator and at least one list`);
    if (args.some(isUnknown)) return UNKNOWN;
    const separator = expectString(where, 'join', args[0]);
    const items = args.slice(1).flatMap((list) => {
      if (!Array.isArray(list)) throw new ExpressionError(`${where}: join() needs lists after the separator`);
      return list.map((item) => expectString(where, 'join', item));
    });
    return items.join(separator);
  },
};

function templateText(where: string, v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ExpressionError(`${where}: a template cannot interpolate ${v === null ? 'null' : 'a collection'}`);
}

function evaluateNode(where: string, node: Node, resolve: Resolver, ev: Evaluation): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'reference': {
      const resolved = resolve(node.traversal);
      if (resolved.sensitive) ev.sensitive = true;
      return resolved.value;
    }
    case 'tuple':
      return node.items.map((item) => evaluateNode(where, item, resolve, ev));
    case 'call': {
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new ExpressionError(`${where}: function ${node.name}() is not supported by the stand-in`);
      return fn(where, node.args.map((arg) => evaluateNode(where, arg, resolve, ev)), ev);
    }
    case 'template': {
      if (node.parts.length === 1 && node.parts[0].kind !== 'literal') return evaluateNode(where, node.parts[0], resolve, ev);
      const values = node.parts.map((part) => evaluateNode(where, part, resolve, ev));
      if (values.includes(UNKNOWN)) return UNKNOWN;
      return values.map((v) => templateText(where, v)).join('');
    }
  }
}

/** Evaluates a JSON value of the plan: every string in it is a template. */
export function evaluate(where: string, json: unknown, resolve: Resolver): Resolved {
  const ev: Evaluation = { sensitive: false };
  const walk = (path: string, v: unknown): Value => {
    if (typeof v === 'string') return evaluateNode(path, parseTemplate(path, v), resolve, ev);
    if (Array.isArray(v)) return v.map((item, i) => walk(`${path}[${i}]`, item));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '//').map(([k, item]) => [k, walk(`${path}.${k}`, item)]));
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
    throw new ExpressionError(`${path}: value of type ${typeof v} is not JSON`);
  };
  const value = walk(where, json);
  return { value, sensitive: ev.sensitive };
}

/**
 * The plan with each `${local.NAME}` interpolation replaced by the text of
 * that local, and no `locals`: what Terraform evaluates, for the locals the
 * constructs write (literal text every container of a stack shares). A local
 * holding a template, or a reference to one anywhere but as a whole
 * interpolation, is beyond this evaluator: the first fails here, the second
 * when the parser meets `local.`.
 */
export function inlineLocals(plan: any): any {
  const { locals = {}, ...rest } = plan;
  for (const [name, text] of Object.entries<unknown>(locals)) {
    if (typeof text !== 'string' || /\$\{|%\{/.test(text)) throw new ExpressionError(`local.${name}: only literal text is supported by the stand-in`);
  }
  const inline = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(/\$\{local\.([A-Za-z_][\w-]*)\}/g, (_, name: string) => {
        if (!(name in locals)) throw new ExpressionError(`reference to local.${name}, which the plan does not declare`);
        return locals[name];
      });
    }
    if (Array.isArray(v)) return v.map(inline);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, inline(item)]));
    return v;
  };
  return inline(rest);
}

/** Addresses (`type.name`) of the resources a JSON value of the plan refers to. */
export function referencedAddresses(where: string, json: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: Node): void => {
    if (node.kind === 'reference') found.add(`${node.traversal[0]}.${node.traversal[1]}`);
    else if (node.kind === 'template') node.parts.forEach(visit);
    else if (node.kind === 'call') node.args.forEach(visit);
    else if (node.kind === 'tuple') node.items.forEach(visit);
  };
  const walk = (path: string, v: unknown): void => {
    if (typeof v === 'string') visit(parseTemplate(path, v));
    else if (Array.isArray(v)) v.forEach((item, i) => walk(`${path}[${i}]`, item));
    else if (v !== null && typeof v === 'object') Object.entries(v).filter(([k]) => k !== '//').forEach(([k, item]) => walk(`${path}.${k}`, item));
  };
  walk(where, json);
  return found;
}

export { isUnknown };
