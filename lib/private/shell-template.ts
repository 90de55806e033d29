import * as fs from 'fs';
import * as path from 'path';

/**
 * The shell the package ships lives in `.sh` files beside the modules that
 * render them, so `shellcheck` reads them as they are (test/unit/shellcheck.test.ts).
 * A file is the script itself with its data left as placeholders a linter
 * reads as plain words:
 *
 * - `@NAME@` within a line takes a value the renderer gives, as it is: the
 *   renderer quotes it (`shellQuote`) where it must be one shell word.
 * - A line that is only `# @NAME@` (indented or not) takes a list of lines,
 *   each indented as the placeholder line: generated code, or a shared file's
 *   functions.
 * - Lines that are `# shellcheck ...` directives are for the linter and are
 *   not rendered (a disable carries its reason on the same line).
 *
 * Filling is pure: a placeholder without a value, or a value no placeholder
 * takes, is an error, so a renamed variable cannot leave a script half filled.
 */

const INLINE = /@([A-Z][A-Z0-9_]*)@/g;
const BLOCK = /^([ \t]*)# @([A-Z][A-Z0-9_]*)@$/;
const DIRECTIVE = /^[ \t]*# shellcheck /;

const files = new Map<string, string>();

/**
 * The text of a `.sh` file in `dir` (the renderer's `__dirname`: the `.sh`
 * files lie beside both the `.ts` sources and the compiled `.js`). Read once.
 */
export function shellFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  let text = files.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, 'utf8');
    files.set(file, text);
  }
  return text;
}

/** A value as one shell word, in single quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The template with its directives dropped and every placeholder filled. */
export function fillShell(template: string, values: Readonly<Record<string, string | readonly string[]>>): string {
  const used = new Set<string>();
  const take = (name: string): string | readonly string[] => {
    const value = values[name];
    if (value === undefined) throw new Error(`shell template: no value for @${name}@`);
    used.add(name);
    return value;
  };
  const out: string[] = [];
  for (const line of template.split('\n')) {
    if (DIRECTIVE.test(line)) continue;
    const block = BLOCK.exec(line);
    if (block) {
      const lines = take(block[2]);
      if (typeof lines === 'string') throw new Error(`shell template: @${block[2]}@ stands for lines and was given one string`);
      out.push(...lines.map((l) => (l === '' ? l : `${block[1]}${l}`)));
      continue;
    }
    out.push(line.replace(INLINE, (_, name: string) => {
      const value = take(name);
      if (typeof value !== 'string') throw new Error(`shell template: @${name}@ stands within a line and was given lines`);
      return value;
    }));
  }
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`shell template: no placeholder for ${unused.map((n) => `@${n}@`).join(', ')}`);
  return out.join('\n');
}

/** The same, as a command's text (`sh -c`, a healthcheck's CMD-SHELL, lines to put in a script): without the file's final newline. */
export function fillShellCommand(template: string, values: Readonly<Record<string, string | readonly string[]>>): string {
  return fillShell(template, values).replace(/\n$/, '');
}
