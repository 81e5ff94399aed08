# The API image used by docker-compose.yml. Neo4j and the broker run in their own containers.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY test/support ./test/support
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A capped heap: V8 keeps caches (compiled documents' sources among them, docs/architecture.md
# "Execution: compiled documents") until the heap nears its limit, so the limit, not the host's
# memory, bounds the process. Override NODE_OPTIONS to give the API more or less.
ENV NODE_OPTIONS=--max-old-space-size=1536
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY seeds ./seeds
# The telemetry journal, spill files and history (TELEMETRY_JOURNAL_DIR, TELEMETRY_SPILL_DIR,
# HISTORY_DIR) live in .data: the node user must own it (/app is root's; without this the API
# stopped at start with EACCES on .data/history). docker-compose.yml mounts a volume here, so they
# survive the container being re-created.
RUN mkdir -p /app/.data && chown node:node /app/.data
VOLUME /app/.data
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
