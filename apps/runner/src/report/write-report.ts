import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReportFigure, ResolvedStudy } from '@entroscope/core';
import { writeAtomically, type ResultRecord } from '../results-store';
import { buildFigureSpecs, type FigureSpec } from './figure-spec';
import { reportPage, type PageFigure, type Provenance } from './html';
import { noDisplay, type DisplayLookup } from './labels';
import { renderPng, renderSvg } from './render';

/** A non-finite value or uncertainty with where it was measured (the runner finds them; the report lists them). */
export interface NonFiniteEntry {
  readonly system: string;
  readonly probe: string;
  readonly estimator: string;
  readonly site: ResultRecord['site'];
  readonly field: 'value' | 'uncertainty';
  readonly value: string;
  readonly sweep: Record<string, unknown>;
  readonly replicate: number;
}

/** A task that failed while the others ran. */
export interface FailureEntry {
  readonly label: string;
  readonly message: string;
}

export interface ReportContext {
  readonly backend: Record<string, unknown>;
  readonly status: 'complete' | 'interrupted' | 'failed';
  readonly tasks: number;
  readonly complete: number;
  /** Descriptors' words and symbols (from the registries); without it labels fall back to ids. */
  readonly display?: DisplayLookup;
  /** Non-finite values (NaN, ±Infinity) with their site and swept parameters. */
  readonly nonFinite?: readonly NonFiniteEntry[];
  /** Tasks that failed, with their error message. */
  readonly failures?: readonly FailureEntry[];
}

/** The host a run ran on (recorded in study.resolved.json; shown in the report's provenance). */
export function hostInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Renders figures to plots/<file>.vl.json, .svg and .png; returns them with their SVG for the page. */
export async function writeFigures(plotsDir: string, specs: readonly FigureSpec[]): Promise<PageFigure[]> {
  fs.rmSync(plotsDir, { recursive: true, force: true });
  fs.mkdirSync(plotsDir, { recursive: true });
  const out: PageFigure[] = [];
  for (const figure of specs) {
    const svg = await renderSvg(figure.spec);
    writeAtomically(path.join(plotsDir, `${figure.file}.vl.json`), JSON.stringify(figure.spec, null, 1) + '\n');
    writeAtomically(path.join(plotsDir, `${figure.file}.svg`), svg);
    fs.writeFileSync(path.join(plotsDir, `${figure.file}.png`), renderPng(svg, 2));
    out.push({ ...figure, svg });
  }
  return out;
}

function readProvenance(outDir: string): Provenance {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'study.resolved.json'), 'utf8')) as Provenance;
  } catch {
    return {};
  }
}

/**
 * Writes plots/* (Vega-Lite spec, SVG, PNG per figure) and a self-contained interactive report.html into `outDir`
 * (provenance from the study.resolved.json written beside it). Returns the written paths relative to `outDir`.
 */
export async function writeReport(
  outDir: string,
  study: ResolvedStudy,
  records: readonly ResultRecord[],
  figures: readonly ReportFigure[] | undefined,
  context: ReportContext,
): Promise<string[]> {
  const display = context.display ?? noDisplay;
  const specs = buildFigureSpecs(study, records, figures, { display });
  const rendered = await writeFigures(path.join(outDir, 'plots'), specs);
  const html = reportPage({
    title: study.name,
    description: study.description ?? '',
    study,
    records,
    figures: rendered,
    provenance: { ...readProvenance(outDir), backend: context.backend },
    status: context,
    nonFinite: context.nonFinite ?? [],
    failures: context.failures ?? [],
    display,
  });
  writeAtomically(path.join(outDir, 'report.html'), html);
  return [
    'report.html',
    ...rendered.flatMap((f) => ['.vl.json', '.svg', '.png'].map((ext) => path.join('plots', f.file + ext))),
  ];
}
