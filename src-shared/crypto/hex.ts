const LOWER_HEX = /^[0-9a-f]*$/;

/** True when `value` is a string of exactly `length` lowercase hex characters. */
export function isLowerHex(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length === length && LOWER_HEX.test(value);
}

/** Decodes hex (either case). Throws on odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error('not an even-length hex string');
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The bytes of an ASCII string (one byte per UTF-16 code unit; callers guarantee ASCII). */
export function asciiToBytes(ascii: string): Uint8Array {
  const bytes = new Uint8Array(ascii.length);
  for (let i = 0; i < ascii.length; i++) bytes[i] = ascii.charCodeAt(i);
  return bytes;
}
