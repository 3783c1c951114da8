//! A deterministic, realistic Dockerfile of about `lines` lines: multi-stage, continuations,
//! heredocs, flags, JSON forms, comments, variables. Shared by the benchmarks.

pub fn realistic(lines: usize) -> String {
    let mut out = String::from(
        "# syntax=docker/dockerfile:1\nARG NODE_VERSION=20\nARG APP_ENV=production\n\n",
    );
    let mut stage = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "FROM node:${{NODE_VERSION}}-bookworm AS build{stage}\n"
        ));
        out.push_str("WORKDIR /app\n# install system packages\n");
        out.push_str("RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n       ca-certificates curl git \\\n    && rm -rf /var/lib/apt/lists/*\n");
        out.push_str("COPY --chown=node:node package.json package-lock.json ./\n");
        out.push_str("RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --omit=dev\n");
        out.push_str("COPY . .\nENV NODE_ENV=${APP_ENV} PORT=3000\n");
        out.push_str("RUN <<EOF\nset -eux\nnpm run build\nnpm prune --omit=dev\nEOF\n");
        out.push_str(&format!(
            "LABEL org.opencontainers.image.title=\"app {stage}\" version=\"1.{stage}\"\n"
        ));
        out.push_str("EXPOSE 3000/tcp\nHEALTHCHECK --interval=30s --timeout=5s CMD [\"curl\", \"-f\", \"http://localhost:3000/health\"]\n");
        out.push_str(&format!("COPY --from=build{stage} /app/dist /srv/dist\nUSER node\nCMD [\"node\", \"dist/server.js\"]\n\n"));
        stage += 1;
    }
    out
}
