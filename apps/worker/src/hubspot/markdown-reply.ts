import MarkdownIt from 'markdown-it';
type Token = MarkdownIt.Token;

/**
 * Models write Markdown; HubSpot shows `richText` (HTML) in the chat and `text` elsewhere (e-mail
 * digests, the API). Only what a chat can show is parsed — emphasis, lists, line breaks, links —
 * raw HTML from the model stays text (escaped), and links are http(s) only.
 */
const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true }).enable([
  'emphasis',
  'list',
  'link',
  'linkify',
  'newline',
  'backticks',
  'escape',
  'strikethrough',
]);
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });
md.validateLink = (url) => /^https?:\/\//i.test(url.trim());

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  tokens[i].attrSet('target', '_blank');
  tokens[i].attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, i, options, env, self);
};

/** HTML for HubSpot's `richText`: paragraphs, <br>, <strong>/<em>, lists and http(s) links; no HTML from the model. */
export function toRichText(text: string): string {
  return md.render(text).replace(/\n/g, '').replace(/'/g, '&#39;');
}

/** The same reply as clean plain text for `text`: no Markdown markers; a link's address after its label. */
export function toPlainText(text: string): string {
  const out: string[] = [];
  const numbers: number[] = [];
  for (const token of md.parse(text, {})) {
    if (token.type === 'ordered_list_open') numbers.push(Number(token.attrGet('start') ?? 1));
    else if (token.type === 'bullet_list_open') numbers.push(0);
    else if (token.type === 'ordered_list_close' || token.type === 'bullet_list_close') {
      numbers.pop();
      if (numbers.length === 0) out.push('\n');
    } else if (token.type === 'list_item_open') {
      const n = numbers.at(-1) ?? 0;
      out.push(`${'  '.repeat(Math.max(0, numbers.length - 1))}${n > 0 ? `${n}. ` : '• '}`);
      if (n > 0) numbers[numbers.length - 1] = n + 1;
    } else if (token.type === 'inline') out.push(inlineText(token.children ?? []));
    else if (token.type === 'paragraph_close') out.push(token.hidden ? '\n' : '\n\n');
  }
  return out
    .join('')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function inlineText(children: Token[]): string {
  let text = '';
  let link: { href: string; from: number } | undefined;
  for (const child of children) {
    if (child.type === 'text' || child.type === 'code_inline') text += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += '\n';
    else if (child.type === 'link_open') link = { href: String(child.attrGet('href') ?? ''), from: text.length };
    else if (child.type === 'link_close' && link) {
      // A labelled link keeps its address in plain text; a bare URL is already its own label.
      if (text.slice(link.from) !== link.href) text += ` (${link.href})`;
      link = undefined;
    }
  }
  return text;
}
