// The mean-field numerics live in @entroscope/mean-field (shared with the cascade system); re-exported here.
export * from '@entroscope/mean-field';
