/** RFC 5321: a path holds at most 256 octets including the angle brackets. */
export declare const MAX_EMAIL_LENGTH = 254;
export declare function isEmailAddress(value: string): boolean;
