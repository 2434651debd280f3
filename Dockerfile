# syntax=docker/dockerfile:1
# Production image: compiled JavaScript, production dependencies only, non-root.
# Needs DATABASE_URL; applies pending migrations, then starts the API on 0.0.0.0:3000.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
# postinstall generates the Prisma client into src/generated (offline).
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 MIGRATE_ON_START=false
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma ./prisma
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations run once per start, before the server takes traffic (and under Prisma's advisory lock).
CMD ["sh", "-c", "node dist/scripts/db-deploy.js && exec node dist/src/server.js"]
