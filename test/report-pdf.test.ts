/**
 * The narrative report as a PDF: what poppler's pdftotext reads out of it, what pdftoppm draws
 * (test-results/report-*.png, for a person to look at), that it is byte-for-byte reproducible
 * across processes, and that the embedded evidence reads back and detects tampering.
 */
import { describeWhenAvailable } from './support/requirements';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_STATUSES } from '../src-shared/check-code';
import { renderReportJson, reportDigest } from '../src-shared/report/report-json';
import type { NarrativeReport } from '../src-shared/report/report-model';
import { readPdfAttachments, verifyPdfReport } from '../src-main/report/pdf-evidence';
import {
  MAX_CHECK_ROWS,
  REPORT_ATTACHMENT_NAME,
  renderReportPdf,
} from '../src-main/report/report-pdf';
import { repoRoot } from './support/cli';
import {
  decisionReport,
  failingLedgerReport,
  LARGE_REPORT_CHECKS,
  largeLedgerReport,
  passingLedgerReport,
  UNICODE_SAMPLES,
} from './support/report-samples';

const POPPLER_TOOLS = ['pdftotext', 'pdftoppm'] as const;
const missingTools = POPPLER_TOOLS.filter(
  (tool) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error !== undefined,
);
const screenshotDir = join(repoRoot, 'test-results');
const workDir = mkdtempSync(join(tmpdir(), 'proofdesk-report-pdf-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** `describe` when poppler-utils is installed (pdftotext, pdftoppm); .ci/run installs it. */
function describeWithPoppler(name: string, fn: () => void): void {
  describeWhenAvailable(
    name,
    missingTools.length === 0
      ? null
      : `${missingTools.join(' and ')} from Debian's poppler-utils ${missingTools.length === 1 ? 'is' : 'are'} missing (apt-get install -y poppler-utils)`,
    fn,
  );
}

function writePdf(name: string, pdf: Uint8Array): string {
  const file = join(workDir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/** pdftotext wraps and spaces as it likes; compare with all whitespace collapsed. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Table cells wrap long values, and pdftotext drops a hyphen that ends a line. */
function squash(text: string): string {
  return text.replace(/[\s-]+/g, '');
}

function renderPages(file: string, prefix: string, lastPage: number): void {
  mkdirSync(screenshotDir, { recursive: true });
  execFileSync('pdftoppm', [
    '-png',
    '-r',
    '80',
    '-f',
    '1',
    '-l',
    String(lastPage),
    file,
    join(screenshotDir, prefix),
  ]);
}

const AUDIT_PACKAGE = new TextEncoder().encode(
  `${JSON.stringify({ format: 'nexus-attest-audit-package', decision: 'd-77', actor: UNICODE_SAMPLES.cjk })}\n`,
);

describe('renderReportPdf and verifyPdfReport', () => {
  let passingPdf: Uint8Array;
  let decisionPdf: Uint8Array;

  beforeAll(async () => {
    passingPdf = await renderReportPdf(passingLedgerReport());
    decisionPdf = await renderReportPdf(decisionReport(), {
      attachments: [
        {
          name: 'audit-package.json',
          content: AUDIT_PACKAGE,
          description: 'The decision audit package.',
        },
      ],
    });
  });

  it('renders the same bytes twice in one process', async () => {
    const again = await renderReportPdf(passingLedgerReport());
    expect(Buffer.from(again).equals(Buffer.from(passingPdf))).toBe(true);
    const decisionAgain = await renderReportPdf(decisionReport(), {
      attachments: [{ name: 'audit-package.json', content: AUDIT_PACKAGE }],
    });
    // Same report, but the attachment lacks its description: the bytes must differ, the report must not.
    expect(Buffer.from(decisionAgain).equals(Buffer.from(decisionPdf))).toBe(false);
  });

  it('dates the PDF from asOf and fixes the trailer /ID', () => {
    const text = Buffer.from(passingPdf).toString('latin1');
    expect(text).toContain('(D:20260314092653Z)');
    expect(text).not.toMatch(/\(D:(?!20260314092653Z)\d{14}Z\)/);
    expect(text).toMatch(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/);
  });

  it('renders the same bytes in a separate Node process', async () => {
    const outDir = join(repoRoot, 'out', 'report-pdf-test');
    // Two levels below the repository, like out/cli, so the default font directory resolves.
    const script = join(outDir, 'render-sample.mjs');
    await build({
      absWorkingDir: repoRoot,
      stdin: {
        contents: [
          `import { writeFileSync } from 'node:fs';`,
          `import { renderReportPdf } from './src-main/report/report-pdf';`,
          `import { passingLedgerReport } from './test/support/report-samples';`,
          `writeFileSync(process.argv[2], await renderReportPdf(passingLedgerReport()));`,
        ].join('\n'),
        resolveDir: repoRoot,
        loader: 'ts',
      },
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    const output = join(workDir, 'second-process.pdf');
    execFileSync(process.execPath, [script, output], { cwd: repoRoot });
    expect(readFileSync(output).equals(Buffer.from(passingPdf))).toBe(true);
  });

  it('uses A4 by default and Letter on request', async () => {
    const letter = await renderReportPdf(passingLedgerReport(), { pageSize: 'LETTER' });
    expect(Buffer.from(passingPdf).toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
    expect(Buffer.from(letter).toString('latin1')).toContain('/MediaBox [0 0 612 792]');
  });

  it('embeds the canonical envelope byte for byte, and the caller’s attachment', async () => {
    const attachments = await readPdfAttachments(decisionPdf);
    expect([...attachments.keys()].sort()).toEqual(['audit-package.json', REPORT_ATTACHMENT_NAME]);
    const envelope = attachments.get(REPORT_ATTACHMENT_NAME);
    expect(envelope).toBeDefined();
    expect(
      Buffer.from(envelope ?? []).equals(Buffer.from(renderReportJson(decisionReport()))),
    ).toBe(true);
    expect(Buffer.from(attachments.get('audit-package.json') ?? []).equals(AUDIT_PACKAGE)).toBe(
      true,
    );
  });

  it('refuses an attachment that would shadow the report', async () => {
    await expect(
      renderReportPdf(passingLedgerReport(), {
        attachments: [{ name: REPORT_ATTACHMENT_NAME, content: new Uint8Array([1]) }],
      }),
    ).rejects.toThrow(/is the report's own/);
  });

  it('verifies an untouched PDF', async () => {
    for (const [report, pdf] of [
      [passingLedgerReport(), passingPdf],
      [decisionReport(), decisionPdf],
    ] as const) {
      const result = await verifyPdfReport(pdf);
      expect(result).toMatchObject({ ok: true, digest: reportDigest(report) });
      if (result.ok) expect(result.report).toEqual(report);
    }
  });

  it('fails, in one sentence, when one byte of the embedded report changes', async () => {
    const pdf = Buffer.from(passingPdf);
    const envelope = Buffer.from(renderReportJson(passingLedgerReport()));
    const start = pdf.indexOf(envelope);
    // Uncompressed streams: the envelope sits in the file verbatim, exactly once.
    expect(start).toBeGreaterThan(0);
    expect(pdf.indexOf(envelope, start + 1)).toBe(-1);
    const title = pdf.indexOf(Buffer.from('"title":"Ledger verification'), start);
    const tampered = Buffer.from(pdf);
    const target = title + '"title":"'.length;
    tampered[target] = 'l'.charCodeAt(0);
    const result = await verifyPdfReport(new Uint8Array(tampered));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^The report's digest is sha256:[0-9a-f]{64}, but its content/);
    expect(result.reason.match(/[.!?](\s|$)/g)).toHaveLength(1);

    const broken = Buffer.from(pdf);
    broken[start] = '['.charCodeAt(0);
    const invalid = await verifyPdfReport(new Uint8Array(broken));
    expect(invalid).toEqual({ ok: false, reason: 'The embedded report is not valid JSON.' });
  });

  it('fails when the footers print another report’s digest', async () => {
    // The failing report's footers with the passing report embedded in place of its own.
    const other = Buffer.from(renderReportJson(failingLedgerReport()));
    const mine = Buffer.from(renderReportJson(passingLedgerReport()));
    const otherPdf = Buffer.from(await renderReportPdf(failingLedgerReport()));
    const start = otherPdf.indexOf(other);
    const swapped = Buffer.concat([
      otherPdf.subarray(0, start),
      mine,
      otherPdf.subarray(start + other.length),
    ]);
    // The /Length and xref offsets no longer match; PDF.js reads up to endstream regardless.
    const result = await verifyPdfReport(new Uint8Array(swapped));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^The footer of page 1 prints sha256:/);
  });

  it('says why a file that is not a PDF fails', async () => {
    const result = await verifyPdfReport(new TextEncoder().encode('not a pdf'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^The file cannot be read as a PDF/);
  });
});

describeWithPoppler('the report PDF read by poppler', () => {
  const samples: Record<string, () => NarrativeReport> = {
    passing: passingLedgerReport,
    failing: failingLedgerReport,
    decision: decisionReport,
  };
  const texts = new Map<string, string>();

  beforeAll(async () => {
    for (const [name, sample] of Object.entries(samples)) {
      const file = writePdf(name, await renderReportPdf(sample()));
      texts.set(name, pdfText(file));
      renderPages(file, `report-${name}`, 3);
    }
  });

  it.each(Object.keys(samples))(
    'the %s report prints every check, the verdict, limitations, Article 12 and its digest',
    (name) => {
      const report = samples[name]?.() as NarrativeReport;
      const text = flat(texts.get(name) ?? '');
      const headline = {
        pass: 'Evidence intact',
        fail: 'Evidence failed verification',
        inconclusive: 'Inconclusive',
      }[report.verdict];
      expect(text).toContain(headline);
      for (const line of report.checks) {
        expect(squash(text)).toContain(line.check);
        expect(text).toContain(line.status);
        if (line.code !== null) expect(text).toContain(line.code);
      }
      for (const limitation of report.limitations) expect(text).toContain(flat(limitation));
      expect(text).toContain('What this result does NOT prove');
      expect(text).toContain('EU AI Act Article 12');
      expect(text).toContain('does not assert conformity');
      for (const count of report.recordKeeping?.countsByEventType ?? [])
        expect(text).toContain(String(count.entries));
      expect(text).toContain(`Report digest: ${reportDigest(report)}`);
      const pages = (texts.get(name) ?? '').split('\f').filter((page) => page.trim() !== '');
      pages.forEach((page, index) => {
        expect(page).toContain(`Report digest: ${reportDigest(report)}`);
        expect(page).toContain(`Page ${index + 1} of ${pages.length}`);
      });
    },
  );

  it('prints expected and actual values of failing lines', () => {
    const text = flat(texts.get('failing') ?? '');
    for (const line of failingLedgerReport().checks.filter((check) => check.status === 'FAIL')) {
      expect(text).toContain(line.record ?? '');
      // Long hex values wrap inside the cell; the text layer keeps every character.
      expect(squash(text)).toContain(squash(`Expected: ${line.expected ?? ''}`));
      expect(squash(text)).toContain(squash(`Actual: ${line.actual ?? ''}`));
    }
  });

  it('prints the decision: blocking reasons, approvals, executions, timeline', () => {
    const text = flat(texts.get('decision') ?? '');
    const decision = decisionReport().decision;
    expect(decision).not.toBeNull();
    for (const heading of ['Blocking reasons', 'Approvals', 'Executions', 'Timeline'])
      expect(text).toContain(heading);
    for (const reason of decision?.blocking ?? []) expect(text).toContain(reason.code);
    expect(text).toContain('signed, valid');
    expect(text).toContain('unsigned');
    expect(text).toContain('signed by an untrusted key');
    expect(text).toContain('revoked');
    expect(text).toContain('quota exceeded');
    for (const event of decision?.timeline ?? [])
      expect(squash(text)).toContain(squash(event.summary));
  });

  it('keeps Latin, Arabic, Hebrew and combining marks in the text layer', () => {
    const decision = flat(texts.get('decision') ?? '').normalize('NFC');
    const failing = flat(texts.get('failing') ?? '').normalize('NFC');
    expect(decision).toContain(UNICODE_SAMPLES.latin);
    expect(decision).toContain(UNICODE_SAMPLES.arabic);
    expect(decision).toContain(UNICODE_SAMPLES.hebrew);
    expect(failing).toContain(UNICODE_SAMPLES.combining.normalize('NFC'));
  });

  it('spells out characters the embedded font lacks as code points', () => {
    const text = squash(texts.get('decision') ?? '');
    const spelled = (chars: string): string =>
      [...chars]
        .map((char) => `[U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}]`)
        .join('');
    expect(text).toContain(spelled(UNICODE_SAMPLES.cjk));
    // Neither U+2705 (white heavy check mark) nor U+1F680 (rocket) is in DejaVu Sans.
    expect(text).toContain(spelled(UNICODE_SAMPLES.emoji));
  });

  it('lists the first 500 of 1,200 check lines and counts the rest by code', async () => {
    const report = largeLedgerReport();
    const file = writePdf('large', await renderReportPdf(report));
    renderPages(file, 'report-large', 2);
    const text = flat(pdfText(file));
    const omitted = report.checks.slice(MAX_CHECK_ROWS);
    const links = omitted.filter((line) => line.code === 'LEDGER_LINK_BROKEN').length;
    const hashes = omitted.length - links;
    expect(text).toContain(
      `${LARGE_REPORT_CHECKS - MAX_CHECK_ROWS} more check lines are not listed here (LEDGER_HASH_MISMATCH: ${hashes}, LEDGER_LINK_BROKEN: ${links})`,
    );
    const listedRecords = report.checks.slice(0, MAX_CHECK_ROWS).map((line) => line.record);
    expect(text).toContain(`${listedRecords.at(-1) ?? ''} `);
    expect(text).not.toContain(`${report.checks[MAX_CHECK_ROWS]?.record ?? ''} `);
    // Check names appear only in the table's Check column.
    expect(text.match(/ledger\.(links|hashes)/g)?.length).toBe(MAX_CHECK_ROWS);
  });
});

describe.each(CHECK_STATUSES)('the %s badge', (status) => {
  it('is a word, not only a colour', async () => {
    const report = passingLedgerReport();
    const pdf = await renderReportPdf({
      ...report,
      checks: [{ ...(report.checks[0] as NarrativeReport['checks'][number]), status }],
    });
    const result = await verifyPdfReport(pdf);
    expect(result.ok).toBe(true);
    if (missingTools.length === 0)
      expect(flat(pdfText(writePdf(`badge-${status}`, pdf)))).toMatch(
        new RegExp(`\\b${status}\\b`),
      );
  });
});
