FROM gcc:13 AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev cmake && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/server
COPY . .
# build with all cores
RUN make -j"$(nproc)"
RUN useradd --system server

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system server
WORKDIR /opt/server
# Adjust: copy only what the program needs at run time from the build stage.
COPY --from=build /opt/server /opt/server
EXPOSE 7000
USER server
CMD ["./server", "--port", "7000"]
