export default async function globalTeardown(): Promise<void> {
  await globalThis.__twinNeo4j?.stop();
  globalThis.__twinNeo4j = undefined;
}
