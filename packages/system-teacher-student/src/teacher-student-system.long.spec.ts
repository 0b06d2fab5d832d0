import { expectGeneralisationFalls } from './generalisation-check.spec-helper';

describe('teacher-student (long)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'the generalisation error falls with training on a probit teacher (seed %i)',
    async (seed) => {
      await expectGeneralisationFalls(seed);
    },
    120_000,
  );
});
