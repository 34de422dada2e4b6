# syntax=docker/dockerfile:1
# lvlup's image: `docker build -t lvlup .`, then `docker run lvlup serve` / `docker run lvlup worker`.
# Node 26 is the current LTS line (Node 20, which lvlup also supports, reached its end of life in April 2026).
ARG NODE_IMAGE=node:26-bookworm-slim

# ---- build: every dependency, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# tree-sitter grammars compile native bindings at install time
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# the web dashboard (React, built by Vite to web/dist), served by lvlup at /
COPY web ./web
RUN npm run build:web
# production dependencies only, for the final image
RUN npm ci --omit=dev --no-audit --no-fund

# ---- final: compiled JavaScript, production dependencies, git and bubblewrap, a non-root user ----
FROM ${NODE_IMAGE}
# git: repositories and projects; bubblewrap: the Sandbox's isolation; tini: PID 1 that forwards signals
# to Node and reaps the processes git and the Sandbox leave; ca-certificates: https clones and LLM providers
RUN apt-get update \
 && apt-get install -y --no-install-recommends git bubblewrap tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin lvlup \
 && mkdir -p /data && chown lvlup:lvlup /data
USER 10001:10001
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    PORT=8000 \
    LVLUP_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/lvlup.js"]
CMD ["serve"]
