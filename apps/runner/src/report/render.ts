import * as fs from 'node:fs';
import * as path from 'node:path';
import type { VegaLiteSpec } from './figure-spec';

/**
 * Headless rendering of Vega-Lite specifications: vega-lite compiles to Vega, vega renders SVG without a browser
 * (renderer 'none', text widths estimated, so the SVG is the same on every machine), and @resvg/resvg-js rasterises
 * the SVG to PNG. vega and vega-lite are ESM-only: the built CommonJS runner loads them with a real dynamic
 * `import()` (TypeScript keeps it under `module: node20`); jest transforms them to CommonJS (apps/runner/jest.config.js).
 */

interface VegaModules {
  readonly vega: typeof import('vega');
  readonly vegaLite: typeof import('vega-lite');
}

let modules: Promise<VegaModules> | undefined;

/** Loads vega and vega-lite once per process. */
export function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return modules;
}

/** Compiles a Vega-Lite specification to a Vega specification (what the report's page embeds). */
export async function compileSpec(spec: VegaLiteSpec): Promise<Record<string, unknown>> {
  const { vegaLite } = await loadVega();
  return vegaLite.compile(spec as never).spec as unknown as Record<string, unknown>;
}

/** Renders a Vega-Lite specification to SVG text (deterministic: same specification, same bytes). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return renumberIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * vega numbers clip paths and gradients with a counter global to the process (`clip23` in the third figure of a run);
 * renumbering them from 1 in each SVG makes a figure's bytes independent of what was drawn before it.
 */
function renumberIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/id="((?:clip|gradient|pattern)_?)(\d+)"/g))
    if (!ids.has(m[1]! + m[2]!)) ids.set(m[1]! + m[2]!, `${m[1]}${ids.size + 1}`);
  return svg.replace(
    /\b(clip|gradient|pattern)(_?)(\d+)\b/g,
    (whole, a: string, b: string, c: string) => ids.get(a + b + c) ?? whole,
  );
}

/** Font files resvg uses (system fonts are scanned once and reused; DejaVu Sans when present). */
let fontOptions: Record<string, unknown> | undefined;
function fonts(): Record<string, unknown> {
  if (fontOptions) return fontOptions;
  const dirs = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/truetype/liberation'];
  const files = dirs
    .flatMap((d) =>
      fs.existsSync(d)
        ? fs
            .readdirSync(d)
            .filter((f) => /\.ttf$/i.test(f) && !/Mono|Serif/.test(f))
            .map((f) => path.join(d, f))
        : [],
    )
    .sort();
  fontOptions =
    files.length > 0
      ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' }
      : { loadSystemFonts: true };
  return fontOptions;
}

/** PNG at `scale` × the SVG's size (2: print density for a figure sized for a paper column). */
export function renderPng(svg: string, scale = 2): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return Buffer.from(
    new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: '#ffffff', font: fonts() }).render().asPng(),
  );
}

/** A file inside an installed package, found by walking up from this module (the packages' `exports` hide them). */
function packageFile(relative: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(`report: cannot find node_modules/${relative} above ${__dirname} (run npm install)`);
  }
}

let libraries: string | undefined;
/** The browser builds of vega, vega-lite and vega-embed, inlined into report.html (it opens offline). */
export function browserLibraries(): string {
  libraries ??= ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js']
    .map((f) => fs.readFileSync(packageFile(f), 'utf8').replace(/<\/script/gi, '<\\/script'))
    .join('\n');
  return libraries;
}
