import type { EvalReport } from './eval-report';

/** Text into HTML, every character that could open markup escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.pass{color:#176f2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}
details{margin:.2em 0}pre{white-space:pre-wrap;margin:.3em 0;background:#f6f6f6;padding:.4em}
.num{text-align:right}`;

/**
 * eval-report.html: one self-contained page (inline style, no script, no outside request; a CSP
 * meta tag says so to the browser). Every text from a scenario or a reply is escaped.
 */
export function renderHtml(report: EvalReport): string {
  const e = escapeHtml;
  const rows = report.scenarios
    .map((r) => {
      const transcript = r.turns
        .map(
          (t) =>
            `<pre>${e(`VISITOR ${t.input}`)}\n${t.replies.map((x) => e(`ASSISTANT: ${x}`)).join('\n')}` +
            `${t.notes.length ? `\n${t.notes.map((n) => e(`(${n})`)).join('\n')}` : ''}` +
            `\n${e(`tools: ${t.tools.map((c) => `${c.name} ${JSON.stringify(c.arguments)} (${c.status})`).join(', ') || 'none'}; ` + `outcome: ${t.outcome ?? '-'}; tokens: ${t.tokens}; ${t.ms} ms`)}</pre>`,
        )
        .join('');
      const why = r.failures.length ? `<ul>${r.failures.map((f) => `<li>${e(f)}</li>`).join('')}</ul>` : '';
      const judged = r.judged
        ? `<div>rubric: ${e(`${r.judged.verdict}${r.judged.why ? ` (${r.judged.why})` : ''}`)}</div>`
        : '';
      return (
        `<tr><td><b>${e(r.name)}</b><br><small>${e(r.file)} · ${e(r.profile)}</small><br>${e(r.description)}</td>` +
        `<td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'pass' : 'FAIL'}</td>` +
        `<td>${why}${judged}<details><summary>transcript</summary>${transcript}</details></td>` +
        `<td class="num">${r.tokens}</td><td class="num">${(r.latencyMs / 1000).toFixed(1)} s</td></tr>`
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Eval report: ${report.passed}/${report.total}</title><style>${STYLE}</style></head>
<body><h1>Eval report</h1>
<p>${e(`${report.passed}/${report.total} scenarios passed (${(report.passRate * 100).toFixed(1)}%, threshold ${(report.threshold * 100).toFixed(0)}%): ${report.ok ? 'OK' : 'below threshold'}.`)}<br>
${e(`Model: ${report.model.label}. Tokens: ${report.tokens}. Run: ${report.startedAt} – ${report.finishedAt}.`)}</p>
<table><thead><tr><th>scenario</th><th>result</th><th>why / transcript</th><th>tokens</th><th>latency</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
