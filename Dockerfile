# syntax=docker/dockerfile:1
# One image per Baton service: `docker build --build-arg SERVICE=ingestion .` (docker-compose.yml
# builds all six). SERVICE is an app folder under apps/; the default is the embedded standalone.

# Dependencies for the build: the full tree, swc included.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# tsconfig.base.json carries the path aliases swc rewrites into relative requires.
COPY tsconfig.base.json ./
COPY tools ./tools
COPY libs ./libs
COPY apps ./apps
RUN node tools/build.mjs

# Dependencies for the runtime: production only.
FROM node:24-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim AS runtime
ARG SERVICE=standalone
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    BATON_WORKFLOWS_DIR=/app/workflows
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY workflows ./workflows
# PGlite's folder, used only when BATON_DATABASE_URL is not set.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
# The exec form does not expand variables, so a shell resolves $SERVICE and then `exec`s node,
# leaving node as PID 1 to receive SIGTERM and run the shutdown hooks.
CMD ["/bin/sh", "-c", "exec node --enable-source-maps dist/apps/${SERVICE}/src/main.js"]
