import fc from 'fast-check';
import { createRegistries } from './container';
import { shippedStudies, studyText, validateText, violation } from './study-fuzz.spec-helper';

// Property-based fuzz test of parser, validator and task expansion: every generated study text validates or
// fails with a located EntroscopeError, within bounded time (and heap). A few seconds here; `npm run test:long`
// runs study-fuzz.long.spec.ts with many more inputs.
const registries = createRegistries();
const runs = Number(process.env['ENTROSCOPE_FUZZ_RUNS'] ?? 150);

describe('study files, fuzzed', () => {
  it('every shipped study validates as shipped (the seeds of the mutations)', () => {
    for (const study of shippedStudies())
      expect(violation(validateText(study.text, registries), 10_000)).toBeUndefined();
  });

  it(`validates or fails with a clear, located error within bounded time and memory (${runs} inputs)`, () => {
    const heapLimit = 1.5 * 2 ** 30;
    fc.assert(
      fc.property(studyText(), (text) => {
        const reason = violation(validateText(text, registries), 5_000);
        if (reason) throw new Error(`${reason}\n--- input ---\n${text.slice(0, 2000)}`);
        const heap = process.memoryUsage().heapUsed;
        if (heap > heapLimit)
          throw new Error(`heap at ${(heap / 2 ** 20).toFixed(0)} MiB after\n${text.slice(0, 2000)}`);
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
