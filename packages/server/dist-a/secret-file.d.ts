/**
 * Returns the secret stored next to `dbPath`, creating it on first boot so tokens survive restarts.
 * `:memory:` databases get a fresh secret each time (nothing survives a restart there anyway).
 */
export declare function loadOrCreateSecret(dbPath: string): {
    secret: string;
    path: string | undefined;
    isNew: boolean;
};
