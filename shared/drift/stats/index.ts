// Public surface of the drift statistics. Pure TypeScript: no DOM, no Node
// APIs, so the same code runs in the edge worker, the browser and the server.

export { ks2samp, probOutsideSquare, outerProbInsideMethod, KS_MAX_AUTO_N } from './ks.ts';
export type { Ks2SampResult, KsMethod } from './ks.ts';
export { kstwoSf, kolmogn } from './kolmogorov.ts';
export { smirnovSf } from './smirnov.ts';
export { wasserstein1 } from './wasserstein.ts';
export { quantile, binEdges, binIndex, binCounts, proportions, DECILES } from './quantile.ts';
export { jensenShannonDistance, psi, numericBinned, PSI_EPSILON } from './divergence.ts';
export type { NumericBinnedResult } from './divergence.ts';
export { chiSquareHomogeneity, categorical } from './chisquare.ts';
export type { ChiSquareResult, CategoricalResult } from './chisquare.ts';
export { andersonKSamp } from './anderson.ts';
export type { AndersonKSampResult, AndersonVariant } from './anderson.ts';
export { mmdRbf } from './mmd.ts';
export type { MmdOptions, MmdResult } from './mmd.ts';
export { chi2Sf, regularizedGammaQ, logGamma, roundHalfEven } from './special.ts';
export { pairwiseSum, accurateSum } from './sum.ts';
export { sortedCopy } from './sorted.ts';
