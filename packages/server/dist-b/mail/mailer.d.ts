export interface MailerOptions {
    /** `smtp://user:pass@host:587` or `smtps://…:465`; query options as nodemailer reads them. */
    smtpUrl: string;
    /** The From header, e.g. `Shop <help@shop.example>`. */
    from: string;
}
export interface Mailer {
    /** Plain text only. Rejects with EMAIL_SEND_FAILED (retryable) when the mail server refuses or cannot be reached. */
    send(mail: {
        to: string;
        subject: string;
        text: string;
    }): Promise<void>;
    close(): void;
}
export declare function createMailer(options: MailerOptions): Mailer;
