import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EntroscopeError } from '@entroscope/core';
import { STATE_DIR } from './results-store';

/** The output folder cannot be used: not a folder, not writable, not ours, or in use by another run. */
export class OutputFolderError extends EntroscopeError {
  constructor(
    code: 'OUTPUT_PATH' | 'OUTPUT_FOREIGN' | 'OUTPUT_LOCKED',
    message: string,
    details: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

/** Kernel pseudo-filesystems: never a place for results (writes there fail or act on the system). */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

function kindOf(stat: fs.Stats): string {
  if (stat.isFile()) return 'a file';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a folder';
}

/**
 * Checks an output path before anything is written, and creates the folder. `origin` says where the path came
 * from for messages (`--out`, `output: in study.yaml`, the default). Refuses an empty path, a path at or below a
 * file or device, a folder in /proc, /sys or /dev, and a folder this process cannot write in. Returns the
 * absolute path.
 */
export function checkOutputPath(out: string, origin: string): string {
  const fail = (why: string) =>
    new OutputFolderError('OUTPUT_PATH', `${origin} ${JSON.stringify(out)}: ${why}`, { out, origin });
  if (out.trim() === '')
    throw fail(
      'an empty path (it would mean the working directory); give the results folder, e.g. --out results/my-study',
    );
  if (out.includes('\0')) throw fail('the path contains a NUL character');
  const absolute = path.resolve(out);
  // Nearest existing ancestor (the path itself when it exists).
  let existing = absolute;
  let stat: fs.Stats | undefined;
  for (;;) {
    try {
      stat = fs.statSync(existing);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        existing = path.dirname(existing);
        continue;
      }
      if (code !== 'ENOENT') throw fail(`cannot be inspected (${code ?? String(error)})`);
      const parent = path.dirname(existing);
      if (parent === existing) throw fail('no part of the path exists');
      existing = parent;
    }
  }
  if (!stat.isDirectory()) {
    throw fail(
      existing === absolute
        ? `is ${kindOf(stat)}, not a folder`
        : `lies below ${existing}, which is ${kindOf(stat)}, not a folder`,
    );
  }
  const real = fs.realpathSync(existing);
  const pseudo = PSEUDO_FILESYSTEMS.find((root) => real === root || real.startsWith(root + '/'));
  if (pseudo) throw fail(`is under ${pseudo}, a kernel pseudo-filesystem, not a place for results`);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw fail(`cannot write in ${existing} (permission denied)`);
  }
  try {
    fs.mkdirSync(absolute, { recursive: true });
    // Prove that files can be created (read-only mounts pass the access check).
    const probe = path.join(absolute, `.entroscope-write-check-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    throw fail(`cannot create files there (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return absolute;
}

/**
 * Refuses a non-empty folder that no Entroscope run wrote (no `.entroscope/` state in it): a run never deletes or
 * overwrites files it did not write, --fresh included.
 */
export function checkFolderIsOurs(outDir: string, origin: string): void {
  const entries = fs.readdirSync(outDir);
  if (entries.length === 0 || entries.includes(STATE_DIR)) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  throw new OutputFolderError(
    'OUTPUT_FOREIGN',
    `${origin} ${outDir}: the folder is not empty (${shown}) and holds no Entroscope run (no ${STATE_DIR}/): ` +
      `nothing there will be overwritten or deleted. Choose an empty or new folder with --out; --fresh only replaces ` +
      `the files of an earlier Entroscope run.`,
    { outDir, entries: entries.slice(0, 20) },
  );
}

/** Who holds a results folder. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock (`.entroscope/lock`, created exclusively, naming pid, host and start time). A lock left
 * by a process of this host that no longer runs is stale and taken over; a live holder, or one on another host,
 * is an OutputFolderError naming it. Returns the function that releases the lock.
 */
export function lockOutputFolder(outDir: string, onStale?: (holder: LockHolder) => void): () => void {
  const dir = path.join(outDir, STATE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'lock');
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
          if (holder.pid === me.pid && holder.host === me.host && holder.startedAt === me.startedAt)
            fs.rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    } catch {
      holder = undefined; // being written by its holder, or damaged
    }
    if (holder && holder.host === me.host && typeof holder.pid === 'number' && !isAlive(holder.pid)) {
      onStale?.(holder);
      // Take over only the stale lock we read (another run may have taken it over meanwhile).
      const stale = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, stale);
        const moved = JSON.parse(fs.readFileSync(stale, 'utf8')) as LockHolder;
        fs.rmSync(stale, { force: true });
        if (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt) {
          fs.writeFileSync(file, JSON.stringify(moved) + '\n', { flag: 'wx' });
        }
      } catch {
        // Someone else moved it first: try again.
      }
      continue;
    }
    if (!holder && attempt < 2) {
      // A lock without readable content: give its writer a moment.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    const who = holder
      ? `process ${holder.pid} on ${holder.host}, running since ${holder.startedAt}${holder.command ? ` (${holder.command})` : ''}`
      : 'an unreadable lock file';
    throw new OutputFolderError(
      'OUTPUT_LOCKED',
      `${outDir} is in use by ${who}: two runs must not write into one folder. Wait for it to end, or use another --out. ` +
        `If that run is gone (e.g. its machine crashed), delete ${file}.`,
      { outDir, holder },
    );
  }
  throw new OutputFolderError(
    'OUTPUT_LOCKED',
    `${outDir}: could not take the lock ${file} (it changed hands repeatedly)`,
    { outDir },
  );
}
