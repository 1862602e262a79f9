/**
 * What main has open, the same for the app and `proofdesk serve`: the bundled demo, a nexuscone
 * ledger, or a nexus-attest decision store (with its bound ledger, when there is one). Opening
 * something else swaps the whole set of session handlers, so a channel always answers for the
 * file named in 'workspace/describe' and never for the one before.
 *
 * Paths come only from main's side: the command line, the system's Open dialog, the OS's
 * recent-documents menu, or a handle main gave out. A dropped file arrives as bytes and is opened
 * as a private copy (dropped-files.ts), with approvals off because they would change only the copy.
 */
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, parse } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { ChannelOutput } from '../../src-shared/ipc/ipc-contract';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import type { Keyring } from '../../src-shared/keyring';
import { createDemoHandlers, demoDecisionSession, demoLedgerSession } from '../demo/demo-workspace';
import { defaultLedgerPathFor, type OfficerSigner } from '../decisions/decision-operations';
import { AnchoringService } from '../anchoring/anchoring-service';
import { createAnchorHandlers } from '../ipc/anchor-handlers';
import {
  createReportHandlers,
  type ReportFormat,
  type ReportSessionOptions,
} from '../ipc/report-handlers';
import { createDecisionHandlers } from '../ipc/decision-handlers';
import { createLedgerHandlers, type ChannelHandlers, type Handlers } from '../ipc/ipc-handlers';
import { closeAllLedgerBrowsers } from '../ledger/ledger-browser';
import { checkSqliteFile } from '../sqlite/evidence-database';
import { DroppedFiles } from './dropped-files';
import { detectEvidenceKind } from './evidence-kind';
import { FileHandles } from './file-handles';
import { RecentFiles } from './recent-files';

export type WorkspaceDescription = ChannelOutput<'workspace/describe'>;
type Origin = WorkspaceDescription['origin'];
type WorkspaceChannel = Extract<keyof Handlers, `workspace/${string}`>;

/** The trust material in force now (Settings, or the command line), read at each open. */
export interface WorkspaceTrust {
  /** Trusted signers: ledger entry keys and officer approval keys. */
  readonly keyring: Keyring | null;
  /** Who approvals are signed as; null: viewing only. */
  readonly officer: OfficerSigner | null;
  /** TSA roots and block headers for the anchors' proofs; absent: not checked. */
  readonly anchorProofs?: AnchorProofTrust;
}

export interface WorkspaceOptions {
  readonly resourcesDemoDir: string;
  readonly stateDir: string;
  readonly trust: () => WorkspaceTrust;
  /** The system's Open dialog (the app). Without it Open… uses the in-app chooser (the twin). */
  readonly chooseFile?: () => Promise<string | null>;
  /** Told of each file opened in place: the app adds it to the OS's recent documents. */
  readonly onOpenedInPlace?: (path: string) => void;
  /** Where the in-app chooser starts when nothing in place is open; default: the home folder. */
  readonly browseHome?: string;
  /** Main's anchoring (worker, schedule, state); one is made when none is given. */
  readonly anchoring?: AnchoringService;
  /** The system's Save dialog for report exports (the app); absent in the twin. */
  readonly chooseSavePath?: (suggestedName: string, format: ReportFormat) => Promise<string | null>;
  /** Named in reports as the generator's version. */
  readonly generatorVersion?: string;
}

/** The most entries the in-app chooser lists for one folder. */
export const MAX_FOLDER_ENTRIES = 1000;

interface Session {
  readonly description: Omit<WorkspaceDescription, 'recent' | 'fileDialog'>;
  /** The file opened in place, or null (the demo, a dropped copy). */
  readonly pathInPlace: string | null;
  /** The private copy of a dropped file this session reads, removed once it is replaced. */
  readonly droppedCopy: string | null;
  /** The ledger the anchoring schedule may write to, or null (demo, dropped copy, none). */
  readonly anchorableLedger: string | null;
  readonly handlers: Partial<Handlers>;
  /** The same file opened again, with the trust in force now. */
  readonly reopen: () => Session;
}

const DEMO_ANCHOR_REASON =
  "The demo's ledger ships with Proofdesk and is never changed; open a ledger of your own to anchor it.";
const DROPPED_ANCHOR_REASON =
  'This is a copy of the file you dropped, so an anchor would be written only to the copy; open the ledger with Open… to anchor it.';
const DROPPED_COPY_REASON =
  'This is a copy of the file you dropped, so an approval would change only the copy; open the store with Open… to approve.';

export class Workspace {
  private session: Session;
  /** Shared with Settings, so a keyring chosen in the in-app chooser is named the same way. */
  readonly handles = new FileHandles();
  private readonly recent: RecentFiles;
  private readonly dropped = new DroppedFiles();
  readonly anchoring: AnchoringService;

  constructor(
    private readonly options: WorkspaceOptions,
    initialPath?: string,
  ) {
    this.recent = new RecentFiles(options.stateDir);
    this.anchoring = options.anchoring ?? new AnchoringService(options.stateDir);
    this.session =
      initialPath === undefined
        ? this.demoSession()
        : this.sessionFor(checkSqliteFile(initialPath).path, 'command-line');
    if (this.session.pathInPlace !== null) this.rememberInPlace(this.session.pathInPlace);
  }

  /** The channels the window may call now: the workspace's and the open session's. */
  handlers(): Partial<Handlers> {
    return { ...this.session.handlers, ...this.workspaceHandlers() };
  }

  describe(): WorkspaceDescription {
    return {
      ...this.session.description,
      fileDialog: this.options.chooseFile === undefined ? 'in-app' : 'native',
      recent: this.recent.list().map((path) => ({
        handle: this.handles.handleFor(path),
        fileName: basename(path),
        folder: dirname(path),
      })),
    };
  }

  /** The recent files, newest first, for the app's Open Recent menu. */
  recentPaths(): string[] {
    return this.recent.list();
  }

  /**
   * Opens `path` in place of what is open. A file that cannot be opened leaves the current
   * session as it was; the error says why in one sentence.
   */
  async open(
    path: string,
    origin: Exclude<Origin, 'demo' | 'drop'>,
  ): Promise<WorkspaceDescription> {
    const next = this.sessionFor(checkSqliteFile(path).path, origin);
    await this.replaceSession(next);
    this.rememberInPlace(next.pathInPlace as string);
    return this.describe();
  }

  /**
   * Opens the same file again after trust changed (Settings), so the next verification or
   * approval uses the new keys. A file gone since leaves the session as it was.
   */
  async refresh(): Promise<void> {
    await this.replaceSession(this.session.reopen());
  }

  /** The open ledger the anchoring schedule looks at, or null when nothing may be anchored. */
  anchoringTarget(): string | null {
    return this.session.anchorableLedger;
  }

  /** Stops what runs and removes dropped copies (app quit, serve stopping). */
  async close(): Promise<void> {
    await this.session.handlers['ledger/cancel-verify']?.({}, () => {});
    this.anchoring.stop();
    closeAllLedgerBrowsers();
    this.dropped.removeAll();
  }

  private rememberInPlace(path: string): void {
    this.recent.remember(path);
    this.options.onOpenedInPlace?.(path);
  }

  private async replaceSession(next: Session): Promise<void> {
    const previous = this.session;
    // A verification of the previous file would otherwise go on reporting progress for it.
    await previous.handlers['ledger/cancel-verify']?.({}, () => {});
    closeAllLedgerBrowsers();
    this.session = next;
    this.dropped.release(next.droppedCopy);
  }

  private demoSession(): Session {
    const { resourcesDemoDir, stateDir } = this.options;
    const demo = demoLedgerSession(resourcesDemoDir);
    const demoDecisions = demoDecisionSession(resourcesDemoDir, join(stateDir, 'demo'));
    const { keyring, anchorProofs } = this.options.trust();
    return {
      reopen: () => this.demoSession(),
      description: {
        kind: 'demo',
        origin: 'demo',
        title: basename(demo.ledgerPath),
        ledger: { fileName: basename(demo.ledgerPath) },
        decisionStore: { fileName: 'demo decisions', readOnlyReason: null },
      },
      pathInPlace: null,
      droppedCopy: null,
      anchorableLedger: null,
      handlers: {
        ...this.anchorHandlers(demo.ledgerPath, DEMO_ANCHOR_REASON),
        ...this.reportHandlers(demo.ledgerPath, demoDecisions.storePath, () => ({
          keyring: new Map([
            ...demo.keyring,
            ...(demoDecisions.trustedSigners ?? []),
            ...(keyring ?? []),
          ]),
          anchorProofs,
        })),
        // The demo's own signers stay trusted beside the user's, or its signatures could not pass.
        ...createDemoHandlers({
          resourcesDemoDir,
          stateDir,
          keyring: new Map([...demo.keyring, ...(keyring ?? [])]),
          anchorProofs,
        }),
      },
    };
  }

  /** Handlers for a file, by what it is; `path` is resolved and known to be SQLite. */
  private sessionFor(
    path: string,
    origin: Exclude<Origin, 'demo'>,
    title = basename(path),
  ): Session {
    const kind = detectEvidenceKind(path);
    const { keyring, officer, anchorProofs } = this.options.trust();
    const { stateDir } = this.options;
    const inPlace = origin !== 'drop';
    const reopen = (): Session => this.sessionFor(path, origin, title);
    if (kind === 'ledger') {
      return {
        reopen,
        description: {
          kind,
          origin,
          title,
          ledger: { fileName: title },
          decisionStore: null,
        },
        pathInPlace: inPlace ? path : null,
        droppedCopy: inPlace ? null : path,
        anchorableLedger: inPlace ? path : null,
        handlers: {
          ...this.anchorHandlers(path, inPlace ? null : DROPPED_ANCHOR_REASON),
          ...this.reportHandlers(path, null, this.options.trust),
          ...createLedgerHandlers({
            ledgerPath: path,
            keyring,
            stateDir,
            trustedHeads: inPlace,
            anchorProofs,
          }),
        },
      };
    }
    const boundLedger = defaultLedgerPathFor(path);
    const hasLedger = existsSync(boundLedger);
    const readOnlyReason = !inPlace
      ? DROPPED_COPY_REASON
      : officer === null
        ? 'No officer key is set up, so approvals cannot be signed; add one in Settings.'
        : null;
    return {
      reopen,
      description: {
        kind,
        origin,
        title,
        ledger: hasLedger ? { fileName: basename(boundLedger) } : null,
        decisionStore: { fileName: title, readOnlyReason },
      },
      pathInPlace: inPlace ? path : null,
      droppedCopy: inPlace ? null : path,
      anchorableLedger: inPlace && hasLedger ? boundLedger : null,
      handlers: {
        ...(hasLedger
          ? this.anchorHandlers(boundLedger, inPlace ? null : DROPPED_ANCHOR_REASON)
          : {}),
        ...this.reportHandlers(hasLedger ? boundLedger : null, path, this.options.trust),
        ...(hasLedger
          ? createLedgerHandlers({
              ledgerPath: boundLedger,
              keyring,
              stateDir,
              trustedHeads: inPlace,
              anchorProofs,
            })
          : {}),
        ...createDecisionHandlers({
          storePath: path,
          ledgerPath: boundLedger,
          trustedSigners: keyring,
          officer: inPlace ? officer : null,
          noOfficerReason: inPlace ? undefined : DROPPED_COPY_REASON,
        }),
      },
    };
  }

  private reportHandlers(
    ledgerPath: string | null,
    storePath: string | null,
    trust: ReportSessionOptions['trust'],
  ) {
    return createReportHandlers({
      ledgerPath,
      storePath,
      trust,
      handles: this.handles,
      chooseSavePath: this.options.chooseSavePath,
      generatorVersion: this.options.generatorVersion ?? 'unknown',
    });
  }

  private anchorHandlers(ledgerPath: string, unavailableReason: string | null) {
    return createAnchorHandlers({ ledgerPath, unavailableReason, service: this.anchoring });
  }

  private listFolder(folder: string): ChannelOutput<'workspace/browse'> {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new ProofdeskError(
        code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        code === 'ENOENT'
          ? `The folder ${folder} no longer exists.`
          : `The folder ${folder} cannot be read.`,
      );
    }
    const listed = entries
      // Hidden entries are mostly tool state; a ledger is rarely kept in one.
      .filter((entry) => !entry.name.startsWith('.'))
      .flatMap((entry) => {
        const path = join(folder, entry.name);
        let isFolder = entry.isDirectory();
        let bytes: number | null = null;
        if (entry.isSymbolicLink() || entry.isFile()) {
          try {
            const stats = statSync(path);
            isFolder = stats.isDirectory();
            if (!isFolder && !stats.isFile()) return [];
            bytes = isFolder ? null : stats.size;
          } catch {
            return [];
          }
        } else if (!isFolder) {
          return [];
        }
        return [
          {
            path,
            name: entry.name,
            kind: isFolder ? ('folder' as const) : ('file' as const),
            bytes,
          },
        ];
      })
      .sort((a, b) =>
        a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1,
      );
    const parent = dirname(folder);
    return {
      folder: { handle: this.handles.handleFor(folder), display: folder },
      parent:
        parent === folder || folder === parse(folder).root ? null : this.handles.handleFor(parent),
      entries: listed.slice(0, MAX_FOLDER_ENTRIES).map(({ path, name, kind, bytes }) => ({
        handle: this.handles.handleFor(path),
        name,
        kind,
        bytes,
      })),
      truncated: listed.length > MAX_FOLDER_ENTRIES,
    };
  }

  private browseStart(): string {
    if (this.session.pathInPlace !== null) return dirname(this.session.pathInPlace);
    return this.options.browseHome ?? homedir();
  }

  private workspaceHandlers(): ChannelHandlers<WorkspaceChannel> {
    return {
      'workspace/describe': () => Promise.resolve(this.describe()),
      'workspace/open-dialog': async () => {
        const { chooseFile } = this.options;
        if (chooseFile === undefined) {
          throw new ProofdeskError(
            'USAGE',
            'This window has no system Open dialog; choose the file in Proofdesk’s own list instead.',
          );
        }
        const chosen = await chooseFile();
        if (chosen === null) return { opened: false, workspace: this.describe() };
        return { opened: true, workspace: await this.open(chosen, 'dialog') };
      },
      'workspace/browse': ({ folder }) =>
        Promise.resolve(
          this.listFolder(folder === undefined ? this.browseStart() : this.handles.resolve(folder)),
        ),
      'workspace/open': async ({ handle }) => {
        const path = this.handles.resolve(handle);
        const origin = this.recent.list().includes(path) ? 'recent' : 'dialog';
        return this.open(path, origin);
      },
      'workspace/drop-begin': ({ fileName, bytes }) =>
        Promise.resolve({ receiptId: this.dropped.begin(fileName, bytes) }),
      'workspace/drop-chunk': ({ receiptId, offset, base64 }) =>
        Promise.resolve({ bytesReceived: this.dropped.write(receiptId, offset, base64) }),
      'workspace/drop-open': async ({ receiptId }) => {
        const copy = this.dropped.finish(receiptId);
        let next: Session;
        try {
          next = this.sessionFor(checkSqliteFile(copy.path).path, 'drop', copy.fileName);
        } catch (error) {
          this.dropped.release(this.session.droppedCopy);
          throw withDroppedName(error, copy);
        }
        await this.replaceSession(next);
        return this.describe();
      },
      'workspace/drop-abort': ({ receiptId }) =>
        Promise.resolve({ aborted: this.dropped.abort(receiptId) }),
    };
  }
}

/** Errors about the private copy name the file the user dropped, not the copy's temporary path. */
function withDroppedName(error: unknown, copy: { path: string; fileName: string }): unknown {
  if (!(error instanceof ProofdeskError)) return error;
  return new ProofdeskError(error.code, error.message.split(copy.path).join(copy.fileName));
}
