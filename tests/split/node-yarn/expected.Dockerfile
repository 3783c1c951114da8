FROM node:18-bullseye AS build
WORKDIR /app
ENV PORT=8080
COPY package.json yarn.lock ./
# install and build in one go
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn build
RUN yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline

FROM node:18-bullseye-slim
ENV NODE_ENV=production
ENV PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build /app/healthcheck.js /app/healthcheck.js
LABEL org.opencontainers.image.source="https://example.com/shop"
HEALTHCHECK --interval=30s CMD node healthcheck.js
USER node
CMD ["node", "build/index.js"]
