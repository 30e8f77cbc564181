import { FakeSmtp, type ReceivedMail } from '../../../../test/fakes/smtp.fake';

/**
 * The sandbox's mail catcher: a local SMTP server (the test fake) that keeps every mail the
 * worker sends, so the page can show the verification codes instead of delivering them.
 */
export class MailCatcher extends FakeSmtp {
  /** Newest first, at most 50 (a sandbox runs for hours; keep the page light). */
  recent(): ReceivedMail[] {
    if (this.mails.length > 200) this.mails.splice(0, this.mails.length - 200);
    return this.mails.slice(-50).reverse();
  }

  /** The worker's variables for this catcher. */
  workerEnv(): Record<string, string> {
    return { SMTP_URL: this.url, MAIL_FROM: 'Sandbox assistant <assistant@sandbox.example.com>' };
  }
}
