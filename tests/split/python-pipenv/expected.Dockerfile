FROM python:3.10 AS build
RUN pip install pipenv
RUN apt-get update && apt-get install -y --no-install-recommends default-libmysqlclient-dev build-essential pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /code
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
COPY Pipfile Pipfile.lock ./
RUN pipenv install --deploy
COPY . .

FROM python:3.10-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/*
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
WORKDIR /code
COPY --from=build /opt/venv /opt/venv
COPY --from=build /code ./
USER nobody
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
