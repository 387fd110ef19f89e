/** A site's saved FAQ source. */
export interface SiteFaq {
    siteId: string;
    /** Markdown in the `@parley/faq` format, already validated by whoever saved it. */
    source: string;
    /** When it was last saved (ms). */
    updatedAt: number;
}
export interface FaqStore {
    /** The site's FAQ; undefined when none was saved. */
    getSiteFaq(siteId: string): Promise<SiteFaq | undefined>;
    /** Replaces the site's FAQ (one per site). */
    putSiteFaq(input: {
        siteId: string;
        source: string;
    }): Promise<SiteFaq>;
}
