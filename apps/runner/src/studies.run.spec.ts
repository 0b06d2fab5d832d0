import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from './cli';
import { createRegistries } from './container';
import { rewriteReport } from './report/compare';
import { displayLookup } from './report/labels';

// Runs every study in studies/ twice end to end (hours in all on 2 cores): `npm run test:studies`, or one study
// with `npm run test:studies -- -t quickstart`.
const studiesDir = path.resolve(__dirname, '..', '..', '..', 'studies');
const files = fs
  .readdirSync(studiesDir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

describe('every study runs end to end, reproducibly', () => {
  it.each(files)(
    '%s writes a complete report',
    async (file) => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-study-'));
      let stderr = '';
      const code = await main(['run', path.join(studiesDir, file), '--out', out], {
        stdout: () => undefined,
        stderr: (t) => (stderr += t),
        isTty: false,
      });
      expect(stderr).not.toMatch(/^error/m);
      expect(code).toBe(0);
      const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
      expect(resolved.status).toBe('complete');
      expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg');
      // Same study, same seed, same backend → byte-identical results (threads and timing must not matter).
      const again = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-study-'));
      expect(
        await main(['run', path.join(studiesDir, file), '--out', again], {
          stdout: () => undefined,
          stderr: () => undefined,
          isTty: false,
        }),
      ).toBe(0);
      const backendOf = (dir: string) =>
        JSON.parse(fs.readFileSync(path.join(dir, 'study.resolved.json'), 'utf8')).backend.id;
      if (backendOf(again) === backendOf(out)) {
        expect(fs.readFileSync(path.join(again, 'results.jsonl'), 'utf8')).toBe(
          fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8'),
        );
        // ... and byte-identical figures (Vega-Lite specs and SVGs).
        for (const f of fs.readdirSync(path.join(out, 'plots')).filter((x) => !x.endsWith('.png'))) {
          expect(fs.readFileSync(path.join(again, 'plots', f), 'utf8')).toBe(
            fs.readFileSync(path.join(out, 'plots', f), 'utf8'),
          );
        }
      }
      // Every figure of the study is drawn, as spec, SVG and PNG; drawing them all takes less time than the run.
      const plots = fs.readdirSync(path.join(out, 'plots'));
      const figures = plots.filter((x) => x.endsWith('.vl.json'));
      expect(figures.length).toBeGreaterThanOrEqual(resolved.study.report.figures?.length ?? 1);
      for (const f of figures)
        for (const ext of ['.svg', '.png'])
          expect(fs.statSync(path.join(out, 'plots', f.replace(/\.vl\.json$/, ext))).size).toBeGreaterThan(1000);
      const run = (Date.parse(resolved.finishedAt) - Date.parse(resolved.startedAt)) / 1000;
      const { seconds } = await rewriteReport(out, displayLookup(createRegistries()));
      process.stdout.write(
        `${file}: run ${run.toFixed(1)} s, drawing ${figures.length} figures and the report ${seconds.toFixed(1)} s\n`,
      );
      if (run > 60) expect(seconds).toBeLessThan(run);
    },
    1_200_000,
  );
});
