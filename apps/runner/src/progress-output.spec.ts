import { ProgressClock, ProgressLog, formatDuration, formatRate, progressLine } from './progress-output';

describe('progress output', () => {
  it('measures rate and ETA from the work done in this run only (resumed tasks excluded)', () => {
    let now = 0;
    const clock = new ProgressClock(() => now);
    expect(clock.update({ done: 40, total: 100, message: '' })).toEqual({ elapsed: 0 }); // 40 resumed
    now = 30_000;
    const timing = clock.update({ done: 43, total: 100, message: '' });
    expect(timing.rate).toBeCloseTo(0.1, 12); // 3 tasks in 30 s
    expect(timing.eta).toBeCloseTo(570, 9); // 57 tasks left
  });

  it('never numbers a task beyond the total, and formats durations and rates', () => {
    expect(progressLine({ done: 1000, total: 1000, message: 'm' }, {})).toBe(
      '[task 1000/1000 · 100% · rate: measuring · ETA ?] m',
    );
    expect(progressLine({ done: 2.5, total: 8, message: 'x' }, { rate: 0.02, eta: 275 })).toBe(
      '[task 3/8 · 31% · 1.20 tasks/min · ETA 4m35s] x',
    );
    expect([formatDuration(45), formatDuration(185), formatDuration(7620), formatDuration(Number.NaN)]).toEqual([
      '45s',
      '3m05s',
      '2h07m',
      '?',
    ]);
    expect([formatRate(12), formatRate(0.5), formatRate(1 / 7200)]).toEqual([
      '12.0 tasks/s',
      '30.0 tasks/min',
      '0.500 tasks/h',
    ]);
  });

  it('prints a line at each task start and, within a task, one per interval', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ProgressLog(
      (l) => lines.push(l.trim()),
      10_000,
      () => now,
    );
    log.update({ done: 0, total: 2, message: 'a' });
    now = 3_000;
    log.update({ done: 0.2, total: 2, message: 'a · rg-step 0' }); // within the interval: silent
    now = 12_000;
    log.update({ done: 0.5, total: 2, message: 'a · rg-step 1' });
    now = 13_000;
    log.update({ done: 1, total: 2, message: 'b' });
    expect(lines).toEqual([
      '[task 1/2 · 0% · rate: measuring · ETA ?] a',
      '[task 1/2 · 25% · 2.50 tasks/min · ETA 36s] a · rg-step 1',
      '[task 2/2 · 50% · 4.62 tasks/min · ETA 13s] b',
    ]);
  });
});
