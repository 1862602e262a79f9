/**
 * Timestamps as nexus-attest writes them: Python's `datetime.now(UTC).isoformat()`, e.g.
 * `2026-11-22T21:17:42.108328+00:00`, with the fraction omitted when the microseconds are 0.
 * Digests and bundles carry these strings verbatim, so new rows must match the form exactly.
 */
export function formatPythonIsoformatUtc(epochMicros: bigint): string {
  if (epochMicros < 0n) throw new RangeError('Timestamps before 1970 are not supported.');
  const seconds = new Date(Number(epochMicros / 1_000_000n) * 1000).toISOString().slice(0, 19);
  const micros = Number(epochMicros % 1_000_000n);
  return micros === 0 ? `${seconds}+00:00` : `${seconds}.${String(micros).padStart(6, '0')}+00:00`;
}
