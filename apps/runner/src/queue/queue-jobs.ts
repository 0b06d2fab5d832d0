import { createHash } from 'node:crypto';
import { canonicalJson } from '@entroscope/core';
import { gitState, packageVersions } from '../provenance';
import { taskId } from '../results-store';
import type { TaskDescription } from '../task-runner';

/**
 * What a worker must share with the coordinator to reproduce its numbers: the versions of every Entroscope package
 * and key library (the Node.js release is left out: it does not change the arithmetic), and the git commit when
 * both sides run from a checkout.
 */
export interface VersionStamp {
  readonly versions: Record<string, string>;
  readonly commit?: string;
}

let cached: VersionStamp | undefined;

/** This process's version stamp (computed once). */
export function versionStamp(): VersionStamp {
  if (!cached) {
    const { node: _node, ...versions } = packageVersions();
    const { commit } = gitState();
    cached = { versions, ...(commit !== undefined && { commit }) };
  }
  return cached;
}

/** Why a process stamped `mine` cannot reproduce a job stamped `theirs` (undefined when it can). */
export function versionMismatch(theirs: VersionStamp, mine: VersionStamp): string | undefined {
  const names = [...new Set([...Object.keys(theirs.versions), ...Object.keys(mine.versions)])].sort();
  const differ = names
    .filter((n) => theirs.versions[n] !== mine.versions[n])
    .map((n) => `${n} ${theirs.versions[n] ?? 'missing'} (here ${mine.versions[n] ?? 'missing'})`);
  if (differ.length > 0) return `the job was made by other package versions: ${differ.join(', ')}`;
  if (theirs.commit !== undefined && mine.commit !== undefined && theirs.commit !== mine.commit)
    return `the job was made by git commit ${theirs.commit.slice(0, 12)}, this worker runs ${mine.commit.slice(0, 12)}`;
  return undefined;
}

/** The backend a job asks for: the study's request and the per-family choice the coordinator recorded. */
export interface BackendRequest {
  readonly requested: string;
  readonly families?: Record<string, string>;
}

/**
 * One job = one task: its plain-data description (system, probes, sweep point, replicate, the study seed every
 * random stream is split from), the fingerprint of the resolved study (the study itself is stored once under
 * `studyKey(fingerprint)`), the backend request and the coordinator's version stamp. Data sets never travel:
 * a system that reads one reads it on the worker's machine.
 */
export interface TaskJobData {
  readonly description: TaskDescription;
  readonly fingerprint: string;
  readonly backend: BackendRequest;
  readonly version: VersionStamp;
}

/** A job's return value: the task's results.jsonl lines (in the order measured), which worker ran it, how long. */
export interface TaskJobResult {
  readonly lines: string[];
  readonly worker: string;
  readonly ms: number;
}

/**
 * The progress a worker reports on a job: the fraction done (0–1), or why it returned the job to the queue
 * (it cannot reproduce it).
 */
export type TaskJobProgress = number | { readonly refused: string; readonly worker: string };

/**
 * The id of a task's job: one per (study fingerprint, version stamp, results folder, task). A coordinator that
 * runs again finds the jobs of the run it continues; another folder, or another version, gets jobs of its own.
 */
export function jobIdFor(run: string, description: TaskDescription): string {
  return `${run}-${taskId(description.task.key)}`;
}

/** The run part of job ids (24 hex digits). */
export function runKey(fingerprint: string, version: VersionStamp, outDir: string): string {
  return createHash('sha256').update(canonicalJson({ fingerprint, version, outDir })).digest('hex').slice(0, 24);
}
