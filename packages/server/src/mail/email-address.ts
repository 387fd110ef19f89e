// Whether a string is an e-mail address we will send to. Pure; deliberately narrower than RFC 5322 (no quoted local
// parts, comments or IP literals) because the address goes into an SMTP envelope and a header.

/** RFC 5321: a path holds at most 256 octets including the angle brackets. */
export const MAX_EMAIL_LENGTH = 254;

// One @, no whitespace or control characters (no header injection), no characters SMTP or headers treat specially,
// and a dotted domain.
const ADDRESS = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && ADDRESS.test(value);
}
