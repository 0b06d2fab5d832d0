import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readMatFile } from './mat-file';
import {
  TWELVE_BIT_PATTERNS,
  loadTwelveBitTaskMat,
  symmetricMajorityLabel,
  twelveBitPatterns,
} from './twelve-bit-task';

// A minimal level-5 MAT-file writer, written from the format description (MATLAB "MAT-File Format", level 5), not from
// the reader: header, then one miMATRIX element per array (flags, dims, name, real part), optionally zlib-compressed.
type Stored = 'double' | 'uint8' | 'int32';
interface Var {
  name: string;
  dims: number[];
  /** Column-major values. */
  values: number[];
  classId?: number;
  stored?: Stored;
}
function element(type: number, payload: Buffer, little: boolean): Buffer {
  const tag = Buffer.alloc(8);
  if (little) {
    tag.writeUInt32LE(type, 0);
    tag.writeUInt32LE(payload.length, 4);
  } else {
    tag.writeUInt32BE(type, 0);
    tag.writeUInt32BE(payload.length, 4);
  }
  const pad = Buffer.alloc((8 - (payload.length % 8)) % 8);
  return Buffer.concat([tag, payload, pad]);
}
function matrix(v: Var, little: boolean): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    if (little) b.writeUInt32LE(n);
    else b.writeUInt32BE(n);
    return b;
  };
  const flags = element(6, Buffer.concat([u32(v.classId ?? 6), u32(0)]), little);
  const dims = element(5, Buffer.concat(v.dims.map(u32)), little);
  const name = element(1, Buffer.from(v.name, 'latin1'), little);
  const stored = v.stored ?? 'double';
  const data = Buffer.alloc(v.values.length * (stored === 'double' ? 8 : stored === 'int32' ? 4 : 1));
  v.values.forEach((x, i) => {
    if (stored === 'double') void (little ? data.writeDoubleLE(x, i * 8) : data.writeDoubleBE(x, i * 8));
    else if (stored === 'int32') void (little ? data.writeInt32LE(x, i * 4) : data.writeInt32BE(x, i * 4));
    else data.writeUInt8(x, i);
  });
  const real = element(stored === 'double' ? 9 : stored === 'int32' ? 5 : 2, data, little);
  return element(14, Buffer.concat([flags, dims, name, real]), little);
}
function writeMat(file: string, vars: Var[], opts: { little?: boolean; compress?: boolean } = {}) {
  const little = opts.little ?? true;
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, written by the Entroscope tests', 0, 'latin1');
  header.fill(0, 116, 124);
  if (little) header.writeUInt16LE(0x0100, 124);
  else header.writeUInt16BE(0x0100, 124);
  header.write(little ? 'IM' : 'MI', 126, 'latin1');
  const parts = vars.map((v) => {
    const m = matrix(v, little);
    if (!opts.compress) return m;
    const z = zlib.deflateSync(m);
    const tag = Buffer.alloc(8);
    void (little ? tag.writeUInt32LE(15, 0) : tag.writeUInt32BE(15, 0));
    void (little ? tag.writeUInt32LE(z.length, 4) : tag.writeUInt32BE(z.length, 4));
    return Buffer.concat([tag, z]);
  });
  fs.writeFileSync(file, Buffer.concat([header, ...parts]));
}

/** F (4096×12, column-major) and y of a task: patterns in the given row order, labels by `rule`. */
function taskVars(order: number[], rule: (p: number) => number, yDims = [1, TWELVE_BIT_PATTERNS]): Var[] {
  const f: number[] = new Array(TWELVE_BIT_PATTERNS * 12);
  order.forEach((p, r) => {
    for (let b = 0; b < 12; b++) f[r + b * TWELVE_BIT_PATTERNS] = (p >> (11 - b)) & 1;
  });
  return [
    { name: 'F', dims: [TWELVE_BIT_PATTERNS, 12], values: f, stored: 'uint8' },
    { name: 'y', dims: yDims, values: order.map(rule) },
  ];
}

describe('MAT-file (level 5) reader and the var_u.mat loader', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-mat-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const identity = Array.from({ length: TWELVE_BIT_PATTERNS }, (_, i) => i);
  // A label rule unlike the default, so the test sees the file's labels and not the generated ones.
  const parity = (p: number) => {
    let s = 0;
    for (let b = 0; b < 12; b++) s ^= (p >> b) & 1;
    return s;
  };

  it.each([
    ['little-endian', { little: true }],
    ['big-endian', { little: false }],
    ['compressed', { little: true, compress: true }],
  ])('reads numeric arrays column-major with their class and dims (%s)', (_, opts) => {
    const file = path.join(dir, `small-${_}.mat`);
    writeMat(
      file,
      [
        { name: 'A', dims: [2, 3], values: [1, 4, 2, 5, 3, 6.5] },
        { name: 'counts', dims: [1, 2], values: [-7, 2 ** 30], classId: 12, stored: 'int32' },
      ],
      opts,
    );
    const m = readMatFile(file);
    expect([...m.keys()]).toEqual(['A', 'counts']);
    expect(m.get('A')).toMatchObject({ matlabClass: 'double', dims: [2, 3], complex: false });
    expect(Array.from(m.get('A')!.data)).toEqual([1, 4, 2, 5, 3, 6.5]);
    expect(m.get('counts')!.matlabClass).toBe('int32');
    expect(Array.from(m.get('counts')!.data)).toEqual([-7, 2 ** 30]);
  });

  it("loads F and y in the file's row order, whatever the storage type and y's orientation", () => {
    // Rows in reverse order, parity labels, F stored as uint8 (as MATLAB stores small doubles), y as a column.
    const order = identity.slice().reverse();
    const file = path.join(dir, 'var_u.mat');
    writeMat(file, taskVars(order, parity, [TWELVE_BIT_PATTERNS, 1]), { compress: true });
    const task = loadTwelveBitTaskMat(file);
    const generated = twelveBitPatterns();
    for (const r of [0, 1, 2047, 4095]) {
      const p = order[r]!;
      expect(Array.from(task.patterns.subarray(r * 12, r * 12 + 12))).toEqual(
        Array.from(generated.subarray(p * 12, p * 12 + 12)),
      );
      expect(task.labels[r]).toBe(parity(p));
    }
    expect(task.labels.reduce((a, b) => a + b, 0)).toBe(2048);
    expect(task.description).toContain('var_u.mat');
  });

  it('names the file and the fix for wrong files, formats and shapes', () => {
    const at = (name: string) => path.join(dir, name);
    expect(() => loadTwelveBitTaskMat(at('missing.mat'))).toThrow(/missing\.mat: cannot read the file \(ENOENT\)/);
    fs.writeFileSync(at('text.mat'), 'x,y\n1,2\n'.repeat(40));
    expect(() => readMatFile(at('text.mat'))).toThrow(/text\.mat: not a level-5 MAT-file: endian indicator/);
    fs.writeFileSync(at('short.mat'), 'MATLAB');
    expect(() => readMatFile(at('short.mat'))).toThrow(/short\.mat: not a MAT-file: 6 bytes/);
    fs.writeFileSync(
      at('v73.mat'),
      Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600)]),
    );
    expect(() => readMatFile(at('v73.mat'))).toThrow(/HDF5 file \(MATLAB 7\.3 format\).*-v7/);

    const good = taskVars(identity, symmetricMajorityLabel);
    writeMat(at('transposed.mat'), [{ ...good[0]!, dims: [12, TWELVE_BIT_PATTERNS] }, good[1]!]);
    expect(() => loadTwelveBitTaskMat(at('transposed.mat'))).toThrow(
      /transposed\.mat: variable 'F' has shape 12×4096 — expected 4096×12/,
    );
    writeMat(at('no-y.mat'), [good[0]!]);
    expect(() => loadTwelveBitTaskMat(at('no-y.mat'))).toThrow(
      /no-y\.mat: no variable 'y' \(the file holds: F \(double 4096×12\)\)/,
    );
    writeMat(at('y-short.mat'), [good[0]!, { name: 'y', dims: [1, 100], values: new Array(100).fill(0) }]);
    expect(() => loadTwelveBitTaskMat(at('y-short.mat'))).toThrow(/variable 'y' has shape 1×100 — expected 1×4096/);
    const twos = { ...good[1]!, values: good[1]!.values.map((v, i) => (i === 9 ? 2 : v)) };
    writeMat(at('y-bad.mat'), [good[0]!, twos]);
    expect(() => loadTwelveBitTaskMat(at('y-bad.mat'))).toThrow(/y\(10\) = 2 — expected binary labels/);
    const repeated = identity.map((p) => (p === 5 ? 4 : p));
    writeMat(at('repeat.mat'), taskVars(repeated, symmetricMajorityLabel));
    expect(() => loadTwelveBitTaskMat(at('repeat.mat'))).toThrow(/row 6 of F repeats an earlier pattern/);
    // Truncated: cut the file inside the last element.
    writeMat(at('whole.mat'), good);
    const bytes = fs.readFileSync(at('whole.mat'));
    fs.writeFileSync(at('cut.mat'), bytes.subarray(0, bytes.length - 1000));
    expect(() => readMatFile(at('cut.mat'))).toThrow(/cut\.mat: truncated: element at offset \d+ claims/);
  });
});
