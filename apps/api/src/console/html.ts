/** A piece of markup already escaped (or written by us): interpolated as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function part(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value === undefined || value === null || value === false) return '';
  // Objects are never interpolated as text: JSON is explicit at the call site.
  return escapeHtml(
    typeof value === 'object' || typeof value === 'function' ? JSON.stringify(value) : (value as string),
  );
}

/** Tagged template: every interpolated value is escaped unless it is SafeHtml (or an array of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => (out += part(v) + strings[i + 1]));
  return new SafeHtml(out);
}

export const CONSOLE_HOME = '/admin';
export const CONSOLE_CSS = '/admin/console/console.css';
export const consoleConversationPath = (threadId: string) =>
  `/admin/console/conversations/${encodeURIComponent(threadId)}`;

/** The page frame: our stylesheet only, no script (the CSP allows same-origin files only). */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Operator console</title>
        <link rel="stylesheet" href="${CONSOLE_CSS}" />
      </head>
      <body>
        <header>
          <a class="brand" href="${CONSOLE_HOME}">Operator console</a>
          <nav>
            <a href="${CONSOLE_HOME}">Conversations</a> <a href="/admin/queues">Queues</a> <a href="/admin/docs">API</a>
          </nav>
        </header>
        <main>${body}</main>
      </body>
    </html> `.value;
}

export const fmtNumber = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
export const fmtPercent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '–' : `${Math.round(rate * 1000) / 10} %`;
export const fmtTime = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '–');
