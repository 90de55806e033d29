/**
 * Removing what a run created on the default Docker engine, whether it ended,
 * failed or was interrupted, and what an earlier run left, so the next one
 * starts. A database's `-backups` volume is among it: Docker makes it for the
 * backup container and no destroy removes it (by design: backups outlive
 * their database), so a test or bench run removes it itself.
 */
import { dockerApi, dockerOk } from '../e2e/docker-apply';

/** Every object of databases `handles`: their containers, volumes (`-backups` too) and networks. */
export async function removeDatabases(handles: readonly string[]): Promise<void> {
  for (const h of handles) {
    for (const name of [h, `${h}-tls`, `${h}-backup`, `${h}-metrics`, `${h}-tunnel`]) await dockerApi('DELETE', `/containers/${name}?force=true&v=true`);
    for (const volume of [`${h}-data`, `${h}-run`, `${h}-backups`]) await dockerApi('DELETE', `/volumes/${volume}?force=true`);
    await dockerApi('DELETE', `/networks/${h}`);
  }
}

/** Every container, network and volume whose name starts with `prefix`. */
export async function removeAllNamed(prefix: string): Promise<void> {
  const ours = (name: string) => name.replace(/^\//, '').startsWith(prefix);
  for (const c of await dockerOk('GET', '/containers/json?all=true') as Array<{ Id: string; Names: string[] }>) {
    if (c.Names.some(ours)) await dockerApi('DELETE', `/containers/${c.Id}?force=true&v=true`);
  }
  for (const n of await dockerOk('GET', '/networks') as Array<{ Id: string; Name: string }>) {
    if (ours(n.Name)) await dockerApi('DELETE', `/networks/${n.Id}`);
  }
  for (const v of ((await dockerOk('GET', '/volumes')).Volumes ?? []) as Array<{ Name: string }>) {
    if (ours(v.Name)) await dockerApi('DELETE', `/volumes/${encodeURIComponent(v.Name)}?force=true`);
  }
}

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const interruptCleanUps: Array<() => Promise<void>> = [];

async function interrupted(signal: NodeJS.Signals): Promise<void> {
  console.error(`${signal}: removing what this run created`);
  // The newest first: what was set up last may depend on what came before (an engine, its network).
  for (const cleanUp of [...interruptCleanUps].reverse()) {
    await cleanUp().catch((e) => console.error(`clean-up after ${signal} failed: ${e instanceof Error ? e.message : e}`));
  }
  process.exit(EXIT_CODES[signal]);
}

/**
 * Runs `cleanUp` when the process gets SIGINT (Ctrl-C) or SIGTERM (a time limit), where no `finally`
 * runs, then exits as the signal would have; returns what unregisters it. Only for a process that owns
 * its signals, such as the bench: jest gives test files a process object that signals never reach
 * (the suites remove an earlier run's leftovers when they start instead).
 */
export function onInterrupt(cleanUp: () => Promise<void>): () => void {
  if (interruptCleanUps.length === 0) {
    for (const signal of Object.keys(EXIT_CODES)) {
      if (!process.listeners(signal as NodeJS.Signals).includes(interrupted)) process.on(signal, interrupted);
    }
  }
  interruptCleanUps.push(cleanUp);
  return () => {
    const i = interruptCleanUps.indexOf(cleanUp);
    if (i >= 0) interruptCleanUps.splice(i, 1);
  };
}
