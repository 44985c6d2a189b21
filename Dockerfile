# Chung Tay bot. Build: docker build -t chung-tay .   Run: docker run -p 3000:3000 -v chungtay-data:/app/data chung-tay
# With Redis and MongoDB: docker compose up (docker-compose.yml). Node 24, as in .nvmrc and package.json.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly; dev dependencies (tests, type checker) are left out.
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY flows ./flows
COPY locales ./locales
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Asks the port the bot really listens on (PORT may be set at run time).
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node runs as PID 1 with no wrapper, so docker stop's SIGTERM reaches the bot and it shuts down cleanly.
CMD ["node", "--import", "tsx", "src/main.ts"]
