# scimwright: gateway and/or worker in one image (docs/deploy.md).
#   docker build -t scimwright .
#   docker run -p 8080:8080 -v scimwright-data:/var/lib/scimwright scimwright            # one box, embedded Redis
#   docker run -e REDIS_URL=… -e SCIMWRIGHT_SECRET_KEY=… scimwright node --import tsx bin/worker.ts   # a worker host
FROM node:20-bookworm-slim

# Debian's Chromium (Playwright's own download is never used), redis-server for the one-box mode
# (embedded Redis when REDIS_URL is unset), fonts so screenshots show text, tini as PID 1 so the
# renderer processes Chromium leaves behind are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium redis-server fonts-liberation ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    CHROMIUM_PATH=/usr/lib/chromium/chromium \
    HOST=0.0.0.0 \
    PORT=8080 \
    SCIMWRIGHT_DATA_DIR=/var/lib/scimwright/data \
    SCIMWRIGHT_RECORDINGS_DIR=/var/lib/scimwright/recordings

WORKDIR /app
# Dependencies from the lock file alone first, so this layer is reused until the lock changes.
# tsx is a runtime dependency (the sources run as TypeScript); typescript and the test runner are not installed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY core ./core
COPY api ./api
COPY runner ./runner
COPY connectors ./connectors
COPY tsconfig.json ./

# The image's own user `node` (uid 1000) owns only the state folder; the code stays root-owned.
RUN mkdir -p /var/lib/scimwright/data /var/lib/scimwright/recordings \
 && chown -R node:node /var/lib/scimwright && chmod 0700 /var/lib/scimwright/data
USER node
VOLUME ["/var/lib/scimwright"]
EXPOSE 8080

# Node itself, not `npm start`: npm would run the dependency installer (scripts/ensure-deps.mjs) and
# does not pass SIGTERM on reliably; the gateway and the worker shut down in order on SIGTERM.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "bin/start.ts"]
