import { EntroscopeError } from '@entroscope/core';
import type { ConnectionOptions, IRedisClient } from 'bullmq';

/** The queue cannot be used: a URL that is not redis://, Redis unreachable at the start, or lost during the run. */
export class QueueUnavailableError extends EntroscopeError {
  constructor(url: string, why: string) {
    super('QUEUE_UNAVAILABLE', `--queue ${shownUrl(url)}: ${why}`, { url: shownUrl(url) });
  }
}

/** The BullMQ queue that every coordinator (`entroscope run --queue`) and worker (`entroscope worker`) uses. */
export const QUEUE_NAME = 'entroscope-tasks';

/** Redis key of a resolved study (stored once per run, not once per job): `entroscope:study:<fingerprint>`. */
export const studyKey = (fingerprint: string) => `entroscope:study:${fingerprint}`;

/** Milliseconds from an environment variable (positive number), else `fallback`. */
export function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) into the connection options of
 * BullMQ's ioredis clients. Commands wait while Redis reconnects (`maxRetriesPerRequest: null`, as BullMQ's
 * workers require); whoever uses the connection decides when Redis counts as lost.
 */
export function connectionOptions(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueUnavailableError(url, 'expected a URL redis://HOST:PORT (or rediss://HOST:PORT for TLS)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new QueueUnavailableError(
      url,
      `expected a URL redis://HOST:PORT (or rediss:// for TLS), got the scheme ${parsed.protocol}`,
    );
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new QueueUnavailableError(
      url,
      `expected a database number (0, 1, …) after the port, got '${parsed.pathname.slice(1)}'`,
    );
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
    maxRetriesPerRequest: null,
    // Reconnect quickly while Redis restarts.
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}

/** Waits for `promise`, failing with `error()` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Hides a URL's password for messages. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** A round trip to Redis (a read of a key nobody writes: BullMQ's client interface has no PING). */
export function pingRedis(client: IRedisClient): Promise<unknown> {
  return client.get('entroscope:ping');
}
