/**
 * Wall-clock time in microseconds since the epoch: nexuscone and nexus-attest both write
 * microsecond timestamps, and Date.now() has only milliseconds.
 */
export function nowEpochMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}
