/**
 * Reads the evidence back out of a report PDF: the embedded canonical JSON, and the digest the
 * footers print. pdfjs-dist (Mozilla's PDF.js, maintained, pure JavaScript) parses the PDF, so a
 * PDF that any mainstream tool can open is read the way those tools read it, and Proofdesk does
 * not carry its own PDF parser.
 */
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { checkReportEnvelope } from '../../src-shared/report/report-json';
import type { NarrativeReport } from '../../src-shared/report/report-model';
import { REPORT_ATTACHMENT_NAME } from './report-pdf';

export type PdfReportCheck =
  | { readonly ok: true; readonly report: NarrativeReport; readonly digest: string }
  | { readonly ok: false; readonly reason: string };

interface PdfjsAttachment {
  readonly filename: string;
  readonly content: Uint8Array;
}

const FOOTER_DIGEST = /Report digest:\s*(sha256:[0-9a-f]{64})/;

async function openPdf(pdf: Uint8Array): Promise<PDFDocumentProxy> {
  // The legacy build is the one PDF.js supports under Node (no DOMMatrix, no workers needed).
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs.getDocument({
    // PDF.js takes ownership of (detaches) the buffer it is given; the caller keeps theirs.
    data: pdf.slice(),
    disableFontFace: true,
    isEvalSupported: false,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: 0,
  }).promise;
}

async function attachmentsOf(document: PDFDocumentProxy): Promise<Map<string, Uint8Array>> {
  const table = ((await document.getAttachments()) ?? {}) as Record<string, PdfjsAttachment>;
  const attachments = new Map<string, Uint8Array>();
  for (const [key, attachment] of Object.entries(table)) {
    attachments.set(attachment.filename || key, new Uint8Array(attachment.content));
  }
  return attachments;
}

/** Every embedded file, by name, with its bytes as stored. */
export async function readPdfAttachments(pdf: Uint8Array): Promise<Map<string, Uint8Array>> {
  const document = await openPdf(pdf);
  try {
    return await attachmentsOf(document);
  } finally {
    await document.destroy();
  }
}

async function footerDigests(document: PDFDocumentProxy): Promise<(string | null)[]> {
  const digests: (string | null)[] = [];
  for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber += 1) {
    const page = await document.getPage(pageNumber);
    const content = await page.getTextContent();
    // PDF.js gives words and the spaces between them as separate items.
    const text = content.items
      .map((item) => ('str' in item ? `${item.str}${item.hasEOL ? '\n' : ''}` : ''))
      .join('');
    digests.push(FOOTER_DIGEST.exec(text)?.[1] ?? null);
  }
  return digests;
}

/**
 * Checks a report PDF on its own terms: the embedded report must match its envelope digest, and
 * every page's footer must print that digest. This proves the PDF's text and its embedded report
 * agree on which report they are; re-verifying the evidence proves the report still holds.
 */
export async function verifyPdfReport(pdf: Uint8Array): Promise<PdfReportCheck> {
  let document: PDFDocumentProxy;
  try {
    document = await openPdf(pdf);
  } catch (error) {
    return {
      ok: false,
      reason: `The file cannot be read as a PDF (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
  try {
    const embedded = (await attachmentsOf(document)).get(REPORT_ATTACHMENT_NAME);
    if (embedded === undefined)
      return { ok: false, reason: `The PDF has no embedded ${REPORT_ATTACHMENT_NAME}.` };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(embedded);
    } catch {
      return { ok: false, reason: `The embedded ${REPORT_ATTACHMENT_NAME} is not UTF-8 text.` };
    }
    const envelope = checkReportEnvelope(text);
    if (!envelope.ok)
      return { ok: false, reason: `${capitalise(envelope.reason.replace(/\.$/, ''))}.` };
    const printed = await footerDigests(document);
    const pageWithout = printed.findIndex((digest) => digest === null);
    if (pageWithout >= 0)
      return { ok: false, reason: `Page ${pageWithout + 1} has no report digest in its footer.` };
    const pageDiffering = printed.findIndex((digest) => digest !== envelope.digest);
    if (pageDiffering >= 0)
      return {
        ok: false,
        reason: `The footer of page ${pageDiffering + 1} prints ${String(printed[pageDiffering])}, but the embedded report's digest is ${envelope.digest}.`,
      };
    return { ok: true, report: envelope.report, digest: envelope.digest };
  } catch (error) {
    return {
      ok: false,
      reason: `The PDF could not be read to the end (${error instanceof Error ? error.message : String(error)}).`,
    };
  } finally {
    await document.destroy();
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
