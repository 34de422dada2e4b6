import { DEFAULT_PORT } from './app-settings.js';

// The image: built in one stage with every dependency, run in another with the production ones only, as the
// unprivileged `node` user of the official image.

export const HEALTH_PATH = '/api/openapi.json';

const healthProbe =
  `fetch('http://127.0.0.1:' + (process.env.PORT || ${DEFAULT_PORT}) + '${HEALTH_PATH}')` +
  '.then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))';

export function dockerfileOf({ web }: { web: boolean }): string {
  return `# syntax=docker/dockerfile:1

# build: every dependency, exactly as package-lock.json lists them (run \`npm install\` once to write it),
# then the compiled backend${web ? ' and the single-page app' : ''}, then the dev dependencies go.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

# runtime: what the build left, run by the unprivileged node user
FROM node:20-slim AS runtime
ENV NODE_ENV=production \\
    HOST=0.0.0.0 \\
    PORT=${DEFAULT_PORT} \\
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE ${DEFAULT_PORT}
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
  CMD ["node", "-e", ${JSON.stringify(healthProbe)}]
CMD ["npm", "start"]
`;
}

export const dockerignore = `node_modules
dist
.git
.gitignore
.env
.env.*
*.log
Dockerfile
.dockerignore
compose.yaml
k8s
`;

/** compose.yaml: the app and the PostgreSQL it keeps its data in, on a named volume. */
export function composeOf(): string {
  return `# \`docker compose up --build\` runs the app on http://localhost:${DEFAULT_PORT}/ with PostgreSQL beside it.
# The database user and password below are for this local setup only.
services:
  app:
    build: .
    ports:
      - "${DEFAULT_PORT}:${DEFAULT_PORT}"
    environment:
      HOST: 0.0.0.0
      PORT: "${DEFAULT_PORT}"
      DATABASE_URL: postgres://app:app@db:5432/app
    depends_on:
      db:
        condition: service_healthy
    restart: unless-stopped
  db:
    image: postgres:17
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: app
      POSTGRES_DB: app
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app -d app"]
      interval: 5s
      timeout: 5s
      retries: 10
    volumes:
      - database:/var/lib/postgresql/data
    restart: unless-stopped
volumes:
  database: {}
`;
}
