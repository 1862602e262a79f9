/**
 * Readers for ../shared/fixtures/nexus-attest: the manifest, fixture JSON parsed losslessly, and the
 * decision events of decisions.db (opened through openEvidenceDatabase, so nothing is written
 * beside the shared fixtures).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { openEvidenceDatabase } from '../../src-main/sqlite/evidence-database';
import {
  parsePythonJson,
  type PyJsonObject,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import {
  canonicalAttestJson,
  eventFromRow,
  type DecisionEventRow,
  type StoredDecisionEvent,
} from '../../src-shared/decisions/decision-event';
import type { FindingCode } from '../../src-shared/check-code';
import type { DecisionCheckResult } from '../../src-shared/decisions/decision-bundle';
import { sharedFixturePath, sharedFixturesAvailable } from './shared-fixtures';

export const nexusAttestPath = (...segments: string[]): string =>
  sharedFixturePath('nexus-attest', ...segments);

export interface NexusAttestManifestFile {
  readonly path: string;
  readonly kind: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly description: string;
  readonly decision_id?: string;
  readonly expected?: Record<string, unknown>;
}

export interface NexusAttestManifest {
  readonly files: readonly NexusAttestManifestFile[];
}

let manifestCache: NexusAttestManifest | undefined;

export function readNexusAttestManifest(): NexusAttestManifest {
  if (!sharedFixturesAvailable) return { files: [] };
  manifestCache ??= JSON.parse(
    readFileSync(nexusAttestPath('manifest.json'), 'utf8'),
  ) as NexusAttestManifest;
  return manifestCache;
}

export function manifestFiles(kind: string): NexusAttestManifestFile[] {
  return readNexusAttestManifest().files.filter((file) => file.kind === kind);
}

export function manifestEntry(path: string): NexusAttestManifestFile {
  const entry = readNexusAttestManifest().files.find((file) => file.path === path);
  if (entry === undefined) throw new Error(`manifest.json has no entry for ${path}`);
  return entry;
}

/** A fixture JSON file parsed losslessly (the files on disk are pretty-printed). */
export function readFixtureJson(path: string): PyJsonValue {
  return parsePythonJson(readFileSync(nexusAttestPath(path), 'utf8'));
}

export function readFixtureObject(path: string): PyJsonObject {
  const value = readFixtureJson(path);
  if (!(value instanceof Map)) throw new Error(`${path} is not a JSON object`);
  return value;
}

/** Fixture file names under a folder, sorted. */
export function fixtureFilesIn(folder: string, suffix: string): string[] {
  if (!sharedFixturesAvailable) return [];
  return readdirSync(nexusAttestPath(folder))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => `${folder}/${name}`);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The canonical bytes nexus-attest wrote (the manifest's sha256 is over these). */
export function canonicalOf(value: PyJsonValue): string {
  return canonicalAttestJson(value);
}

/** Every decision's events from decisions.db, by decision id, in seq order. */
export function readFixtureDecisionEvents(): Map<string, StoredDecisionEvent[]> {
  const byDecision = new Map<string, StoredDecisionEvent[]>();
  if (!sharedFixturesAvailable) return byDecision;
  const { db, close } = openEvidenceDatabase(nexusAttestPath('decisions.db'));
  try {
    const rows = db
      .prepare('SELECT * FROM decision_events ORDER BY decision_id, seq')
      .all() as DecisionEventRow[];
    for (const row of rows) {
      const event = eventFromRow(row);
      const list = byDecision.get(event.decisionId);
      if (list === undefined) byDecision.set(event.decisionId, [event]);
      else list.push(event);
    }
  } finally {
    close();
  }
  return byDecision;
}

/** A deep copy of a PyJsonValue tree, so tests can edit fixtures without sharing state. */
export function clonePy<T extends PyJsonValue>(value: T): T {
  return parsePythonJson(canonicalAttestJson(value)) as T;
}

/** `value.get(key)` that must be an object. */
export function objectAt(
  value: PyJsonValue | undefined,
  ...path: (string | number)[]
): PyJsonObject {
  let current: PyJsonValue | undefined = value;
  for (const step of path) {
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = current instanceof Map ? current.get(step) : undefined;
  }
  if (!(current instanceof Map)) throw new Error(`no object at ${path.join('.')}`);
  return current;
}

export function stringAt(value: PyJsonValue | undefined, ...path: (string | number)[]): string {
  const last = path[path.length - 1];
  const parent = objectAt(value, ...path.slice(0, -1));
  const item = typeof last === 'string' ? parent.get(last) : undefined;
  if (typeof item !== 'string') throw new Error(`no string at ${path.join('.')}`);
  return item;
}

export function arrayAt(value: PyJsonValue | undefined, ...path: string[]): PyJsonValue[] {
  const last = path[path.length - 1] ?? '';
  const item = objectAt(value, ...path.slice(0, -1)).get(last);
  if (!Array.isArray(item)) throw new Error(`no array at ${path.join('.')}`);
  return item;
}

/** The distinct codes of the checks with a status, sorted, so assertions ignore check order. */
export function codesWithStatus(
  checks: readonly DecisionCheckResult[],
  status: string,
): FindingCode[] {
  return [
    ...new Set(checks.filter((c) => c.status === status).map((c) => c.code as FindingCode)),
  ].sort();
}

export const failCodes = (checks: readonly DecisionCheckResult[]): FindingCode[] =>
  codesWithStatus(checks, 'FAIL');
