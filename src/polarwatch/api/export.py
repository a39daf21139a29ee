"""Exports: a page of a list as JSONL, CSV or Parquet, and the network as GraphML."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
# A cell starting with one of these is a formula to a spreadsheet: it is written with a leading apostrophe.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, str) and v.startswith(_FORMULA):
        return "'" + v
    return v


def table(rows: list[dict[str, Any]], fmt: str, name: str, next_cursor: str | None) -> Response:
    """*rows* as a download; the next page's cursor, if any, is in the ``X-Next-Cursor`` header."""
    if fmt == "jsonl":
        body: bytes = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    elif fmt == "csv":
        buf = io.StringIO()
        cols = list(rows[0]) if rows else []
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(v) for k, v in r.items()})
        body = buf.getvalue().encode("utf-8")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        flat = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in r.items()} for r in rows]
        out = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(flat), out)
        body = out.getvalue()
    headers = {"content-disposition": f'attachment; filename="{name}.{fmt}"'}
    if next_cursor:
        headers["x-next-cursor"] = next_cursor
    return Response(body, media_type=MEDIA[fmt], headers=headers)


_NS = "http://graphml.graphdrawing.org/xmlns"
_NODE_KEYS = (("name", "string"), ("country", "string"), ("type", "string"), ("weight", "int"))
_EDGE_KEYS = (("kind", "string"), ("type", "string"), ("directed", "boolean"), ("weight", "int"), ("articles", "int"), ("evidence", "string"))


def graphml(net: dict[str, Any]) -> bytes:
    """The network as GraphML: node and edge attributes declared as keys; an edge's evidence as JSON text."""
    root = ET.Element("graphml", xmlns=_NS)
    for scope, keys in (("node", _NODE_KEYS), ("edge", _EDGE_KEYS)):
        for k, typ in keys:
            ET.SubElement(root, "key", {"id": f"{scope[0]}_{k}", "for": scope, "attr.name": k, "attr.type": typ})
    g = ET.SubElement(root, "graph", id="polarwatch", edgedefault="directed")

    def data(el: ET.Element, key: str, v: Any) -> None:
        if v is None:
            return
        d = ET.SubElement(el, "data", key=key)
        d.text = json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)

    for n in net["nodes"]:
        el = ET.SubElement(g, "node", id=n["id"])
        for k, _ in _NODE_KEYS:
            data(el, f"n_{k}", n.get(k))
    for i, e in enumerate(net["edges"]):
        el = ET.SubElement(g, "edge", id=f"e{i}", source=e["source"], target=e["target"], directed=str(e["directed"]).lower())
        for k, _ in _EDGE_KEYS:
            data(el, f"e_{k}", e.get(k))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
