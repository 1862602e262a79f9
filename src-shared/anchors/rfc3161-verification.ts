/**
 * Verification of the RFC 3161 timestamps nexuscone stores on its anchors
 * (../shared/specs/nexuscone.md §5, TSA track): `tst_blob` is the TSA's whole DER TimeStampResp,
 * and the timestamped data is the raw 32-byte chain head, so the token's message imprint is
 * SHA-256 over those 32 bytes (the entry hash hashed once more).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ProofdeskError, type FindingCode } from '../check-code';
import { bytesToHex, hexToBytes, isLowerHex } from '../crypto/hex';
import type { Finding } from '../verification-report';

export type TstFindingCode = Extract<FindingCode, `ANCHOR_TSA_${string}`>;

export interface TstFinding extends Pick<Finding, 'message' | 'expected' | 'actual'> {
  readonly code: TstFindingCode;
}

export interface TstVerification {
  /** In check order; empty means every check ran and passed. */
  readonly findings: readonly TstFinding[];
  /** TSTInfo genTime as ISO 8601 UTC (millisecond precision), or null when unparsable. */
  readonly genTime: string | null;
  /** TSTInfo serialNumber as 0x-prefixed lowercase hex, the way `openssl ts -reply -text` shows it. */
  readonly serialNumber?: string;
  /** Subject of the certificate that signed the token, e.g. `C=GB, O=Example, CN=Example TSA`. */
  readonly signerSubject?: string;
  /** The signer certificate was judged against supplied roots (whatever the outcome). */
  readonly trustChecked: boolean;
}

export interface TstVerificationInput {
  readonly responseDer: Uint8Array;
  /** The anchor's chain_head_hash as stored: 64 lowercase hex. */
  readonly chainHeadHash: string;
  /** DER X.509 CA certificates the user trusts to certify TSAs; null or empty skips the trust check. */
  readonly trustRoots: readonly Uint8Array[] | null;
  /** The nonce the request carried; nexuscone sends none, so stored anchors omit it. */
  readonly expectedNonce?: bigint;
  /** WebCrypto-backed engine for signature checks; defaults to pkijs's engine over globalThis.crypto. */
  readonly cryptoEngine?: pkijs.ICryptoEngine;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentTypeAttr: '1.2.840.113549.1.9.3',
  messageDigestAttr: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

interface DigestAlgorithm {
  /** The name pkijs's engine expects for RSA PKCS#1 v1.5 hashes. */
  readonly webCryptoName: string;
  readonly hash: (bytes: Uint8Array) => Uint8Array;
}

const DIGESTS: Readonly<Record<string, DigestAlgorithm>> = {
  '1.3.14.3.2.26': { webCryptoName: 'SHA-1', hash: (bytes) => sha1(bytes) },
  [OID.sha256]: { webCryptoName: 'SHA-256', hash: (bytes) => sha256(bytes) },
  '2.16.840.1.101.3.4.2.2': { webCryptoName: 'SHA-384', hash: (bytes) => sha384(bytes) },
  '2.16.840.1.101.3.4.2.3': { webCryptoName: 'SHA-512', hash: (bytes) => sha512(bytes) },
};

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const PKI_STATUS_NAMES = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];

/**
 * Verifies one stored RFC 3161 response for one chain head, in this order, each failure with its
 * own code: structure and PKIStatus (ANCHOR_TSA_MALFORMED, which stops everything else); message
 * imprint (ANCHOR_TSA_IMPRINT_MISMATCH); nonce, only when `expectedNonce` is given
 * (ANCHOR_TSA_NONCE_MISMATCH); the CMS signature (ANCHOR_TSA_SIGNATURE_INVALID); the signer's
 * trust (ANCHOR_TSA_UNTRUSTED, or one ANCHOR_TSA_ROOTS_MISSING when no roots were supplied). The
 * imprint, nonce, signature and trust checks are independent of each other, so a broken imprint
 * does not hide a broken signature; only a missing signer certificate also skips the trust check.
 *
 * Preconditions: `trustRoots` are DER certificates (a root that does not parse throws a USAGE
 * ProofdeskError, since that is bad configuration rather than a property of the ledger); a
 * `chainHeadHash` that is not 64 lowercase hex is reported as an imprint mismatch, never thrown.
 *
 * A PASS (no findings, roots supplied) proves: the response is a granted TimeStampResp whose
 * TSTInfo imprints SHA-256 of this raw head; its single SignerInfo carries contentType and
 * messageDigest attributes matching the TSTInfo, and an ESS signingCertificate(V2) attribute
 * naming the included signer certificate, and its signature over those attributes verifies with
 * that certificate's key; that certificate has exactly the critical timeStamping extended key
 * usage (and, when it has keyUsage, only digitalSignature and/or nonRepudiation), no critical
 * extension pkijs cannot read, was within its validity period at genTime, and chains (pkijs
 * CertificateChainValidationEngine, checked at genTime) to one of the supplied roots, which must
 * be CA certificates rather than the TSA certificate itself. In short: a TSA holding a key that
 * one of your roots certified for timestamping saw this head when its clock read genTime.
 *
 * It does not prove: that the TSA's clock was right (genTime is the TSA's claim); that the signer
 * or CA certificates were unrevoked, because no CRL or OCSP is fetched or consulted; anything
 * about the roots themselves, which are trusted as given; that the anchor's head is still in the
 * ledger (that is checkAnchorHeads). Without roots it proves only that the token is internally
 * consistent: anyone can mint such a token with a certificate of their own.
 */
export async function verifyTimestampResponse(
  input: TstVerificationInput,
): Promise<TstVerification> {
  const engine = input.cryptoEngine ?? pkijs.getCrypto(true);
  const roots = (input.trustRoots ?? []).map(parseTrustRoot);

  const parsed = parseResponse(input.responseDer);
  if ('problem' in parsed) {
    return {
      findings: [{ code: 'ANCHOR_TSA_MALFORMED', message: parsed.problem }],
      genTime: null,
      trustChecked: false,
    };
  }
  const { signedData, signerInfo, tstInfo, eContent } = parsed;
  const genTime = tstInfo.genTime;
  const summary = {
    genTime: genTime.toISOString(),
    serialNumber: serialText(tstInfo.serialNumber),
  };

  const findings: TstFinding[] = [];
  const imprintFinding = checkImprint(tstInfo.messageImprint, input.chainHeadHash);
  if (imprintFinding) findings.push(imprintFinding);
  if (input.expectedNonce !== undefined) {
    const nonceFinding = checkNonce(tstInfo.nonce, input.expectedNonce);
    if (nonceFinding) findings.push(nonceFinding);
  }

  const signer = findSignerCertificate(signedData, signerInfo);
  if (!signer) {
    findings.push({
      code: 'ANCHOR_TSA_SIGNATURE_INVALID',
      message:
        'the token does not include the certificate its SignerInfo names, so its signature cannot be checked',
      expected: 'the signer certificate in the token (certReq on)',
      actual: `${String(signedData.certificates?.length ?? 0)} certificate(s), none matching the signer identifier`,
    });
    return { ...summary, findings, trustChecked: false };
  }
  const signerSubject = distinguishedName(signer.subject);
  const signatureProblem = await checkSignature(signerInfo, signer, eContent, engine);
  if (signatureProblem) {
    findings.push({ code: 'ANCHOR_TSA_SIGNATURE_INVALID', ...signatureProblem });
  }

  if (roots.length === 0) {
    findings.push({
      code: 'ANCHOR_TSA_ROOTS_MISSING',
      message: `no TSA trust roots were supplied, so whether ${JSON.stringify(signerSubject)} may issue timestamps was not checked`,
    });
    return { ...summary, signerSubject, findings, trustChecked: false };
  }
  findings.push(...(await checkTrust(signer, signedData, roots, genTime, engine)));
  return { ...summary, signerSubject, findings, trustChecked: true };
}

interface ParsedResponse {
  readonly signedData: pkijs.SignedData;
  readonly signerInfo: pkijs.SignerInfo;
  readonly tstInfo: pkijs.TSTInfo;
  readonly eContent: Uint8Array;
}

function parseResponse(der: Uint8Array): ParsedResponse | { problem: string } {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) {
    return { problem: `the response is not DER-encoded ASN.1 (${asn.result.error || 'no data'})` };
  }
  if (asn.offset !== der.byteLength) {
    return { problem: `the response has ${der.byteLength - asn.offset} bytes after its DER value` };
  }
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: asn.result });
  } catch {
    return { problem: 'the response is not an RFC 3161 TimeStampResp' };
  }
  const status = response.status.status as number;
  if (status !== 0 && status !== 1) {
    const text = (response.status.statusStrings ?? []).map((item) => item.valueBlock.value);
    return {
      problem: `the TSA did not grant the timestamp: status ${PKI_STATUS_NAMES[status] ?? String(status)}${text.length > 0 ? ` (${text.join('; ')})` : ''}`,
    };
  }
  const token = response.timeStampToken;
  if (!token) return { problem: 'the response is granted but carries no timestamp token' };
  if (token.contentType !== OID.signedData) {
    return { problem: `the timestamp token is ${token.contentType}, not CMS SignedData` };
  }
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: token.content });
  } catch {
    return { problem: 'the timestamp token is not a well-formed CMS SignedData' };
  }
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== OID.tstInfo) {
    return { problem: `the token's content type is ${eContentType}, not id-ct-TSTInfo` };
  }
  if (!eContent) return { problem: 'the token does not encapsulate its TSTInfo' };
  const tstInfoDer = new Uint8Array(eContent.getValue());
  const tstAsn = asn1js.fromBER(tstInfoDer);
  if (tstAsn.offset !== tstInfoDer.byteLength) {
    return { problem: 'the token’s TSTInfo is not one DER value' };
  }
  let tstInfo: pkijs.TSTInfo;
  try {
    tstInfo = new pkijs.TSTInfo({ schema: tstAsn.result });
  } catch {
    return { problem: 'the token’s TSTInfo does not have the RFC 3161 structure' };
  }
  if (tstInfo.version !== 1) {
    return { problem: `the TSTInfo has version ${tstInfo.version}, not 1` };
  }
  if (Number.isNaN(tstInfo.genTime.getTime())) {
    return { problem: 'the TSTInfo genTime is not a valid time' };
  }
  if (signedData.signerInfos.length !== 1) {
    return {
      problem: `the token has ${signedData.signerInfos.length} signers, but RFC 3161 requires exactly the TSA’s`,
    };
  }
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  return { signedData, signerInfo, tstInfo, eContent: tstInfoDer };
}

function checkImprint(imprint: pkijs.MessageImprint, chainHeadHash: string): TstFinding | null {
  const algorithm = imprint.hashAlgorithm.algorithmId;
  if (algorithm !== OID.sha256) {
    return {
      code: 'ANCHOR_TSA_IMPRINT_MISMATCH',
      message: `the timestamp imprints a ${algorithm} hash, but nexuscone requests SHA-256`,
      expected: `SHA-256 (${OID.sha256})`,
      actual: algorithm,
    };
  }
  const actual = bytesToHex(imprint.hashedMessage.valueBlock.valueHexView);
  if (!isLowerHex(chainHeadHash, 64)) {
    return {
      code: 'ANCHOR_TSA_IMPRINT_MISMATCH',
      message: 'the anchor’s chain head is not 64 lowercase hex, so no imprint can match it',
      expected: `SHA-256 of the 32-byte head ${JSON.stringify(chainHeadHash)}`,
      actual,
    };
  }
  const expected = bytesToHex(sha256(hexToBytes(chainHeadHash)));
  if (actual === expected) return null;
  return {
    code: 'ANCHOR_TSA_IMPRINT_MISMATCH',
    message: 'the timestamp’s message imprint is not SHA-256 of this anchor’s raw chain head',
    expected,
    actual,
  };
}

function checkNonce(nonce: asn1js.Integer | undefined, expected: bigint): TstFinding | null {
  const actual = nonce?.toBigInt();
  if (actual === expected) return null;
  return {
    code: 'ANCHOR_TSA_NONCE_MISMATCH',
    message:
      actual === undefined
        ? 'the timestamp carries no nonce although the request sent one'
        : 'the timestamp’s nonce is not the one the request sent',
    expected: expected.toString(),
    actual: actual === undefined ? '(no nonce)' : actual.toString(),
  };
}

function certificatesOf(signedData: pkijs.SignedData): pkijs.Certificate[] {
  return (signedData.certificates ?? []).filter(
    (item): item is pkijs.Certificate => item instanceof pkijs.Certificate,
  );
}

/** RFC 5652 §5.3: the SignerInfo names its certificate by issuer and serial, or by key id. */
function findSignerCertificate(
  signedData: pkijs.SignedData,
  signerInfo: pkijs.SignerInfo,
): pkijs.Certificate | null {
  const sid: unknown = signerInfo.sid;
  const certificates = certificatesOf(signedData);
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return (
      certificates.find(
        (certificate) =>
          certificate.issuer.isEqual(sid.issuer) &&
          certificate.serialNumber.isEqual(sid.serialNumber),
      ) ?? null
    );
  }
  const keyId = subjectKeyIdOfSid(sid);
  if (!keyId) return null;
  return certificates.find((certificate) => equalBytes(subjectKeyIdOf(certificate), keyId)) ?? null;
}

function subjectKeyIdOfSid(sid: unknown): Uint8Array | null {
  // pkijs keeps the [0] IMPLICIT SubjectKeyIdentifier primitive, or wrapped when the sender used
  // a constructed encoding.
  if (sid instanceof asn1js.Constructed) {
    const inner: unknown = sid.valueBlock.value[0];
    return inner instanceof asn1js.OctetString
      ? new Uint8Array(inner.valueBlock.valueHexView)
      : null;
  }
  return sid instanceof asn1js.Primitive ? new Uint8Array(sid.valueBlock.valueHexView) : null;
}

function subjectKeyIdOf(certificate: pkijs.Certificate): Uint8Array {
  const extension = certificate.extensions?.find(
    (item) => item.extnID === OID.subjectKeyIdentifier,
  );
  const value: unknown = extension?.parsedValue;
  if (value instanceof asn1js.OctetString) return new Uint8Array(value.valueBlock.valueHexView);
  // RFC 5280 §4.2.1.2 method 1, which is also what pkijs and OpenSSL fall back to.
  return sha1(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
}

async function checkSignature(
  signerInfo: pkijs.SignerInfo,
  signer: pkijs.Certificate,
  eContent: Uint8Array,
  engine: pkijs.ICryptoEngine,
): Promise<Pick<TstFinding, 'message' | 'expected' | 'actual'> | null> {
  const attributes = signerInfo.signedAttrs?.attributes;
  if (!signerInfo.signedAttrs || !attributes) {
    return {
      message: 'the SignerInfo has no signed attributes, which RFC 3161 requires',
      expected: 'contentType, messageDigest and signingCertificate(V2) attributes',
      actual: '(none)',
    };
  }
  const digestOid = signerInfo.digestAlgorithm.algorithmId;
  const digest = DIGESTS[digestOid];
  if (!digest) {
    return {
      message: `the signature uses digest algorithm ${digestOid}, which Proofdesk does not support`,
      expected: 'SHA-1, SHA-256, SHA-384 or SHA-512',
      actual: digestOid,
    };
  }
  const attribute = (type: string): unknown =>
    attributes.find((item) => item.type === type)?.values[0] as unknown;

  const contentType = attribute(OID.contentTypeAttr);
  const contentTypeOid =
    contentType instanceof asn1js.ObjectIdentifier ? contentType.getValue() : '(missing)';
  if (contentTypeOid !== OID.tstInfo) {
    return {
      message: 'the signed contentType attribute does not name id-ct-TSTInfo',
      expected: OID.tstInfo,
      actual: contentTypeOid,
    };
  }

  const messageDigest = attribute(OID.messageDigestAttr);
  const expectedDigest = bytesToHex(digest.hash(eContent));
  const actualDigest =
    messageDigest instanceof asn1js.OctetString
      ? bytesToHex(messageDigest.valueBlock.valueHexView)
      : '(missing)';
  if (actualDigest !== expectedDigest) {
    return {
      message: 'the signed messageDigest attribute is not the digest of the TSTInfo',
      expected: expectedDigest,
      actual: actualDigest,
    };
  }

  const essProblem = checkEssCertId(attribute, signer);
  if (essProblem) return essProblem;

  let verified: boolean;
  try {
    const isRsaPkcs1 = signerInfo.signatureAlgorithm.algorithmId === OID.rsaEncryption;
    verified = await engine.verifyWithPublicKey(
      signerInfo.signedAttrs.encodedValue,
      signerInfo.signature,
      signer.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      isRsaPkcs1 ? digest.webCryptoName : undefined,
    );
  } catch (error) {
    return {
      message: `the signature cannot be checked: ${error instanceof Error ? error.message : String(error)}`,
      expected: 'a signature algorithm WebCrypto supports',
      actual: signerInfo.signatureAlgorithm.algorithmId,
    };
  }
  if (verified) return null;
  return {
    message: `the CMS signature over the signed attributes does not verify with the key of ${JSON.stringify(distinguishedName(signer.subject))}`,
    expected: 'a valid signature by the included signer certificate',
    actual: bytesToHex(signerInfo.signature.valueBlock.valueHexView),
  };
}

/**
 * RFC 3161 §2.4.1 (with RFC 5816): the signed ESS signingCertificate or signingCertificateV2
 * attribute binds the signature to one certificate, so a certificate with the same key but other
 * usages or another issuer cannot be swapped in after signing. OpenSSL enforces the same.
 */
function checkEssCertId(
  attribute: (type: string) => unknown,
  signer: pkijs.Certificate,
): Pick<TstFinding, 'message' | 'expected' | 'actual'> | null {
  const v2 = attribute(OID.signingCertificateV2);
  const v1 = attribute(OID.signingCertificate);
  const certId = firstEssCertId(v2 ?? v1);
  if (!certId) {
    return {
      message:
        'the signed attributes carry no readable signingCertificate(V2) naming the signer certificate',
      expected: 'an ESS signingCertificate or signingCertificateV2 attribute',
      actual: v2 === undefined && v1 === undefined ? '(missing)' : '(unreadable)',
    };
  }
  // ESSCertIDv2 hashes with SHA-256 unless it names another algorithm; ESSCertID is always SHA-1.
  let hashOid = v2 === undefined ? '1.3.14.3.2.26' : OID.sha256;
  let hashField: unknown = certId[0];
  if (v2 !== undefined && certId[0] instanceof asn1js.Sequence) {
    const algorithm: unknown = certId[0].valueBlock.value[0];
    if (!(algorithm instanceof asn1js.ObjectIdentifier)) return essUnreadable();
    hashOid = algorithm.getValue();
    hashField = certId[1];
  }
  const digest = DIGESTS[hashOid];
  if (!digest || !(hashField instanceof asn1js.OctetString)) return essUnreadable();
  const expected = bytesToHex(digest.hash(new Uint8Array(signer.toSchema().toBER())));
  const actual = bytesToHex(hashField.valueBlock.valueHexView);
  if (expected === actual) return null;
  return {
    message: 'the signed signingCertificate attribute names another certificate than the signer',
    expected,
    actual,
  };
}

function essUnreadable(): Pick<TstFinding, 'message' | 'expected' | 'actual'> {
  return {
    message: 'the signed signingCertificate(V2) attribute is not in the RFC 5035 form',
    expected: 'SEQUENCE OF ESSCertID(v2) with a certHash',
    actual: '(unreadable)',
  };
}

/** The fields of the first ESSCertID(v2) in a SigningCertificate(V2) value. */
function firstEssCertId(value: unknown): unknown[] | null {
  if (!(value instanceof asn1js.Sequence)) return null;
  const certs: unknown = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) return null;
  const first: unknown = certs.valueBlock.value[0];
  if (!(first instanceof asn1js.Sequence)) return null;
  return [...first.valueBlock.value];
}

async function checkTrust(
  signer: pkijs.Certificate,
  signedData: pkijs.SignedData,
  roots: readonly pkijs.Certificate[],
  genTime: Date,
  engine: pkijs.ICryptoEngine,
): Promise<TstFinding[]> {
  const findings: TstFinding[] = [];
  const untrusted = (message: string, expected: string, actual: string): void => {
    findings.push({ code: 'ANCHOR_TSA_UNTRUSTED', message, expected, actual });
  };
  const subject = JSON.stringify(distinguishedName(signer.subject));

  const usageProblem = timestampingUsageProblem(signer);
  if (usageProblem)
    untrusted(`${subject} ${usageProblem.message}`, usageProblem.expected, usageProblem.actual);

  const notBefore = signer.notBefore.value;
  const notAfter = signer.notAfter.value;
  const inValidity = notBefore <= genTime && genTime <= notAfter;
  if (!inValidity) {
    untrusted(
      `the timestamp’s genTime lies outside the validity period of ${subject}`,
      `${notBefore.toISOString()} to ${notAfter.toISOString()}`,
      genTime.toISOString(),
    );
  }

  const signerDer = new Uint8Array(signer.toSchema().toBER());
  if (roots.some((root) => equalBytes(new Uint8Array(root.toSchema().toBER()), signerDer))) {
    untrusted(
      `${subject} was itself supplied as a root, but roots must be the CA certificates that certify TSAs`,
      'a CA certificate above the TSA certificate',
      'the TSA certificate',
    );
    return findings;
  }
  // The token's other certificates may serve as intermediates but never as anchors: only the
  // supplied roots are trusted. pkijs treats the last entry of `certs` as the leaf.
  const intermediates = certificatesOf(signedData).filter(
    (certificate) => !equalBytes(new Uint8Array(certificate.toSchema().toBER()), signerDer),
  );
  const chain = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [...roots],
    certs: [...intermediates, signer],
    checkDate: genTime,
  });
  let result: pkijs.CertificateChainValidationEngineVerifyResult;
  try {
    result = await chain.verify({}, engine);
  } catch (error) {
    result = {
      result: false,
      resultCode: -1,
      resultMessage: error instanceof Error ? error.message : String(error),
    };
  }
  // pkijs also checks every certificate's validity at genTime (code 8); the signer's own period
  // was reported above, so only a root or intermediate outside its period adds a finding here.
  const onlySignerDate =
    result.resultCode === 8 && !inValidity && !anyIssuerOutside(chain, genTime);
  if (!result.result && !onlySignerDate) {
    untrusted(
      `${subject} does not chain to a supplied TSA root at genTime: ${result.resultMessage || 'no valid path'}`,
      `a path to one of ${roots.map((root) => JSON.stringify(distinguishedName(root.subject))).join(', ')}`,
      `issued by ${JSON.stringify(distinguishedName(signer.issuer))}`,
    );
  }
  return findings;
}

function anyIssuerOutside(chain: pkijs.CertificateChainValidationEngine, when: Date): boolean {
  const leaf = chain.certs[chain.certs.length - 1];
  return [...chain.trustedCerts, ...chain.certs].some(
    (certificate) =>
      certificate !== leaf &&
      (certificate.notBefore.value > when || certificate.notAfter.value < when),
  );
}

/**
 * RFC 3161 §2.3, enforced as OpenSSL's timestamp-signing purpose does: exactly one extended key
 * usage, id-kp-timeStamping, in a critical extension; keyUsage, when present, only
 * digitalSignature and/or nonRepudiation; and no critical extension that cannot be interpreted.
 */
function timestampingUsageProblem(
  certificate: pkijs.Certificate,
): { message: string; expected: string; actual: string } | null {
  const extensions = certificate.extensions ?? [];
  const expected = 'a critical extendedKeyUsage of timeStamping only';
  const eku = extensions.find((item) => item.extnID === OID.extKeyUsage);
  const purposes =
    eku?.parsedValue instanceof pkijs.ExtKeyUsage ? eku.parsedValue.keyPurposes : null;
  if (!eku || !purposes) {
    return {
      message: 'has no extendedKeyUsage, so it is not certified for timestamping',
      expected,
      actual: '(no extendedKeyUsage)',
    };
  }
  if (!purposes.includes(OID.timeStamping) || purposes.length !== 1) {
    return {
      message: 'is not certified for timestamping only',
      expected,
      actual: purposes.join(', '),
    };
  }
  if (!eku.critical) {
    return {
      message:
        'has the timeStamping extended key usage, but not marked critical as RFC 3161 requires',
      expected,
      actual: 'a non-critical extendedKeyUsage of timeStamping',
    };
  }
  const keyUsage = extensions.find((item) => item.extnID === OID.keyUsage);
  if (keyUsage) {
    const bits: unknown = keyUsage.parsedValue;
    const view = bits instanceof asn1js.BitString ? bits.valueBlock.valueHexView : null;
    // digitalSignature is 0x80 and nonRepudiation 0x40 of the first byte; anything else is not a
    // usage a TSA key should have.
    const first = view?.[0] ?? 0;
    const others = (view ?? new Uint8Array()).some((byte, index) =>
      index === 0 ? (byte & 0x3f) !== 0 : byte !== 0,
    );
    if (!view || (first & 0xc0) === 0 || others) {
      return {
        message: 'has a keyUsage other than digitalSignature and nonRepudiation',
        expected: 'keyUsage digitalSignature and/or nonRepudiation only',
        actual: view ? `keyUsage bits ${bytesToHex(view)}` : '(unreadable keyUsage)',
      };
    }
  }
  const unreadable = extensions.find((item) => item.critical && item.parsedValue === undefined);
  if (unreadable) {
    return {
      message: `has a critical extension ${unreadable.extnID} that Proofdesk cannot interpret`,
      expected: 'only critical extensions Proofdesk understands',
      actual: unreadable.extnID,
    };
  }
  return null;
}

function parseTrustRoot(der: Uint8Array, index: number): pkijs.Certificate {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== der.byteLength) throw new Error('trailing or missing bytes');
    return new pkijs.Certificate({ schema: asn.result });
  } catch {
    throw new ProofdeskError(
      'USAGE',
      `TSA trust root ${index + 1} is not a DER X.509 certificate.`,
    );
  }
}

function distinguishedName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((item) => {
      const value: unknown = item.value;
      const text =
        value instanceof asn1js.BaseStringBlock ? value.getValue() : '(non-string value)';
      return `${ATTRIBUTE_NAMES[item.type] ?? item.type}=${text}`;
    })
    .join(', ');
}

/** A trust root's subject as the report names it, e.g. "C=GB, O=…, CN=…". */
export function certificateSubject(der: Uint8Array): string {
  return distinguishedName(parseTrustRoot(der, 0).subject);
}

function serialText(serial: asn1js.Integer): string {
  const value = serial.toBigInt();
  const hex = (value < 0n ? -value : value).toString(16);
  return `${value < 0n ? '-' : ''}0x${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
