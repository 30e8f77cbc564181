/** What one PromQL expression refers to: series names, and the label names it matches or groups on. */
export interface PromqlRefs {
  /** Series selected, each with the label names of its `{…}` matchers. */
  selectors: { metric: string; labels: string[] }[];
  /** Label names in by/without/on/ignoring/group_left/group_right clauses. */
  grouping: string[];
}

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * A small reader, enough for our rules and panels: string literals, range selectors and
 * grouping clauses are taken out; an identifier followed by `(` is a function, any other is a
 * series name. It is deliberately strict: a misspelt name shows up as an unknown series.
 */
export function promqlRefs(expr: string): PromqlRefs {
  const grouping: string[] = [];
  let text = expr.replace(GROUPING, (_, _kw: string, labels: string) => {
    grouping.push(...splitNames(labels));
    return ' ';
  });
  const selectors: PromqlRefs['selectors'] = [];
  // Matchers first (their values may hold anything), then ranges like [5m] or [$__rate_interval].
  const matchers: string[][] = [];
  text = text.replace(/\{([^}]*)\}/g, (_, body: string) => {
    matchers.push(
      [...body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g)].map((m) => m[1]),
    );
    return ` __m${matchers.length - 1}__ `;
  });
  text = text.replace(/\[[^\]]*\]/g, ' ').replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  // `offset 1d` (a duration, not a series).
  text = text.replace(/\boffset\s+-?\d+[a-z]+\b/gi, ' ');
  const tokens = /(__m(\d+)__)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?|(\d+(?:\.\d+)?(?:e\d+)?)/g;
  let last: { metric: string; labels: string[] } | undefined;
  for (const m of text.matchAll(tokens)) {
    if (m[1]) {
      const labels = matchers[Number(m[2])];
      if (last) last.labels.push(...labels);
      else selectors.push({ metric: '', labels }); // {__name__=…} style: reported as a nameless selector
      last = undefined;
      continue;
    }
    last = undefined;
    if (!m[3] || m[4] || KEYWORDS.has(m[3].toLowerCase())) continue;
    last = { metric: m[3], labels: [] };
    selectors.push(last);
  }
  return { selectors, grouping };
}

function splitNames(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
