import MiniSearch, { type Options } from 'minisearch';
import { foldText, indexTerm } from '../knowledge-text';

/** One chunk as the local index holds it (and returns it: every field is stored). */
export interface IndexedChunk {
  id: string;
  source: string;
  title: string;
  heading: string;
  text: string;
  url?: string;
  language?: string;
  /** '' = every profile. */
  profile: string;
}

/** The same options build, load and query the index: folded, stemmed, stopwords out. */
export const INDEX_OPTIONS: Options<IndexedChunk> = {
  fields: ['title', 'heading', 'text'],
  storeFields: ['source', 'title', 'heading', 'text', 'url', 'language', 'profile'],
  tokenize: (text) => foldText(text).split(' '),
  processTerm: (term) => indexTerm(term) || null,
  searchOptions: {
    boost: { title: 2, heading: 1.5 },
    // Words of 4+ letters also match longer forms (inflections the light stem leaves).
    prefix: (term) => term.length >= 4,
    combineWith: 'OR',
  },
};

export function buildIndex(chunks: Iterable<IndexedChunk>): MiniSearch<IndexedChunk> {
  const index = new MiniSearch<IndexedChunk>(INDEX_OPTIONS);
  index.addAll([...chunks]);
  return index;
}

export function loadIndex(json: string): MiniSearch<IndexedChunk> {
  return MiniSearch.loadJSON<IndexedChunk>(json, INDEX_OPTIONS);
}
