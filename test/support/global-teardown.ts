export default async function globalTeardown(): Promise<void> {
  await globalThis.__twinNeo4j?.stop();
  globalThis.__twinNeo4j = undefined;
  await globalThis.__twinMosquitto?.stop();
  globalThis.__twinMosquitto = undefined;
}
