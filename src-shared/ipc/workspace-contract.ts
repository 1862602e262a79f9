/**
 * The workspace channels: what main has open, and the ways of opening something else. Files are
 * named to the renderer by opaque handles that main hands out (for recent files and the in-app
 * file chooser) and resolves itself; a path never comes from the renderer. A file dropped on the
 * window arrives as its bytes, not its path, and is opened as a private read-only copy.
 */
import { z } from 'zod';

/** An opaque name main gives a file or folder for this session: 128 random bits as hex. */
export const fileHandleSchema = z.string().regex(/^[0-9a-f]{32}$/, 'a file handle from main');

export const WORKSPACE_KINDS = ['demo', 'ledger', 'decision-store'] as const;
export const WORKSPACE_ORIGINS = ['demo', 'command-line', 'dialog', 'recent', 'drop'] as const;

export const workspaceSchema = z.object({
  kind: z.enum(WORKSPACE_KINDS),
  origin: z.enum(WORKSPACE_ORIGINS),
  /** The opened file's name (the demo: its ledger's). */
  title: z.string(),
  /** The ledger the Verification and Ledger views show; a decision store's bound ledger. */
  ledger: z.object({ fileName: z.string() }).nullable(),
  decisionStore: z
    .object({
      fileName: z.string(),
      /** Why approving and revoking are off for this store, or null when they are possible. */
      readOnlyReason: z.string().nullable(),
    })
    .nullable(),
  /** How Open… chooses a file: the system's dialog (the app) or the in-app chooser (the twin). */
  fileDialog: z.enum(['native', 'in-app']),
  recent: z.array(
    z.object({
      handle: fileHandleSchema,
      fileName: z.string(),
      /** The folder, for telling same-named files apart; display only. */
      folder: z.string(),
    }),
  ),
});

export const folderListingSchema = z.object({
  folder: z.object({ handle: fileHandleSchema, display: z.string() }),
  parent: fileHandleSchema.nullable(),
  entries: z.array(
    z.object({
      handle: fileHandleSchema,
      name: z.string(),
      kind: z.enum(['folder', 'file']),
      bytes: z.number().int().nullable(),
    }),
  ),
  /** Set when the folder has more entries than are listed. */
  truncated: z.boolean(),
});

/** A dropped file's chunk: 512 KiB of bytes is 683 KiB of base64, well inside the twin's 1 MiB body. */
export const DROP_CHUNK_BYTES = 512 * 1024;
/** Dropped files larger than this are refused: they are copied, and Open… reads in place. */
export const MAX_DROPPED_FILE_BYTES = 2 * 1024 * 1024 * 1024;

const receiptInput = z.object({ receiptId: fileHandleSchema }).strict();

export const WORKSPACE_CHANNELS = {
  /** What is open, and the recent files. */
  'workspace/describe': { input: z.object({}).strict(), output: workspaceSchema },
  /** Main shows the system's Open dialog and opens the choice; not available in the twin. */
  'workspace/open-dialog': {
    input: z.object({}).strict(),
    output: z.object({ opened: z.boolean(), workspace: workspaceSchema }),
  },
  /** A folder for the in-app chooser: its home folder, or the one a handle names. */
  'workspace/browse': {
    input: z.object({ folder: fileHandleSchema.optional() }).strict(),
    output: folderListingSchema,
  },
  /** Opens a file by a handle from the recent list or the chooser. */
  'workspace/open': {
    input: z.object({ handle: fileHandleSchema }).strict(),
    output: workspaceSchema,
  },
  /** Starts receiving a dropped file's bytes. */
  'workspace/drop-begin': {
    input: z
      .object({
        fileName: z.string().min(1).max(255),
        bytes: z.number().int().min(0).max(MAX_DROPPED_FILE_BYTES),
      })
      .strict(),
    output: z.object({ receiptId: fileHandleSchema }),
  },
  /** The next chunk, in order; `offset` must equal the bytes received so far. */
  'workspace/drop-chunk': {
    input: receiptInput
      .extend({
        offset: z.number().int().min(0),
        base64: z
          .string()
          .max(Math.ceil(DROP_CHUNK_BYTES / 3) * 4)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
      })
      .strict(),
    output: z.object({ bytesReceived: z.number().int() }),
  },
  /** Opens the received copy once every byte has arrived. */
  'workspace/drop-open': { input: receiptInput, output: workspaceSchema },
  /** Discards a partly received file. */
  'workspace/drop-abort': { input: receiptInput, output: z.object({ aborted: z.boolean() }) },
} as const;

export const WORKSPACE_EVENTS = {
  /** Main opened something without being asked by the page (the File menu, Open Recent). */
  'workspace/changed': workspaceSchema,
} as const;
