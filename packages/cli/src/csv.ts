// RFC 4180 field splitting for one CSV record (the record reader has already joined quoted newlines).

const QUOTE = '"';
const COMMA = ',';

/**
 * Splits one record into fields. Quoted fields may hold commas, newlines and `""` (an escaped quote);
 * a quote inside an unquoted field is kept literally, as spreadsheets do. A trailing CR is dropped.
 */
export const parseCsvRecord = (text: string): string[] => {
  const record = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (!record.includes(QUOTE)) return record.split(COMMA);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (record[i] === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = record.indexOf(QUOTE, from);
        if (q < 0) {
          // Unterminated quote: keep the rest rather than lose data.
          value += record.slice(from);
          i = record.length;
          break;
        }
        value += record.slice(from, q);
        if (record[q + 1] === QUOTE) {
          value += QUOTE;
          from = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the next comma is kept (lenient, like most readers).
      const comma = record.indexOf(COMMA, i);
      const end = comma < 0 ? record.length : comma;
      fields.push(value + record.slice(i, end));
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = record.indexOf(COMMA, i);
      if (comma < 0) {
        fields.push(record.slice(i));
        return fields;
      }
      fields.push(record.slice(i, comma));
      i = comma + 1;
    }
  }
};
