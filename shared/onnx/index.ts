// ONNX model metadata, read without loading the model (browser and Node).
// The writer (build.ts) is not re-exported here: it pulls in onnx-proto and
// protobufjs (~250 KB), which only the code that writes models should pay for.

export { readOnnxMetadata, InvalidOnnxError, bytesSource, blobSource } from './reader.ts';
export type { OnnxMetadata, OnnxValueInfo, ReadOnnxOptions, ByteSource, BlobLike } from './reader.ts';
export { elemTypeName, elemTypeCode, ELEM_TYPE_NAMES } from './types.ts';
