import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as path from 'path';
import { Redis } from './clients';

const CLI = path.join(__dirname, '..', '..', 'bin', 'cdktf-docker-redis.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the installed CLI, `npx cdktf-docker-redis ARGS` as users run it (it needs the jsii build), with `env` added to this process's environment. */
export function runCdktfDockerRedis(args: string[], timeoutMs = 300_000, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command with `input` on its stdin; fails with its output when it fails. */
export function runWithInput(command: string, args: string[], input: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${output}`));
    });
    child.stdin.end(input);
  });
}

/** The value the test data gives key `i`: distinct per key and per run, so a stale copy never passes for a restored one. */
export function testValue(i: number, run: string): string {
  return `value-${i}-${run}-${'x'.repeat(i % 64)}`;
}

/** Writes `count` keys `key:0`… with pipelines of 5,000 commands. */
export async function writeTestKeys(client: Redis, count: number, run: string): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const pipeline = client.pipeline();
    for (let i = start; i < Math.min(count, start + 5000); i++) pipeline.set(`key:${i}`, testValue(i, run));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error, reply]) => error || reply !== 'OK');
    if (failed) throw new Error(`SET failed: ${failed[0] ?? failed[1]}`);
  }
}

/** The keys among `key:0`… that are missing or hold another value than `testValue` gives them. */
export async function differingTestKeys(client: Redis, count: number, run: string): Promise<string[]> {
  const differing: string[] = [];
  for (let start = 0; start < count; start += 5000) {
    const keys = Array.from({ length: Math.min(count, start + 5000) - start }, (_, j) => `key:${start + j}`);
    const values = await client.mget(...keys);
    values.forEach((value, j) => {
      if (value !== testValue(start + j, run)) differing.push(keys[j]);
    });
  }
  return differing;
}

export function b2sum(content: Buffer | string): string {
  return createHash('blake2b512').update(content).digest('hex');
}

/** One backup as the backup container writes it: the RDB, its `.b2sum` and its `.meta`, for seeding a backup directory. */
export interface SeededBackup {
  readonly handle: string;
  readonly version: string;
  readonly name: string;
  readonly takenAt: Date;
  readonly trigger: 'scheduled' | 'on-demand';
}

/**
 * An sh script that writes the seeded backups' files in the current directory
 * with printf alone (no process per file), each a small RDB-looking file with
 * a matching checksum and metadata, as the backup container would have.
 */
export function seedScript(backups: readonly SeededBackup[], extraFiles: Record<string, string> = {}): string {
  const content = 'REDIS0010seeded';
  const lines = ['set -e', 'umask 077'];
  const put = (file: string, text: string) => lines.push(`printf '%s' '${text.replace(/'/g, `'\\''`)}' > '${file}'`);
  for (const b of backups) {
    const sum = b2sum(content);
    put(b.name, content);
    put(`${b.name}.b2sum`, `${sum}  ${b.name}\n`);
    put(`${b.name}.meta`, [
      'writer=cdktf-docker-redis', `handle=${b.handle}`, 'engine=redis', `version=${b.version}`, 'rdb_format=10',
      `taken_at=${b.takenAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`, `size=${content.length}`, `b2sum=${sum}`, 'method=replication', `trigger=${b.trigger}`,
    ].join('\n') + '\n');
  }
  for (const [file, text] of Object.entries(extraFiles)) put(file, text);
  return lines.join('\n') + '\n';
}
