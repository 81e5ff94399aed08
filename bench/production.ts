/**
 * The benchmarks measure the server as it is deployed: with NODE_ENV=production, as the Docker
 * image sets it (graphql-js then skips its development-only checks, e.g. its `instanceOf`
 * that looks for a second copy of graphql on every type test). Imported first by every
 * benchmark, before anything reads the variable; an explicit NODE_ENV is kept.
 */
process.env['NODE_ENV'] ??= 'production';

export {};
