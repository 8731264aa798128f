// Query classes for per-class evaluation, assigned from the query text alone (deterministic, no catalog):
// the first rule that applies wins.
//   model number  a word contains a digit ("iphone 7", "ps4", "brother tn-2110 toner")
//   one word      a single word ("laptop", "garmin")
//   two words     two words ("gaming mouse", "phone case")
//   long tail     three or more words ("external dvd drive")
// Words are runs of letters and digits, lowercased.

export const QUERY_CLASS_ORDER = ['model number', 'one word', 'two words', 'long tail'] as const;
export type QueryClass = (typeof QUERY_CLASS_ORDER)[number];

const WORD = /[\p{L}\p{N}]+/gu;

export const queryClass = (query: string): QueryClass => {
  const words = query.toLowerCase().match(WORD) ?? [];
  if (words.some((w) => /\p{N}/u.test(w))) return 'model number';
  if (words.length <= 1) return 'one word';
  if (words.length === 2) return 'two words';
  return 'long tail';
};
