/**
 * The report's canonical JSON and its digest. Canonical here means: object keys sorted by code
 * point, no whitespace, strings escaped as JSON.stringify escapes them, integers only (the model
 * has no fractions), UTF-8. The same report always gives the same bytes, so its SHA-256 can be
 * printed in the PDF's footer and checked later.
 *
 * The file form is an envelope `{"digest":"sha256:<hex>","report":{…}}` whose digest covers the
 * canonical bytes of `report` alone.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex } from '../crypto/hex';
import { narrativeReportSchema, type NarrativeReport } from './report-model';

function canonical(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new TypeError(`A report holds only integers, not ${value}.`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  throw new TypeError(`A report cannot hold a ${typeof value}.`);
}

export function canonicalReportJson(report: NarrativeReport): string {
  return canonical(report);
}

/** "sha256:<hex>" of the report's canonical UTF-8 bytes. */
export function reportDigest(report: NarrativeReport): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalReportJson(report))))}`;
}

/** The file form: the envelope, canonical, with a trailing newline. */
export function renderReportJson(report: NarrativeReport): string {
  return `${canonical({ digest: reportDigest(report), report })}\n`;
}

export type ReportEnvelopeCheck =
  | { readonly ok: true; readonly report: NarrativeReport; readonly digest: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads an envelope back and checks it: it must parse, match the model, and its digest must be
 * the digest of its report. A PASS proves the report is the one the digest names; it does not
 * prove the evidence still matches (re-verifying against the database does that).
 */
export function checkReportEnvelope(text: string): ReportEnvelopeCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the embedded report is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { ok: false, reason: 'the embedded report is not a JSON object' };
  const { digest, report } = parsed as { digest?: unknown; report?: unknown };
  const model = narrativeReportSchema.safeParse(report);
  if (!model.success)
    return {
      ok: false,
      reason: `the embedded report does not match the report model (${model.error.issues[0]?.message ?? 'invalid'})`,
    };
  const actual = reportDigest(model.data);
  if (digest !== actual)
    return {
      ok: false,
      reason: `the report's digest is ${String(digest)}, but its content hashes to ${actual}`,
    };
  return { ok: true, report: model.data, digest: actual };
}
