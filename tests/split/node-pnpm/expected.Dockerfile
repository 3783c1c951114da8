FROM node:22-bookworm AS build
RUN corepack enable
WORKDIR /web
COPY package.json pnpm-lock.yaml ./
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm run build
RUN pnpm prune --prod

FROM node:22-bookworm-slim
RUN corepack enable
ENV NODE_ENV=production
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /web
COPY --from=build --chown=node:node /web/package.json ./
COPY --from=build --chown=node:node /web/node_modules ./node_modules
COPY --from=build --chown=node:node /web/.next ./.next
COPY --from=build --chown=node:node /web/public ./public
COPY --from=build --chown=node:node /web/next.config.mjs ./next.config.mjs
EXPOSE 3000
USER node
CMD ["pnpm", "start"]
