/**
 * Realistic agent and audit events for the demo ledger, from a seeded generator so the same seed
 * always gives the same ledger.
 */
import {
  NEXUSCONE_DIALECT,
  PyNumber,
  serializePythonJson,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import type { NewEntry } from '../ledger/ledger-writer';

/** mulberry32: tiny, fast and good enough to make varied but reproducible demo data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENTS = [
  'agent:claims-triage',
  'agent:support-copilot',
  'agent:procurement-assistant',
  'agent:code-reviewer',
  'agent:kyc-screening',
];
const HUMANS = [
  'human:amelie.durand@acme.example',
  'human:jonas.müller@acme.example',
  'human:yuki.tanaka@acme.example',
  'human:chidi.okafor@acme.example',
];
const MODELS = ['gpt-5.1-mini', 'claude-sonnet-4.5', 'mistral-large-3', 'llama-4-70b-instruct'];
const TOOLS = [
  'crm.lookup_customer',
  'payments.refund',
  'erp.create_po',
  'github.merge_pr',
  'sanctions.screen',
  'email.send',
];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-northeast-1'];

const num = (lexeme: string): PyNumber => new PyNumber(lexeme);
const float = (value: number, digits: number): PyNumber => {
  const text = value.toFixed(digits);
  return num(text.includes('.') ? text : `${text}.0`);
};

export interface DemoEvent extends NewEntry {
  /** Seconds since the previous event, with microsecond resolution. */
  readonly gapMicros: number;
}

export function generateDemoEvents(count: number, seed: number): DemoEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: DemoEvent[] = [];
  for (let index = 0; index < count; index++) {
    const requestId = `req-${(100000 + index).toString(36)}-${Math.floor(random() * 1e6).toString(36)}`;
    const agent = pick(AGENTS);
    const roll = random();
    let actor = agent;
    let action: string;
    let eventType = 'request';
    let payload: Map<string, PyJsonValue>;
    if (roll < 0.45) {
      action = 'chat.completion';
      const promptTokens = 200 + Math.floor(random() * 3800);
      const completionTokens = 20 + Math.floor(random() * 900);
      payload = new Map<string, PyJsonValue>([
        ['request_id', requestId],
        ['model', pick(MODELS)],
        ['region', pick(REGIONS)],
        ['prompt_tokens', num(String(promptTokens))],
        ['completion_tokens', num(String(completionTokens))],
        [
          'cost_usd',
          float(
            (promptTokens * 0.0000025 + completionTokens * 0.00001) * (0.8 + random() * 0.4),
            6,
          ),
        ],
        ['latency_ms', num(String(180 + Math.floor(random() * 4200)))],
      ]);
    } else if (roll < 0.75) {
      action = 'tool.call';
      const tool = pick(TOOLS);
      const allowed = random() > 0.08;
      payload = new Map<string, PyJsonValue>([
        ['request_id', requestId],
        ['tool', tool],
        ['decision', allowed ? 'allow' : 'deny'],
        ['policy', 'tool-use/v3'],
        [
          'arguments_sha256',
          Array.from({ length: 8 }, () =>
            Math.floor(random() * 0xffffffff)
              .toString(16)
              .padStart(8, '0'),
          ).join(''),
        ],
      ]);
      if (!allowed) eventType = pick(['scope_violation', 'guardrail_bypass']);
    } else if (roll < 0.86) {
      action = 'approval.granted';
      actor = pick(HUMANS);
      payload = new Map<string, PyJsonValue>([
        ['request_id', requestId],
        ['subject', agent],
        ['ticket', `CHG-${2000 + Math.floor(random() * 8000)}`],
        [
          'comment',
          pick([
            'Reviewed, within budget.',
            'OK pour la mise en production.',
            'Freigegeben nach Vier-Augen-Prinzip.',
            '承認しました。',
          ]),
        ],
      ]);
    } else if (roll < 0.94) {
      action = 'monitor.alert';
      actor = 'svc:observability';
      eventType = pick(['cost_anomaly', 'provider_drift', 'schema_drift', 'behaviour_drift']);
      payload = new Map<string, PyJsonValue>([
        ['request_id', requestId],
        ['subject', agent],
        ['metric', eventType === 'cost_anomaly' ? 'cost_usd_per_hour' : 'output_distribution_kl'],
        ['observed', float(1 + random() * 9, 4)],
        ['threshold', float(1.5, 1)],
      ]);
    } else {
      action = 'prompt.updated';
      actor = pick(HUMANS);
      eventType = random() < 0.3 ? 'unsigned_prompt_change' : 'request';
      payload = new Map<string, PyJsonValue>([
        ['subject', agent],
        ['prompt_version', num(String(1 + Math.floor(index / 250)))],
        ['diff_lines', num(String(1 + Math.floor(random() * 40)))],
      ]);
    }
    events.push({
      actor,
      action,
      eventType,
      payload: serializePythonJson(payload, NEXUSCONE_DIALECT),
      gapMicros: 1 + Math.floor(random() * 90_000_000),
    });
  }
  return events;
}
