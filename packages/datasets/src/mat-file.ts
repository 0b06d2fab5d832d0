import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DatasetError } from './dataset-error';

/**
 * One numeric array of a MATLAB level-5 MAT-file: its MATLAB class (`double`, `single`, `int8` … `uint64`, `logical`
 * is reported as `uint8` with `logical: true`), its dimensions as MATLAB gives them (at least two), and its real
 * values in MATLAB's column-major order, converted to float64.
 */
export interface MatArray {
  readonly name: string;
  readonly matlabClass: string;
  readonly dims: readonly number[];
  readonly logical: boolean;
  readonly complex: boolean;
  /** Real part, column-major (MATLAB order): element (i, j) of an m×n matrix is data[i + j·m]. */
  readonly data: Float64Array;
}

// Data types of the format (MATLAB "MAT-File Format", level 5, Table 1-1).
const miINT8 = 1;
const miUINT8 = 2;
const miINT16 = 3;
const miUINT16 = 4;
const miINT32 = 5;
const miUINT32 = 6;
const miSINGLE = 7;
const miDOUBLE = 9;
const miINT64 = 12;
const miUINT64 = 13;
const miMATRIX = 14;
const miCOMPRESSED = 15;
const miUTF8 = 16;

// Array classes (mxCLASS_ID) of numeric arrays.
const numericClasses: Record<number, string> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const otherClasses: Record<number, string> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  16: 'function',
  17: 'opaque',
};

/** Reads the numeric elements of a typed data block as float64. */
function numbers(view: DataView, offset: number, bytes: number, type: number, little: boolean, where: () => string) {
  const size: Record<number, number> = {
    [miINT8]: 1,
    [miUINT8]: 1,
    [miINT16]: 2,
    [miUINT16]: 2,
    [miINT32]: 4,
    [miUINT32]: 4,
    [miSINGLE]: 4,
    [miDOUBLE]: 8,
    [miINT64]: 8,
    [miUINT64]: 8,
    [miUTF8]: 1,
  };
  const s = size[type];
  if (s === undefined) throw new Error(`${where()}: data type ${type} is not a numeric MAT-file type`);
  if (bytes % s !== 0) throw new Error(`${where()}: ${bytes} bytes is not a whole number of ${s}-byte values`);
  const n = bytes / s;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = offset + i * s;
    switch (type) {
      case miINT8:
        out[i] = view.getInt8(o);
        break;
      case miUINT8:
      case miUTF8:
        out[i] = view.getUint8(o);
        break;
      case miINT16:
        out[i] = view.getInt16(o, little);
        break;
      case miUINT16:
        out[i] = view.getUint16(o, little);
        break;
      case miINT32:
        out[i] = view.getInt32(o, little);
        break;
      case miUINT32:
        out[i] = view.getUint32(o, little);
        break;
      case miSINGLE:
        out[i] = view.getFloat32(o, little);
        break;
      case miDOUBLE:
        out[i] = view.getFloat64(o, little);
        break;
      case miINT64:
        out[i] = Number(view.getBigInt64(o, little));
        break;
      case miUINT64:
        out[i] = Number(view.getBigUint64(o, little));
        break;
    }
  }
  return out;
}

interface Element {
  readonly type: number;
  readonly offset: number;
  readonly bytes: number;
  /** Offset of the next element (8-byte aligned; small elements take 8 bytes). */
  readonly next: number;
}

function readTag(view: DataView, offset: number, end: number, little: boolean, where: () => string): Element {
  if (offset + 8 > end) throw new Error(`${where()}: truncated: a data element tag needs 8 bytes at offset ${offset}`);
  const first = view.getUint32(offset, little);
  if (first >>> 16 !== 0) {
    // Small data element: 2-byte size, 2-byte type and up to 4 bytes of data in one 8-byte word.
    const bytes = first >>> 16;
    if (bytes > 4) throw new Error(`${where()}: small data element claims ${bytes} bytes (at most 4)`);
    return { type: first & 0xffff, offset: offset + 4, bytes, next: offset + 8 };
  }
  const bytes = view.getUint32(offset + 4, little);
  const dataEnd = offset + 8 + bytes;
  if (dataEnd > end)
    throw new Error(
      `${where()}: truncated: element at offset ${offset} claims ${bytes} bytes, ${end - offset - 8} remain`,
    );
  return {
    type: first,
    offset: offset + 8,
    bytes,
    next: first === miCOMPRESSED ? dataEnd : offset + 8 + ((bytes + 7) & ~7),
  };
}

function parseMatrix(view: DataView, el: Element, little: boolean, file: string, index: number): MatArray | undefined {
  const where = () => `${file}: variable #${index}`;
  const end = el.offset + el.bytes;
  if (el.bytes === 0) return undefined;
  const flags = readTag(view, el.offset, end, little, where);
  if (flags.type !== miUINT32 || flags.bytes !== 8) throw new Error(`${where()}: array flags missing or malformed`);
  const flagWord = view.getUint32(flags.offset, little);
  const classId = flagWord & 0xff;
  const complex = (flagWord & 0x800) !== 0;
  const logical = (flagWord & 0x200) !== 0;
  const dimsTag = readTag(view, flags.next, end, little, where);
  if (dimsTag.type !== miINT32) throw new Error(`${where()}: dimensions are not int32`);
  const dims = Array.from(numbers(view, dimsTag.offset, dimsTag.bytes, miINT32, little, where));
  const nameTag = readTag(view, dimsTag.next, end, little, where);
  if (nameTag.type !== miINT8 && nameTag.type !== miUTF8) throw new Error(`${where()}: array name is not int8`);
  const name = Buffer.from(view.buffer, view.byteOffset + nameTag.offset, nameTag.bytes).toString('latin1');
  const cls = numericClasses[classId];
  if (!cls)
    return {
      name,
      matlabClass: otherClasses[classId] ?? `class ${classId}`,
      dims,
      logical,
      complex,
      data: new Float64Array(0),
    };
  const real = readTag(view, nameTag.next, end, little, () => `${file}: variable '${name}'`);
  const data = numbers(view, real.offset, real.bytes, real.type, little, () => `${file}: variable '${name}'`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new Error(
      `${file}: variable '${name}' has dimensions ${dims.join('×')} (${count} values) but ${data.length} stored`,
    );
  return { name, matlabClass: cls, dims, logical, complex, data };
}

/**
 * Reads the numeric arrays of a MATLAB level-5 MAT-file (MATLAB's `save -v6` / `-v7` format, also written by SciPy's
 * `savemat`): the 128-byte header (text, subsystem offset, version 0x0100, endian indicator `IM`/`MI`), then data
 * elements, each `miMATRIX` or zlib-compressed `miCOMPRESSED`. Numeric and logical arrays are returned with their
 * values; other classes (cell, struct, char, sparse…) are listed with no data. MATLAB 7.3 files are HDF5 and are
 * rejected with a hint. Errors name the file and what is wrong (DatasetError).
 */
export function readMatFile(file: string): Map<string, MatArray> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DatasetError(
      file,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      'give the path of a MATLAB MAT-file',
    );
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])))
    throw new DatasetError(
      file,
      'this is an HDF5 file (MATLAB 7.3 format), not a level-5 MAT-file',
      "re-save it with save(..., '-v7') in MATLAB or scipy.io.savemat",
    );
  if (bytes.length < 128)
    throw new DatasetError(
      file,
      `not a MAT-file: ${bytes.length} bytes, the level-5 header alone has 128`,
      'give a MATLAB level-5 MAT-file (save -v6 / -v7, or scipy.io.savemat)',
    );
  const text = bytes.subarray(0, 116).toString('latin1');
  if (text.startsWith('MATLAB 7.3'))
    throw new DatasetError(
      file,
      'MATLAB 7.3 MAT-files are HDF5 and not supported',
      "re-save it with save(..., '-v7') in MATLAB or scipy.io.savemat",
    );
  const endian = bytes.subarray(126, 128).toString('latin1');
  if (endian !== 'IM' && endian !== 'MI')
    throw new DatasetError(
      file,
      `not a level-5 MAT-file: endian indicator at bytes 126–127 is ${JSON.stringify(endian)}, expected "IM" or "MI"${text.startsWith('MATLAB') ? '' : ` (header text begins ${JSON.stringify(text.slice(0, 24))})`}`,
      'give a MATLAB level-5 MAT-file (save -v6 / -v7, or scipy.io.savemat); MATLAB 4 files are not supported',
    );
  const little = endian === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint16(124, little);
  if (version !== 0x0100)
    throw new DatasetError(file, `unsupported MAT-file version 0x${version.toString(16)}`, 'expected 0x0100 (level 5)');
  const out = new Map<string, MatArray>();
  const walk = (buf: Uint8Array, start: number, nested: boolean) => {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let offset = start;
    while (offset < buf.byteLength) {
      // Trailing padding shorter than a tag (some writers pad the file): stop.
      if (buf.byteLength - offset < 8) break;
      const el = readTag(view, offset, buf.byteLength, little, () => file);
      if (el.type === miCOMPRESSED) {
        if (nested) throw new Error(`${file}: compressed element inside a compressed element`);
        let inflated: Buffer;
        try {
          inflated = zlib.inflateSync(buf.subarray(el.offset, el.offset + el.bytes));
        } catch (e) {
          throw new Error(`${file}: compressed element at offset ${offset} is corrupt (${(e as Error).message})`, {
            cause: e,
          });
        }
        walk(inflated, 0, true);
      } else if (el.type === miMATRIX) {
        const a = parseMatrix(view, el, little, file, out.size);
        if (a) out.set(a.name, a);
      } else throw new Error(`${file}: unexpected top-level data element type ${el.type} at offset ${offset}`);
      offset = el.next;
    }
  };
  try {
    walk(bytes, 128, false);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(
      file,
      (e as Error).message.replace(`${file}: `, ''),
      'the MAT-file is damaged or truncated',
      {
        cause: (e as Error).message,
      },
    );
  }
  return out;
}

/** A 2-D MAT array as row-major float64 [rows, cols]. */
export function matToRowMajor(a: MatArray): { rows: number; cols: number; data: Float64Array } {
  if (a.dims.length !== 2) throw new Error(`'${a.name}' has ${a.dims.length} dimensions, expected 2`);
  const [rows, cols] = a.dims as [number, number];
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = a.data[i + j * rows]!;
  return { rows, cols, data };
}
