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
  parsePythonJson,
  PyNumber,
  PYTHON_DEFAULT_DIALECT,
  pythonFloatRepr,
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
import {
  templateCreatedPayload,
  templateDigest,
  templateProblem,
  type DecisionTemplate,
} from '../../src-shared/decisions/decision-template';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import {
  checkSqliteFile,
  describeOpenFailure,
  openEvidenceDatabase,
  type EvidenceDatabase,
} from '../sqlite/evidence-database';
import { sqliteNativeBinding } from '../sqlite/native-binding';
import { DECISION_SCHEMA_STATEMENTS, TEMPLATE_SCHEMA_STATEMENTS } from './nexus-attest-schema';

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

/** A templates row as nexus-attest's get_template reads it, plus the stored digest. */
export interface StoredTemplate {
  readonly template: DecisionTemplate;
  readonly digest: string;
}

interface TemplateRow {
  name: string;
  description: string;
  min_approvals: number;
  min_type: string;
  allowed_modes: string;
  require_adapter_capabilities: string;
  max_steps: number | null;
  max_type: string;
  labels: string;
  created_at: string;
  created_by_type: string;
  created_by_id: string;
  digest: string;
}

const SELECT_TEMPLATES = `SELECT name, description, min_approvals, typeof(min_approvals) AS min_type,
    allowed_modes, require_adapter_capabilities, max_steps, typeof(max_steps) AS max_type, labels,
    created_at, created_by_type, created_by_id, digest FROM templates`;

/** SQLite INTEGER and REAL both arrive as JS numbers; Python keeps 2 and 2.0 apart, and so must we. */
function pythonNumberOf(value: number, sqliteType: string): PyNumber {
  return new PyNumber(sqliteType === 'real' ? pythonFloatRepr(value) : String(value));
}

function stringList(text: string): string[] {
  const value = parsePythonJson(text);
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

function templateFromRow(row: TemplateRow): StoredTemplate {
  return {
    template: {
      name: row.name,
      description: row.description,
      minApprovals: pythonNumberOf(row.min_approvals, row.min_type),
      allowedModes: stringList(row.allowed_modes),
      requireAdapterCapabilities: stringList(row.require_adapter_capabilities),
      maxSteps: row.max_steps === null ? null : pythonNumberOf(row.max_steps, row.max_type),
      labels: stringList(row.labels),
      createdAt: row.created_at,
      createdBy: { type: row.created_by_type, id: row.created_by_id },
    },
    digest: row.digest,
  };
}

function hasTemplateTables(db: Database.Database): boolean {
  return (
    db
      .prepare<[], { found: number }>(
        "SELECT COUNT(*) AS found FROM sqlite_schema WHERE type = 'table' AND name = 'templates'",
      )
      .get()?.found === 1
  );
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

  /** null when there is no such template (or the database never used templates). */
  getTemplate(name: string): StoredTemplate | null {
    if (!hasTemplateTables(this.evidence.db)) return null;
    const row = this.evidence.db
      .prepare<[string], TemplateRow>(`${SELECT_TEMPLATES} WHERE name = ?`)
      .get(name);
    return row === undefined ? null : templateFromRow(row);
  }

  /** Newest first; a label filter matches nexus-attest's `labels LIKE '%"<label>"%'`. */
  listTemplates(
    options: { labelFilter?: string; limit?: number; offset?: number } = {},
  ): StoredTemplate[] {
    if (!hasTemplateTables(this.evidence.db)) return [];
    const where = options.labelFilter ? ' WHERE labels LIKE ?' : '';
    const parameters: (string | number)[] = options.labelFilter
      ? [`%"${options.labelFilter}"%`]
      : [];
    return this.evidence.db
      .prepare<(string | number)[], TemplateRow>(
        `${SELECT_TEMPLATES}${where} ORDER BY created_at DESC LIMIT ? OFFSET ?`,
      )
      .all(...parameters, options.limit ?? 100, options.offset ?? 0)
      .map(templateFromRow);
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
      db = new Database(path, { timeout: 5000, nativeBinding: sqliteNativeBinding() });
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
   * Appends events to `decisionId` in one transaction, creating its header first when `createdAt`
   * is given. A function for `events` runs inside the transaction with the events already stored
   * and the next seq, so a state check, a signature over the final seq, and the write cannot be
   * separated by another writer.
   */
  append(
    decisionId: string,
    events:
      | readonly NewDecisionEvent[]
      | ((stored: LoadedDecision, nextSeq: number) => readonly NewDecisionEvent[]),
    options: { createdAt?: string } = {},
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
      const next =
        this.db
          .prepare<[string], { next: number }>(
            'SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM decision_events WHERE decision_id = ?',
          )
          .get(decisionId)?.next ?? 0;
      const toWrite = typeof events === 'function' ? events(stored, next) : events;
      return toWrite.map((event, index) => {
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

  /** The template a new request refers to, read on the writing connection. */
  getTemplate(name: string): StoredTemplate | null {
    if (!hasTemplateTables(this.db)) return null;
    const row = this.db
      .prepare<[string], TemplateRow>(`${SELECT_TEMPLATES} WHERE name = ?`)
      .get(name);
    return row === undefined ? null : templateFromRow(row);
  }

  /**
   * Replaces a decision in one transaction, as nexus-attest's import does with
   * conflict_mode="overwrite": its events and header (if any) are deleted, then the header is
   * inserted with `createdAt` and `events` are written from seq 0. Nothing changes if any step
   * fails.
   */
  replaceDecision(
    decisionId: string,
    createdAt: string,
    events: readonly NewDecisionEvent[],
  ): StoredDecisionEvent[] {
    const replace = this.db.transaction((): StoredDecisionEvent[] => {
      this.db.prepare('DELETE FROM decision_events WHERE decision_id = ?').run(decisionId);
      this.db.prepare('DELETE FROM decisions WHERE decision_id = ?').run(decisionId);
      // Nested inside this transaction, append runs as a savepoint.
      return this.append(decisionId, events, { createdAt });
    });
    try {
      return replace.immediate();
    } catch (error) {
      if (error instanceof ProofdeskError) throw error;
      throw describeOpenFailure(error, this.path);
    }
  }

  /**
   * create_template: the templates row and its TEMPLATE_CREATED event (seq 0), created together,
   * with the template tables created first if this database never had them.
   */
  createTemplate(template: DecisionTemplate): StoredTemplate {
    const problem = templateProblem(template);
    if (problem !== undefined) throw new ProofdeskError('USAGE', `INVALID_TEMPLATE: ${problem}.`);
    const digest = templateDigest(template, this.crypto);
    const payload = templateCreatedPayload(template);
    const create = this.db.transaction(() => {
      for (const statement of TEMPLATE_SCHEMA_STATEMENTS) this.db.exec(statement);
      if (
        this.db.prepare('SELECT 1 FROM templates WHERE name = ?').get(template.name) !== undefined
      ) {
        throw new ProofdeskError(
          'USAGE',
          `TEMPLATE_ALREADY_EXISTS: Template already exists: ${template.name}.`,
        );
      }
      const json = (values: readonly string[]): string =>
        serializePythonJson([...values], PYTHON_DEFAULT_DIALECT);
      const number = (value: PyNumber | null): number | null =>
        value === null ? null : Number(value.lexeme);
      this.db
        .prepare(
          `INSERT INTO templates (name, description, min_approvals, allowed_modes, require_adapter_capabilities,
             max_steps, labels, created_at, created_by_type, created_by_id, digest)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          template.name,
          template.description,
          number(template.minApprovals),
          json(template.allowedModes),
          json(template.requireAdapterCapabilities),
          number(template.maxSteps),
          json(template.labels),
          template.createdAt,
          template.createdBy.type,
          template.createdBy.id,
          digest,
        );
      this.db
        .prepare(
          `INSERT INTO template_events (template_name, seq, event_type, ts, actor_type, actor_id, payload, digest)
           VALUES (?, 0, 'TEMPLATE_CREATED', ?, ?, ?, ?, ?)`,
        )
        .run(
          template.name,
          template.createdAt,
          template.createdBy.type,
          template.createdBy.id,
          serializePythonJson(payload, PYTHON_DEFAULT_DIALECT),
          computeEventDigest('TEMPLATE_CREATED', payload, this.crypto),
        );
    });
    try {
      create.immediate();
    } catch (error) {
      if (error instanceof ProofdeskError) throw error;
      throw describeOpenFailure(error, this.path);
    }
    return { template, digest };
  }

  close(): void {
    this.db.close();
  }
}
