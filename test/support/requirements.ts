/**
 * Tests that need something outside the repository (the shared fixtures, Chromium, openssl,
 * poppler-utils). A developer without it gets a green run of everything else, with a warning;
 * CI must never pass by skipping them, so under CI=true a missing requirement is a failure.
 */
import { describe, it } from 'vitest';

const inCi = (): boolean => process.env.CI === 'true';

/**
 * `describe` when `missing` is null. Otherwise `fn` is never called, because vitest runs the body
 * of a skipped suite to collect it and bodies often touch what is missing: under CI=true one
 * failing test states `missing`, elsewhere the suite is skipped with a console warning.
 */
export function describeWhenAvailable(name: string, missing: string | null, fn: () => void): void {
  if (missing === null) {
    describe(name, fn);
  } else if (inCi()) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`CI requires it, but ${missing}.`);
      });
    });
  } else {
    console.warn(`Skipping "${name}": ${missing}.`);
    describe.skip(name, () => it('needs what is missing', () => {}));
  }
}

/** `it` when available, and under CI=true (where the test then fails); `it.skip` elsewhere. */
export function itWhenAvailable(available: boolean): typeof it | typeof it.skip {
  return available || inCi() ? it : it.skip;
}
