// Sorting helpers. Float64Array#sort is a numeric sort (no string compare,
// NaN last), which is both faster than Array#sort and the order NumPy uses.

/** A sorted Float64Array copy of the input (input is left untouched). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>).sort();
}

export function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

/** Number of elements <= x in a sorted array (NumPy searchsorted side='right'). */
export function countLessOrEqual(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements < x in a sorted array (NumPy searchsorted side='left'). */
export function countLess(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
