import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pluginModules } from './plugins';

/** Versions of the workspace packages, key third-party libraries and the runtime. */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.version };
  const names = [
    '@entroscope/core',
    '@entroscope/runner',
    ...pluginModules.map((p) => p.name),
    'rxjs',
    'zod',
    'yaml',
    'inversify',
    'gpu.js',
    '@tensorflow/tfjs-core',
  ];
  for (const name of names) {
    try {
      const manifest = require.resolve(`${name}/package.json`, { paths: [__dirname] });
      versions[name] = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
    } catch {
      // Not installed (optional dependency): left out.
    }
  }
  return versions;
}

/** The git commit of the workspace, when run from a checkout. */
export function gitCommit(): string | undefined {
  try {
    let dir = __dirname;
    for (let i = 0; i < 6; i++) {
      const head = path.join(dir, '.git', 'HEAD');
      if (fs.existsSync(head)) {
        const ref = fs.readFileSync(head, 'utf8').trim();
        if (!ref.startsWith('ref: ')) return ref;
        const refFile = path.join(dir, '.git', ref.slice(5));
        if (fs.existsSync(refFile)) return fs.readFileSync(refFile, 'utf8').trim();
        const packed = path.join(dir, '.git', 'packed-refs');
        if (fs.existsSync(packed)) {
          const line = fs
            .readFileSync(packed, 'utf8')
            .split('\n')
            .find((l) => l.endsWith(` ${ref.slice(5)}`));
          return line?.split(' ')[0];
        }
        return undefined;
      }
      dir = path.dirname(dir);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The git commit of the workspace and whether its working tree differs from it (`dirty`: tracked files modified
 * or untracked files present, as `git status --porcelain` lists them), when run from a checkout with git.
 */
export function gitState(): { commit?: string; dirty?: boolean } {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  let commit: string | undefined;
  try {
    // Only the Entroscope checkout itself (not a repository the package happens to be installed in).
    if (!fs.existsSync(path.join(git('rev-parse', '--show-toplevel'), 'apps', 'runner', 'package.json'))) return {};
    commit = git('rev-parse', 'HEAD');
  } catch {
    commit = gitCommit(); // no git program: read .git directly (no dirty flag then)
    return commit === undefined ? {} : { commit };
  }
  try {
    return { commit, dirty: git('status', '--porcelain') !== '' };
  } catch {
    return { commit };
  }
}
