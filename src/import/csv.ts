/**
 * A streaming CSV parser (RFC 4180): quoted fields may hold commas, quotes
 * (doubled) and newlines. Warehouse exports of Segment's `pages` and
 * `identifies` tables are CSV with such fields (titles, URLs, user agents).
 */

/** Splits CSV text chunks into records; keeps state across chunks. */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  private quoteSeen = false;
  /** The 1-based line where the current record started. */
  private line = 1;
  private recordLine = 1;

  /** Feeds a chunk; returns the records it completed, with their starting line. */
  push(chunk: string): { fields: string[]; line: number }[] {
    const out: { fields: string[]; line: number }[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (this.inQuotes) {
        if (c === '"') {
          if (chunk[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            // A quote at a chunk's end: decided by the next chunk.
            this.inQuotes = false;
            this.quoteSeen = true;
          } else {
            this.inQuotes = false;
          }
        } else {
          if (c === '\n') this.line++;
          this.field += c;
        }
        continue;
      }
      if (this.quoteSeen && c === '"') {
        // The quote that ended the previous chunk was the first of a doubled pair.
        this.field += '"';
        this.inQuotes = true;
        this.quoteSeen = false;
        continue;
      }
      this.quoteSeen = false;
      if (c === '"' && this.field === '') this.inQuotes = true;
      else if (c === ',') this.endField();
      else if (c === '\n') {
        this.endField();
        out.push({ fields: this.record, line: this.recordLine });
        this.record = [];
        this.line++;
        this.recordLine = this.line;
      } else if (c !== '\r') this.field += c;
    }
    return out;
  }

  /** Ends the input; returns the last record if the file did not end with a newline. */
  end(): { fields: string[]; line: number }[] {
    if (this.field === '' && this.record.length === 0) return [];
    this.endField();
    const last = { fields: this.record, line: this.recordLine };
    this.record = [];
    return [last];
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
  }
}
