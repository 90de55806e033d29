/**
 * The filling of the package's .sh files (lib/private/shell-template.ts): what
 * renders, what stays the linter's, and the errors that keep a script from
 * being half filled.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fillShell, fillShellCommand, shellQuote } from '../../lib/private/shell-template';

const root = path.join(__dirname, '..', '..');

test('fills words within lines and lines in place of a `# @NAME@` line, indented as it; drops shellcheck directives', () => {
  const template = [
    '#!/bin/sh',
    '# shellcheck disable=SC2086 # a reason',
    'NAME=@NAME@',
    'case $1 in',
    '  # @CASES@',
    'esac',
    'echo "@NAME@ again"',
    '',
  ].join('\n');
  expect(fillShell(template, { NAME: shellQuote("it's"), CASES: ['a) echo a ;;', '', 'b) echo b ;;'] })).toBe([
    '#!/bin/sh',
    "NAME='it'\\''s'",
    'case $1 in',
    '  a) echo a ;;',
    '',
    '  b) echo b ;;',
    'esac',
    `echo "'it'\\''s' again"`,
    '',
  ].join('\n'));
});

test('a value is put in as given, never read again for placeholders', () => {
  expect(fillShell('A=@A@\nB=@B@\n', { A: '@B@', B: 'b' })).toBe('A=@B@\nB=b\n');
});

test('a command\'s text has no final newline', () => {
  expect(fillShellCommand('# shellcheck shell=sh # a note\nset -eu\nexec @BIN@\n', { BIN: 'redis-server' })).toBe('set -eu\nexec redis-server');
});

test('refuses a placeholder without a value, a value without a placeholder, and lines where a word stands (and back)', () => {
  expect(() => fillShell('A=@A@\n', {})).toThrow('shell template: no value for @A@');
  expect(() => fillShell('A=@A@\n', { A: 'a', B: 'b' })).toThrow('shell template: no placeholder for @B@');
  expect(() => fillShell('A=@A@\n', { A: ['a'] })).toThrow('shell template: @A@ stands within a line and was given lines');
  expect(() => fillShell('# @A@\n', { A: 'a' })).toThrow('shell template: @A@ stands for lines and was given one string');
});

test('no shipped .sh file holds `${` or `%{`, which Terraform would read in an upload\'s content or a command', () => {
  const files = (fs.readdirSync(path.join(root, 'lib'), { recursive: true }) as string[]).filter((f) => f.endsWith('.sh'));
  expect(files).toContain(path.join('backup', 'backup.sh'));
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, 'lib', file), 'utf8');
    expect([file, /\$\{|%\{/.test(text)]).toEqual([file, false]);
  }
});
