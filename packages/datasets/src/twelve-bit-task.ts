import * as path from 'node:path';
import { ArgumentError, z, type RandomStream } from '@entroscope/core';
import { DatasetError } from './dataset-error';
import type { LabelledImages } from './image-dataset';
import { matToRowMajor, readMatFile } from './mat-file';

/**
 * The 12-bit task of the information-plane experiments (Shwartz-Ziv & Tishby, arXiv:1703.00810): all 2¹² binary
 * patterns, each once, in MSB-first binary order (row p holds the bits of p, most significant first), with a binary
 * label that is a deterministic function of the pattern. The authors' labels (`var_u.mat`, a non-redistributable
 * file) are not shipped; the default rule here is the balanced symmetric-majority rule: y = 1 iff the pattern has at
 * least 7 ones, or exactly 6 ones and its first (most significant) bit is 1 — so p(y = 1) = ½ and I(X;Y) = H(Y) = 1 bit.
 */
export const TWELVE_BIT_PATTERNS = 4096;

/** 4096 × 12 patterns (0/1), row-major, MSB first. */
export function twelveBitPatterns(): Float32Array {
  const out = new Float32Array(TWELVE_BIT_PATTERNS * 12);
  for (let p = 0; p < TWELVE_BIT_PATTERNS; p++) for (let b = 0; b < 12; b++) out[p * 12 + b] = (p >> (11 - b)) & 1;
  return out;
}

/** The symmetric-majority label of pattern index p (its 12 bits MSB first). */
export function symmetricMajorityLabel(p: number): 0 | 1 {
  let ones = 0;
  for (let b = 0; b < 12; b++) ones += (p >> b) & 1;
  return ones >= 7 || (ones === 6 && (p >> 11) & 1) ? 1 : 0;
}

/** Labels of all 4096 patterns by `rule` (the symmetric-majority rule by default). */
export function twelveBitLabels(rule: (p: number) => number = symmetricMajorityLabel): Uint8Array {
  return Uint8Array.from({ length: TWELVE_BIT_PATTERNS }, (_, p) => rule(p));
}

/** The 12-bit task as arrays: patterns row-major [4096, 12] (0/1), labels 0/1, in the order the rows are used. */
export interface TwelveBitTask {
  readonly patterns: Float32Array;
  readonly labels: Uint8Array;
  readonly description: string;
}

/** The generated task: every pattern in MSB-first order, labelled by `rule` (symmetric majority by default). */
export function generatedTwelveBitTask(rule: (p: number) => number = symmetricMajorityLabel): TwelveBitTask {
  return {
    patterns: twelveBitPatterns(),
    labels: twelveBitLabels(rule),
    description: '12-bit task (4096 patterns, symmetric-majority labels)',
  };
}

/**
 * The authors' task from a user-given `var_u.mat` (Shwartz-Ziv & Tishby's `data/var_u.mat`, not redistributable):
 * `F`, 4096 × 12 binary patterns, and `y`, 4096 binary labels (1 × 4096 or 4096 × 1), rows in the file's order (the
 * authors' code uses them in that order). Every pattern must occur once. Errors name the file, the variable, what was
 * expected and what was found.
 */
export function loadTwelveBitTaskMat(file: string): TwelveBitTask {
  const arrays = readMatFile(file);
  const listed = () => [...arrays.values()].map((a) => `${a.name} (${a.matlabClass} ${a.dims.join('×')})`).join(', ');
  const get = (name: string) => {
    const a = arrays.get(name);
    if (!a)
      throw new DatasetError(
        file,
        `no variable '${name}' (the file holds: ${listed() || 'nothing numeric'})`,
        "expected the 12-bit task's F (4096 × 12 patterns) and y (4096 labels), as in var_u.mat",
      );
    if (a.data.length === 0 && a.dims.reduce((x, y) => x * y, 1) > 0)
      throw new DatasetError(file, `variable '${name}' is a ${a.matlabClass} array`, 'expected a numeric array');
    if (a.complex) throw new DatasetError(file, `variable '${name}' is complex`, 'expected real 0/1 values');
    return a;
  };
  const f = get('F');
  if (f.dims.length !== 2 || f.dims[0] !== TWELVE_BIT_PATTERNS || f.dims[1] !== 12)
    throw new DatasetError(
      file,
      `variable 'F' has shape ${f.dims.join('×')}`,
      `expected ${TWELVE_BIT_PATTERNS}×12 (one row per pattern)`,
      { variable: 'F', expected: [TWELVE_BIT_PATTERNS, 12], given: f.dims },
    );
  const y = get('y');
  const n = y.dims.reduce((a, b) => a * b, 1);
  if (y.dims.length !== 2 || Math.min(...y.dims) !== 1 || n !== TWELVE_BIT_PATTERNS)
    throw new DatasetError(
      file,
      `variable 'y' has shape ${y.dims.join('×')}`,
      `expected 1×${TWELVE_BIT_PATTERNS} or ${TWELVE_BIT_PATTERNS}×1`,
      {
        variable: 'y',
        given: y.dims,
      },
    );
  const rows = matToRowMajor(f);
  const patterns = new Float32Array(rows.data.length);
  const seen = new Set<number>();
  for (let r = 0; r < TWELVE_BIT_PATTERNS; r++) {
    let code = 0;
    for (let b = 0; b < 12; b++) {
      const v = rows.data[r * 12 + b]!;
      if (v !== 0 && v !== 1)
        throw new DatasetError(file, `F(${r + 1}, ${b + 1}) = ${v}`, 'expected binary patterns (0 or 1)', {
          variable: 'F',
          row: r + 1,
          column: b + 1,
        });
      patterns[r * 12 + b] = v;
      code = code * 2 + v;
    }
    if (seen.has(code))
      throw new DatasetError(
        file,
        `row ${r + 1} of F repeats an earlier pattern`,
        'expected each of the 4096 12-bit patterns once',
        {
          variable: 'F',
          row: r + 1,
        },
      );
    seen.add(code);
  }
  const labels = new Uint8Array(TWELVE_BIT_PATTERNS);
  for (let i = 0; i < TWELVE_BIT_PATTERNS; i++) {
    const v = y.data[i]!;
    if (v !== 0 && v !== 1)
      throw new DatasetError(file, `y(${i + 1}) = ${v}`, 'expected binary labels (0 or 1)', {
        variable: 'y',
        index: i + 1,
      });
    labels[i] = v;
  }
  return { patterns, labels, description: `12-bit task from ${path.basename(file)} (F, y)` };
}

/**
 * Parameters of the 12-bit task where a system takes a data set: generated (symmetric-majority labels, the default) or
 * the authors' `var_u.mat` from a user-given path; rows in pattern order or in a seeded random order.
 */
export const twelveBitTaskSchema = z
  .object({
    source: z.literal('twelve-bit'),
    file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Path of the authors' var_u.mat (F: 4096×12 patterns, y: labels); default: the generated patterns with symmetric-majority labels",
      ),
    order: z
      .enum(['patterns', 'shuffled'])
      .default('patterns')
      .describe(
        "'patterns': rows in the file's (generated: MSB-first) order, as the authors' code uses them; 'shuffled': one seeded random permutation of the rows (a random train/test split; every first-k rows a random subset)",
      ),
  })
  .strict();
export type TwelveBitTaskParams = z.infer<typeof twelveBitTaskSchema>;

/** The task's rows as a labelled set (both splits are the same 4096 rows; train/test are offset ranges of them). */
export function openTwelveBitTask(params: TwelveBitTaskParams, random: RandomStream): LabelledImages & TwelveBitTask {
  const base = params.file ? loadTwelveBitTaskMat(params.file) : generatedTwelveBitTask();
  let { patterns, labels } = base;
  let description = base.description;
  if (params.order === 'shuffled') {
    const perm = Int32Array.from({ length: TWELVE_BIT_PATTERNS }, (_, i) => i);
    for (let i = TWELVE_BIT_PATTERNS - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    const p = new Float32Array(patterns.length);
    const l = new Uint8Array(labels.length);
    for (let r = 0; r < TWELVE_BIT_PATTERNS; r++) {
      p.set(patterns.subarray(perm[r]! * 12, perm[r]! * 12 + 12), r * 12);
      l[r] = labels[perm[r]!]!;
    }
    patterns = p;
    labels = l;
    description += ', rows in a seeded random order';
  }
  return {
    patterns,
    labels,
    description,
    count: TWELVE_BIT_PATTERNS,
    pixels: 12,
    classes: 2,
    readImages(start, count, out = new Float32Array(count * 12)) {
      if (start < 0 || start + count > TWELVE_BIT_PATTERNS)
        throw new ArgumentError(
          '12-bit task rows',
          `rows inside 0…${TWELVE_BIT_PATTERNS - 1}`,
          `${start}…${start + count - 1}`,
        );
      out.set(patterns.subarray(start * 12, (start + count) * 12));
      return out;
    },
    readLabels(start, count) {
      return labels.slice(start, start + count);
    },
    close() {},
  };
}
