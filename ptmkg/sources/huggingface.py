"""Hugging Face Hub model records → typed frames.

Inputs: a JSON Lines file (``.jsonl`` or ``.jsonl.gz``; one ``ModelInfo``-shaped JSON per line, as
``huggingface_hub`` or the Hub API spell it, optional ``card`` text), a family-tree CSV of the
"Anatomy of a ML ecosystem" kind (columns ``model_id``, ``metadata`` = ModelInfo JSON, ``card``,
``depth``, typed child lists), or a folder of either. Frames: ``models``, ``lineage``,
``datasets``, ``papers``, ``files``, ``cards``, ``card_sections``, ``card_fields``, ``emissions``, ``card_training``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import yaml

from ptmkg.energy.card_extract import FIELD_HINT, extract_card
from ptmkg.errors import InputError
from ptmkg.mapping.identity import hub_id
from ptmkg.mapping.modelcard import card_length, card_sections
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, read_csv, require_columns

SOURCE_URL = "https://huggingface.co/api/models"
RELATIONS = ("finetune", "adapter", "quantized", "merge")
CHILD_LISTS = {"adapters": "adapter", "quantized": "quantized", "merges": "merge"}
MISSING = ("", "N/A", "null", "None")

# The fixed-type fields read from each record (both the ModelInfo and the Hub API spellings).
META_SCHEMA = pl.Struct({
    "id": pl.String, "modelId": pl.String, "author": pl.String, "sha": pl.String,
    "created_at": pl.String, "createdAt": pl.String, "last_modified": pl.String, "lastModified": pl.String,
    "downloads": pl.Int64, "likes": pl.Int64, "library_name": pl.String, "pipeline_tag": pl.String,
    "tags": pl.List(pl.String), "usedStorage": pl.Int64, "used_storage": pl.Int64,
    "safetensors": pl.Struct({"total": pl.Int64}),
    "config": pl.Struct({"model_type": pl.String, "architectures": pl.List(pl.String)}),
})
SIBLING = pl.List(pl.Struct({"rfilename": pl.String, "size": pl.Int64}))

WEIGHT_FORMATS: dict[str, str] = {
    "safetensors": "safetensors", "gguf": "gguf", "onnx": "onnx",
    **{e: "pickle" for e in ("bin", "pt", "pth", "ckpt", "pkl", "pickle", "joblib")},
    **{e: "other" for e in ("h5", "hdf5", "keras", "msgpack", "tflite", "mlmodel", "pb", "ot", "npz",
                            "nemo", "llamafile", "ggml", "caffemodel", "mar", "pdparams", "engine", "plan")},
}
LIVE_DIR = Path.home() / ".ptmkg" / "harvest" / "hf"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STAMP = re.compile(r"_(\d{4})(\d{2})(\d{2})_\d{6}")


def read(path: Path | None, *, retrieved: str | None = None, **options: object) -> SourceData:
    """Read Hub model records from a JSONL file, a family-tree CSV, or a folder of them.

    ``retrieved`` (ISO date) overrides the retrieval date otherwise taken from the records'
    ``_retrieved`` field or a ``_YYYYMMDD_HHMMSS`` time stamp in the file name.
    """
    if options.get("live"):
        from ptmkg.sources.hf_live import fetch_to_jsonl

        query = {k: options[k] for k in ("search", "author", "limit") if options.get(k) is not None}
        path = fetch_to_jsonl(Path(path) if path else LIVE_DIR, **query)
    if path is None:
        raise InputError("hf", "a JSONL file, a family-tree CSV or a folder of them is required (or --live)")
    path = Path(path)
    files = _input_files(path)
    raw = pl.concat([read_file(f) for f in files], how="diagonal_relaxed")
    return from_raw(raw, files, source_url=SOURCE_URL, retrieved=retrieved)


def from_raw(raw: pl.DataFrame, files: list[Path], *, source_url: str, retrieved: str | None = None,
             source: str = "hf", licence: str | None = None) -> SourceData:
    """Frames and snapshot from the unified raw frame (one row per record, see :func:`read_file`)."""
    dates = raw["retrieved"].drop_nulls()
    when = retrieved or (dates.max().isoformat() if dates.len() else None)
    if when is None:
        raise InputError(str(files[0]), "no retrieval date: name the file *_YYYYMMDD_HHMMSS.* or pass retrieved=")
    first = dates.min().isoformat() if dates.len() else when
    version = when if first == when else f"{first}..{when}"
    frames = parse_records(raw)
    snapshot = SnapshotInfo(source=source, version=version, retrieved=when, source_url=source_url,
                            content_hash=content_hash(files), licence=licence,
                            files=tuple(f.name for f in files))
    return SourceData(snapshot, frames)


def _input_files(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError(str(path), "no such file or folder")
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.name.endswith((".csv", ".jsonl", ".jsonl.gz")))
    if not files:
        raise InputError(str(path), "no .csv or .jsonl files in this folder")
    return files


def file_date(path: Path) -> date | None:
    """The date of a ``_YYYYMMDD_HHMMSS`` time stamp in a file name."""
    m = _STAMP.search(path.name)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _id_list(expr: pl.Expr) -> pl.Expr:
    """A list of Hub ids from "a, b" / "['url', ...]" text."""
    parts = expr.str.replace_all(r"[\[\]'\"]", "").str.split(",")
    return parts.list.eval(hub_id(pl.element()).drop_nulls())


def read_file(path: Path) -> pl.DataFrame:
    """The raw frame of one CSV or JSONL file: one row per record with file, row (1-based record
    number), model_id, metadata (JSON text), card, depth, typed child lists, retrieval date."""
    if path.name.endswith(".csv"):
        frame = read_csv(path)
        require_columns(frame, ["model_id", "metadata"], path)
        has_card = "card" in frame.columns
        out = frame.select(
            pl.col("model_id"), pl.col("metadata"),
            (pl.col("card") if has_card else pl.lit(None, pl.String)).alias("card"),
            pl.lit(has_card).alias("card_known"),
            (pl.col("depth") if "depth" in frame.columns else pl.lit(None, pl.String)).alias("depth"),
            *[(_id_list(pl.col(c)) if c in frame.columns else pl.lit(None, pl.List(pl.String))).alias(c)
              for c in CHILD_LISTS],
            pl.lit(None, pl.String).alias("source_url"),
            pl.lit(file_date(path), pl.Date).alias("retrieved"),
        )
    else:
        out = _read_jsonl(path)
    return out.with_columns(pl.lit(str(path)).alias("file"), pl.int_range(1, out.height + 1).alias("row"))


def _mentioned(text: pl.Series, key: str, parse: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``parse(text)`` run only on the JSON records that mention ``"key"`` (a cheap literal scan); null elsewhere.

    Each JSON-path lookup parses a whole record, so optional fields absent from most records cost nothing.
    """
    has = text.str.contains(f'"{key}"', literal=True).fill_null(False)
    hits = int(has.sum())
    if hits == text.len():
        return parse(text)
    found = parse(text.filter(has))
    values = pl.concat([found, pl.Series([None], dtype=found.dtype)])
    return values.gather(pl.select(pl.when(has).then(has.cum_sum() - 1).otherwise(hits)).to_series())


def _read_jsonl(path: Path) -> pl.DataFrame:
    # One text column per line, read (and gunzipped) by polars: JSON never holds a raw \x1f.
    try:
        frame = read_csv(path, has_header=False, new_columns=["metadata"], separator="\x1f", quote_char=None)
    except (pl.exceptions.SchemaError, pl.exceptions.ShapeError):  # a line with a raw \x1f: not JSON
        data = path.read_bytes()
        data = gzip.decompress(data) if path.name.endswith(".gz") else data
        raise InputError(str(path), "malformed JSON (a raw control character 0x1f)",
                         row=data.count(b"\n", 0, max(data.find(b"\x1f"), 0)) + 1, field="metadata") from None
    text = frame.filter(pl.col("metadata").str.strip_chars() != "")["metadata"]

    def field(key: str) -> pl.Series:
        return _mentioned(text, key, lambda t: t.str.json_path_match(f"$.{key}"))

    def field_list(key: str) -> pl.Series:
        return _mentioned(text, key, lambda t: t.str.json_path_match(f"$.{key}").str.json_decode(pl.List(pl.String)))

    card = _mentioned(text, "card", lambda t: pl.DataFrame({"card": t.str.json_path_match("$.card"),
                                                             "known": t.str.contains(r'"card"\s*:')}).to_struct())
    out = pl.DataFrame({
        "metadata": text,
        "card": card.struct.field("card"),
        "card_known": card.struct.field("known").fill_null(False),
        "depth": field("depth"),
        **{c: field_list(c) for c in CHILD_LISTS},
        "source_url": field("_source"),
        "retrieved": field("_retrieved"),
        "card_length": field("card_length"),
        "card_sections": field_list("card_sections"),
        "card_fields": field_list("card_fields"),
    })
    return out.select(
        pl.lit(None, pl.String).alias("model_id"), "metadata", "card", "card_known", "depth",
        *[pl.col(c).list.eval(hub_id(pl.element()).drop_nulls()) for c in CHILD_LISTS], "source_url",
        pl.coalesce(pl.col("retrieved").str.slice(0, 10).str.to_date(strict=False),
                    pl.lit(file_date(path), pl.Date)).alias("retrieved"),
        pl.col("card_length").cast(pl.Int64, strict=False), "card_sections", "card_fields",
    )


def _blank_missing(raw: pl.DataFrame) -> pl.DataFrame:
    """Blank out documented missing values ("N/A")."""
    meta = pl.when(~pl.col("metadata").str.strip_chars().is_in(MISSING)).then(pl.col("metadata"))
    return raw.with_columns(meta.alias("metadata"))


def _first_undecodable(text: pl.Series) -> int:
    """Index of the first record the decoder rejects (bisection: a few decodes, not one per record)."""
    lo, hi = 0, text.len()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            text.slice(lo, mid - lo).str.json_decode(META_SCHEMA)
            lo = mid
        except pl.exceptions.PolarsError:
            hi = mid
    return lo


def _decode(raw: pl.DataFrame, chunk: int = 50_000) -> pl.DataFrame:
    """The fixed-type fields as a struct column ``m``; malformed JSON, a wrong value type or a record
    without an id raises InputError naming its file and row.

    Decoded in slices of ``chunk`` records: the JSON decoder's working memory grows with its input.
    """
    text = raw["metadata"]
    decoded = []
    for i in range(0, raw.height, chunk):
        try:
            decoded.append(text.slice(i, chunk).str.json_decode(META_SCHEMA))
        except pl.exceptions.PolarsError as e:
            at = i + _first_undecodable(text.slice(i, chunk))
            try:
                json.loads(text[at])
                message = f"unexpected value type: {str(e).splitlines()[0]}"
            except json.JSONDecodeError as bad:
                message = f"malformed JSON ({bad.msg} at char {bad.pos})"
            raise InputError(raw["file"][at], message, row=raw["row"][at], field="metadata") from None
    m = pl.concat(decoded) if decoded else pl.Series("metadata", [], META_SCHEMA)
    no_id = text.is_not_null() & m.struct.field("id").is_null() & m.struct.field("modelId").is_null()
    if no_id.any():
        at = int(no_id.arg_true()[0])
        raise InputError(raw["file"][at], "record has no 'id'", row=raw["row"][at], field="metadata")
    return raw.with_columns(m.alias("m"))


def _card_data(raw: pl.DataFrame) -> pl.DataFrame:
    """Parse each record's card_data (YAML text or JSON object, both YAML) into fact columns."""
    meta = raw["metadata"]
    text = raw.select(pl.int_range(pl.len()).alias("i"), pl.col("file"), pl.col("row")).with_columns(
        pl.coalesce(_mentioned(meta, "card_data", lambda t: t.str.json_path_match("$.card_data")),
                    _mentioned(meta, "cardData", lambda t: t.str.json_path_match("$.cardData"))).alias("cd"))
    present = text.filter(pl.col("cd").str.strip_chars().str.len_chars() > 0)
    rows = present.select("cd", "file", "row").iter_rows()
    facts = pl.DataFrame([_card_data_facts(_yaml(t, f, r)) for t, f, r in rows], schema=CARD_DATA_SCHEMA) \
        .with_columns(present["i"])
    lists = [c for c, t in CARD_DATA_SCHEMA.items() if t == pl.List(pl.String)]
    return (text.select("i").join(facts, on="i", how="left").sort("i").drop("i")
            .with_columns(pl.col(c).fill_null(pl.lit([], pl.List(pl.String))) for c in lists))


# The top-level card_data keys that _card_data_facts reads; other blocks (widgets, model-index...) are not parsed.
CARD_DATA_KEYS = frozenset({"license", "license_name", "license_link", "base_model", "base_model_relation",
                            "datasets", "co2_eq_emissions"})
_TOP_KEY = re.compile(r"""(?:"([^"\\]+)"|'([^']+)'|([A-Za-z_][^:#]*?))\s*:(?:\s|$)""")
_YAML_1_1_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}


def prune_card_data(text: str) -> tuple[str, list[str]] | None:
    """(the top-level blocks in ``CARD_DATA_KEYS``, all top-level keys) of a block-style YAML mapping.

    None when the text is anything else (flow style, directives, anchors, keys YAML would not read as
    plain strings): then it is parsed whole. Parsing only the blocks read is what keeps large
    ``model-index`` and ``widget`` sections from dominating the read.
    """
    keys: list[str] = []
    kept: list[str] = []
    keep = False
    for line in text.split("\n"):
        if not line or line[0] in " \t#" or line.startswith("- ") or line.rstrip() == "-":
            if not keys and line.strip() and not line.lstrip().startswith("#"):
                return None  # content before the first top-level key: not a block mapping
            if keep:
                kept.append(line)
            continue
        m = _TOP_KEY.match(line)
        if not m:
            return None
        key = m.group(1) or m.group(2) or m.group(3)
        if key.lower() in _YAML_1_1_WORDS:
            return None
        keys.append(key)
        keep = key in CARD_DATA_KEYS
        if keep:
            kept.append(line)
    pruned = "\n".join(kept)
    if "&" in pruned or "*" in pruned:
        return None
    return pruned, list(dict.fromkeys(keys))


def _json_or_yaml(text: str) -> object:
    """JSON objects (the Hub API's cardData) through the JSON parser; anything else, or a YAML flow mapping, as YAML."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return yaml.load(text, Loader=_YAML_LOADER)


def _yaml(text: str | None, file: str, row: int) -> dict:
    """The card_data mapping (only the blocks in ``CARD_DATA_KEYS``, see :func:`prune_card_data`)."""
    if not text:
        return {}
    pruned = None if text.lstrip().startswith("{") else prune_card_data(text)
    if pruned is not None:
        body, keys = pruned
        try:
            data = yaml.load(body, Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as e:
            raise InputError(file, f"malformed YAML ({str(e).splitlines()[0]})", row=row, field="card_data") from None
        if isinstance(data, dict):
            return {**dict.fromkeys(keys), **data}
    try:
        data = _json_or_yaml(text)
    except yaml.YAMLError as e:
        raise InputError(file, f"malformed YAML ({str(e).splitlines()[0]})", row=row, field="card_data") from None
    if data is not None and not isinstance(data, dict):
        raise InputError(file, f"expected a mapping, found {type(data).__name__}", row=row, field="card_data")
    return data or {}


CARD_DATA_SCHEMA = {
    "yaml_keys": pl.List(pl.String), "cd_license": pl.String, "license_name": pl.String,
    "license_link": pl.String, "cd_base_model": pl.List(pl.String), "cd_relation": pl.String,
    "cd_datasets": pl.List(pl.String), "co2_raw": pl.String, "co2_grams": pl.String, "co2_source": pl.String,
    "co2_training_type": pl.String, "co2_location": pl.String, "co2_hardware": pl.String,
}


def _strings(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if v is not None and not isinstance(v, (dict, list))]


def _card_data_facts(d: dict) -> dict:
    """The facts read from one card_data mapping (identifiers, licence, emissions fields)."""
    co2 = d.get("co2_eq_emissions")
    co2d = co2 if isinstance(co2, dict) else {"emissions": co2}

    def one(value: object) -> str | None:
        found = _strings(value)
        return found[0] if found else None

    return {
        "yaml_keys": [str(k) for k in d], "cd_license": one(d.get("license")),
        "license_name": one(d.get("license_name")), "license_link": one(d.get("license_link")),
        "cd_base_model": _strings(d.get("base_model")), "cd_relation": one(d.get("base_model_relation")),
        "cd_datasets": _strings(d.get("datasets")), "co2_raw": None if co2 is None else str(co2),
        "co2_grams": one(co2d.get("emissions")), "co2_source": one(co2d.get("source")),
        "co2_training_type": one(co2d.get("training_type")),
        "co2_location": one(co2d.get("geographical_location")), "co2_hardware": one(co2d.get("hardware_used")),
    }


def _utc(expr: pl.Expr) -> pl.Expr:
    """Hub time stamps ('2024-09-18 23:25:24+00:00' or '2024-09-18T23:25:24.000Z') as UTC Datetime."""
    e = expr.str.extract(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})", 0).str.replace("T", " ")
    return e.str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC", strict=False)


def parse_records(raw: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Typed frames from the unified raw frame (one row per record)."""
    raw = _blank_missing(raw)
    raw = pl.concat([_decode(raw), _card_data(raw)], how="horizontal")
    # Keep only the fields read below, not the whole JSON text (memory at scale).
    meta = pl.col("metadata")
    raw = raw.with_columns(
        meta.is_null().alias("no_metadata"),
        _mentioned(raw["metadata"], "gated", lambda t: t.str.json_path_match("$.gated")).alias("gated_raw"),
        _mentioned(raw["metadata"], "siblings", lambda t: t.str.json_path_match("$.siblings")).alias("siblings_raw"),
    ).drop("metadata")
    m = pl.col("m").struct
    raw = raw.with_columns(
        pl.coalesce(m.field("id"), m.field("modelId"), hub_id(pl.col("model_id"))).alias("id"),
        pl.coalesce(m.field("tags"), pl.lit([], pl.List(pl.String))).alias("tag_list"),
    ).with_columns(pl.col("id").str.to_lowercase().alias("key"))
    # One record per model: those with metadata first, then the most recently retrieved. The order is
    # worked out on narrow columns and the wide frame gathered once (memory at scale).
    order = raw.select(pl.int_range(pl.len()).alias("i"), "key", "no_metadata", "retrieved").sort(
        ["no_metadata", "retrieved"], descending=[False, True], nulls_last=True, maintain_order=True)
    keep = order.unique("key", keep="first", maintain_order=True)["i"]
    records = raw if keep.len() == raw.height else raw[keep]
    tags = records.select("id", pl.col("tag_list").alias("tag")).explode("tag").drop_nulls()
    frames = {
        "models": _models(records, raw, tags),
        "lineage": _lineage(raw, records, tags),
        "datasets": _datasets(records, tags),
        "papers": _prefixed(tags, "arxiv:", "arxiv"),
        "files": _files(records),
    }
    frames.update(_cards(records))
    frames["emissions"] = _emissions(records)
    frames["card_training"] = _card_training(records)
    return frames


def _prefixed(tags: pl.DataFrame, prefix: str, name: str) -> pl.DataFrame:
    return (tags.filter(pl.col("tag").str.starts_with(prefix))
            .select("id", pl.col("tag").str.strip_prefix(prefix).alias(name)).unique(maintain_order=True))


def _models(records: pl.DataFrame, raw: pl.DataFrame, tags: pl.DataFrame) -> pl.DataFrame:
    m = pl.col("m").struct
    licence_tag = _prefixed(tags, "license:", "licence_tag").unique("id", keep="first", maintain_order=True)
    depth = raw.group_by("key").agg(pl.col("depth").cast(pl.Int64, strict=False).min().alias("min_depth"))
    gated = pl.col("gated_raw").str.to_lowercase()
    return (
        records.join(licence_tag, on="id", how="left").join(depth, on="key", how="left")
        .select(
            "id",
            m.field("author").alias("author"), m.field("sha").alias("sha"),
            _utc(pl.coalesce(m.field("created_at"), m.field("createdAt"))).alias("created_at"),
            _utc(pl.coalesce(m.field("last_modified"), m.field("lastModified"))).alias("last_modified"),
            m.field("downloads").alias("downloads"), m.field("likes").alias("likes"),
            m.field("library_name").alias("library_name"), m.field("pipeline_tag").alias("pipeline_tag"),
            m.field("config").struct.field("model_type").alias("model_type"),
            m.field("config").struct.field("architectures").list.first().alias("architecture"),
            m.field("safetensors").struct.field("total").alias("parameters"),
            pl.coalesce(m.field("usedStorage"), m.field("used_storage")).alias("used_storage"),
            pl.coalesce("licence_tag", "cd_license").alias("licence_raw"),
            "license_name", "license_link",
            pl.when(gated.is_not_null()).then(~gated.is_in(["false", "null"])).alias("gated"),
            pl.when(gated.is_in(["auto", "manual"])).then(gated).alias("gating_mode"),
            pl.col("min_depth").alias("depth"), "source_url", "retrieved",
        )
    )


def _lineage(raw: pl.DataFrame, records: pl.DataFrame, tags: pl.DataFrame) -> pl.DataFrame:
    """Child → parent edges: typed ``base_model:<rel>:<id>`` tags, then untyped mentions, then child lists."""
    rel = "|".join(RELATIONS)
    tagged = tags.select(
        pl.col("id").alias("child"),
        pl.col("tag").str.extract(rf"^base_model:(?:{rel}):(.+)$", 1).alias("parent"),
        pl.col("tag").str.extract(rf"^base_model:({rel}):", 1).alias("relation"),
    ).drop_nulls()
    plain = tags.select(pl.col("id").alias("child"),
                        pl.col("tag").str.extract(r"^base_model:(.+)$", 1).alias("parent")).drop_nulls()
    plain = plain.filter(~pl.col("parent").str.contains(rf"^(?:{rel}):"))
    from_card = records.select(pl.col("id").alias("child"), pl.col("cd_base_model").alias("parent"),
                               "cd_relation").explode("parent").drop_nulls("parent")
    untyped = pl.concat([plain.with_columns(pl.lit(None, pl.String).alias("cd_relation")), from_card])
    untyped = untyped.join(tagged.select("child"), on="child", how="anti").select(
        "child", "parent",
        pl.when(pl.col("cd_relation").is_in(RELATIONS)).then("cd_relation")
        .otherwise(pl.lit("unspecified")).alias("relation"),
    )
    listed = pl.concat([
        raw.select(pl.col(col).alias("child"), pl.col("id").alias("parent"), pl.lit(relation).alias("relation"))
        .explode("child").drop_nulls()
        for col, relation in CHILD_LISTS.items()
    ])
    edges = pl.concat([tagged, untyped, listed], how="vertical_relaxed").with_columns(
        hub_id("child").alias("child_key"), hub_id("parent").alias("parent_key"))
    edges = edges.drop_nulls(["child_key", "parent_key"]).filter(pl.col("child_key") != pl.col("parent_key"))
    # A specific relation wins over "unspecified" for the same pair.
    edges = edges.sort(pl.col("relation") == "unspecified", maintain_order=True)
    return edges.unique(["child_key", "parent_key"], keep="first", maintain_order=True).select(
        "child", "parent", "relation")


def _datasets(records: pl.DataFrame, tags: pl.DataFrame) -> pl.DataFrame:
    """Datasets named by ``dataset:`` tags (Hub datasets) and card_data.datasets (``on_hub`` false if untagged)."""
    tagged = _prefixed(tags, "dataset:", "dataset").with_columns(pl.lit(True).alias("on_hub"))
    named = records.select("id", pl.col("cd_datasets").alias("dataset")).explode("dataset").drop_nulls()
    named = named.join(tagged, on=["id", "dataset"], how="anti").with_columns(pl.lit(False).alias("on_hub"))
    return pl.concat([tagged, named]).unique(["id", "dataset"], keep="first", maintain_order=True)


def _files(records: pl.DataFrame) -> pl.DataFrame:
    """Repo files with their serialisation format (null for files that are not weights)."""
    text = pl.col("siblings_raw")
    as_strings = pl.when(text.str.starts_with('["')).then(text).str.json_decode(pl.List(pl.String))
    as_objects = pl.when(text.str.starts_with("[{")).then(text).str.json_decode(SIBLING)
    reprs = records.select("id", as_strings.alias("s")).explode("s").drop_nulls().select(
        "id",
        pl.col("s").str.extract(r"""rfilename=(?:'([^']*)'|"([^"]*)")""", 0)
        .str.replace(r"""^rfilename=['"]""", "").str.replace(r"""['"]$""", "").alias("path"),
        pl.col("s").str.extract(r"\bsize=(\d+)", 1).cast(pl.Int64).alias("size"),
    )
    objects = records.select("id", as_objects.alias("s")).explode("s").drop_nulls().select(
        "id", pl.col("s").struct.field("rfilename").alias("path"), pl.col("s").struct.field("size").alias("size"))
    files = pl.concat([reprs, objects]).drop_nulls("path").filter(
        ~pl.col("path").str.contains(r"[\n\r]") & (pl.col("path").str.len_chars() <= 1000))
    ext = pl.col("path").str.extract(r"\.([A-Za-z0-9]+)$", 1).str.to_lowercase()
    fmt = ext.replace_strict(WEIGHT_FORMATS, default=None, return_dtype=pl.String)
    return files.with_columns(fmt.alias("format")).unique(["id", "path"], maintain_order=True)


def _cards(records: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Card presence and length, canonical sections, and YAML keys (the card text is not kept)."""
    given = pl.col("card_sections") if "card_sections" in records.columns else pl.lit(None, pl.List(pl.String))
    known_len = pl.col("card_length") if "card_length" in records.columns else pl.lit(None, pl.Int64)
    length = pl.coalesce(card_length(pl.col("card")), known_len)
    cards = records.select(
        "id",
        pl.when(length > 0).then(length).alias("length"),
        pl.when(length.is_not_null()).then(length > 0).when(pl.col("card_known")).then(False).alias("present"),
    )
    sections = pl.concat([
        card_sections(records.filter(pl.col("card").is_not_null()), "id", "card"),
        records.select("id", given.alias("section")).explode("section").drop_nulls(),
    ]).unique(maintain_order=True)
    given_fields = pl.col("card_fields") if "card_fields" in records.columns else pl.lit(None, pl.List(pl.String))
    fields = records.select("id", pl.coalesce(given_fields, "yaml_keys").alias("field")).explode("field").drop_nulls()
    return {"cards": cards, "card_sections": sections, "card_fields": fields}


CARD_TRAINING_SCHEMA = {
    "id": pl.String, "hardware": pl.String, "accelerator_count": pl.Int64, "hours": pl.Float64,
    "hours_raw": pl.String, "cloud_provider": pl.String, "region": pl.String, "emissions_g": pl.Float64,
    "emissions_raw": pl.String,
}


def _card_training(records: pl.DataFrame) -> pl.DataFrame:
    """Training facts stated in the card *body* (hardware, count, hours, provider, region, emissions).

    Parsed with :func:`ptmkg.energy.extract_card`; YAML ``co2_eq_emissions`` is read as reported data
    elsewhere, so only body fields are kept here. Values that do not parse are left out (never guessed);
    the hardware text is kept as written.
    """
    rows = []
    candidates = records.filter(pl.col("card").str.contains(FIELD_HINT)).select("id", "card")
    for model_id, card in candidates.iter_rows():
        c = extract_card(card)
        body = {k: f for k in ("hardware", "accelerator_count", "hours", "cloud_provider", "region", "emissions_g")
                if (f := getattr(c, k)) is not None and f.origin == "body" and (f.ok or k == "hardware")}
        if not body:
            continue
        hours = body.get("hours")
        duration = hours.parsed if hours is not None and hours.ok else None
        rows.append({
            "id": model_id,
            "hardware": body["hardware"].raw if "hardware" in body else None,
            "accelerator_count": _parsed(body.get("accelerator_count")),
            "hours": duration.hours if duration is not None and not duration.accelerator_hours else None,
            "hours_raw": hours.raw if hours is not None else None,
            "cloud_provider": _parsed(body.get("cloud_provider")),
            "region": _parsed(body.get("region")),
            "emissions_g": _parsed(body.get("emissions_g")),
            "emissions_raw": body["emissions_g"].raw if "emissions_g" in body else None,
        })
    return pl.DataFrame(rows, schema=CARD_TRAINING_SCHEMA)


def _parsed(field: object) -> object:
    return field.parsed if field is not None and field.ok else None


def _emissions(records: pl.DataFrame) -> pl.DataFrame:
    """Reported training emissions (grams CO2eq) from card_data.co2_eq_emissions."""
    return records.filter(pl.col("co2_raw").is_not_null()).select(
        "id",
        pl.col("co2_grams").str.strip_chars().cast(pl.Float64, strict=False).alias("grams"),
        pl.col("co2_grams").alias("raw"),
        pl.col("co2_source").alias("source"), pl.col("co2_training_type").alias("training_type"),
        pl.col("co2_location").alias("location"), pl.col("co2_hardware").alias("hardware"),
    )
