// How the built-in encoder splits text into words when it counts them: the same normalization as its
// tokenizer (lowercase, accents stripped), letters and digits kept, everything else a separator.
export const words = (text: string): string[] =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) ?? [];
