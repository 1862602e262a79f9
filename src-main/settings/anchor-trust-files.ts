/**
 * The anchor trust material Settings keeps: PEM files of TSA trust roots, and one file of Bitcoin
 * block headers (src-shared/anchors/block-headers.ts describes its format). Paths are kept in the
 * state directory and the files are read at each verification, so a file replaced since is used
 * as it now is, and one gone is reported instead of silently trusted.
 */
import { readFileSync } from 'node:fs';
import { blockHeaderSourceOf, parseBlockHeadersFile } from '../../src-shared/anchors/block-headers';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { parsePemCertificates } from '../../src-shared/anchors/pem';
import { ProofdeskError } from '../../src-shared/check-code';
import { StateListFile } from '../state-list-file';

export interface TrustFileStatus<T> {
  readonly path: string;
  readonly value: T | null;
  readonly problem: string | null;
}

function readTrustFile<T>(path: string, parse: (text: string) => T): TrustFileStatus<T> {
  try {
    return { path, value: parse(readFileSync(path, 'utf8')), problem: null };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem =
      code === 'ENOENT'
        ? `There is no file at ${path}.`
        : error instanceof Error
          ? error.message
          : String(error);
    return { path, value: null, problem };
  }
}

const parseRoots = (path: string) => (text: string) => parsePemCertificates(text, path);

export class AnchorTrustFiles {
  private readonly roots: StateListFile;
  private readonly headers: StateListFile;

  constructor(stateDir: string) {
    this.roots = new StateListFile(stateDir, 'tsa-roots.json', 'proofdesk-tsa-roots', 'paths');
    this.headers = new StateListFile(
      stateDir,
      'block-headers.json',
      'proofdesk-block-headers',
      'paths',
    );
  }

  tsaRoots(): TrustFileStatus<Uint8Array[]>[] {
    return this.roots.read().map((path) => readTrustFile(path, parseRoots(path)));
  }

  blockHeaders(): TrustFileStatus<Map<number, Uint8Array>> | null {
    const [path] = this.headers.read();
    return path === undefined ? null : readTrustFile(path, parseBlockHeadersFile);
  }

  addTsaRoots(path: string): void {
    const status = readTrustFile(path, parseRoots(path));
    if (status.problem !== null) throw new ProofdeskError('USAGE', status.problem);
    const paths = this.roots.read();
    if (paths.includes(path))
      throw new ProofdeskError('USAGE', 'Those TSA roots are already trusted.');
    this.roots.write([...paths, path]);
  }

  removeTsaRoots(path: string): void {
    this.roots.write(this.roots.read().filter((known) => known !== path));
  }

  setBlockHeaders(path: string | null): void {
    if (path !== null) {
      const status = readTrustFile(path, parseBlockHeadersFile);
      if (status.problem !== null) throw new ProofdeskError('USAGE', status.problem);
    }
    this.headers.write(path === null ? [] : [path]);
  }

  /** The app checks every anchor proof; missing trust material is a stated SKIP, never a PASS. */
  proofTrust(): AnchorProofTrust {
    const roots = this.tsaRoots().flatMap((file) => file.value ?? []);
    const headers = this.blockHeaders()?.value ?? null;
    return {
      tsa: { roots: roots.length === 0 ? null : roots },
      ots: { headers: headers === null ? null : blockHeaderSourceOf(headers) },
    };
  }
}
