/**
 * nexus-attest decision databases (../shared/specs/nexus-attest.md §2.1): read for viewing without
 * changing the file, and written exactly as nexus-attest writes them (payload as plain json.dumps,
 * digest over {event_type, payload}, seq = MAX+1, Python isoformat timestamps, WAL mode).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  PYTHON_DEFAULT_DIALECT,
  serializePythonJson,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import type { CryptoProvider } from '../../src-shared/crypto/crypto-provider';
import {
  computeEventDigest,
  eventFromRow,
  type DecisionActor,
  type DecisionEventRow,
  type StoredDecisionEvent,
} from '../../src-shared/decisions/decision-event';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import {
  checkSqliteFile,
  describeOpenFailure,
  openEvidenceDatabase,
  type EvidenceDatabase,
} from '../sqlite/evidence-database';
import { DECISION_SCHEMA_STATEMENTS } from './nexus-attest-schema';

export interface DecisionHeaderRow {
  readonly decisionId: string;
  readonly createdAt: string;
}

/** A decision's events, or why they could not even be read (one bad row never hides the rest). */
export type LoadedDecision =
  | {
      readonly ok: true;
      readonly decisionId: string;
      readonly createdAt: string;
      readonly events: StoredDecisionEvent[];
    }
  | {
      readonly ok: false;
      readonly decisionId: string;
      readonly createdAt: string;
      readonly seq: number;
      readonly message: string;
    };

export interface NewDecisionEvent {
  readonly eventType: string;
  readonly actor: DecisionActor;
  /** Serialised in insertion order; Python floats stay floats through PyNumber lexemes. */
  readonly payload: PyJsonValue;
  readonly ts: string;
}

function requireDecisionTables(db: Database.Database, path: string): void {
  const tables = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .all()
      .map((row) => row.name),
  );
  if (!tables.has('decisions') || !tables.has('decision_events')) {
    throw new ProofdeskError(
      'NOT_A_DECISION_STORE',
      `${path} has no decisions and decision_events tables, so it is not a nexus-attest decision database.`,
    );
  }
}

const SELECT_EVENTS = `SELECT decision_id, seq, event_type, ts, actor_type, actor_id, payload, digest
                       FROM decision_events WHERE decision_id = ? ORDER BY seq`;

function loadFrom(db: Database.Database, header: DecisionHeaderRow): LoadedDecision {
  const rows = db.prepare<[string], DecisionEventRow>(SELECT_EVENTS).all(header.decisionId);
  const events: StoredDecisionEvent[] = [];
  for (const row of rows) {
    try {
      events.push(eventFromRow(row));
    } catch (error) {
      return {
        ok: false,
        ...header,
        seq: row.seq,
        message: `event ${row.seq} has a payload that is not JSON: ${(error as Error).message}`,
      };
    }
  }
  return { ok: true, ...header, events };
}

/** Read-only access for viewing and verification; nothing is written beside the file. */
export class DecisionStoreReader {
  private constructor(private readonly evidence: EvidenceDatabase) {}

  static open(path: string): DecisionStoreReader {
    const evidence = openEvidenceDatabase(path);
    try {
      requireDecisionTables(evidence.db, evidence.location.path);
    } catch (error) {
      evidence.close();
      throw describeOpenFailure(error, evidence.location.path);
    }
    return new DecisionStoreReader(evidence);
  }

  get path(): string {
    return this.evidence.location.path;
  }

  /** Newest first, as nexus-attest's list_requests orders them. */
  listDecisions(): DecisionHeaderRow[] {
    return this.evidence.db
      .prepare<[], { decision_id: string; created_at: string }>(
        'SELECT decision_id, created_at FROM decisions ORDER BY created_at DESC',
      )
      .all()
      .map((row) => ({ decisionId: row.decision_id, createdAt: row.created_at }));
  }

  loadDecision(decisionId: string): LoadedDecision {
    const header = this.evidence.db
      .prepare<[string], { created_at: string }>(
        'SELECT created_at FROM decisions WHERE decision_id = ?',
      )
      .get(decisionId);
    if (header === undefined) {
      throw new ProofdeskError(
        'DECISION_NOT_FOUND',
        `There is no decision ${decisionId} in ${this.path}.`,
      );
    }
    return loadFrom(this.evidence.db, { decisionId, createdAt: header.created_at });
  }

  loadAll(): LoadedDecision[] {
    return this.listDecisions().map((header) => loadFrom(this.evidence.db, header));
  }

  close(): void {
    this.evidence.close();
  }
}

/**
 * Appends events as nexus-attest does, inside BEGIN IMMEDIATE so writers in other processes can
 * never take the same seq. Creates a new database (in WAL mode, as nexus-attest leaves it) when
 * asked to.
 */
export class DecisionStoreWriter {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly crypto: CryptoProvider,
  ) {}

  static open(userPath: string, options: { create?: boolean } = {}): DecisionStoreWriter {
    const path = resolve(userPath);
    const exists = existsSync(path);
    if (!exists && !options.create)
      throw new ProofdeskError('FILE_NOT_FOUND', `There is no file at ${path}.`);
    if (exists) checkSqliteFile(path);
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: 5000 });
      db.pragma('foreign_keys = ON');
      db.pragma('journal_mode = WAL');
      db.pragma('trusted_schema = OFF');
      if (!exists)
        db.transaction(() =>
          DECISION_SCHEMA_STATEMENTS.forEach((statement) => db.exec(statement)),
        ).immediate();
      requireDecisionTables(db, path);
    } catch (error) {
      throw describeOpenFailure(error, path);
    }
    return new DecisionStoreWriter(db, path, createNodeCryptoProvider());
  }

  /**
   * Appends `events` to `decisionId` in one transaction, creating its header first when
   * `createdAt` is given. `check` runs inside the transaction on the events already stored, so a
   * state check and the write it guards cannot be separated by another writer.
   */
  append(
    decisionId: string,
    events: readonly NewDecisionEvent[],
    options: { createdAt?: string; check?: (stored: LoadedDecision) => void } = {},
  ): StoredDecisionEvent[] {
    const insert = this.db.prepare(
      `INSERT INTO decision_events (decision_id, seq, event_type, ts, actor_type, actor_id, payload, digest)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const run = this.db.transaction((): StoredDecisionEvent[] => {
      const header = this.db
        .prepare<[string], { created_at: string }>(
          'SELECT created_at FROM decisions WHERE decision_id = ?',
        )
        .get(decisionId);
      if (options.createdAt !== undefined) {
        if (header !== undefined) {
          throw new ProofdeskError(
            'USAGE',
            `A decision ${decisionId} already exists in ${this.path}.`,
          );
        }
        this.db
          .prepare('INSERT INTO decisions (decision_id, created_at) VALUES (?, ?)')
          .run(decisionId, options.createdAt);
      } else if (header === undefined) {
        throw new ProofdeskError(
          'DECISION_NOT_FOUND',
          `There is no decision ${decisionId} in ${this.path}.`,
        );
      }
      const stored = loadFrom(this.db, {
        decisionId,
        createdAt: options.createdAt ?? header?.created_at ?? '',
      });
      options.check?.(stored);
      const next =
        this.db
          .prepare<[string], { next: number }>(
            'SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM decision_events WHERE decision_id = ?',
          )
          .get(decisionId)?.next ?? 0;
      return events.map((event, index) => {
        const seq = next + index;
        const digest = computeEventDigest(event.eventType, event.payload, this.crypto);
        insert.run(
          decisionId,
          seq,
          event.eventType,
          event.ts,
          event.actor.type,
          event.actor.id,
          serializePythonJson(event.payload, PYTHON_DEFAULT_DIALECT),
          digest,
        );
        return {
          decisionId,
          seq,
          eventType: event.eventType,
          ts: event.ts,
          actor: event.actor,
          payload: event.payload,
          digest,
        };
      });
    });
    try {
      return run.immediate();
    } catch (error) {
      if (error instanceof ProofdeskError) throw error;
      throw describeOpenFailure(error, this.path);
    }
  }

  close(): void {
    this.db.close();
  }
}
