import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { parseNpy, readCsv, readJsonLines, readNpz } from './array-files';
import { samplesDescriptor } from './samples-system';

/** Writes a .npy image the way numpy.save does (format 1.0, header padded to a multiple of 64 bytes). */
export function npy(descr: string, shape: number[], values: ArrayLike<number>, fortran = false): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const kind = descr.slice(1);
  const little = descr[0] !== '>';
  const bytes = { f8: 8, f4: 4, i4: 4, i1: 1, u1: 1, i8: 8, c16: 16 }[kind] ?? 8;
  const body = Buffer.alloc(values.length * bytes);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (kind === 'f8' && little) body.writeDoubleLE(v, i * 8);
    else if (kind === 'f8') body.writeDoubleBE(v, i * 8);
    else if (kind === 'f4') body.writeFloatLE(v, i * 4);
    else if (kind === 'i4') body.writeInt32LE(v, i * 4);
    else if (kind === 'i1') body.writeInt8(v, i);
    else if (kind === 'u1') body.writeUInt8(v, i);
    else if (kind === 'i8') body.writeBigInt64LE(BigInt(v), i * 8);
  }
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

/** A zip archive like numpy.savez (stored) or savez_compressed (deflated). */
export function zip(members: Record<string, Buffer>, deflate = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(members)) {
    const data = deflate ? zlib.deflateRawSync(content) : content;
    const crc = (zlib as unknown as { crc32: (b: Buffer) => number }).crc32(content) >>> 0;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(members).length, 8);
  end.writeUInt16LE(Object.keys(members).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-samples-'));
const file = (name: string, content: Buffer | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const rows = 6;
const layer = (l: number) => Float32Array.from({ length: rows * 3 }, (_, i) => i + 100 * l);
const archive = file(
  'run.npz',
  zip(
    {
      'layer_0.npy': npy('<f4', [rows, 3], layer(0)),
      'layer_1.npy': npy('<f4', [rows, 3], layer(1)),
      'layer_0_epoch_2.npy': npy('<f4', [rows, 3], layer(2)),
      'input.npy': npy(
        '<f8',
        [rows, 2],
        Float64Array.from({ length: rows * 2 }, (_, i) => i / 2),
      ),
      'label.npy': npy('<i8', [rows], [0, 1, 0, 1, 1, 0]),
    },
    true,
  ),
);
file('acts.csv', 'a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n');
file('labels.jsonl', [0, 1, 0, 1, 1, 0].map((y, i) => JSON.stringify({ y, x: [i, i + 10] })).join('\n') + '\n');

describeSystemConformance(
  samplesDescriptor,
  [
    { source: archive },
    { sites: [{ array: path.join(dir, 'acts.csv') }], variables: { y: `${path.join(dir, 'labels.jsonl')}#y` } },
  ],
  {
    seedIndependent: 'the system replays the arrays of its files; it draws no random numbers',
  },
);

describe('samples system', () => {
  it('names sites and variables by the archive layout: layer_<ℓ>[_epoch_<e>] are sites (ordered by time, then layer), the rest variables', async () => {
    const obs = await collect(samplesDescriptor, { source: archive }, testContext());
    expect(obs.map((o) => [o.site.index, o.site.time?.index ?? null])).toEqual([
      [0, null],
      [1, null],
      [0, 2],
    ]);
    expect(Array.from(obs[1]!.data!)).toEqual(Array.from(layer(1)));
    expect(obs[1]!.shape).toEqual([rows, 3]);
    expect(Object.keys(obs[0]!.variables!).sort()).toEqual(['input', 'label']);
    expect(Array.from(obs[0]!.variables!['label']!.data)).toEqual([0, 1, 0, 1, 1, 0]);
    expect(obs[0]!.variables!['input']!.shape).toEqual([rows, 2]);
  });

  it('takes a manifest of CSV / JSON-lines / npz members, and the first rows only when asked', async () => {
    const obs = await collect(
      samplesDescriptor,
      {
        source: archive,
        sites: [{ array: 'acts.csv', label: 'exported' }, { array: 'run.npz#layer_1' }],
        variables: { y: 'labels.jsonl#y', x: 'labels.jsonl#x' },
        rows: 4,
      },
      testContext(),
    );
    expect(obs[0]!.site.label).toBe('exported');
    expect(Array.from(obs[0]!.data!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(obs[0]!.meta['columns']).toEqual(['a', 'b']);
    expect(obs[1]!.shape).toEqual([4, 3]);
    expect(obs[0]!.variables!['x']!.shape).toEqual([4, 2]);
    expect(Array.from(obs[0]!.variables!['x']!.data)).toEqual([0, 10, 1, 11, 2, 12, 3, 13]);
  });

  it('reads every numeric dtype, big-endian data and Fortran order', () => {
    expect(Array.from(parseNpy(npy('<i1', [3], [-1, 0, 7]), 'x.npy').data)).toEqual([-1, 0, 7]);
    expect(Array.from(parseNpy(npy('|u1', [2], [255, 1]), 'x.npy').data)).toEqual([255, 1]);
    expect(Array.from(parseNpy(npy('>f8', [2], [1.5, -2]), 'x.npy').data)).toEqual([1.5, -2]);
    const f = parseNpy(npy('<f8', [2, 3], [1, 4, 2, 5, 3, 6], true), 'x.npy');
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseNpy(npy('<i4', [2, 2], [1, 2, 3, 4]), 'x.npy').data).toBeInstanceOf(Int32Array);
  });

  it('says what is wrong, and where, for wrong dtype, truncated or mismatched files', async () => {
    expect(() => parseNpy(npy('<c16', [2], [0, 0]), 'z.npy')).toThrow(
      /z\.npy: expected a numeric dtype .* got dtype '<c16'/,
    );
    const good = npy('<f8', [4], [1, 2, 3, 4]);
    expect(() => parseNpy(good.subarray(0, good.length - 3), 't.npy')).toThrow(
      /t\.npy: expected 32 data bytes for shape \(4\) of <f8, got 29 \(truncated file\)/,
    );
    expect(() => parseNpy(Buffer.from('hello world'), 'h.npy')).toThrow(/magic/);
    const bad = file('cut.npz', fs.readFileSync(archive).subarray(0, 200));
    expect(() => readNpz(bad)).toThrow(/cut\.npz: expected a zip archive .*\(truncated or not a zip file\)/);
    const mismatched = file(
      'mismatch.npz',
      zip({ 'layer_0.npy': npy('<f8', [3, 1], [1, 2, 3]), 'label.npy': npy('<f8', [4], [0, 1, 0, 1]) }),
    );
    await expect(collect(samplesDescriptor, { source: mismatched }, testContext())).rejects.toThrow(
      /variable 'label': expected 3 rows \(samples\) as layer_0, got 4/,
    );
    await expect(
      collect(samplesDescriptor, { source: archive, sites: [{ array: 'nope' }] }, testContext()),
    ).rejects.toThrow(/run\.npz \(sites\[0\]\): expected a member 'nope', got members layer_0/);
    const csv = file('bad.csv', 'a,b\n1,2\n3,x\n');
    expect(() => readCsv(csv)).toThrow(/bad\.csv \(line 3, column 2 \(b\)\): expected a number, got "x"/);
    const jl = file('bad.jsonl', '{"y": 1}\n{"y": [1, 2]}\n');
    expect(() => readJsonLines(jl)).toThrow(
      /bad\.jsonl \(line 2, key 'y'\): expected 1 values \(as on line 1\), got 2/,
    );
    await expect(collect(samplesDescriptor, { source: path.join(dir, 'missing.npz') }, testContext())).rejects.toThrow(
      /missing\.npz: expected a readable file, got ENOENT/,
    );
  });
});

describe('samples display metadata', () => {
  it('gives the system a name and words for its parameters and the common site axes', () => {
    const display = samplesDescriptor.display!;
    expect(display.name).toBe('Your own samples');
    expect(display.axes!['layer']).toEqual({ name: 'layer', symbol: 'ℓ' });
    expect(display.axes!['epoch']).toEqual({ name: 'epoch', symbol: 't' });
    expect(display.parameters!['rows']).toEqual({ name: 'rows', symbol: 'N' });
  });
});
