FROM python:3.12 AS build
RUN apt-get update && apt-get install -y gcc libpq-dev
WORKDIR /app
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .

FROM python:3.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --no-log-init --create-home --uid 10001 app
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
ENV DATABASE_PASSWORD=changeme
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app ./
EXPOSE 8000
USER app
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
