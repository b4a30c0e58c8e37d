// The model store's refusals. Each carries what a caller needs to act on it (show it to an
// operator, report it through sync) without parsing the message.

/** The bytes do not hash to the expected sha256 (a corrupted or tampered download). Nothing was kept. */
export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
  constructor(
    readonly model: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${model}: sha256 mismatch, expected ${expected} but the bytes hash to ${actual} (corrupted download?); nothing was stored`,
    );
  }
}

/** Figures behind a quota decision, in bytes. `undefined` where the browser would not say. */
export interface QuotaFigures {
  needed: number;
  usage: number | undefined;
  quota: number | undefined;
  /** What the store keeps free on top of the model (see `defaultSafetyMargin`). */
  margin: number | undefined;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The model would not fit (with its safety margin), or IndexedDB refused it for lack of space.
 * Refusing early beats letting the browser evict the origin, which would also wipe logs and sync
 * state. Nothing was kept.
 */
export class ModelQuotaError extends Error {
  override name = 'ModelQuotaError';
  readonly needed: number;
  readonly usage: number | undefined;
  readonly quota: number | undefined;
  readonly margin: number | undefined;
  constructor(model: string, figures: QuotaFigures, options?: { cause?: unknown }) {
    const { needed, usage, quota, margin } = figures;
    const room =
      usage !== undefined && quota !== undefined
        ? `${mb(Math.max(0, quota - usage))} free of ${mb(quota)} quota`
        : 'the browser reports no quota figures';
    const keep = margin ? ` plus a ${mb(margin)} safety margin` : '';
    const refused = options?.cause ? '; IndexedDB refused the write (QuotaExceededError)' : '';
    super(`${model}: model needs ${mb(needed)}${keep}, ${room}${refused}; nothing was stored`, options);
    this.needed = needed;
    this.usage = usage;
    this.quota = quota;
    this.margin = margin;
  }
}

/** No such version on the device (only from calls that cannot answer `undefined`). */
export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
  constructor(message: string) {
    super(message);
  }
}

/** A request the store's invariants forbid: removing the active or previous version, a changed version, no rollback target. */
export class ModelStateError extends Error {
  override name = 'ModelStateError';
  constructor(message: string) {
    super(message);
  }
}

/** True for the error browsers raise when a write would exceed the origin's quota. */
export function isQuotaExceeded(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  // Legacy code 22 is QUOTA_EXCEEDED_ERR; Firefox once used its own name for the same thing.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}
