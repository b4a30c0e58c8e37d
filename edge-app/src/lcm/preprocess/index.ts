/** Preprocessing declared in a model version's metadata. The browser-only decoder is ./image-browser.ts. */
export {
  ImagePreprocessingSchema,
  PreprocessError,
  PreprocessingSchema,
  TabularPreprocessingSchema,
  resolvePreprocessing,
} from './schema.ts';
export type { ImagePreprocessing, Preprocessing, TabularPreprocessing } from './schema.ts';
export { tabularTensor } from './tabular.ts';
export type { TabularRow } from './tabular.ts';
export { imageTensor, resizeRgba } from './image.ts';
export type { ImageDataLike } from './image.ts';
