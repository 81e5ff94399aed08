/** The pure side of the twin-graph import: the document's types and its validation. */
export * from './document';
export { findCycles, type Cycle, type CycleEdge } from './cycles';
export { DEFAULT_MAX_PROBLEMS } from './problems';
export { externalReferences, validateDocument, type ExternalReferences } from './validate';
