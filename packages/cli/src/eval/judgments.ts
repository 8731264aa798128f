// Reads a judged query set in the chorus-icecat layout: queries.tsv (`qid<TAB>query`) and a qrels TSV
// (`qid<TAB>docid<TAB>grade…`, grade 0–3, `#` comments and a `qid` header line ignored).
import { readFileSync } from 'node:fs';

export interface JudgedSet {
  queries: Map<string, string>;
  /** qid → docid → grade */
  judgments: Map<string, Map<string, number>>;
}

const rows = (text: string): string[][] =>
  text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));

export const parseJudgedSet = (queriesText: string, judgmentsText: string): JudgedSet => {
  const queries = new Map<string, string>();
  for (const [qid, query] of rows(queriesText))
    if (qid && query !== undefined) queries.set(qid, query.trim());
  const judgments = new Map<string, Map<string, number>>();
  for (const [qid, docid, grade] of rows(judgmentsText)) {
    const g = Number(grade);
    if (qid === 'qid' || !docid || !Number.isFinite(g)) continue;
    if (!judgments.has(qid)) judgments.set(qid, new Map());
    judgments.get(qid)!.set(docid, g);
  }
  return { queries, judgments };
};

export const readJudgedSet = (queriesPath: string, judgmentsPath: string): JudgedSet =>
  parseJudgedSet(readFileSync(queriesPath, 'utf8'), readFileSync(judgmentsPath, 'utf8'));
