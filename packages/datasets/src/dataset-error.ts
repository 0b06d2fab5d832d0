import { EntroscopeError } from '@entroscope/core';

/** A data file is missing, truncated or not in the expected format. The message names the file and the fix. */
export class DatasetError extends EntroscopeError {
  constructor(file: string, reason: string, hint: string, details: Record<string, unknown> = {}) {
    super('DATASET', `${file}: ${reason} — ${hint}`, { file, reason, ...details });
  }
}
