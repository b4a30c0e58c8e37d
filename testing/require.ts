/**
 * Tests never skip silently. When something a suite needs is missing, with CI=true the suite fails
 * saying what is missing and how to get it; otherwise it is skipped and says so in one visible line.
 */
export const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

export class MissingRequirement extends Error {
  constructor(what: string, fix: string) {
    super(`${what} is missing: ${fix}`);
    this.name = 'MissingRequirement';
  }
}

/** Returns false (after one visible line) when the suite should be skipped; throws under CI. */
export function requirement(available: boolean, what: string, fix: string): boolean {
  if (available) return true;
  if (isCI) throw new MissingRequirement(what, fix);
  process.stderr.write(`\n### SKIPPED: ${what} is missing (${fix})\n`);
  return false;
}
