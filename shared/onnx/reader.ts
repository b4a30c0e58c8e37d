// readOnnxMetadata: what the registry and the device need to know about an
// ONNX model (IR and opset versions, producer, inputs and outputs with types
// and shapes, metadata_props), read without loading the file: tensor data,
// node bodies and raw_data are skipped by offset. Field numbers are onnx.proto's
// (ModelProto, GraphProto, ValueInfoProto, TypeProto, TensorShapeProto,
// TensorProto, SparseTensorProto, OperatorSetIdProto, StringStringEntryProto).
//
// Protobuf itself accepts any prefix that ends on a field boundary, so a
// truncated upload could parse. The reader therefore also requires what every
// usable model has (ir_version, a graph, an opset import, a graph output), and
// that every length-delimited field lies wholly inside the file.

import { MessageParser } from './message-parser.ts';
import type { OnnxValueInfo } from './message-parser.ts';
import { InvalidOnnxError, WireReader } from './wire.ts';
import type { ByteSource } from './wire.ts';

export { InvalidOnnxError, blobSource, bytesSource } from './wire.ts';
export type { BlobLike, ByteSource } from './wire.ts';
export type { OnnxValueInfo } from './message-parser.ts';

export interface OnnxMetadata {
  irVersion: number;
  /** Version of the default ('' or 'ai.onnx') operator set; 0 when the model imports only other domains. */
  opset: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  /** Graph inputs the caller must feed: inputs that are also initializers (IR < 4 style) are left out. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Dense plus sparse initializers. */
  initializerCount: number;
  nodeCount: number;
  metadataProps: Record<string, string>;
}

export interface ReadOnnxOptions {
  /**
   * Memory budget for what the reader keeps (strings, names, list entries),
   * in bytes. Real models need kilobytes; the cap stops a crafted file of
   * millions of tiny fields from exhausting memory. Default 64 MiB.
   */
  maxMetadataBytes?: number;
  /** Read window, default 64 KiB. */
  chunkSize?: number;
}

interface Graph {
  name: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializerNames: Set<string>;
  initializerCount: number;
  nodeCount: number;
}

class Parser extends MessageParser {
  async model(): Promise<OnnxMetadata> {
    const end = this.r.size;
    const M = 'ModelProto';
    let irVersion: number | undefined;
    let graph: Graph | undefined;
    let producerName = '',
      producerVersion = '',
      domain = '',
      docString = '',
      modelVersion = 0;
    const opsets: { domain: string; version: number }[] = [];
    const props: [string, string][] = [];
    await this.each(end, M, async (t) => {
      switch (t.field) {
        case 1:
          irVersion = await this.int(t, end, `${M}.ir_version`);
          return true;
        case 2:
          producerName = await this.text(t, end, `${M}.producer_name`);
          return true;
        case 3:
          producerVersion = await this.text(t, end, `${M}.producer_version`);
          return true;
        case 4:
          domain = await this.text(t, end, `${M}.domain`);
          return true;
        case 5:
          modelVersion = await this.int(t, end, `${M}.model_version`);
          return true;
        case 6:
          docString = await this.text(t, end, `${M}.doc_string`);
          return true;
        case 7:
          if (graph) throw new InvalidOnnxError(`${M} has a second graph (field 7)`, t.offset);
          graph = await this.graph(await this.sub(t, end, `${M}.graph`));
          return true;
        case 8:
          opsets.push(await this.opset(await this.sub(t, end, `${M}.opset_import`)));
          return true;
        case 14:
          props.push(await this.entry(await this.sub(t, end, `${M}.metadata_props`)));
          return true;
        default:
          return false;
      }
    });
    const cut = 'not an ONNX model, or the file is cut short';
    if (irVersion === undefined) throw new InvalidOnnxError(`no ir_version (ModelProto field 1): ${cut}`);
    if (irVersion < 1) throw new InvalidOnnxError(`ir_version ${irVersion} is not a valid IR version`);
    if (!graph) throw new InvalidOnnxError(`no graph (ModelProto field 7): ${cut}`);
    if (opsets.length === 0) throw new InvalidOnnxError(`no opset_import (ModelProto field 8): ${cut}`);
    if (graph.outputs.length === 0) throw new InvalidOnnxError(`the graph declares no outputs: ${cut}`);
    const g = graph;
    const defaults = opsets.filter((o) => o.domain === '' || o.domain === 'ai.onnx').map((o) => o.version);
    return {
      irVersion,
      opset: defaults.length ? Math.max(...defaults) : 0,
      opsets,
      producerName,
      producerVersion,
      domain,
      modelVersion,
      docString,
      graphName: g.name,
      inputs: g.inputs.filter((i) => !g.initializerNames.has(i.name)),
      outputs: g.outputs,
      initializerCount: g.initializerCount,
      nodeCount: g.nodeCount,
      // fromEntries defines own properties, so a key like "__proto__" stays data.
      metadataProps: Object.fromEntries(props),
    };
  }

  private async opset(end: number): Promise<{ domain: string; version: number }> {
    const o = { domain: '', version: 0 };
    await this.each(end, 'OperatorSetIdProto', async (t) => {
      if (t.field === 1) o.domain = await this.text(t, end, 'OperatorSetIdProto.domain');
      else if (t.field === 2) o.version = await this.int(t, end, 'OperatorSetIdProto.version');
      else return false;
      return true;
    });
    return o;
  }

  private async entry(end: number): Promise<[string, string]> {
    let key = '',
      value = '';
    await this.each(end, 'StringStringEntryProto', async (t) => {
      if (t.field === 1) key = await this.text(t, end, 'StringStringEntryProto.key');
      else if (t.field === 2) value = await this.text(t, end, 'StringStringEntryProto.value');
      else return false;
      return true;
    });
    return [key, value];
  }

  private async graph(end: number): Promise<Graph> {
    const G = 'GraphProto';
    const g: Graph = {
      name: '',
      inputs: [],
      outputs: [],
      initializerNames: new Set(),
      initializerCount: 0,
      nodeCount: 0,
    };
    await this.each(end, G, async (t) => {
      switch (t.field) {
        case 1: // node: only counted; its body is skipped unread
          this.r.pos = await this.sub(t, end, `${G}.node`);
          g.nodeCount++;
          return true;
        case 2:
          g.name = await this.text(t, end, `${G}.name`);
          return true;
        case 5:
          g.initializerNames.add(await this.tensorName(await this.sub(t, end, `${G}.initializer`)));
          g.initializerCount++;
          return true;
        case 15:
          g.initializerNames.add(await this.sparseName(await this.sub(t, end, `${G}.sparse_initializer`)));
          g.initializerCount++;
          return true;
        case 11:
          g.inputs.push(await this.valueInfo(await this.sub(t, end, `${G}.input`)));
          return true;
        case 12:
          g.outputs.push(await this.valueInfo(await this.sub(t, end, `${G}.output`)));
          return true;
        default:
          return false;
      }
    });
    return g;
  }

  /** TensorProto.name (field 8); dims, data and raw_data are skipped by length. */
  private async tensorName(end: number): Promise<string> {
    let name = '';
    await this.each(end, 'TensorProto', async (t) => {
      if (t.field !== 8) return false;
      name = await this.text(t, end, 'TensorProto.name');
      return true;
    });
    return name;
  }

  private async sparseName(end: number): Promise<string> {
    let name = '';
    await this.each(end, 'SparseTensorProto', async (t) => {
      if (t.field !== 1) return false;
      name = await this.tensorName(await this.sub(t, end, 'SparseTensorProto.values'));
      return true;
    });
    return name;
  }
}

/** Leading bytes that say what a wrong upload is, for a friendlier error. */
function sniff(head: Uint8Array): string | undefined {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return 'the file is a ZIP archive; upload the .onnx file inside it';
  if (head.length > 0 && head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    return 'the file looks like text (JSON, CSV, …), not a binary ONNX protobuf';
  }
  return undefined;
}

/**
 * Reads an ONNX model's metadata from random-access bytes. Throws
 * InvalidOnnxError, naming the problem and its byte offset, for anything that
 * is not a complete ONNX model.
 */
export async function readOnnxMetadata(source: ByteSource, options: ReadOnnxOptions = {}): Promise<OnnxMetadata> {
  if (source.size === 0) throw new InvalidOnnxError('the file is empty');
  const reader = new WireReader(source, options.chunkSize);
  try {
    return await new Parser(reader, options.maxMetadataBytes ?? 64 * 1024 * 1024).model();
  } catch (e) {
    if (!(e instanceof InvalidOnnxError)) throw e;
    const hint = sniff(await source.read(0, Math.min(64, source.size)));
    if (!hint) throw e;
    throw new InvalidOnnxError(`${hint}; ${e.problem}`, e.offset);
  }
}
