/**
 * Every Cypher statement of the twins capability, in one place: the list queries, the batch
 * import and export, and the mutations take their statements from here, and so does the
 * `--if-empty` check of `npm run import` (cli/import.ts).
 *
 * A folder rather than one `twins.cypher.ts`: the twins have some forty-five statements and
 * clauses (the import writes thirteen sections, the export reads twelve), which with their
 * comments make about 370 lines, beyond the ~300 one file holds well. They are split by concern:
 *
 * - `queries.ts`: the list queries' page statement and their relationship MATCH clauses;
 * - `import-export.ts`: what validation reads of the stored graph, the writer's per-section
 *   upserts, the export's per-section reads (also a mutation's read of its stored row);
 * - `mutations.ts`: existence checks, removing a relationship, delete with cascade, and the
 *   cycle search from one new edge.
 *
 * Statements that depend on data (a label from a closed list, a WHERE built by the code) are
 * builder functions next to the constants, each saying what it splices in; values are always
 * parameters. Not here: the generic reads of any twin by id and of any relationship walk
 * (src/graph/loaders.ts, whose walks twins declares in specs.ts) and the migration runner's
 * statements (src/graph/migrations.ts): graph/ is the infrastructure every capability uses, not
 * a capability.
 */
export * from './import-export';
export * from './mutations';
export * from './queries';
