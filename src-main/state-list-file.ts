/**
 * A small list of strings kept in the state directory as `{format, version: 1, <field>: [...]}`
 * (recent files, trusted keyrings). A missing or damaged file reads as an empty list, since these
 * are conveniences a user can rebuild, and a write replaces the file whole, so a crash leaves the
 * previous list rather than half of one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class StateListFile {
  private readonly file: string;

  constructor(
    private readonly stateDir: string,
    fileName: string,
    private readonly format: string,
    private readonly field: string,
  ) {
    this.file = join(stateDir, fileName);
  }

  read(): string[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    if (typeof parsed !== 'object' || parsed === null) return [];
    const record = parsed as Record<string, unknown>;
    const items = record[this.field];
    if (record['format'] !== this.format || !Array.isArray(items)) return [];
    return items.filter((item): item is string => typeof item === 'string');
  }

  write(items: readonly string[]): void {
    mkdirSync(this.stateDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const body = { format: this.format, version: 1, [this.field]: items };
    writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
