/**
 * Reads the PEM certificate bundles users supply as TSA trust roots (RFC 7468 textual encoding).
 * Platform-free, so the renderer can check a chosen file as well as main can.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ProofdeskError } from '../check-code';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64_ALPHABET].map((char, index) => [char, index]));

/**
 * The DER bytes of every CERTIFICATE block in `text`, in file order. Text between blocks and
 * blocks of other labels (a private key, say) are ignored, as OpenSSL does; `sourceName` only
 * names the input in errors. Throws a USAGE ProofdeskError when there is no certificate, a block
 * is unterminated or not base64, or its content is not one DER X.509 certificate.
 */
export function parsePemCertificates(text: string, sourceName: string): Uint8Array[] {
  const certificates: Uint8Array[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, beginLabel = '', body = '', endLabel = ''] = match;
    if (beginLabel !== endLabel) {
      throw new ProofdeskError(
        'USAGE',
        `${sourceName} has a PEM block that begins as ${beginLabel} but ends as ${endLabel}.`,
      );
    }
    if (beginLabel !== 'CERTIFICATE') continue;
    const ordinal = certificates.length + 1;
    const der = decodeBase64(body);
    if (!der) {
      throw new ProofdeskError(
        'USAGE',
        `Certificate ${ordinal} in ${sourceName} is not valid base64.`,
      );
    }
    if (!isOneCertificate(der)) {
      throw new ProofdeskError(
        'USAGE',
        `Certificate ${ordinal} in ${sourceName} is not a DER X.509 certificate.`,
      );
    }
    certificates.push(der);
  }
  if (certificates.length === 0) {
    const unterminated = text.includes('-----BEGIN CERTIFICATE-----');
    throw new ProofdeskError(
      'USAGE',
      unterminated
        ? `${sourceName} has a BEGIN CERTIFICATE line without its matching END line.`
        : `${sourceName} contains no PEM certificate (no -----BEGIN CERTIFICATE----- block).`,
    );
  }
  return certificates;
}

/** RFC 4648 base64 with line breaks and other whitespace allowed; null for anything else. */
function decodeBase64(body: string): Uint8Array | null {
  const chars = body.replace(/\s+/g, '');
  if (chars.length === 0 || chars.length % 4 !== 0) return null;
  const padding = chars.endsWith('==') ? 2 : chars.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((chars.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < chars.length; i += 4) {
    let quad = 0;
    for (let j = 0; j < 4; j++) {
      const char = chars[i + j] as string;
      const isPad = char === '=' && i + j >= chars.length - padding;
      const value = isPad ? 0 : BASE64_VALUE.get(char);
      if (value === undefined) return null;
      quad = (quad << 6) | value;
    }
    for (const shift of [16, 8, 0]) {
      if (out < bytes.length) bytes[out++] = (quad >> shift) & 0xff;
    }
  }
  return bytes;
}

function isOneCertificate(der: Uint8Array): boolean {
  const asn = asn1js.fromBER(der);
  if (asn.offset !== der.byteLength) return false;
  try {
    new pkijs.Certificate({ schema: asn.result });
    return true;
  } catch {
    return false;
  }
}
