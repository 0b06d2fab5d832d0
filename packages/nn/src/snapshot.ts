import { ArgumentError } from '@entroscope/core';
import type { Layer } from './layer';
import { namedParametersOf } from './sequential';

/** A copy of every parameter of a model, by path (`0.weight`, `0.bias`, …), in model order. */
export interface ParameterSnapshot {
  readonly parameters: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly values: Float32Array;
  }[];
}

/** The JSON form: values as base64 of little-endian float32 bytes (exact). */
export interface ParameterSnapshotJson {
  readonly format: 'entroscope-nn-parameters/1';
  readonly parameters: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly float32Base64: string;
  }[];
}

/** Copies all parameter values of `model` (later training does not change the snapshot). */
export function snapshotParameters(model: Layer): ParameterSnapshot {
  return {
    parameters: namedParametersOf(model).map(({ name, parameter }) => ({
      name,
      shape: [...parameter.shape],
      values: Float32Array.from(parameter.value),
    })),
  };
}

/** Writes a snapshot's values back into `model` (names and shapes must match exactly). */
export function restoreParameters(model: Layer, snapshot: ParameterSnapshot): void {
  const named = namedParametersOf(model);
  const byName = new Map(snapshot.parameters.map((p) => [p.name, p]));
  if (byName.size !== named.length)
    throw new ArgumentError(
      'restoreParameters',
      `${named.length} parameters (${named.map((p) => p.name).join(', ')})`,
      `${byName.size} (${[...byName.keys()].join(', ')})`,
    );
  for (const { name, parameter } of named) {
    const entry = byName.get(name);
    if (!entry)
      throw new ArgumentError(`restoreParameters: ${name}`, 'a parameter of that name in the snapshot', 'missing');
    if (entry.shape.join('×') !== parameter.shape.join('×'))
      throw new ArgumentError(`restoreParameters: ${name}.shape`, parameter.shape.join('×'), entry.shape.join('×'));
    parameter.value.set(entry.values);
  }
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export function snapshotToJson(snapshot: ParameterSnapshot): ParameterSnapshotJson {
  if (!isLittleEndian()) throw new Error('snapshotToJson: big-endian hosts are not supported');
  return {
    format: 'entroscope-nn-parameters/1',
    parameters: snapshot.parameters.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      float32Base64: Buffer.from(p.values.buffer, p.values.byteOffset, p.values.byteLength).toString('base64'),
    })),
  };
}

export function snapshotFromJson(json: ParameterSnapshotJson, where = 'snapshot'): ParameterSnapshot {
  if (json?.format !== 'entroscope-nn-parameters/1')
    throw new ArgumentError(`${where}.format`, "'entroscope-nn-parameters/1'", json?.format);
  return {
    parameters: json.parameters.map((p, i) => {
      const bytes = Buffer.from(p.float32Base64, 'base64');
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (bytes.length !== size * 4)
        throw new ArgumentError(
          `${where}.parameters[${i}] (${p.name})`,
          `${size * 4} bytes for shape ${p.shape.join('×')}`,
          `${bytes.length} bytes`,
        );
      const values = new Float32Array(size);
      new Uint8Array(values.buffer).set(bytes);
      return { name: p.name, shape: [...p.shape], values };
    }),
  };
}
