// Moved to @entroscope/mean-field (shared by the random-mlp and trained-mlp systems, which cannot import each other).
export { layerWidths, type WidthSchedule } from '@entroscope/mean-field';
