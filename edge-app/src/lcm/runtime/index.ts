/**
 * The inference runtime. Platform entries are separate modules so each side loads only its ORT
 * build: `./ort-browser.ts` (worker) and `./ort-node.ts` (CLIs, tests).
 */
export { LcmSession, ModelLoadError } from './session.ts';
export type { LoadOptions, Ort, RunResult, SessionInfo, WarmUp } from './session.ts';
export { FeedValidator, InferenceInputError, describeInput } from './validate.ts';
export { summarizeClassifier, findScoresOutput } from './classify.ts';
export type { ClassifierSummary, SummaryOptions } from './classify.ts';
export { TENSOR_TYPES, TYPED_ARRAY_OF, elementCount, filledTensor, isTensorType, transferables } from './tensors.ts';
