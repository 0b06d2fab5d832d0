import { RandomStream } from '@entroscope/core';
import {
  TWELVE_BIT_PATTERNS,
  openTwelveBitTask,
  symmetricMajorityLabel,
  twelveBitLabels,
  twelveBitPatterns,
} from './twelve-bit-task';

describe('12-bit information-plane task', () => {
  it('holds every pattern once, MSB first, and balanced symmetric-majority labels', () => {
    const x = twelveBitPatterns();
    expect(x.length).toBe(TWELVE_BIT_PATTERNS * 12);
    expect(Array.from(x.subarray(12 * 5, 12 * 6))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    const seen = new Set<string>();
    for (let p = 0; p < TWELVE_BIT_PATTERNS; p++) seen.add(x.subarray(p * 12, p * 12 + 12).join(''));
    expect(seen.size).toBe(TWELVE_BIT_PATTERNS);
    const y = twelveBitLabels();
    expect(y.reduce((a, b) => a + b, 0)).toBe(2048);
    // Popcount 7…12 (1586 patterns) plus half of popcount 6 with the first bit set (C(11,5) = 462).
    expect(y[0b111111100000]).toBe(1);
    expect(y[0b100000011111]).toBe(1);
    expect(y[0b011111100000]).toBe(0);
  });
});

describe('openTwelveBitTask', () => {
  it("'shuffled' permutes rows and labels together, the same way for the same stream", () => {
    const plain = openTwelveBitTask({ source: 'twelve-bit', order: 'patterns' }, RandomStream.fromSeed(1));
    expect(Array.from(plain.readImages(5, 1))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    const a = openTwelveBitTask({ source: 'twelve-bit', order: 'shuffled' }, RandomStream.fromSeed(1));
    const b = openTwelveBitTask({ source: 'twelve-bit', order: 'shuffled' }, RandomStream.fromSeed(1));
    expect(a.patterns.every((v, i) => v === b.patterns[i])).toBe(true);
    const codes = new Set<number>();
    for (let r = 0; r < TWELVE_BIT_PATTERNS; r++) {
      const code = a.patterns.subarray(r * 12, r * 12 + 12).reduce((s, v) => s * 2 + v, 0);
      codes.add(code);
      expect(a.labels[r]).toBe(symmetricMajorityLabel(code));
    }
    expect(codes.size).toBe(TWELVE_BIT_PATTERNS);
    expect(Array.from(a.patterns.subarray(0, 12 * 8))).not.toEqual(Array.from(plain.patterns.subarray(0, 12 * 8)));
    expect(() => a.readImages(4000, 100)).toThrow(/rows inside 0…4095/);
  });
});
