/**
 * The environment boundaries are enforced, not just configured: ESLint rejects a Node import or a
 * DOM global in src-shared, a Node import in the renderer, and electron outside src-main/app.
 * Code is linted in memory under real file paths, so nothing is written to the source tree.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function boundaryViolations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? [])
    .filter(
      (message) =>
        message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-globals',
    )
    .map((message) => message.ruleId as string);
}

describe('environment boundaries', () => {
  it.each([
    [
      'src-shared/check-code.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    ],
    [
      'src-shared/check-code.ts',
      "import { createHash } from 'crypto';\nexport const hash = createHash;\n",
    ],
    [
      'src-shared/check-code.ts',
      "import Database from 'better-sqlite3';\nexport const db = Database;\n",
    ],
    ['src-shared/check-code.ts', 'export const here = window.location.href;\n'],
    ['src-shared/check-code.ts', 'export const bytes = Buffer.from([1]);\n'],
    [
      'src-renderer/check-presentation.ts',
      "import { join } from 'path';\nexport const joined = join('a');\n",
    ],
    [
      'src-renderer/check-presentation.ts',
      "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n",
    ],
    [
      'src-main/ledger/ledger-reader.ts',
      "import { app } from 'electron';\nexport const electronApp = app;\n",
    ],
  ])('%s rejects: %s', async (file, code) => {
    expect(await boundaryViolations(file, code)).not.toEqual([]);
  });

  it('allows electron in the app layer and Node in main', async () => {
    expect(
      await boundaryViolations(
        'src-main/app/main.ts',
        "import { app } from 'electron';\nexport const electronApp = app;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryViolations(
        'src-main/ledger/ledger-reader.ts',
        "import { join } from 'node:path';\nexport const joined = join('a');\n",
      ),
    ).toEqual([]);
  });
});
