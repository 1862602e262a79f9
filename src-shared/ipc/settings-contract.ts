/**
 * The settings channels: the officer this installation signs approvals as (its key kept by main,
 * encrypted by the operating system's key store), and the keyrings of trusted signers that
 * ledger verification and approval checks use. Files are chosen as everywhere else: by main's
 * dialog in the app, or by a handle from the in-app chooser in the twin.
 */
import { z } from 'zod';
import { fileHandleSchema } from './workspace-contract';

export const settingsSchema = z.object({
  officer: z
    .object({
      keyId: z.string(),
      publicKeyHex: z.string(),
      /** Where the key lives: the OS key store (the app) or a key file named when serve started. */
      source: z.enum(['key-store', 'command-line']),
    })
    .nullable(),
  /** Why the stored officer key cannot be used (say, the key store refuses to decrypt it). */
  officerProblem: z.string().nullable(),
  /** Whether officer keys can be created, imported or removed here, and if not, why. */
  officerKeyChanges: z.object({ allowed: z.boolean(), reason: z.string().nullable() }),
  keyrings: z.array(
    z.object({
      handle: fileHandleSchema,
      fileName: z.string(),
      folder: z.string(),
      keyIds: z.array(z.string()),
      /** Set when the file can no longer be read or parsed; its keys are then not trusted. */
      problem: z.string().nullable(),
      /** A keyring given on the command line cannot be removed here. */
      removable: z.boolean(),
    }),
  ),
  /** PEM files of TSA trust roots, against which RFC 3161 signers are checked. */
  tsaRoots: z.array(
    z.object({
      handle: fileHandleSchema,
      fileName: z.string(),
      folder: z.string(),
      certificates: z.number().int(),
      problem: z.string().nullable(),
    }),
  ),
  /** The Bitcoin block headers OpenTimestamps confirmations are checked against. */
  blockHeaders: z
    .object({
      handle: fileHandleSchema,
      fileName: z.string(),
      folder: z.string(),
      heights: z.number().int(),
      problem: z.string().nullable(),
    })
    .nullable(),
  fileDialog: z.enum(['native', 'in-app']),
});

const noInput = z.object({}).strict();
/** A file to use: chosen in the in-app chooser (a handle), or, without one, in main's dialog. */
const chosenFileInput = z.object({ handle: fileHandleSchema.optional() }).strict();
const changeOutput = z.object({ changed: z.boolean(), settings: settingsSchema });

export const SETTINGS_CHANNELS = {
  'settings/describe': { input: noInput, output: settingsSchema },
  /** A new Ed25519 key, made in main and stored encrypted; refused while one exists. */
  'settings/create-officer-key': {
    input: z.object({ keyId: z.string().min(1).max(128) }).strict(),
    output: settingsSchema,
  },
  /** Stores a key file written by `proofdesk keygen` as the officer key. */
  'settings/import-officer-key': {
    input: chosenFileInput.extend({ passphrase: z.string().max(1024).optional() }).strict(),
    output: changeOutput,
  },
  'settings/remove-officer-key': { input: noInput, output: settingsSchema },
  /** Trusts the keys of a keyring file (`{key id: public key hex}`). */
  'settings/add-keyring': { input: chosenFileInput, output: changeOutput },
  'settings/remove-keyring': {
    input: z.object({ handle: fileHandleSchema }).strict(),
    output: settingsSchema,
  },
  /** Trusts the CA certificates in a PEM file as roots for TSA signers. */
  'settings/add-tsa-roots': { input: chosenFileInput, output: changeOutput },
  'settings/remove-tsa-roots': {
    input: z.object({ handle: fileHandleSchema }).strict(),
    output: settingsSchema,
  },
  /** Uses a file of block headers for OpenTimestamps confirmations, replacing any before. */
  'settings/set-block-headers': { input: chosenFileInput, output: changeOutput },
  'settings/clear-block-headers': { input: noInput, output: settingsSchema },
} as const;
