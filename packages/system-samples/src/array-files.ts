import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { EntroscopeError, type NumericArray } from '@entroscope/core';

/**
 * Readers for the arrays researchers export from PyTorch or JAX: NumPy `.npy` (format versions 1–3) and `.npz`
 * (a zip of `.npy` members, stored or deflated; a small zip reader on node:zlib), CSV (numbers, an optional header
 * row) and JSON lines (one object per sample, each key an array or number, or one array per line). Every error
 * names the file (and the member or line inside it), what was expected and what was found.
 */
export class ArrayFileError extends EntroscopeError {
  constructor(file: string, where: string, expected: string, given: string, hint?: string) {
    super(
      'ARRAY_FILE',
      `${file}${where ? ` (${where})` : ''}: expected ${expected}, got ${given}${hint ? ` — ${hint}` : ''}`,
      { file, where, expected, given },
    );
  }
}

export interface LoadedArray {
  readonly data: NumericArray;
  readonly shape: readonly number[];
  /** NumPy dtype string as stored (e.g. `<f4`), or `float64` for text formats. */
  readonly dtype: string;
  /** Column names (CSV header, JSON keys), when the format has them. */
  readonly columns?: readonly string[];
}

const DTYPES: Record<
  string,
  { bytes: number; make: (n: number) => NumericArray; get: (v: DataView, o: number, little: boolean) => number }
> = {
  f8: { bytes: 8, make: (n) => new Float64Array(n), get: (v, o, l) => v.getFloat64(o, l) },
  f4: { bytes: 4, make: (n) => new Float32Array(n), get: (v, o, l) => v.getFloat32(o, l) },
  i4: { bytes: 4, make: (n) => new Int32Array(n), get: (v, o, l) => v.getInt32(o, l) },
  u4: { bytes: 4, make: (n) => new Uint32Array(n), get: (v, o, l) => v.getUint32(o, l) },
  i2: { bytes: 2, make: (n) => new Int16Array(n), get: (v, o, l) => v.getInt16(o, l) },
  u2: { bytes: 2, make: (n) => new Uint16Array(n), get: (v, o, l) => v.getUint16(o, l) },
  i1: { bytes: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  b1: { bytes: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  // 64-bit integers become float64 (exact below 2^53; larger values are refused).
  i8: { bytes: 8, make: (n) => new Float64Array(n), get: (v, o, l) => Number(v.getBigInt64(o, l)) },
  u8: { bytes: 8, make: (n) => new Float64Array(n), get: (v, o, l) => Number(v.getBigUint64(o, l)) },
};
export const supportedDtypes = Object.keys(DTYPES);

/** Parses one `.npy` image. `file`/`member` name it in errors. */
export function parseNpy(bytes: Uint8Array, file: string, member = ''): LoadedArray {
  const fail = (expected: string, given: string, hint?: string) =>
    new ArrayFileError(file, member, expected, given, hint);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b))
    throw fail(
      'a NumPy .npy file (magic \\x93NUMPY)',
      bytes.length < 10 ? `${bytes.length} bytes` : 'other bytes',
      'save arrays with numpy.save / numpy.savez',
    );
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw fail('.npy format version 1, 2 or 3', `version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLength > bytes.length)
    throw fail(`a header of ${headerLength} bytes`, `a file of ${bytes.length} bytes (truncated)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw fail("a header dict with 'descr', 'fortran_order' and 'shape'", JSON.stringify(header.trim()));
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((s) => !Number.isInteger(s) || s < 0))
    throw fail('a shape of non-negative integers', `(${shapeText})`);
  const order = descr[0];
  const kind = descr.slice(1);
  const type = DTYPES[kind];
  if (!type || (order !== '<' && order !== '>' && order !== '|' && order !== '=')) {
    throw fail(
      `a numeric dtype (${supportedDtypes.map((t) => `<${t}`).join(', ')})`,
      `dtype '${descr}'`,
      "convert with array.astype('float32') before saving",
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const needed = count * type.bytes;
  if (bytes.length - dataStart < needed)
    throw fail(
      `${needed} data bytes for shape (${shape.join(', ')}) of ${descr}`,
      `${bytes.length - dataStart} (truncated file)`,
    );
  if (bytes.length - dataStart > needed)
    throw fail(
      `${needed} data bytes for shape (${shape.join(', ')}) of ${descr}`,
      `${bytes.length - dataStart} (extra bytes)`,
    );
  const little = order !== '>';
  const data = type.make(count);
  for (let i = 0; i < count; i++) {
    const v = type.get(view, dataStart + i * type.bytes, little);
    if ((kind === 'i8' || kind === 'u8') && !Number.isSafeInteger(v))
      throw fail('64-bit integers below 2^53', `${v} at element ${i}`);
    data[i] = v;
  }
  if (fortran === 'True' && shape.length > 1) {
    // Column-major on disk: reorder to row-major.
    const out = type.make(count);
    const strides = shape.map((_, a) => shape.slice(0, a).reduce((x, y) => x * y, 1));
    const idx = new Array<number>(shape.length).fill(0);
    for (let r = 0; r < count; r++) {
      let f = 0;
      for (let a = 0; a < shape.length; a++) f += idx[a]! * strides[a]!;
      out[r] = data[f]!;
      for (let a = shape.length - 1; a >= 0; a--) {
        if (++idx[a]! < shape[a]!) break;
        idx[a] = 0;
      }
    }
    return { data: out, shape, dtype: descr };
  }
  return { data, shape, dtype: descr };
}

/** The members of a zip archive (`.npz`): name → bytes (stored or deflated members; no zip64, no encryption). */
export function readZip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw new ArrayFileError(
      file,
      '',
      'a zip archive (.npz) with an end-of-central-directory record',
      bytes.length < 22 ? `${bytes.length} bytes` : 'none found (truncated or not a zip file)',
    );
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || entries === 0xffff)
    throw new ArrayFileError(
      file,
      '',
      'a zip archive without zip64 records',
      'zip64',
      'save smaller archives or one .npy per array',
    );
  const out = new Map<string, Uint8Array>();
  for (let e = 0; e < entries; e++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50)
      throw new ArrayFileError(
        file,
        `central directory entry ${e}`,
        'a central directory header',
        'other bytes (corrupt archive)',
      );
    const method = view.getUint16(offset + 10, true);
    const crc = view.getUint32(offset + 16, true);
    const compressed = view.getUint32(offset + 20, true);
    const size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const local = view.getUint32(offset + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw new ArrayFileError(file, name, 'a local file header', 'other bytes (corrupt archive)');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length)
      throw new ArrayFileError(
        file,
        name,
        `${compressed} compressed bytes`,
        `${bytes.length - start} (truncated archive)`,
      );
    const raw = bytes.subarray(start, start + compressed);
    let content: Uint8Array;
    if (method === 0) content = raw;
    else if (method === 8) {
      try {
        content = zlib.inflateRawSync(raw);
      } catch (err) {
        throw new ArrayFileError(file, name, 'a valid deflate stream', (err as Error).message);
      }
    } else throw new ArrayFileError(file, name, 'a stored or deflated member (method 0 or 8)', `method ${method}`);
    if (content.length !== size)
      throw new ArrayFileError(file, name, `${size} bytes after decompression`, `${content.length}`);
    const crc32 = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    if (crc32 && crc32(content) >>> 0 !== crc)
      throw new ArrayFileError(
        file,
        name,
        `CRC-32 ${crc.toString(16)}`,
        `${(crc32(content) >>> 0).toString(16)} (corrupt member)`,
      );
    out.set(name, content);
  }
  return out;
}

/** All arrays of a `.npz` file by name (member names without `.npy`). */
export function readNpz(file: string): Map<string, LoadedArray> {
  const members = readZip(readBytes(file), file);
  const out = new Map<string, LoadedArray>();
  for (const [name, bytes] of members) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), parseNpy(bytes, file, name));
  }
  return out;
}

function readBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ArrayFileError(file, '', 'a readable file', (err as NodeJS.ErrnoException).code ?? String(err));
  }
}

/** A numeric CSV table: rows × columns (float64), an optional header row of names (detected: non-numeric cells). */
export function readCsv(file: string): LoadedArray {
  const text = new TextDecoder().decode(readBytes(file));
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0 && !l.startsWith('#'));
  if (lines.length === 0) throw new ArrayFileError(file, '', 'at least one row of numbers', 'an empty file');
  const split = (l: string) => l.split(',').map((c) => c.trim());
  let columns: string[] | undefined;
  const first = split(lines[0]!);
  if (first.some((c) => c !== '' && Number.isNaN(Number(c)))) {
    columns = first;
    lines.shift();
  }
  const width = columns?.length ?? first.length;
  const data = new Float64Array(lines.length * width);
  lines.forEach((line, r) => {
    const cells = split(line);
    const lineNo = r + 1 + (columns ? 1 : 0);
    if (cells.length !== width) throw new ArrayFileError(file, `line ${lineNo}`, `${width} columns`, `${cells.length}`);
    cells.forEach((c, j) => {
      const v = Number(c);
      if (c === '' || Number.isNaN(v))
        throw new ArrayFileError(
          file,
          `line ${lineNo}, column ${j + 1}${columns ? ` (${columns[j]})` : ''}`,
          'a number',
          JSON.stringify(c),
        );
      data[r * width + j] = v;
    });
  });
  return { data, shape: [lines.length, width], dtype: 'float64', ...(columns && { columns }) };
}

/**
 * JSON lines: each line an object whose keys are variables (a number or a flat array of numbers, the same length on
 * every line) or each line a flat array. Returns one array per key (`''` for array lines), rows = lines.
 */
export function readJsonLines(file: string): Map<string, LoadedArray> {
  const text = new TextDecoder().decode(readBytes(file));
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new ArrayFileError(file, '', 'at least one JSON line', 'an empty file');
  const columns = new Map<string, number[]>();
  const widths = new Map<string, number>();
  lines.forEach((line, r) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ArrayFileError(
        file,
        `line ${r + 1}`,
        'a JSON value',
        `${JSON.stringify(line.slice(0, 40))} (${(err as Error).message})`,
      );
    }
    const record: Record<string, unknown> = Array.isArray(value)
      ? { '': value }
      : value && typeof value === 'object'
        ? (value as Record<string, unknown>)
        : { '': value };
    if (r > 0 && Object.keys(record).sort().join(',') !== [...columns.keys()].sort().join(',')) {
      throw new ArrayFileError(
        file,
        `line ${r + 1}`,
        `the keys of line 1 (${[...columns.keys()].join(', ')})`,
        Object.keys(record).join(', '),
      );
    }
    for (const [key, v] of Object.entries(record)) {
      const values =
        typeof v === 'number'
          ? [v]
          : Array.isArray(v) && v.every((x) => typeof x === 'number')
            ? (v as number[])
            : undefined;
      if (!values)
        throw new ArrayFileError(
          file,
          `line ${r + 1}, key '${key}'`,
          'a number or a flat array of numbers',
          JSON.stringify(v).slice(0, 40),
        );
      const w = widths.get(key);
      if (w !== undefined && w !== values.length)
        throw new ArrayFileError(file, `line ${r + 1}, key '${key}'`, `${w} values (as on line 1)`, `${values.length}`);
      widths.set(key, values.length);
      let col = columns.get(key);
      if (!col) columns.set(key, (col = []));
      col.push(...values);
    }
  });
  const out = new Map<string, LoadedArray>();
  for (const [key, values] of columns)
    out.set(key, { data: Float64Array.from(values), shape: [lines.length, widths.get(key)!], dtype: 'float64' });
  return out;
}

/** Reads a `.npy`, `.csv` or single-array file by extension. */
export function readArrayFile(file: string): LoadedArray {
  if (file.endsWith('.npy')) return parseNpy(readBytes(file), file);
  if (file.endsWith('.csv')) return readCsv(file);
  if (file.endsWith('.jsonl') || file.endsWith('.ndjson')) {
    const all = readJsonLines(file);
    if (all.size !== 1)
      throw new ArrayFileError(
        file,
        '',
        'one array per line (or name the key with `file#key`)',
        `${all.size} keys: ${[...all.keys()].join(', ')}`,
      );
    return [...all.values()][0]!;
  }
  throw new ArrayFileError(file, '', 'a .npy, .npz, .csv or .jsonl file', `extension '${file.split('.').pop()}'`);
}
