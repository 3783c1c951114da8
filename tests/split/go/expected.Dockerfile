# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /src
COPY --from=build /out/server /out/server
# Copy anything else the program reads at run time (templates, static files, config) here.
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/out/server"]
