"""SQLite-flavoured SQL made to run on PostgreSQL: the rules docs/storage.md lists, as small rewrites.

The store's SQL (and every module that runs SQL against ``store.db``) is written once, in the
SQLite dialect. :func:`translate_ddl` turns a migration statement into PostgreSQL DDL (or ``None``
for a statement that only makes sense in SQLite, such as the FTS5 tables), and :func:`translate`
turns a query or write into PostgreSQL with psycopg placeholders. Both work on the text outside
string literals, so a ``?`` or ``LIKE`` inside quotes is left alone.

What cannot be rewritten without parsing (a bare column named after a PostgreSQL reserved word, the
implicit ``rowid`` of a table that does not declare one, a bare column beside ``GROUP BY``) is a rule
for writers in docs/storage.md instead; the PostgreSQL store overrides the few methods that break one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Statements about SQLite's own full-text tables: their PostgreSQL counterpart is migrations/pg/.
_SQLITE_ONLY = re.compile(r"^\s*(CREATE\s+VIRTUAL\s+TABLE|CREATE\s+TRIGGER\s+articles_a[iud]\b|INSERT\s+INTO\s+articles_fts\b|PRAGMA\b)", re.I)
# PostgreSQL reserved words that the schema uses as column names; quoted in DDL (qualify them in queries).
RESERVED_COLUMNS = {"end", "symmetric", "user", "order", "group", "limit", "offset", "default", "check", "column", "primary",
                    "references", "desc", "asc", "window", "both", "leading", "trailing", "only", "fetch", "lateral", "returning"}
# A bare reserved column in a list (``SELECT a, end, b``) is quoted; ``symmetric`` is never a keyword in the
# SQL we write, so it is quoted wherever it stands unqualified.
_BARE_RESERVED = re.compile(
    r"(?:(?<=[,(])|(?<=[,(]\s)|(?<=\bSELECT\s))\s*\b(" + "|".join(sorted(RESERVED_COLUMNS)) + r")\b(?=\s*(?:[,)]|\bFROM\b|$))"
    r"|(?<![.\w])\b(symmetric)\b(?!\s*\()", re.I)


def _split_literals(sql: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces: string literals and quoted identifiers apart from the code around them, comments dropped."""
    out: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):  # a comment: dropped, up to the end of its line
            if i > start:
                out.append((True, sql[start:i]))
            i = start = sql.find("\n", i) if "\n" in sql[i:] else n
            continue
        if ch in "'\"":
            if i > start:
                out.append((True, sql[start:i]))
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # doubled quote inside
                        j += 2
                        continue
                    break
                j += 1
            out.append((False, sql[i : j + 1]))
            i = start = j + 1
            continue
        i += 1
    if start < n:
        out.append((True, sql[start:]))
    return out


def _matching_paren(s: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced parentheses in SQL: {s!r}")


def _call_args(s: str, name: str, rewrite) -> str:  # type: ignore[no-untyped-def]
    """Rewrite every call ``name(args)`` (case-insensitive) by ``rewrite(args) -> str``."""
    pat = re.compile(rf"\b{name}\s*\(", re.I)
    while m := pat.search(s):
        close = _matching_paren(s, m.end() - 1)
        s = s[: m.start()] + rewrite(s[m.end() : close]) + s[close + 1 :]
    return s


def _top_level_split(args: str) -> list[str]:
    parts, depth, buf, quote = [], 0, "", ""
    for ch in args:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(buf.strip())
            buf = ""
            continue
        buf += ch
    parts.append(buf.strip())
    return parts


def _group_concat(args: str) -> str:
    parts = _top_level_split(args)
    sep = parts[1] if len(parts) > 1 else "','"
    return f"string_agg({parts[0]}, {sep})"


@dataclass
class Catalog:
    """What the rewrites need to know of the live schema: per table, its columns, key and identity column."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    identity: dict[str, str] = field(default_factory=dict)
    nullable: set[str] = field(default_factory=set)  # column names that may hold NULL in some table


@dataclass(frozen=True, slots=True)
class Translated:
    sql: str
    table: str | None = None  # the table an INSERT writes
    returning: str | None = None  # its identity column, for ``lastrowid`` (added as RETURNING by a single execute)
    copy_columns: tuple[str, ...] | None = None  # a plain INSERT ... VALUES that COPY can do for many rows


_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+(\w+)\s*(\(([^)]*)\))?", re.I)
_PLAIN_VALUES = re.compile(r"^\s*VALUES\s*\(\s*%s(\s*,\s*%s)*\s*\)\s*$", re.I)
_TRUTH = re.compile(r"\b(WHERE|AND|OR|NOT)\s+([01])(?=\s*(?:$|\)|\bAND\b|\bOR\b|\bORDER\b|\bGROUP\b|\bLIMIT\b))", re.I)


_CROSS_ON = re.compile(r"\bCROSS\s+JOIN\b(?=\s+\w+(?:\s+(?:AS\s+)?(?!ON\b)\w+)?\s+ON\b)", re.I)


def _code(t: str) -> str:
    t = t.replace("%", "%%")
    t = t.replace("?", "%s")
    t = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", t)
    t = re.sub(r"\bNOT\s+LIKE\b", "NOT ILIKE", t, flags=re.I)
    t = re.sub(r"(?<!NOT )\bLIKE\b", "ILIKE", t, flags=re.I)
    t = re.sub(r"\bIFNULL\s*\(", "COALESCE(", t, flags=re.I)
    t = re.sub(r"\bSUM\(\s*([\w.]+)\s+IS\s+(NOT\s+)?NULL\s*\)",
               lambda m: f"SUM(CASE WHEN {m.group(1)} IS {m.group(2) or ''}NULL THEN 1 ELSE 0 END)", t, flags=re.I)  # fmt: skip
    # SQLite's ``CROSS JOIN t ON …`` is an inner join whose order the planner keeps; PostgreSQL wants ``JOIN``.
    t = _CROSS_ON.sub("JOIN", t)
    t = _BARE_RESERVED.sub(lambda m: m.group(0).replace(m.group(1) or m.group(2), f'"{(m.group(1) or m.group(2)).lower()}"'), t)
    # SQLite takes 1 and 0 as truth values; PostgreSQL wants booleans.
    return _TRUTH.sub(lambda m: f"{m.group(1)} {'TRUE' if m.group(2) == '1' else 'FALSE'}", t)


_JSON_EACH = re.compile(r"\bjson_each\s*\(", re.I)
_ALIAS = re.compile(r"\s+(?:AS\s+)?(?!(?:WHERE|JOIN|ON|GROUP|ORDER|LIMIT|LEFT|INNER|CROSS|UNION)\b)([A-Za-z_]\w*)", re.I)


def _json_each(sql: str) -> str:
    """``json_each(x) j`` (an array's elements as rows) as ``jsonb_array_elements_text(CAST(x AS jsonb)) AS j(value)``:
    ``j.value`` is then text, so compare it with text, or CAST it (``CAST(j.value AS BIGINT)`` works on both)."""
    while m := _JSON_EACH.search(sql):
        close = _matching_paren(sql, m.end() - 1)
        arg = sql[m.end() : close]
        alias = _ALIAS.match(sql, close + 1)
        if not alias:
            raise ValueError(f"json_each needs an alias on PostgreSQL (json_each(x) j, then j.value): {sql!r}")
        sql = (sql[: m.start()] + f"jsonb_array_elements_text(CAST({arg} AS jsonb)) AS {alias.group(1)}(value)"
               + sql[alias.end() :])  # fmt: skip
    return sql


@lru_cache(maxsize=4096)
def _translate_text(sql: str) -> str:
    sql = re.sub(r"\bstrftime\s*\(", "pw_strftime(", sql, flags=re.I)  # migrations/pg/001
    sql = _call_args(sql, "group_concat", _group_concat)
    sql = _json_each(sql)
    return "".join(_code(text) if code else text.replace("%", "%%") for code, text in _split_literals(sql))


def translate(sql: str, catalog: Catalog) -> Translated:
    """One SQLite-dialect statement as PostgreSQL, with ``?``/``:name`` turned into psycopg placeholders."""
    sql = sql.strip().rstrip(";")
    out = _nulls_low(_translate_text(sql), catalog.nullable)
    m = _INSERT.match(sql)
    if not m:
        return Translated(out)
    mode, table = (m.group(1) or "").upper(), m.group(2).lower()
    head = f"INSERT INTO {m.group(2)}" + (f" ({m.group(4)})" if m.group(3) else "")
    body = _INSERT.sub("", out, count=1)
    out = f"{head} {body.strip()}"
    cols = [c.strip().strip('"').lower() for c in m.group(4).split(",")] if m.group(3) else catalog.columns.get(table, [])
    if mode == "IGNORE":
        out += " ON CONFLICT DO NOTHING"
    elif mode == "REPLACE":
        key = catalog.keys.get(table)
        if not key:
            raise ValueError(f"INSERT OR REPLACE into {table}: the table has no primary key PostgreSQL can use")
        rest = [c for c in cols if c not in key]
        action = "DO UPDATE SET " + ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in rest) if rest else "DO NOTHING"
        out += f" ON CONFLICT ({', '.join(_q(k) for k in key)}) {action}"
    out = _qualify_upsert(out, table, catalog.columns.get(table, []))
    ident = catalog.identity.get(table)
    returning = ident if ident and mode != "IGNORE" and not re.search(r"\bRETURNING\b", out, re.I) else None
    copy_cols = tuple(cols) if not mode and cols and _PLAIN_VALUES.match(body) else None
    return Translated(out, table, returning, copy_cols)


def _nulls_low(sql: str, nullable: set[str]) -> str:
    """SQLite sorts NULL lowest, PostgreSQL highest: ``col DESC`` of a column that may be NULL gets
    ``NULLS LAST`` (so undated articles come last on both). Columns declared NOT NULL are left alone, so
    ``rowid DESC`` still walks an index backwards; an ascending order of a nullable column is a rule
    for writers (docs/storage.md)."""
    if not nullable or not re.search(r"\bDESC\b", sql, re.I):
        return sql
    col = re.compile(r'(?<![\w"])((?:\w+\.)?(\w+))(\s+DESC)\b(?!\s+NULLS\b)', re.I)
    return "".join(col.sub(lambda m: m.group(0) + " NULLS LAST" if m.group(2).lower() in nullable else m.group(0), text)
                   if code else text for code, text in _split_literals(sql))  # fmt: skip


def _qualify_upsert(sql: str, table: str, columns: list[str]) -> str:
    """In ``DO UPDATE SET a = a + excluded.a``, SQLite reads the bare ``a`` as the stored row's; PostgreSQL
    calls it ambiguous, so it is qualified with the table name (left of each ``=`` stays bare)."""
    m = re.search(r"\bDO\s+UPDATE\s+SET\b", sql, re.I)
    if not m or not columns:
        return sql
    col = re.compile(r'(?<![.\w"])\b(' + "|".join(map(re.escape, columns)) + r")\b(?!\s*\()(?!\s*=[^=])")
    return sql[: m.end()] + col.sub(lambda c: f"{table}.{c.group(1)}", sql[m.end() :])


def _q(col: str) -> str:
    return f'"{col}"' if col in RESERVED_COLUMNS else col


_COLUMN_DEF = re.compile(r'^(\s*)("?\w+"?)(\s+)(INTEGER|REAL|TEXT|BLOB)\b(.*)$', re.I | re.S)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?\w+\s*\(", re.I)
_ADD_COLUMN = re.compile(r"^(\s*ALTER\s+TABLE\s+\w+\s+ADD\s+(?:COLUMN\s+)?)(.*)$", re.I | re.S)


def _column(defn: str) -> str:
    """One column definition with SQLite's types as PostgreSQL's: INTEGER PRIMARY KEY as an identity column."""
    m = _COLUMN_DEF.match(defn)
    if not m:
        return defn  # a table constraint, or a column without one of the four types
    ind, name, sp, typ, rest = m.groups()
    typ = typ.upper()
    if typ == "INTEGER" and re.fullmatch(r"\s*PRIMARY\s+KEY\s*", rest, re.I):
        pg = "BIGINT GENERATED BY DEFAULT AS IDENTITY"
    else:
        pg = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "TEXT": 'TEXT COLLATE "C"', "BLOB": "BYTEA"}[typ]
    return f"{ind}{_q(name.strip(chr(34)).lower())}{sp}{pg}{rest}"


_ROW_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(\w+)\s+AFTER\s+(INSERT|UPDATE|DELETE)\s+ON\s+(\w+)\s+(?:FOR\s+EACH\s+ROW\s+)?BEGIN\s+(.*?);?\s*END$", re.I | re.S
)


def _statement_trigger(sql: str) -> str | None:
    """A SQLite row trigger whose body reads neither NEW nor OLD (it only notes that the table changed, as
    migration 013's store generation does) as a PostgreSQL statement trigger running the same body once
    per statement, through a plpgsql function of the trigger's name; None for any other trigger."""
    m = _ROW_TRIGGER.match(sql)
    if not m or re.search(r"\b(NEW|OLD)\s*\.", m.group(4), re.I):
        return None
    name, op, table, body = m.groups()
    return (
        f"DO $$ BEGIN CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN {body.strip()}; RETURN NULL; END $f$; "
        f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {name}_fn(); END $$"
    )


_OLD_NEW_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(\w+)\s+AFTER\s+(INSERT|UPDATE(?:\s+OF\s+[\w\s,]+?)?|DELETE)\s+ON\s+(\w+)\s+(?:FOR\s+EACH\s+ROW\s+)?"
    r"(?:WHEN\s+(.*?)\s+)?BEGIN\s+(.*?);?\s*END$", re.I | re.S
)


def _row_trigger(sql: str) -> str | None:
    """A SQLite row trigger that reads OLD or NEW (``AFTER … [OF columns] ON t [WHEN condition] BEGIN
    statements END``) as a PostgreSQL row trigger: a plpgsql function of the trigger's name runs the
    statements under ``IF condition``, with SQLite's ``IS [NOT]`` as ``IS [NOT] DISTINCT FROM``."""
    m = _OLD_NEW_TRIGGER.match(sql)
    if not m:
        return None
    name, op, table, when, body = m.groups()
    body = f"{body.strip()};"
    if when:
        cond = re.sub(r"\bIS\s+NOT\b(?!\s+NULL)", "IS DISTINCT FROM", when, flags=re.I)
        cond = re.sub(r"\bIS\b(?!\s+(?:NOT\s+)?(?:NULL|DISTINCT)\b)", "IS NOT DISTINCT FROM", cond, flags=re.I)
        body = f"IF {cond} THEN {body} END IF;"
    return (
        f"DO $$ BEGIN CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN {body} RETURN NULL; END $f$; "
        f"CREATE TRIGGER {name} AFTER {' '.join(op.split())} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}_fn(); END $$"
    )


def translate_ddl(stmt: str) -> str | None:
    """A migration statement as PostgreSQL DDL; ``None`` for one that only SQLite needs."""
    sql = "".join(t for _, t in _split_literals(stmt)).strip().rstrip(";")  # comments dropped
    if not sql or _SQLITE_ONLY.match(sql):
        return None
    if re.match(r"\s*CREATE\s+TRIGGER\b", sql, re.I) and (trigger := _statement_trigger(sql) or _row_trigger(sql)):
        return trigger
    if m := _CREATE_TABLE.match(sql):
        close = _matching_paren(sql, m.end() - 1)
        cols = [_column(c) for c in _top_level_split(sql[m.end() : close])]
        tail = re.sub(r"^\s*WITHOUT\s+ROWID\b", "", sql[close + 1 :], flags=re.I)
        return sql[: m.end()] + "\n    " + ",\n    ".join(c.strip() for c in cols) + "\n)" + tail
    if m := _ADD_COLUMN.match(sql):
        return m.group(1) + _column(m.group(2))
    return sql


def pg_statements(sql: str) -> list[str]:
    """Split PostgreSQL-native SQL (migrations/pg/) on semicolons that end a line outside ``$$`` bodies."""
    out, buf, in_body = [], [], False
    for line in sql.splitlines():
        if not buf and line.strip().startswith("--"):
            continue
        buf.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip().rstrip(";")
            if stmt:
                out.append(stmt)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
