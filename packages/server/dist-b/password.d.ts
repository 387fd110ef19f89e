export declare const MIN_PASSWORD_LENGTH = 8;
export declare const MAX_PASSWORD_LENGTH = 1024;
/** Hashes a password with a fresh random salt. */
export declare function hashPassword(password: string): Promise<string>;
/** True when `password` matches `stored`. A malformed `stored` never matches. */
export declare function verifyPassword(password: string, stored: string): Promise<boolean>;
export declare function decoyPasswordHash(): Promise<string>;
