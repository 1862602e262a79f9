/**
 * The narrative report as a PDF, rendered in the main process.
 *
 * PDFKit, because it is maintained, pure JavaScript (no headless browser to ship or sandbox),
 * embeds TrueType subsets with a ToUnicode map (so the text layer is searchable and copyable), and
 * supports embedded files, which carry the canonical JSON envelope that verifyPdfReport checks.
 *
 * Determinism: the same report, options and fonts give the same bytes, in any process.
 *  - Every date PDFKit writes (Info CreationDate/ModDate, attachment dates) is the report's asOf,
 *    never the clock.
 *  - The trailer /ID is PDFKit's MD5 of the Info dictionary; Info holds the asOf date and the
 *    report digest, so the ID is a function of the report alone.
 *  - Streams are not compressed: deflate output may change between zlib builds (Electron's Node
 *    and the CLI's Node differ), and an uncompressed attachment is the JSON itself, readable with
 *    any text editor and altered byte for byte if anyone edits it.
 *
 * Fonts come from resources/fonts (DejaVu Sans and Sans Mono, Bitstream Vera licence), never
 * from the system. DejaVu has Latin, Greek, Cyrillic, Arabic and Hebrew but no CJK and no colour
 * emoji; characters a face lacks are written as "[U+884C]" rather than as .notdef boxes, so two
 * different actors can never print the same row of identical boxes. Arabic and Hebrew appear in
 * logical order without contextual shaping when they share a line with Latin text: PDFKit does no
 * bidirectional layout. The embedded JSON always carries every string exactly.
 */
import { describeSelection } from '../../src-shared/report/report-text';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import type { CheckStatus } from '../../src-shared/check-code';
import { renderReportJson, reportDigest } from '../../src-shared/report/report-json';
import type { NarrativeReport, ReportCheck } from '../../src-shared/report/report-model';

export const REPORT_ATTACHMENT_NAME = 'proofdesk-report.json';

/** The checks table lists at most this many lines; the rest are summarised by code. */
export const MAX_CHECK_ROWS = 500;

/** From src-main/report and from the bundles in out/cli and out/main alike. */
const DEFAULT_FONT_DIRECTORY = fileURLToPath(new URL('../../resources/fonts/', import.meta.url));

export interface ReportPdfAttachment {
  readonly name: string;
  readonly content: Uint8Array;
  readonly description?: string;
}

export interface ReportPdfOptions {
  readonly pageSize?: 'A4' | 'LETTER';
  readonly attachments?: readonly ReportPdfAttachment[];
  /** Where DejaVuSans.ttf and friends are; a packaged app passes its resources path. */
  readonly fontDirectory?: string;
}

const VERDICT_HEADLINES: Record<NarrativeReport['verdict'], string> = {
  pass: 'Evidence intact',
  fail: 'Evidence failed verification',
  inconclusive: 'Inconclusive',
};

const VERDICT_COLOURS: Record<NarrativeReport['verdict'], string> = {
  pass: '#1b6e35',
  fail: '#b3261e',
  inconclusive: '#8a5a00',
};

/** Every badge carries its word; the colour only repeats it. */
const BADGE_STYLES: Record<CheckStatus, { fill: string; text: string }> = {
  PASS: { fill: '#1b6e35', text: '#ffffff' },
  FAIL: { fill: '#b3261e', text: '#ffffff' },
  SKIP: { fill: '#5f6368', text: '#ffffff' },
  PENDING: { fill: '#f2c14e', text: '#000000' },
  WARN: { fill: '#c75b00', text: '#ffffff' },
};

const FACES = {
  sans: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;
type Face = keyof typeof FACES;

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const TEXT_COLOUR = '#111111';
const MUTED_COLOUR = '#555555';
const RULE_COLOUR = '#bbbbbb';

/** The only PDFKit internal used: the fontkit font behind a registered face, for its cmap. */
interface FontkitCoverage {
  readonly _font: { readonly font: { hasGlyphForCodePoint(codePoint: number): boolean } };
}

type Document = PDFKit.PDFDocument;

function parseAsOf(asOf: string): Date {
  const date = new Date(asOf);
  if (Number.isNaN(date.getTime()))
    throw new TypeError(`The report's asOf "${asOf}" is not a date, so the PDF cannot be dated.`);
  return date;
}

class ReportWriter {
  private readonly coverage = new Map<Face, (codePoint: number) => boolean>();

  constructor(
    readonly doc: Document,
    fontDirectory: string,
  ) {
    for (const [face, file] of Object.entries(FACES) as [Face, string][]) {
      doc.registerFont(face, readFileSync(join(fontDirectory, file)));
      doc.font(face);
      const font = (doc as unknown as FontkitCoverage)._font.font;
      this.coverage.set(face, (codePoint) => font.hasGlyphForCodePoint(codePoint));
    }
    doc.font('sans').fillColor(TEXT_COLOUR);
  }

  get left(): number {
    return this.doc.page.margins.left;
  }

  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /**
   * The text with every character the face cannot draw spelled out as its code point. NFC first:
   * a precomposed letter is one glyph, where a base letter and a zero-width combining mark are
   * two that text extractors split apart.
   */
  printable(text: string, face: Face): string {
    const has = this.coverage.get(face);
    let out = '';
    for (const char of text.normalize('NFC')) {
      const codePoint = char.codePointAt(0) ?? 0;
      if (char === '\n' || (codePoint >= 0x20 && has?.(codePoint) === true)) out += char;
      else out += `[U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}]`;
    }
    return out;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) {
      this.doc.addPage();
    }
  }

  heading(text: string): void {
    this.ensureSpace(60);
    this.doc.moveDown(0.8);
    this.doc.font('bold').fontSize(14).fillColor(TEXT_COLOUR);
    this.doc.text(this.printable(text, 'bold'), this.left, this.doc.y, { width: this.width });
    const y = this.doc.y + 2;
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.5)
      .strokeColor(RULE_COLOUR)
      .stroke();
    this.doc.y = y + 6;
  }

  paragraph(text: string, options: { face?: Face; size?: number; colour?: string } = {}): void {
    const face = options.face ?? 'sans';
    this.doc
      .font(face)
      .fontSize(options.size ?? 10)
      .fillColor(options.colour ?? TEXT_COLOUR);
    this.doc.text(this.printable(text, face), this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  bullet(text: string): void {
    this.doc.font('sans').fontSize(10).fillColor(TEXT_COLOUR);
    const body = this.printable(text, 'sans');
    const height = this.doc.heightOfString(body, { width: this.width - 14 });
    this.ensureSpace(height);
    const y = this.doc.y;
    this.doc.text('•', this.left, y, { width: 10 });
    this.doc.text(body, this.left + 14, y, { width: this.width - 14 });
    this.doc.moveDown(0.2);
  }

  /** Label on the left, value on the right; hex and identifiers in the monospaced face. */
  field(label: string, value: string, face: Face = 'sans'): void {
    const labelWidth = 130;
    const valueWidth = this.width - labelWidth;
    const body = this.printable(value, face);
    // 8 pt: a 71-character "sha256:<hex>" fits the value column on A4 and Letter.
    this.doc.font(face).fontSize(face === 'mono' ? 8 : 10);
    const height = this.doc.heightOfString(body, { width: valueWidth });
    this.ensureSpace(height + 4);
    const y = this.doc.y;
    this.doc
      .font('bold')
      .fontSize(10)
      .fillColor(MUTED_COLOUR)
      .text(this.printable(label, 'bold'), this.left, y, { width: labelWidth - 8 });
    const labelBottom = this.doc.y;
    this.doc
      .font(face)
      .fontSize(face === 'mono' ? 8 : 10)
      .fillColor(TEXT_COLOUR)
      .text(body, this.left + labelWidth, y, { width: valueWidth });
    this.doc.y = Math.max(this.doc.y, labelBottom) + 3;
  }

  /** A coloured box with the status word in it; readable in greyscale and by a screen reader. */
  badge(status: CheckStatus, x: number, y: number): void {
    const style = BADGE_STYLES[status];
    const width = 58;
    const height = 14;
    this.doc.save().roundedRect(x, y, width, height, 2).fill(style.fill).restore();
    this.doc
      .font('bold')
      .fontSize(8)
      .fillColor(style.text)
      .text(status, x, y + 3.2, { width, align: 'center', lineBreak: false });
    this.doc.fillColor(TEXT_COLOUR);
  }

  /**
   * A table with a header row repeated on every page; each row as tall as its tallest cell.
   * `cells` returns, per column, the text and its face; a column with `badge` draws one.
   */
  table<Row>(
    columns: readonly { title: string; width: number }[],
    rows: readonly Row[],
    cells: (row: Row) => readonly { text: string; face?: Face; badge?: CheckStatus }[],
  ): void {
    const size = 8.5;
    const padding = 3;
    const total = columns.reduce((sum, column) => sum + column.width, 0);
    const widths = columns.map((column) => (column.width / total) * this.width);
    const drawHeader = (): void => {
      const y = this.doc.y;
      this.doc.font('bold').fontSize(size).fillColor(TEXT_COLOUR);
      const titleHeight = Math.max(
        ...columns.map((column, index) =>
          this.doc.heightOfString(column.title, { width: (widths[index] ?? 0) - 2 * padding }),
        ),
      );
      const headerHeight = titleHeight + 2 * padding + 2;
      this.doc.save().rect(this.left, y, this.width, headerHeight).fill('#e8e8e8').restore();
      let x = this.left;
      this.doc.fillColor(TEXT_COLOUR);
      columns.forEach((column, index) => {
        this.doc.text(column.title, x + padding, y + padding + 1, {
          width: (widths[index] ?? 0) - 2 * padding,
        });
        x += widths[index] ?? 0;
      });
      this.doc.y = y + headerHeight + 2;
    };
    this.ensureSpace(40);
    drawHeader();
    for (const row of rows) {
      const content = cells(row).map((cell) => ({
        ...cell,
        text: this.printable(cell.text, cell.face ?? 'sans'),
      }));
      const heights = content.map((cell, index) => {
        if (cell.badge !== undefined) return 14;
        this.doc.font(cell.face ?? 'sans').fontSize(size);
        return this.doc.heightOfString(cell.text, { width: (widths[index] ?? 0) - 2 * padding });
      });
      const rowHeight = Math.max(...heights) + 2 * padding;
      if (this.doc.y + rowHeight > this.bottom) {
        this.doc.addPage();
        drawHeader();
      }
      const y = this.doc.y;
      let x = this.left;
      content.forEach((cell, index) => {
        const width = widths[index] ?? 0;
        if (cell.badge !== undefined) {
          this.badge(cell.badge, x + padding, y + padding);
        } else {
          this.doc
            .font(cell.face ?? 'sans')
            .fontSize(size)
            .fillColor(TEXT_COLOUR)
            .text(cell.text, x + padding, y + padding, { width: width - 2 * padding });
        }
        x += width;
      });
      const ruleY = y + rowHeight;
      this.doc
        .moveTo(this.left, ruleY)
        .lineTo(this.left + this.width, ruleY)
        .lineWidth(0.25)
        .strokeColor(RULE_COLOUR)
        .stroke();
      this.doc.y = ruleY + 1;
    }
    this.doc.x = this.left;
  }

  /** Page numbers and the report digest on every page, drawn once all pages exist. */
  footers(digest: string): void {
    const range = this.doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index += 1) {
      this.doc.switchToPage(index);
      const page = this.doc.page;
      // Text below the bottom margin would otherwise make PDFKit open a new page.
      const bottomMargin = page.margins.bottom;
      page.margins.bottom = 0;
      const y = page.height - bottomMargin + FOOTER_HEIGHT / 2 - 4;
      const left = page.margins.left;
      const width = page.width - page.margins.left - page.margins.right;
      this.doc
        .moveTo(left, y - 6)
        .lineTo(left + width, y - 6)
        .lineWidth(0.5)
        .strokeColor(RULE_COLOUR)
        .stroke();
      this.doc
        .font('mono')
        .fontSize(7)
        .fillColor(MUTED_COLOUR)
        .text(`Report digest: ${digest}`, left, y, { width, lineBreak: false });
      this.doc
        .font('sans')
        .fontSize(8)
        .text(`Page ${index + 1} of ${range.count}`, left, y, {
          width,
          align: 'right',
          lineBreak: false,
        });
      page.margins.bottom = bottomMargin;
    }
  }
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function orNone(value: string | number | null, none = '—'): string {
  return value === null ? none : String(value);
}

function listOrNone(values: readonly (string | number)[] | null, none: string): string {
  if (values === null) return none;
  return values.length === 0 ? 'none' : values.join(', ');
}

function titlePage(writer: ReportWriter, doc: Document, report: NarrativeReport): void {
  doc.font('sans').fontSize(10).fillColor(MUTED_COLOUR);
  doc.text('Proofdesk verification report', writer.left, doc.y, { width: writer.width });
  doc.moveDown(0.5);
  writer.paragraph(report.title, { face: 'bold', size: 18 });
  doc.moveDown(0.8);

  const verdictY = doc.y;
  const colour = VERDICT_COLOURS[report.verdict];
  doc.save().rect(writer.left, verdictY, 6, 44).fill(colour).restore();
  doc
    .font('bold')
    .fontSize(30)
    .fillColor(colour)
    .text(VERDICT_HEADLINES[report.verdict], writer.left + 16, verdictY + 4, {
      width: writer.width - 16,
    });
  doc.y = Math.max(doc.y, verdictY + 44) + 6;
  writer.paragraph(`Verdict: ${report.verdict.toUpperCase()} as of ${report.asOf}`, {
    colour: MUTED_COLOUR,
  });
  const counts = statusCounts(report.checks);
  writer.paragraph(
    `Check lines: ${report.checks.length} (${counts.map(([status, count]) => `${status} ${count}`).join(', ') || 'none'})`,
    { colour: MUTED_COLOUR },
  );

  writer.heading('Scope');
  writer.field('As of', report.asOf);
  writer.field('Generator', `${report.generator.name} ${report.generator.version}`);
  const ledger = report.scope.ledger;
  if (ledger === null) {
    writer.field('Ledger', 'none');
  } else {
    writer.field('Ledger file', ledger.fileName);
    writer.field('File SHA-256', ledger.sha256, 'mono');
    writer.field('Size', `${ledger.bytes} bytes`);
    writer.field('Entries', String(ledger.entries));
    writer.field(
      'Head',
      ledger.head === null ? 'none (empty ledger)' : `entry ${ledger.head.entryId}`,
    );
    if (ledger.head !== null) writer.field('Head hash', ledger.head.entryHash, 'mono');
  }
  const store = report.scope.decisionStore;
  if (store !== null) {
    writer.field('Decision store', store.fileName);
    writer.field('Store SHA-256', store.sha256, 'mono');
    writer.field('Decision', orNone(store.decisionId, 'all decisions'));
  }

  writer.heading('Trust material');
  const trust = report.scope.trust;
  writer.field('Trusted keys', listOrNone(trust.keyIds, 'none (no keyring given)'));
  writer.field('TSA roots', listOrNone(trust.tsaRoots, 'none supplied'));
  writer.field('Block headers', listOrNone(trust.blockHeaderHeights, 'none supplied'));
  writer.field('Trusted head compared', yesNo(trust.trustedHeadCompared));
}

function statusCounts(checks: readonly ReportCheck[]): [CheckStatus, number][] {
  const counts = new Map<CheckStatus, number>();
  for (const line of checks) counts.set(line.status, (counts.get(line.status) ?? 0) + 1);
  return (Object.keys(BADGE_STYLES) as CheckStatus[])
    .filter((status) => counts.has(status))
    .map((status) => [status, counts.get(status) ?? 0]);
}

function checksSection(writer: ReportWriter, report: NarrativeReport): void {
  writer.heading('Checks');
  if (report.checks.length === 0) {
    writer.paragraph('No checks were run.');
    return;
  }
  const listed = report.checks.slice(0, MAX_CHECK_ROWS);
  writer.table(
    [
      { title: 'Status', width: 64 },
      { title: 'Check', width: 150 },
      { title: 'Record', width: 70 },
      { title: 'Finding', width: 211 },
    ],
    listed,
    (line) => {
      const details = [line.message];
      if (line.code !== null) details.push(`Code: ${line.code}`);
      if (line.expected !== null) details.push(`Expected: ${line.expected}`);
      if (line.actual !== null) details.push(`Actual: ${line.actual}`);
      return [
        { text: line.status, badge: line.status },
        { text: line.check, face: 'mono' },
        { text: orNone(line.record) },
        { text: details.join('\n') },
      ];
    },
  );
  const omitted = report.checks.slice(MAX_CHECK_ROWS);
  if (omitted.length > 0) {
    const byCode = new Map<string, number>();
    for (const line of omitted) {
      const key = line.code ?? `${line.status} without a code`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
    }
    const summary = [...byCode]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([code, count]) => `${code}: ${count}`)
      .join(', ');
    writer.doc.moveDown(0.5);
    writer.paragraph(
      `${omitted.length} more check lines are not listed here (${summary}); the embedded ${REPORT_ATTACHMENT_NAME} holds all ${report.checks.length}.`,
      { face: 'bold' },
    );
  }
}

function decisionSection(writer: ReportWriter, report: NarrativeReport): void {
  const decision = report.decision;
  if (decision === null) return;
  writer.heading(`Decision ${decision.decisionId}`);
  writer.field('Goal', orNone(decision.goal));
  writer.field('State', decision.state);
  writer.field('Mode', orNone(decision.mode));
  writer.field('Created', decision.createdAt);
  writer.field(
    'Approvals',
    `${decision.approvalsCurrent} of ${decision.approvalsRequired} required`,
  );

  writer.heading('Blocking reasons');
  if (decision.blocking.length === 0) writer.paragraph('Nothing blocks this decision.');
  else
    writer.table(
      [
        { title: 'Code', width: 120 },
        { title: 'Reason', width: 380 },
      ],
      decision.blocking,
      (reason) => [{ text: reason.code, face: 'mono' }, { text: reason.message }],
    );

  writer.heading('Approvals');
  if (decision.approvals.length === 0) writer.paragraph('No approvals were granted.');
  else
    writer.table(
      [
        { title: 'Approver', width: 110 },
        { title: 'Signature', width: 75 },
        { title: 'Granted', width: 125 },
        { title: 'Status and comment', width: 185 },
      ],
      decision.approvals,
      (approval) => [
        { text: approval.actorId },
        {
          text:
            approval.signature === 'valid'
              ? 'signed, valid'
              : approval.signature === 'invalid'
                ? 'signed, INVALID'
                : approval.signature === 'untrusted'
                  ? 'signed by an untrusted key'
                  : 'unsigned',
        },
        { text: approval.grantedAt },
        {
          text: [
            approval.revoked ? 'revoked' : approval.active ? 'active' : 'inactive',
            ...(approval.expiresAt === null ? [] : [`expires ${approval.expiresAt}`]),
            ...(approval.comment === null ? [] : [approval.comment]),
          ].join('\n'),
        },
      ],
    );

  writer.heading('Executions');
  if (decision.executions.length === 0) writer.paragraph('Nothing was executed.');
  else
    writer.table(
      [
        { title: 'Adapter', width: 100 },
        { title: 'Requested', width: 125 },
        { title: 'Run', width: 50 },
        { title: 'Outcome', width: 220 },
      ],
      decision.executions,
      (execution) => [
        { text: execution.adapterId, face: 'mono' },
        { text: execution.requestedAt },
        { text: execution.dryRun ? 'dry run' : 'real' },
        {
          text:
            execution.errorMessage === null
              ? execution.outcome
              : `${execution.outcome}: ${execution.errorMessage}`,
        },
      ],
    );

  writer.heading('Timeline');
  if (decision.timeline.length === 0) writer.paragraph('The decision has no events.');
  else
    writer.table(
      [
        { title: 'Seq', width: 28 },
        { title: 'Time', width: 125 },
        { title: 'Category', width: 70 },
        { title: 'Actor', width: 100 },
        { title: 'Summary', width: 172 },
      ],
      decision.timeline,
      (event) => [
        { text: String(event.seq) },
        { text: event.ts },
        { text: event.category },
        { text: orNone(event.actor) },
        { text: event.summary },
      ],
    );
}

function anchorsAndWitnesses(writer: ReportWriter, report: NarrativeReport): void {
  writer.heading('Anchors');
  if (report.anchors.length === 0) writer.paragraph('The ledger has no anchors.');
  else
    writer.table(
      [
        { title: 'Anchor', width: 42 },
        { title: 'State', width: 62 },
        { title: 'Head entry', width: 52 },
        { title: 'Submitted', width: 125 },
        { title: 'Block', width: 45 },
        { title: 'Timestamp authority', width: 169 },
      ],
      report.anchors,
      (anchor) => [
        { text: String(anchor.anchorId) },
        { text: anchor.state },
        { text: orNone(anchor.chainHeadEntryId) },
        { text: orNone(anchor.submittedAt) },
        { text: orNone(anchor.bitcoinBlockHeight) },
        {
          text:
            anchor.tsaUrl === null
              ? '—'
              : `${anchor.tsaUrl}${anchor.tsaGenTime === null ? '' : `\n${anchor.tsaGenTime}`}`,
        },
      ],
    );

  writer.heading('Witnesses');
  if (report.witnesses.length === 0) writer.paragraph('The ledger has no witnesses.');
  else
    writer.table(
      [
        { title: 'Witness', width: 45 },
        { title: 'Label', width: 150 },
        { title: 'Role', width: 100 },
        { title: 'Retired', width: 50 },
        { title: 'Attestations', width: 70 },
        { title: 'Last entry', width: 70 },
      ],
      report.witnesses,
      (witness) => [
        { text: String(witness.witnessId) },
        { text: witness.label },
        { text: witness.role },
        { text: yesNo(witness.retired) },
        { text: String(witness.attestations) },
        { text: orNone(witness.lastAttestedEntryId) },
      ],
    );
}

function evidenceSection(writer: ReportWriter, report: NarrativeReport, digest: string): void {
  writer.heading('Evidence digests');
  const evidence = report.evidence;
  writer.field('Report digest', digest, 'mono');
  writer.field('Ledger file SHA-256', orNone(evidence.fileSha256), 'mono');
  writer.field('Head hash', orNone(evidence.headHash), 'mono');
  writer.field('Decision store SHA-256', orNone(evidence.decisionStoreSha256), 'mono');
  writer.field('Bundle digest', orNone(evidence.bundleDigest), 'mono');
  writer.field('Audit package digest', orNone(evidence.packageDigest), 'mono');
  writer.paragraph(
    `The canonical report is embedded in this PDF as ${REPORT_ATTACHMENT_NAME}; its SHA-256 is the report digest printed on every page.`,
    { colour: MUTED_COLOUR, size: 9 },
  );
}

function limitationsSection(writer: ReportWriter, report: NarrativeReport): void {
  writer.heading('What this result does NOT prove');
  if (report.limitations.length === 0) writer.paragraph('No limitations were recorded.');
  for (const limitation of report.limitations) writer.bullet(limitation);
}

function recordKeepingSection(writer: ReportWriter, report: NarrativeReport): void {
  writer.heading('EU AI Act Article 12: record-keeping facts');
  writer.paragraph(
    'This section states facts about the records. It does not assert conformity with the EU AI Act or any other regulation.',
    { face: 'bold', size: 9 },
  );
  const facts = report.recordKeeping;
  if (facts === null) {
    writer.paragraph('No ledger was verified, so there are no record-keeping facts.');
    return;
  }
  writer.field(
    'Entries described',
    describeSelection(report.scope.selection, facts.selectedEntries),
  );
  writer.field(
    'Period covered',
    `${orNone(facts.firstTimestamp)} to ${orNone(facts.lastTimestamp)}`,
  );
  writer.field(
    'Completeness',
    facts.entryIdsContiguous ? 'entry ids are contiguous' : 'entry ids have gaps',
  );
  writer.field(
    'Anchoring coverage',
    facts.newestAnchoredEntryId === null
      ? `no entry is anchored; ${facts.entriesAfterNewestAnchor} entries are not covered by an anchor`
      : `anchored up to entry ${facts.newestAnchoredEntryId}; ${facts.entriesAfterNewestAnchor} entries after it are not yet anchored`,
  );
  writer.doc.moveDown(0.3);
  if (facts.countsByEventType.length === 0) writer.paragraph('The ledger records no events.');
  else
    writer.table(
      [
        { title: 'Event type', width: 300 },
        { title: 'Entries', width: 100 },
      ],
      facts.countsByEventType,
      (count) => [{ text: count.eventType }, { text: String(count.entries) }],
    );
}

/** Renders the report; the same report and options always give the same bytes. */
export async function renderReportPdf(
  report: NarrativeReport,
  options: ReportPdfOptions = {},
): Promise<Uint8Array> {
  const asOf = parseAsOf(report.asOf);
  const digest = reportDigest(report);
  const attachments = options.attachments ?? [];
  for (const attachment of attachments) {
    if (attachment.name === REPORT_ATTACHMENT_NAME)
      throw new TypeError(`The attachment name ${REPORT_ATTACHMENT_NAME} is the report's own.`);
  }
  const fontDirectory = options.fontDirectory ?? DEFAULT_FONT_DIRECTORY;

  const doc = new PDFDocument({
    size: options.pageSize ?? 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    bufferPages: true,
    compress: false,
    // Registering the default font avoids PDFKit loading Helvetica's metrics, which is unused.
    font: join(fontDirectory, FACES.sans),
    lang: 'en',
    displayTitle: true,
    pdfVersion: '1.7',
    info: {
      Title: report.title,
      Author: `${report.generator.name} ${report.generator.version}`,
      Subject: `Proofdesk report ${digest}`,
      Creator: `${report.generator.name} ${report.generator.version}`,
      Producer: 'PDFKit',
      CreationDate: asOf,
      ModDate: asOf,
    },
  });
  const chunks: Uint8Array[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  const writer = new ReportWriter(doc, fontDirectory);
  titlePage(writer, doc, report);
  doc.addPage();
  checksSection(writer, report);
  decisionSection(writer, report);
  anchorsAndWitnesses(writer, report);
  evidenceSection(writer, report, digest);
  limitationsSection(writer, report);
  recordKeepingSection(writer, report);
  writer.footers(digest);

  const fileDates = { creationDate: asOf, modifiedDate: asOf };
  doc.file(Buffer.from(renderReportJson(report), 'utf8'), {
    name: REPORT_ATTACHMENT_NAME,
    type: 'application/json',
    description: `The canonical report; its SHA-256 is ${digest}.`,
    ...fileDates,
  });
  for (const attachment of attachments) {
    doc.file(Buffer.from(attachment.content), {
      name: attachment.name,
      type: attachment.name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      ...(attachment.description === undefined ? {} : { description: attachment.description }),
      ...fileDates,
    });
  }
  doc.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
