import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * A parsed document weighs about this many bytes per character of its text (measured: the
 * playground's introspection query, 1,927 characters, is 60 KB parsed).
 */
const BYTES_PER_CHARACTER = 32;

/** The parsed documents kept at most, by their estimated weight (as Apollo's document store). */
export const PARSED_DOCUMENTS_BYTES = 32 * 1024 * 1024;

/**
 * The documents of operations sent over graphql-ws, parsed once per text (least recently used go
 * first) and remembered as valid once they passed the rules that do not depend on variables. It
 * does for graphql-ws what Apollo's document store does over HTTP: a client sending the same
 * query again costs neither a parse nor the full validation, and the same text is the same
 * DocumentNode, which compiled execution (jit.ts) keys on.
 */
export class ParsedDocuments {
  private readonly parsed: LRUCache<string, DocumentNode>;
  private readonly valid = new WeakSet<DocumentNode>();

  constructor(maxBytes = PARSED_DOCUMENTS_BYTES) {
    this.parsed = new LRUCache<string, DocumentNode>({
      maxSize: maxBytes,
      sizeCalculation: (_document, text) => Math.max(1, text.length * BYTES_PER_CHARACTER),
    });
  }

  /** The document of `text`, parsed by `parse` unless it is kept; what fails to parse throws. */
  parse(text: string, parse: (text: string) => DocumentNode): DocumentNode {
    const kept = this.parsed.get(text);
    if (kept) return kept;
    const document = parse(text);
    this.parsed.set(text, document);
    return document;
  }

  /** Whether `document` passed the rules that do not depend on variables. */
  isValid(document: DocumentNode): boolean {
    return this.valid.has(document);
  }

  markValid(document: DocumentNode): void {
    this.valid.add(document);
  }
}
