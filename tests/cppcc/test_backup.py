"""The backup in docs/operations.md restores: pg_dump -Fc of a small county, restored with
pg_restore into a new empty database, has every table with the same rows (count and an md5 of
the rows in order), and the media archive gives back every uploaded file byte for byte.

PostgreSQL only (pg_dump has nothing to dump from SQLite)."""

import datetime
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import uuid

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image
from psycopg import sql

from studios import services
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="backups are pg_dump/pg_restore: run with DATABASE_URL=postgres://…",
    ),
]


def _conninfo(dbname: str) -> dict:
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
        "dbname": dbname,
    }


def _env(info: dict) -> dict:
    return {
        **os.environ,
        "PGHOST": info["host"],
        "PGPORT": info["port"],
        "PGUSER": info["user"],
        "PGPASSWORD": info["password"],
    }


def _fingerprint(dbname: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of all rows as text in order)} for every table in `public`."""
    with psycopg.connect(**_conninfo(dbname)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        result = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            result[table] = tuple(conn.execute(query).fetchone())
    return result


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (166, 27, 27)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def county(settings, tmp_path, cast, gunan_studio, member_a, office_user, term):
    """A small county: the cast, an activity with two uploaded files, a proposal."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    services.record_activity(
        gunan_studio,
        {
            "kind": "courtyard",
            "title": "春光村院坝会",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "春光村",
        },
        {member_a.pk: "present"},
        [
            SimpleUploadedFile("现场.png", _png()),
            SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n" + os.urandom(2048)),
        ],
        by=office_user,
    )
    ProposalFactory(term=term, lead_proposer=member_a, title="关于农村公路养护的提案")
    return media


def test_dump_restores_every_table_row_and_file(county, tmp_path):
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore_{uuid.uuid4().hex[:6]}"
    info = _conninfo(source)
    env = _env(info)
    dump = tmp_path / "cppcc.dump"
    media_tar = tmp_path / "media.tar.gz"

    # Backup, as docs/operations.md has it.
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], env=env, check=True)
    with tarfile.open(media_tar, "w:gz") as tar:
        tar.add(county, arcname="media")

    # Restore into a new empty database and an empty folder.
    subprocess.run(["createdb", target], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", target, str(dump)],
            env=env,
            check=True,
        )
        restored_media = tmp_path / "restored"
        with tarfile.open(media_tar) as tar:
            tar.extractall(restored_media, filter="data")

        before, after = _fingerprint(source), _fingerprint(target)
        assert after == before
        assert before["members_member"][0] >= 2 and before["studios_activityfile"][0] == 2
    finally:
        subprocess.run(["dropdb", "--if-exists", target], env=env, check=True)

    files = sorted(p for p in county.rglob("*") if p.is_file())
    assert len(files) == 2
    for path in files:
        copy = restored_media / "media" / path.relative_to(county)
        assert (
            hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
        )
    shutil.rmtree(restored_media)
