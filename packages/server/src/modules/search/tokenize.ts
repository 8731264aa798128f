// English tokenization for keyword search: lowercase, accents folded, split on non-alphanumerics, stop words
// dropped, and a light suffix-stripping stemmer (plurals, -ing, -ed, -ly, -ness …) applied to each token.

const STOP_WORDS = new Set(
  'a an and are as at be by for from in into is it of on or the to with without'.split(' '),
);
const SPLIT = /[^\p{L}\p{N}]+/u;

/** Splits text into lowercase words (no stemming, stop words kept): the query's raw terms. */
export const words = (text: string): string[] =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(SPLIT)
    .filter((w) => w.length > 0);

const VOWEL = /[aeiouy]/;

/** A small English stemmer: strips the common inflectional and derivational suffixes, keeps a stem of 3+. */
export const stem = (word: string): string => {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ness', 'ly', 'ment']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && VOWEL.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      // "running" → "runn" → "run"; "hoping" stays "hop"
      if (w.length > 3 && w[w.length - 1] === w[w.length - 2] && !/[lsz]/.test(w[w.length - 1]))
        w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
};

/** Index-side analysis: words, stop words dropped, stemmed. */
export const analyze = (text: string): string[] => {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP_WORDS.has(w)) out.push(stem(w));
  return out;
};

export const isStopWord = (word: string): boolean => STOP_WORDS.has(word);
