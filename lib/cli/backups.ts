import { createHash } from 'crypto';
import { BACKUP_DIR, BACKUP_SCRIPT } from '../backup/paths';
import { HANDLE_PATTERN, HANDLE_RULE } from '../private/validation';
import { CliCommand, CliOutput, UsageError } from './command';
import { DockerEngine } from './docker-engine';

const LABEL_PREFIX = 'cdktf-docker-redis';
/** What `sh backup.sh now` exits with when a backup is already running. */
const EXIT_BUSY = 75;
/** A backup gives up after an hour; this waits a little longer for its report. */
const BACKUP_WAIT_MS = 3_900_000;

function checkHandle(handle: string, command: string): void {
  if (!HANDLE_PATTERN.test(handle)) throw new UsageError(`the handle must be ${HANDLE_RULE}, got "${handle}"`, `cdktf-docker-redis ${command} --help`);
}

/** The backup container of `handle`, if this library made one by that name. */
async function backupContainer(engine: DockerEngine, handle: string): Promise<any | undefined> {
  const found = await engine.container(`${handle}-backup`);
  const labels = found?.Config?.Labels ?? {};
  if (found && (labels[`${LABEL_PREFIX}.component`] !== 'backup' || labels[`${LABEL_PREFIX}.handle`] !== handle)) {
    throw new Error(`the container ${handle}-backup on ${engine.host} is not the backup container of a cdktf-docker-redis database ${handle} (its labels say otherwise)`);
  }
  return found;
}

async function noDatabase(engine: DockerEngine, handle: string): Promise<Error> {
  const redis = await engine.container(handle);
  if (redis?.Config?.Labels?.[`${LABEL_PREFIX}.handle`] === handle) {
    return new Error(`the database ${handle} takes no backups (no container ${handle}-backup on ${engine.host}): backups are off for it (\`backup.enabled\`, false by default for memory-only versions)`);
  }
  return new Error(`no database ${handle} on the Docker engine at ${engine.host}: there is no container ${handle} or ${handle}-backup (is it the right handle and engine? DOCKER_HOST selects the engine)`);
}

export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'take a backup of a database now (kept until deleted; the schedule takes the others)',
  description:
    'Runs one backup in the database\'s backup container (HANDLE-backup), on the Docker engine of DOCKER_HOST\n' +
    '(default unix:///var/run/docker.sock): a snapshot of the database, its checksum and metadata, written\n' +
    'beside the scheduled backups. Backups taken this way are never pruned: delete them yourself.\n' +
    'Prints the backup container\'s report; fails if a backup is already running.',
  arguments: ['handle'],
  options: [],
  examples: ['cdktf-docker-redis backup cache'],
  async run(args, output) {
    const handle = args.positionals[0];
    checkHandle(handle, 'backup');
    const engine = DockerEngine.fromEnvironment();
    const container = await backupContainer(engine, handle);
    if (!container) throw await noDatabase(engine, handle);
    if (!container.State?.Running) {
      throw new Error(`the backup container ${handle}-backup is ${container.State?.Status ?? 'not running'}: start it with docker start ${handle}-backup (or deploy the stack again)`);
    }
    const lines: string[] = [];
    const code = await engine.exec(`${handle}-backup`, ['sh', BACKUP_SCRIPT, 'now'], (line) => {
      lines.push(line);
      output.out(`${line}\n`);
    }, BACKUP_WAIT_MS);
    if (code === 0) return 0;
    const last = lines[lines.length - 1] ?? `exit code ${code}`;
    if (code === EXIT_BUSY) {
      const since = /since ([0-9:]+ UTC)/.exec(last)?.[1];
      throw new Error(`a backup of ${handle} is already running${since ? ` (since ${since})` : ''}: wait for it to finish, then run this again`);
    }
    throw new Error(`the backup of ${handle} failed: ${last.replace(/^\S+ backup failed: /, '')}`);
  },
};

interface IndexEntry {
  readonly name: string;
  readonly takenAt: string;
  readonly sizeBytes: number;
  readonly b2sum: string;
  readonly engine: string;
  readonly version: string;
  readonly rdbFormat: number;
  readonly trigger: string;
}

/** Where the backups are and what reads them: the backup container itself, or a container that is created only to read them. */
interface Location {
  readonly description: string;
  readonly restoreHint: (name: string) => string;
  /** Read through this container; `cleanUp` removes it when it was made for the purpose. */
  readonly container: string;
  readonly cleanUp: () => Promise<void>;
}

/**
 * A container that mounts the backups read-only and is never started: the
 * engine reads files through any container's mounts, and a container that
 * never runs needs no particular image (the first on the host will do; the
 * anonymous volumes its image may declare go with it).
 */
async function readerContainer(engine: DockerEngine, handle: string, source: string): Promise<Location['container']> {
  const images = (await engine.json('GET', '/images/json')) as Array<{ Id: string }>;
  if (images.length === 0) throw new Error(`the Docker engine at ${engine.host} has no image at all to create a container that reads ${source} with`);
  const name = `${LABEL_PREFIX}-backups-${handle}-${process.pid}`;
  const created = engine.json('POST', `/containers/create?name=${encodeURIComponent(name)}`, {
    Image: images[0].Id,
    Entrypoint: ['/never-started'],
    Cmd: [],
    NetworkDisabled: true,
    Labels: { [`${LABEL_PREFIX}.component`]: 'backups-reader', [`${LABEL_PREFIX}.handle`]: handle },
    // A mount, not a bind string: a host directory that is not there (a typo) is an error, not a new empty directory.
    HostConfig: { Mounts: [{ Type: source.startsWith('/') ? 'bind' : 'volume', Source: source, Target: BACKUP_DIR, ReadOnly: true }], NetworkMode: 'none' },
  });
  await created.catch((e: Error) => {
    if (/bind source path does not exist/.test(e.message)) throw new Error(`${source} does not exist on the Docker host at ${engine.host}: give the directory of the backups`);
    throw e;
  });
  return name;
}

async function locate(engine: DockerEngine, handle: string, hostPath: string | undefined): Promise<Location> {
  const nothingToRemove = async () => undefined;
  const made = (description: string, restoreHint: (name: string) => string) => async (source: string): Promise<Location> => {
    const container = await readerContainer(engine, handle, source);
    return { description, restoreHint, container, cleanUp: async () => void (await engine.call('DELETE', `/containers/${container}?force=true&v=true`)) };
  };
  const inVolume = (volume: string) => (name: string) => `RedisBackupFile.inVolume('${volume}', '${name}')`;
  const atPath = (dir: string) => (name: string) => `RedisBackupFile.atHostPath('${dir}/${name}')`;
  if (hostPath !== undefined) {
    if (!hostPath.startsWith('/')) throw new UsageError(`--host-path must be an absolute directory on the Docker host, got "${hostPath}"`, 'cdktf-docker-redis backups --help');
    const dir = hostPath.replace(/\/+$/, '');
    return made(`in ${dir} on the Docker host`, atPath(dir))(dir);
  }
  const container = await backupContainer(engine, handle);
  if (container) {
    const mount = (container.Mounts as any[] ?? []).find((m) => m.Destination === BACKUP_DIR);
    if (!mount) throw new Error(`the backup container ${handle}-backup has nothing mounted at ${BACKUP_DIR}`);
    const volume = mount.Type === 'volume';
    return {
      description: volume ? `in volume ${mount.Name}` : `in ${mount.Source} on the Docker host`,
      restoreHint: volume ? inVolume(mount.Name) : atPath(mount.Source),
      container: `${handle}-backup`,
      cleanUp: nothingToRemove,
    };
  }
  const volume = `${handle}-backups`;
  if (await engine.volumeExists(volume)) return made(`in volume ${volume}`, inVolume(volume))(volume);
  throw new Error(
    `no backups of ${handle} on the Docker engine at ${engine.host}: no container ${handle}-backup and no volume ${volume} ` +
    '(backups kept in a `backup.hostPath` directory: give --host-path DIR)',
  );
}

function parseIndex(text: string): IndexEntry[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const [name, takenAt, size, b2sum, engine, version, format, trigger] = line.split('\t');
    return { name, takenAt, sizeBytes: Number(size), b2sum, engine, version, rdbFormat: Number(format), trigger: trigger || 'scheduled' };
  });
}

function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((cells) => cells.map((cell, i) => cell.padEnd(widths[i] + 2)).join('').trimEnd());
}

/** What a backup's file says about its recorded checksum: present at the recorded size, or read in full and compared. */
async function checksumState(engine: DockerEngine, container: string, entry: IndexEntry, verify: boolean): Promise<string> {
  const path = `${BACKUP_DIR}/${entry.name}`;
  const size = await engine.fileSize(container, path);
  if (size === undefined) return 'missing';
  if (size !== entry.sizeBytes) return `size differs (${size} bytes)`;
  if (!verify) return 'recorded';
  const hash = createHash('blake2b512');
  await engine.readFile(container, path, (chunk) => hash.update(chunk));
  return hash.digest('hex') === entry.b2sum ? 'ok' : 'MISMATCH';
}

async function listBackups(handle: string, flags: ReadonlySet<string>, hostPath: string | undefined, output: CliOutput): Promise<number> {
  const engine = DockerEngine.fromEnvironment();
  const location = await locate(engine, handle, hostPath);
  try {
    const chunks: Buffer[] = [];
    const found = await engine.readFile(location.container, `${BACKUP_DIR}/${handle}.index`, (chunk) => chunks.push(chunk));
    const entries = found ? parseIndex(Buffer.concat(chunks).toString('utf8')) : [];
    const verify = flags.has('--verify');
    const states: string[] = [];
    for (const entry of entries) states.push(await checksumState(engine, location.container, entry, verify));
    if (flags.has('--json')) {
      output.out(`${JSON.stringify(entries.map((e, i) => ({ ...e, checksum: states[i] })), null, 2)}\n`);
    } else if (entries.length === 0) {
      output.out(`No backups of ${handle} ${location.description} yet.\n`);
    } else {
      const rows = [['NAME', 'TAKEN (UTC)', 'SIZE', 'TRIGGER', 'CHECKSUM']];
      entries.forEach((e, i) => rows.push([e.name, e.takenAt.replace('T', ' ').replace(/Z$/, ''), humanSize(e.sizeBytes), e.trigger, states[i]]));
      output.out([
        `Backups of ${handle} ${location.description}, newest first:`,
        ...table(rows),
        `Restore one into a new database with restoreFrom: ${location.restoreHint(entries[0].name)}`,
      ].join('\n') + '\n');
    }
    const bad = states.filter((s) => s !== 'ok' && s !== 'recorded').length;
    if (bad > 0) throw new Error(`${bad} of ${entries.length} backups of ${handle} ${bad === 1 ? 'is' : 'are'} missing or damaged (see the CHECKSUM column)`);
    return 0;
  } finally {
    await location.cleanUp();
  }
}

export const backupsCommand: CliCommand = {
  name: 'backups',
  summary: 'list the backups of a database, also after it was destroyed',
  description:
    'Lists the backups of the database HANDLE on the Docker engine of DOCKER_HOST, newest first: name, UTC time,\n' +
    'size, how it was taken (scheduled or on-demand) and the state of its checksum (recorded: the file is\n' +
    'there at its recorded size; with --verify, ok or MISMATCH after reading it). They are read from the\n' +
    'database\'s backup directory (its volume HANDLE-backups by default), also after the database is gone.\n' +
    'Fails when a backup is missing or damaged.',
  arguments: ['handle'],
  options: [
    { flag: '--verify', description: 'read every backup in full and compare it with its b2sum' },
    { flag: '--json', description: 'a JSON array instead, one object per backup' },
    { flag: '--host-path', value: 'DIR', description: 'the backups are in this directory on the Docker host (backup.hostPath\nof a database that is gone)' },
  ],
  examples: ['cdktf-docker-redis backups cache', 'cdktf-docker-redis backups cache --verify', 'cdktf-docker-redis backups cache --host-path /srv/backups'],
  run(args, output) {
    const handle = args.positionals[0];
    checkHandle(handle, 'backups');
    return listBackups(handle, args.flags, args.values.get('--host-path'), output);
  },
};
