import type { ReportFigure, ResolvedStudy } from '@entroscope/core';

/** The figures a study asks for; undefined means "the default: one per probe × site axis". */
export function reportSpecOf(study: ResolvedStudy): readonly ReportFigure[] | undefined {
  return study.report.figures;
}
