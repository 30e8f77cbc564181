import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { IdentityConfig } from '../config/config-sections';
import { IDENTITY_TEXTS, type Language } from './identity-texts';

/** The mail failed; the message names no address (SMTP errors often echo the recipient). */
export class VerificationMailError extends Error {
  constructor(readonly code: string) {
    super('the verification e-mail could not be sent');
    this.name = 'VerificationMailError';
  }
}

/** Sends one-time codes over SMTP (nodemailer). Absent SMTP_URL, `available` is false. */
@Injectable()
export class VerificationMailer implements OnModuleDestroy {
  private readonly logger = new Logger(VerificationMailer.name);
  private readonly transport?: Transporter;
  private readonly from?: string;

  constructor(identity: IdentityConfig) {
    const smtp = identity.smtp;
    if (smtp) {
      this.transport = createTransport(smtp.url);
      this.from = smtp.from;
    } else {
      this.logger.warn(
        'SMTP_URL is not set: e-mail verification is unavailable, visitors stay unverified (write-only) and staff-only profiles refuse everyone',
      );
    }
  }

  get available(): boolean {
    return this.transport !== undefined;
  }

  async send(to: string, code: string, language: Language, validMinutes: number): Promise<void> {
    if (!this.transport) throw new VerificationMailError('NO_SMTP');
    const texts = IDENTITY_TEXTS[language];
    try {
      await this.transport.sendMail({
        from: this.from,
        to,
        subject: texts.mailSubject,
        text: texts.mailBody(code, validMinutes),
      });
    } catch (err) {
      const raw = (err as { code?: unknown }).code;
      const code = typeof raw === 'string' ? raw.slice(0, 40) : 'ESEND';
      const responseCode = (err as { responseCode?: unknown }).responseCode;
      this.logger.warn({ code, responseCode }, 'verification e-mail not sent');
      throw new VerificationMailError(code);
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
