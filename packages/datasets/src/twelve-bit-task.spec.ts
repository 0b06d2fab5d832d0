import { TWELVE_BIT_PATTERNS, twelveBitLabels, twelveBitPatterns } from './twelve-bit-task';

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
