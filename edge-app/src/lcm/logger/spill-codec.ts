import { fromBase64, toBase64 } from '../../../../shared/documents/base64.ts';
import type { LogSegment } from './segment.ts';

/**
 * Log segments as a string for localStorage (typed arrays as base64 of their bytes, so NaN and
 * exact doubles survive), and back.
 */
const TYPED = { Float64Array, Int32Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

export function encodeSegments(segments: readonly LogSegment[]): string {
  return JSON.stringify(segments, (_key, value: unknown) => {
    for (const name of Object.keys(TYPED) as TypedName[]) {
      if (value instanceof TYPED[name])
        return { $typed: name, b64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    }
    return value;
  });
}

export function decodeSegments(text: string): LogSegment[] {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$typed' in value && 'b64' in value) {
      const { $typed, b64 } = value as { $typed: TypedName; b64: string };
      const bytes = fromBase64(b64);
      return new TYPED[$typed](
        bytes.buffer as ArrayBuffer,
        bytes.byteOffset,
        bytes.byteLength / TYPED[$typed].BYTES_PER_ELEMENT,
      );
    }
    return value;
  }) as LogSegment[];
}
