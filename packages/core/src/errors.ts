/**
 * Named error classes. Every error says where (file and path inside it), what was expected, what was
 * given, and what to do. `details` carries the same facts in structured form for tools and tests.
 */
export class EntroscopeError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Where a value sits in a study file: the file, the path inside it, and a line/column when known. */
export interface SourceLocation {
  file?: string;
  /** Path inside the document, e.g. `systems[0].params.K`. */
  path: string;
  line?: number;
  column?: number;
}

export function formatLocation(location: SourceLocation): string {
  const position = location.line !== undefined ? `:${location.line}:${location.column ?? 1}` : '';
  const file = location.file ? `${location.file}${position} ` : '';
  return `${file}${location.path}`.trim();
}

/** One problem found while validating a study. */
export interface StudyIssue extends SourceLocation {
  /** What was expected, in words (e.g. "a number ≥ 0"). */
  expected: string;
  /** What was given, rendered compactly. */
  given: string;
  /** Optional context such as the descriptor id the parameter belongs to. */
  context?: string;
  /** Optional hint saying what to do. */
  hint?: string;
}

export function formatStudyIssue(issue: StudyIssue): string {
  const context = issue.context ? ` (${issue.context})` : '';
  const hint = issue.hint ? ` — ${issue.hint}` : '';
  return `${formatLocation(issue)}${context}: expected ${issue.expected}, got ${issue.given}${hint}`;
}

/** A study file (or an inline study) failed validation. Lists every issue found, not only the first. */
export class StudyValidationError extends EntroscopeError {
  readonly issues: readonly StudyIssue[];
  constructor(issues: StudyIssue[]) {
    const head = issues.length === 1 ? 'Invalid study' : `Invalid study (${issues.length} problems)`;
    super('STUDY_INVALID', `${head}:\n${issues.map((i) => `  - ${formatStudyIssue(i)}`).join('\n')}`, { issues });
    this.issues = issues;
  }
}

/** The study file could not be parsed as YAML/JSON. */
export class StudySyntaxError extends EntroscopeError {
  constructor(file: string, line: number, column: number, reason: string) {
    super('STUDY_SYNTAX', `${file}:${line}:${column}: malformed study file: ${reason}`, { file, line, column, reason });
  }
}

/** An id that no registered descriptor carries. The message lists the known ids. */
export class UnknownIdError extends EntroscopeError {
  constructor(kind: string, id: string, known: readonly string[], location?: SourceLocation) {
    const where = location ? `${formatLocation(location)}: ` : '';
    super(
      'UNKNOWN_ID',
      `${where}unknown ${kind} '${id}'. Known ${kind}s: ${known.length ? known.join(', ') : '(none registered)'}`,
      { kind, id, known: [...known], location },
    );
  }
}

/** Two plugins contributed descriptors with the same id. */
export class DuplicateIdError extends EntroscopeError {
  constructor(kind: string, id: string) {
    super('DUPLICATE_ID', `two ${kind} descriptors share the id '${id}': ids must be unique across plugins`, {
      kind,
      id,
    });
  }
}

/** A probe needs something (data kind, exact description, axis) that a system does not provide. */
export class RequirementError extends EntroscopeError {
  constructor(probe: string, system: string, missing: string[], location?: SourceLocation) {
    const where = location ? `${formatLocation(location)}: ` : '';
    super('REQUIREMENT_UNMET', `${where}probe '${probe}' cannot run on system '${system}': ${missing.join('; ')}`, {
      probe,
      system,
      missing,
      location,
    });
  }
}

/** A probe met data it cannot handle (too few samples, wrong shape...). Sent down the error channel. */
export class ProbeDataError extends EntroscopeError {
  constructor(probe: string, reason: string, details: Record<string, unknown> = {}) {
    super('PROBE_DATA', `probe '${probe}': ${reason}`, { probe, ...details });
  }
}

/** Arguments given to a library function (not a study file) are invalid. */
export class ArgumentError extends EntroscopeError {
  constructor(where: string, expected: string, given: unknown) {
    super('ARGUMENT', `${where}: expected ${expected}, got ${renderValue(given)}`, { where, expected, given });
  }
}

/** Renders a value compactly for error messages. */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
