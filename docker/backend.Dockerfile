# DocuThinker backend (Express, port 5000), the image ECS runs as `backend`.
# Build: `npx nx docker-build backend` (see docs/containers.md).
#
# Production dependencies are installed on the host into dist/docker/backend
# (tools/containers/stage-image-context.sh: `npm ci --omit=dev` against the
# lockfile `nx build` generated, for linux/x64/glibc), not by `npm ci` in a
# build stage, because:
#  - the stand-in base CI builds from NODE_IMAGE's node binary (CI has no
#    registry to pull node images from: tools/containers/image-smoke.sh)
#    carries no npm;
#  - build containers on CI reach the registry only through a TLS-intercepting
#    proxy whose CA an image does not trust, and would re-download every
#    package on every build, where the host reuses the npm cache.
# The assemble stage still proves the native addons load on this base's libc.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS assemble
WORKDIR /app
COPY dist/docker/backend/ ./
COPY docker/check-native-addons.cjs /opt/checks/
RUN ["node", "/opt/checks/check-native-addons.cjs", "/app"]
# The data volume's mount point, created without a shell (a node-only base has none).
RUN ["node", "-e", "for (const dir of ['/data']) require('node:fs').mkdirSync(dir, { recursive: true })"]

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    DOCUTHINKER_DATA_DIR=/data
WORKDIR /app
# Root-owned and so read-only for the service user, even without --read-only.
COPY --from=assemble /app/ ./
# A fresh named volume copies this directory's owner, so the service can write to it.
COPY --from=assemble --chown=1000:1000 /data /data
USER 1000:1000
EXPOSE 5000
VOLUME ["/data"]
# Liveness only (never /ready, which checks dependencies); node's fetch, as the image has no curl.
# The port the service listens on: 5000 unless the container is run with another PORT.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const url = new URL('http://127.0.0.1:5000/health'); url.port = process.env.PORT || url.port; fetch(url).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# No shell or entrypoint script in between: node is PID 1 and receives SIGTERM itself.
ENTRYPOINT []
CMD ["node", "main.js"]
