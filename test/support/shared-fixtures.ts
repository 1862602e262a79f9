/**
 * Locates the shared fixtures (`../shared/fixtures` next to the repo checkout) for tests that
 * compare against bytes captured from the real Python tools.
 *
 * A developer without the fixtures still gets a green run of everything else (with a warning),
 * but CI must never pass by silently skipping the only tests that prove byte-for-byte
 * compatibility, so under CI=true a missing folder is a test failure.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWhenAvailable, itWhenAvailable } from './requirements';

/** Absolute path of the shared fixtures folder, without a trailing separator. */
export const sharedFixturesDir: string = fileURLToPath(
  new URL('../../../shared/fixtures', import.meta.url),
);

/** Whether the shared fixtures folder exists (checked once, when this module loads). */
export const sharedFixturesAvailable: boolean =
  existsSync(sharedFixturesDir) && statSync(sharedFixturesDir).isDirectory();

/** Absolute path of a file or folder inside the shared fixtures. */
export function sharedFixturePath(...segments: string[]): string {
  return join(sharedFixturesDir, ...segments);
}

/** `describe` when the shared fixtures exist; see describeWhenAvailable. */
export function describeWithFixtures(name: string, fn: () => void): void {
  describeWhenAvailable(
    name,
    sharedFixturesAvailable
      ? null
      : `the shared fixtures folder is missing: expected it at ${sharedFixturesDir} (../shared/fixtures next to the repo)`,
    fn,
  );
}

/** `it` for a test that reads the shared fixtures; see itWhenAvailable. */
export const itWithFixtures = itWhenAvailable(sharedFixturesAvailable);
