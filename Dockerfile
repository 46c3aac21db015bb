FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/media
# CJK fonts: Word/PDF reports render Chinese text with Noto Sans CJK; WeasyPrint needs pango.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cppcc cppcc
COPY members members
COPY studios studios
COPY consultations consultations
COPY proposals proposals
COPY reports reports
RUN pip install --no-cache-dir .
COPY . .
# The CJK font cut for Word documents, made at build time rather than in someone's request.
ENV CPPCC_FONT_CACHE_DIR=/app/.cache/fonts
RUN python -c "from cppcc import documents; documents.base_font()"
RUN useradd --create-home cppcc && mkdir -p /app/staticfiles /app/media && chown -R cppcc /app/staticfiles /app/media
USER cppcc
EXPOSE 8000
# Workers (WEB_CONCURRENCY, default 3), bind, access log and the garbage-collection tuning that
# keeps full collections out of requests: cppcc/gunicorn.py.
CMD ["gunicorn", "cppcc.wsgi:application", "-c", "python:cppcc.gunicorn"]
