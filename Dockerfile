# One image for both services of docker-compose.yml: the mock (default command) and the
# reference app (`python -m reference_app`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY reference_app ./reference_app
RUN pip install ".[app]" && useradd --create-home --uid 10001 stytch
USER stytch

EXPOSE 8080 3000
# Inside a container the servers must listen on every interface, not on 127.0.0.1.
CMD ["stytch-mock", "--host", "0.0.0.0", "--port", "8080"]
