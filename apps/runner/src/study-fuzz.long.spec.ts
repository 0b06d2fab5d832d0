import fc from 'fast-check';
import { createRegistries } from './container';
import { studyText, validateText, violation } from './study-fuzz.spec-helper';

// The fuzz property of study-fuzz.spec.ts with many more inputs (`npm run test:long`).
const registries = createRegistries();

it('validates or fails with a clear, located error within bounded time and memory (5000 inputs)', () => {
  fc.assert(
    fc.property(studyText(), (text) => {
      const reason = violation(validateText(text, registries), 5_000);
      if (reason) throw new Error(`${reason}\n--- input ---\n${text.slice(0, 2000)}`);
      if (process.memoryUsage().heapUsed > 1.5 * 2 ** 30)
        throw new Error(`heap above 1.5 GiB after\n${text.slice(0, 2000)}`);
    }),
    { numRuns: 5000 },
  );
}, 1_200_000);
