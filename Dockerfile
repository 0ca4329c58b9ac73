# bulkops: `bulkops serve` by default; `docker run IMAGE worker` runs a Celery worker from the same image.
# Slim and non-root: wheels are built in a throwaway stage, only the installed package reaches the final image.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[scale]"

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BULKOPS_DATA_DIR=/data
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels "bulkops[scale]" \
    && useradd --system --uid 10001 --user-group --home-dir /data --create-home bulkops
USER bulkops
WORKDIR /data
EXPOSE 8000
ENTRYPOINT ["bulkops"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
