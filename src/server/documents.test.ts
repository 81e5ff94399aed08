import { type DocumentNode, parse } from 'graphql';
import { ParsedDocuments } from './documents';

describe('parsed documents (graphql-ws)', () => {
  it('when the same text comes again, then it is the same document, parsed once; a text that fails to parse is tried again', () => {
    const documents = new ParsedDocuments();
    let parses = 0;
    const counted = (text: string): DocumentNode => {
      parses += 1;
      return parse(text);
    };
    const a = documents.parse('{ factories { totalCount } }', counted);
    expect(documents.parse('{ factories { totalCount } }', counted)).toBe(a);
    expect(parses).toBe(1);
    expect(documents.parse('{ assets { totalCount } }', counted)).not.toBe(a);
    expect(parses).toBe(2);
    for (let i = 0; i < 2; i += 1) {
      expect(() => documents.parse('{ factories {', counted)).toThrow(/Syntax Error/);
    }
    expect(parses).toBe(4);
  });

  it('when a document passed the static rules, then it is remembered as valid, by document', () => {
    const documents = new ParsedDocuments();
    const a = documents.parse('{ a }', parse);
    expect(documents.isValid(a)).toBe(false);
    documents.markValid(a);
    expect(documents.isValid(a)).toBe(true);
    expect(documents.isValid(parse('{ a }'))).toBe(false);
  });

  it('when the texts outgrow the budget, then the least recently used go first', () => {
    // 32 bytes per character: a budget of 3,200 bytes holds 100 characters of text
    const documents = new ParsedDocuments(3200);
    const text = (n: number) => `{ f${String(n).padStart(3, '0')} }`.padEnd(25, ' ');
    const first = documents.parse(text(0), parse);
    for (let n = 1; n < 4; n += 1) documents.parse(text(n), parse);
    // four of 25 characters fit; reading the first keeps it the most recent
    expect(documents.parse(text(0), parse)).toBe(first);
    documents.parse(text(4), parse);
    expect(documents.parse(text(0), parse)).toBe(first);
    const second = documents.parse(text(1), parse);
    documents.parse(text(1), parse);
    expect(documents.parse(text(1), parse)).toBe(second);
    let reparsed = 0;
    documents.parse(text(2), (t) => {
      reparsed += 1;
      return parse(t);
    });
    // text 2 was the least recently used when 4 and 1 came back: it was dropped
    expect(reparsed).toBe(1);
  });
});
