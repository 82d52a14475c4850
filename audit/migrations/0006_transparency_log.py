"""The ledger becomes a transparency log (RFC 9162): entries are Merkle leaves instead of links of a hash chain.

Existing entries keep their numbers and fields; their `hash` becomes their leaf hash and `prev_hash` goes, so the
append-only triggers are lifted for this one conversion (they come back after every migrate, audit/apps.py).
Before anything changes, the old chain is recomputed, and its head (number and hash) is recorded in a
`log_format_changed` entry, so the checkpoints published for the chain remain checkable against that entry.
Every existing entry then waits for the sequencer, which builds the tree in number order. The index of the
chain's checkpoints goes with the format; the published checkpoint files stay where they were written."""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

LEDGER = "audit_ledgerentry"
OLD_FIELDS = ("seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
              "history_model", "history_id", "project", "reason", "digest", "prev_hash")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def _lift_triggers(cursor, vendor):
    if vendor == "postgresql":
        cursor.execute(f'DROP TRIGGER IF EXISTS audit_no_update_delete ON "{LEDGER}"')
        cursor.execute("DROP FUNCTION IF EXISTS audit_append(bigint, text, bigint, text, text, text, text, text, "
                       "text, text, bigint, text, text, jsonb, text)")
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            cursor.execute(f'DROP TRIGGER IF EXISTS "audit_no_{op}_{LEDGER}"')


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS audit_ledger_seq")


def convert(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        _lift_triggers(cursor, connection.vendor)
        cursor.execute(f"SELECT {', '.join(OLD_FIELDS)}, hash FROM {LEDGER} ORDER BY seq")  # noqa: S608
        rows = cursor.fetchall()
        previous, updates = "0" * 64, []
        for row in rows:
            values = (row[0], _micros(row[1]), *row[2:15])
            if row[14] != previous or hashlib.sha256(_encode(values).encode()).hexdigest() != row[15]:
                raise RuntimeError(f"audit: the chain is broken at entry {row[0]}: run audit_verify on the release "
                                   "before this one and resolve it before converting the ledger")
            previous = row[15]
            leaf = hashlib.sha256(b"\x00" + _encode(values[:14]).encode()).hexdigest()
            updates.append((leaf, row[0]))
        for start in range(0, len(updates), 1000):
            cursor.executemany(f"UPDATE {LEDGER} SET hash = %s WHERE seq = %s", updates[start:start + 1000])  # noqa: S608
        if rows:
            _record_conversion(cursor, connection, rows[-1][0] + 1, rows[-1][0], previous)
        cursor.execute(f"INSERT INTO audit_pendingentry (entry_seq) SELECT seq FROM {LEDGER}")  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT setval('audit_ledger_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM {LEDGER}), "  # noqa: S608
                           "false)")


def _record_conversion(cursor, connection, seq, head_seq, head_hash):
    now = dt.datetime.now(dt.UTC)
    data = {"chain_head_seq": head_seq, "chain_head_hash": head_hash, "format": "rfc9162"}
    digest = hashlib.sha256(json.dumps({"action": "log_format_changed", "data": data}, ensure_ascii=False,
                                       separators=(",", ":"), sort_keys=True).encode()).hexdigest()
    values = (seq, _micros(now), None, "", "system", "", "log_format_changed", "", "", "", None, "",
              "the ledger became a Merkle tree (RFC 9162)", digest)
    leaf = hashlib.sha256(b"\x00" + _encode(values).encode()).hexdigest()
    stored_at = now if connection.vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    cursor.execute(
        f"INSERT INTO {LEDGER} (seq, at, actor_id, actor, role, ip, action, object_type, object_id, history_model, "  # noqa: S608
        "history_id, project, reason, digest, hash, data, prev_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
        "%s, %s, %s, %s, %s, %s, '')", [*values[:1], stored_at, *values[2:], leaf, json.dumps(data)])


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("audit", "0005_rebased_digests"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingEntry",
            fields=[("entry_seq", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="记录序号"))],
            options={"verbose_name": "待排序记录", "verbose_name_plural": "待排序记录"},
        ),
        migrations.CreateModel(
            name="Leaf",
            fields=[
                ("index", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="叶序号")),
                ("entry_seq", models.BigIntegerField(unique=True, verbose_name="记录序号")),
                ("hash", models.CharField(db_index=True, max_length=64, verbose_name="叶哈希")),
                ("sequenced_at", models.DateTimeField(verbose_name="排序时间")),
            ],
            options={"verbose_name": "日志树叶", "verbose_name_plural": "日志树叶"},
        ),
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                ("key", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="节点")),
                ("hash", models.CharField(max_length=64, verbose_name="哈希")),
            ],
            options={"verbose_name": "日志树节点", "verbose_name_plural": "日志树节点"},
        ),
        migrations.RunPython(create_sequence, migrations.RunPython.noop),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ledgerentry", name="prev_hash"),
        migrations.AlterField(model_name="ledgerentry", name="hash",
                              field=models.CharField(max_length=64, verbose_name="叶哈希")),
        migrations.DeleteModel(name="Checkpoint"),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("origin", models.CharField(max_length=200, verbose_name="日志名")),
                ("tree_size", models.BigIntegerField(verbose_name="树大小")),
                ("root_hash", models.CharField(max_length=64, verbose_name="根哈希")),
                ("timestamp", models.DateTimeField(verbose_name="时间")),
                ("key_id", models.CharField(max_length=8, verbose_name="密钥标识")),
                ("note", models.TextField(verbose_name="签名检查点")),
                ("reason", models.CharField(blank=True, default="", max_length=200, verbose_name="原因")),
                ("location", models.CharField(blank=True, default="", max_length=300, verbose_name="发布位置")),
            ],
            options={"verbose_name": "审计检查点", "verbose_name_plural": "审计检查点",
                     "ordering": ["-tree_size", "-id"]},
        ),
        migrations.CreateModel(
            name="Cosignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("witness", models.CharField(max_length=200, verbose_name="见证方")),
                ("key_id", models.CharField(max_length=8, verbose_name="密钥标识")),
                ("signed_at", models.DateTimeField(verbose_name="签署时间")),
                ("signature_line", models.TextField(verbose_name="签名行")),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="收到时间")),
                ("checkpoint", models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="cosignatures",
                                                 to="audit.checkpoint", verbose_name="检查点")),
            ],
            options={"verbose_name": "见证签名", "verbose_name_plural": "见证签名"},
        ),
        migrations.AddConstraint(
            model_name="cosignature",
            constraint=models.UniqueConstraint(fields=("checkpoint", "key_id"), name="audit_cosignature_once"),
        ),
    ]
