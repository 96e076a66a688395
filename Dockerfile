# One image for the four services; SERVICES picks what a container runs. It holds only what runs: the
# compiled bundles (dist/app), the dashboard build, the production dependencies and the package.json
# files that make them resolvable (decision 11). The same steps work without Docker:
#   npm ci && npm run build && npm ci --omit=dev && node --no-allocation-site-pretenuring dist/app/launcher.js
ARG NODE_IMAGE=node:24-bookworm-slim

# better-sqlite3 compiles from source when no prebuilt binary fits.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The manifests alone, so the dependency layers below stay cached while only sources change.
FROM toolchain AS manifests
COPY . /src
RUN mkdir -p /manifests \
  && cd /src \
  && cp package.json package-lock.json /manifests/ \
  && for manifest in packages/*/package.json services/*/package.json; do \
       mkdir -p "/manifests/$(dirname "$manifest")" && cp "$manifest" "/manifests/$manifest"; \
     done

# Every dependency, to build the bundles and the dashboard.
FROM toolchain AS build
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# The git commit for kafka_monitor_build_info's revision label (.git is not copied): pass
# --build-arg REVISION=$(git rev-parse HEAD); unknown otherwise.
ARG REVISION=unknown
RUN SOURCE_REVISION="$REVISION" npm run build

# The production dependencies only (`npm ls --omit=dev` holds no test or build tool; a test checks).
FROM toolchain AS production-deps
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the process: the service cannot rewrite its own code.
COPY --from=production-deps /app ./
COPY --from=build /app/dist/app ./dist/app
COPY --from=build /app/services/monitor/dist/web ./services/monitor/dist/web
RUN mkdir -p /data && chown node:node /data
USER node
# 3000: the monitor's API and dashboard; 9464: /health/live, /health/ready and /metrics of every process.
EXPOSE 3000 9464
# Ready when /health/ready answers 200 on METRICS_PORT (9464 unless set), the port of every process,
# or on PORT, where a process with the monitor serves it too. (METRICS_PORT=0, any free port, cannot
# be probed: give a container a fixed one.)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=6 \
  CMD ["node", "-e", "const e=process.env;Promise.any([e.METRICS_PORT||9464,e.PORT||3000].map(p=>fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>{if(!r.ok)throw r.status}))).then(()=>process.exit(0),()=>process.exit(1))"]
# V8 flags belong on the command line (decision 9); npm start runs the same command.
CMD ["node", "--no-allocation-site-pretenuring", "dist/app/launcher.js"]
