FROM python:3.11-bookworm AS build
ENV POETRY_NO_INTERACTION=1
RUN pip install --no-cache-dir poetry==1.8.3
WORKDIR /srv
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-root
COPY . .
RUN poetry install --only main

FROM python:3.11-slim-bookworm
RUN useradd --no-log-init --create-home --uid 10001 app
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv ./
EXPOSE 8000
USER app
CMD ["gunicorn", "shop.wsgi:application", "--bind", "0.0.0.0:8000"]
