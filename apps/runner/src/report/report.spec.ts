import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveBackend } from '../backend';
import { EXIT, main } from '../cli';
import { createRegistries } from '../container';
import type { ResultRecord } from '../results-store';
import { loadStudy, runStudy } from '../run-study';
import { compareRuns, writeComparison, type LoadedRun } from './compare';
import { buildFigureSpecs } from './figure-spec';
import { displayLookup } from './labels';
import { renderPng, renderSvg } from './render';

const root = path.resolve(__dirname, '../../../..');
const registries = createRegistries();
const display = displayLookup(registries);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-report-'));
const runA = path.join(tmp, 'a');
const runB = path.join(tmp, 'b');

/** The quickstart study, run twice with the same seed (cpu backend: byte-reproducible). */
beforeAll(async () => {
  const study = loadStudy(path.join(root, 'studies', 'quickstart.yaml'), registries);
  await runStudy(study, registries, { out: runA, resolveBackend });
  await runStudy(study, registries, { out: runB, resolveBackend });
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const plots = (dir: string) => fs.readdirSync(path.join(dir, 'plots')).sort();

describe('report files', () => {
  it('writes every figure as Vega-Lite spec (data inline), SVG and PNG at twice the SVG size', () => {
    const files = plots(runA);
    const figures = files.filter((f) => f.endsWith('.vl.json')).map((f) => f.replace(/\.vl\.json$/, ''));
    expect(figures.length).toBe(2);
    for (const f of figures) {
      const spec = JSON.parse(fs.readFileSync(path.join(runA, 'plots', `${f}.vl.json`), 'utf8'));
      expect(spec.$schema).toContain('vega-lite');
      expect(spec.data.values.length).toBeGreaterThan(0);
      const svg = fs.readFileSync(path.join(runA, 'plots', `${f}.svg`), 'utf8');
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
      const png = fs.readFileSync(path.join(runA, 'plots', `${f}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * w!, 2 * h!]);
    }
  });

  it('gives byte-identical SVGs and specs for the same study and seed', () => {
    expect(plots(runB)).toEqual(plots(runA));
    for (const f of plots(runA).filter((x) => !x.endsWith('.png'))) {
      expect(fs.readFileSync(path.join(runB, 'plots', f), 'utf8')).toBe(
        fs.readFileSync(path.join(runA, 'plots', f), 'utf8'),
      );
    }
  });

  it('makes report.html self-contained: libraries, specifications and data inline, nothing fetched', () => {
    const html = fs.readFileSync(path.join(runA, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="http/);
    expect(html).toContain('vegaEmbed');
    expect(html).toMatch(/git commit<\/dt><dd>/);
    expect(html).toMatch(/host<\/dt><dd>\d+ cores/);
    expect(html).toContain('random number generation: CPU');
    expect((html.match(/<figure /g) ?? []).length).toBe(2);
  });
});

describe('rendered SVG', () => {
  const base = {
    file: 't.yaml',
    name: 't',
    seed: 1,
    backend: 'cpu',
    replicates: 1,
    unit: 'nat',
    systems: [],
    probes: [{ name: 'kl', use: 'relative-entropy', params: {} }],
    sweep: [],
    report: {},
  } as never;
  const rec = (n: number, value: number, extra: Partial<ResultRecord> = {}): ResultRecord => ({
    task: 't',
    taskIndex: 0,
    replicate: 0,
    system: 'chain',
    systemId: 'ising-1d',
    probe: 'kl',
    probeId: 'relative-entropy',
    estimator: 'exact',
    site: { axis: 'rg-step', index: n },
    value,
    unit: 'nat/site',
    uncertainty: 0.05,
    n: 100,
    sweep: {},
    params: { system: { K: 1 }, probe: {} },
    meta: {},
    ...extra,
  });

  it('leaves a gap where a series leaves the range, draws error bars above the markers and wraps long legend entries', async () => {
    const long = 'an instance name long enough that it must wrap onto more than one line of the legend';
    const records = [0.2, 0.3, 9, 0.5, 0.6].flatMap((v, n) => [rec(n, v), rec(n, v / 2, { system: long })]);
    const [figure] = buildFigureSpecs(base, records, [{ probes: ['kl'], yRange: [0, 1] } as never], { display });
    const svg = await renderSvg(figure!.spec);
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(4); // two series × two segments
    expect(svg.indexOf('mark-rule role-mark')).toBeGreaterThan(svg.indexOf('mark-symbol role-mark'));
    const tspans = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]!);
    expect(tspans.join(' ')).toContain(long);
    expect(svg).not.toContain('…');
    expect(renderPng(svg).length).toBeGreaterThan(1000);
  });
});

describe('entroscope compare', () => {
  it('matches the measurements of two identical runs and finds no difference', async () => {
    const out = path.join(tmp, 'compare');
    const { comparison, files } = await writeComparison([runA, runB], out, display);
    expect(comparison.differences.length).toBe(
      fs.readFileSync(path.join(runA, 'results.jsonl'), 'utf8').trim().split('\n').length,
    );
    expect(comparison.differences.every((d) => d.z === 0 && d.delta === 0)).toBe(true);
    expect(comparison.unmatched).toEqual([{ run: 'b', onlyInFirst: 0, onlyInThis: 0 }]);
    expect(files).toContain('report.html');
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Differences from a');
  });

  it('refuses a folder without results, naming the missing file (exit 2)', async () => {
    let stderr = '';
    const code = await main(
      ['compare', runA, path.join(tmp, 'missing'), '-o', path.join(tmp, 'never')],
      { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false },
      registries,
    );
    expect(code).toBe(EXIT.invalid);
    expect(stderr).toContain(path.join(tmp, 'missing', 'study.resolved.json'));
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('expresses differences in units of their combined uncertainty and averages replicates first', () => {
    const r = (value: number, uncertainty: number | null, replicate = 0, index = 0) =>
      ({
        task: 't',
        taskIndex: 0,
        replicate,
        system: 's',
        systemId: 'ising-1d',
        probe: 'p',
        probeId: 'relative-entropy',
        estimator: 'plug-in',
        site: { axis: 'rg-step', index },
        value,
        unit: 'nat',
        uncertainty,
        n: 10,
        sweep: {},
        params: { system: { K: 1 }, probe: {} },
        meta: {},
      }) as ResultRecord;
    const run = (label: string, records: ResultRecord[]): LoadedRun => ({
      label,
      dir: label,
      study: {} as never,
      provenance: {},
      records,
    });
    const c = compareRuns([
      run('before', [r(1, 0.1), r(5, null, 0, 1), r(0, null, 0, 2)]),
      run('after', [r(1.3, 0.1), r(5, null, 0, 1), r(2, null, 0, 3), r(3, null, 0, 3)]),
    ]);
    const [moved, exact] = c.differences;
    expect(moved!.z).toBeCloseTo(0.3 / Math.sqrt(0.02), 10);
    expect(exact!.z).toBe(0);
    expect(c.unmatched).toEqual([{ run: 'after', onlyInFirst: 1, onlyInThis: 1 }]);
  });
});

/** Debian's chromium (apt-get install chromium); under CI a missing browser is a failure, not a skip. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return undefined;
}
const chromium = findChromium();
if (!chromium && process.env['CI'] === 'true')
  throw new Error(
    'CI: chromium is not installed (apt-get install -y chromium); the browser test of the report cannot run',
  );
const browserIt = chromium ? it : it.skip;

describe('report in a real browser (headless Chromium)', () => {
  if (!chromium)
    it.skip('needs Debian chromium (apt-get install chromium): not installed here, so the browser check is skipped', () =>
      undefined);
  browserIt(
    'shows every figure interactive and non-empty, with no text outside its box',
    () => {
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${path.join(tmp, 'chromium')}`,
        '--virtual-time-budget=10000',
        '--window-size=1280,3000',
      ];
      const url = `file://${path.join(runA, 'report.html')}#selfcheck`;
      const screenshot = path.join(runA, 'screenshot.png');
      execFileSync(chromium!, [...flags, `--screenshot=${screenshot}`, url], { stdio: 'pipe', timeout: 90_000 });
      expect(fs.statSync(screenshot).size).toBeGreaterThan(20_000);
      const dom = execFileSync(chromium!, [...flags, '--dump-dom', url], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 90_000,
        maxBuffer: 64 * 2 ** 20,
      });
      const check = JSON.parse(
        /<pre id="selfcheck">([^<]*)<\/pre>/
          .exec(dom)![1]!
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>'),
      );
      expect(check.figures).toHaveLength(2);
      for (const f of check.figures) {
        expect(f).toMatchObject({ interactive: true, error: null, outside: [] });
        expect(f.width).toBeGreaterThan(300);
        expect(f.height).toBeGreaterThan(200);
        expect(f.marks).toBeGreaterThan(10);
      }
      expect(check.overflow).toEqual([]);
    },
    200_000,
  );
});
